#include "fitconnect/data.h"

#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

Status DataProblem(ProblemKind kind, std::string detail) {
  return Reject(kind, kInstanceData, "data: " + detail);
}

Status CheckJson(std::string_view plaintext, const JsonSchema* schema) {
  nlohmann::json doc = nlohmann::json::parse(plaintext, nullptr, false);
  if (doc.is_discarded()) {
    return DataProblem(ProblemKind::kSyntaxViolation, "not valid JSON");
  }
  if (schema == nullptr) {
    return DataProblem(ProblemKind::kUnsupportedSchema,
                       "the submission schema is not accepted here");
  }
  Status valid = schema->Validate(doc);
  if (!valid.ok()) return DataProblem(ProblemKind::kSchemaViolation, valid.message());
  return Status::Ok();
}

Status CheckXml(std::string_view plaintext, const XmlSchema* schema,
                const XmlLimits& limits) {
  if (schema == nullptr) {
    Status syntax = CheckXmlWellFormed(plaintext, limits);
    if (!syntax.ok()) return DataProblem(ProblemKind::kSyntaxViolation, syntax.message());
    return DataProblem(ProblemKind::kUnsupportedSchema,
                       "the submission schema is not accepted here");
  }
  Status valid = schema->Validate(plaintext, limits);
  if (valid.ok()) return valid;
  if (valid.code() == Code::kCheckFailed) {
    return DataProblem(ProblemKind::kSchemaViolation, valid.message());
  }
  // Not well-formed, a DOCTYPE, or too large: the sender's syntax.
  return DataProblem(ProblemKind::kSyntaxViolation, valid.message());
}

}  // namespace

Status CheckData(std::string_view plaintext, std::string_view mime_type,
                 const JsonSchema* json_schema, const XmlSchema* xml_schema,
                 const XmlLimits& xml_limits) {
  if (mime_type == "application/json") return CheckJson(plaintext, json_schema);
  if (mime_type == "application/xml") {
    return CheckXml(plaintext, xml_schema, xml_limits);
  }
  return DataProblem(ProblemKind::kUnsupportedSchema,
                     "mime type is neither application/json nor application/xml");
}

}  // namespace ds::fitconnect
