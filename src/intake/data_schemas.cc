#include "intake/data_schemas.h"

#include <nlohmann/json.hpp>

#include "fitconnect/problems.h"

namespace ds::intake {

using fitconnect::kInstanceData;
using fitconnect::ProblemKind;

Status DataSchemas::AddJson(std::string uri, std::string_view text) {
  DS_ASSIGN_OR_RETURN(fitconnect::JsonSchema schema, fitconnect::JsonSchema::Parse(text));
  schemas_.insert_or_assign(std::move(uri), std::move(schema));
  return Status::Ok();
}

Status DataSchemas::AddXsd(std::string uri, const std::filesystem::path& xsd) {
  DS_ASSIGN_OR_RETURN(fitconnect::XmlSchema schema, fitconnect::XmlSchema::Load(xsd));
  schemas_.insert_or_assign(std::move(uri), std::move(schema));
  return Status::Ok();
}

Status DataSchemas::Validate(std::string_view uri, std::string_view mime_type,
                             std::string_view data) const {
  auto it = schemas_.find(std::string(uri));
  if (it == schemas_.end()) {
    return fitconnect::Reject(ProblemKind::kUnsupportedSchema, kInstanceData,
                              "Das Fachdatenschema " + std::string(uri) +
                                  " ist hier nicht hinterlegt.");
  }

  bool json_type = mime_type.find("json") != std::string_view::npos;
  bool xml_type = mime_type.find("xml") != std::string_view::npos;

  if (const auto* schema = std::get_if<fitconnect::JsonSchema>(&it->second)) {
    if (!json_type) {
      return fitconnect::Reject(ProblemKind::kUnsupportedSchema, kInstanceData,
                                "Das Schema erwartet JSON, gemeldet ist " +
                                    std::string(mime_type) + ".");
    }
    nlohmann::json doc = nlohmann::json::parse(data, nullptr, false);
    if (doc.is_discarded()) {
      return fitconnect::Reject(ProblemKind::kSyntaxViolation, kInstanceData,
                                "Die Fachdaten sind kein gültiges JSON.");
    }
    Status s = schema->Validate(doc);
    if (!s.ok()) return fitconnect::WithProblem(s, ProblemKind::kSchemaViolation, kInstanceData);
    return Status::Ok();
  }

  const auto& xsd = std::get<fitconnect::XmlSchema>(it->second);
  if (!xml_type) {
    return fitconnect::Reject(ProblemKind::kUnsupportedSchema, kInstanceData,
                              "Das Schema erwartet XML, gemeldet ist " +
                                  std::string(mime_type) + ".");
  }
  Status s = xsd.Validate(data);
  if (s.ok()) return s;
  if (s.code() == Code::kCheckFailed) {
    return fitconnect::WithProblem(s, ProblemKind::kSchemaViolation, kInstanceData);
  }
  return fitconnect::WithProblem(s, ProblemKind::kSyntaxViolation, kInstanceData);
}

}  // namespace ds::intake
