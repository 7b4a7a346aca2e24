#include "fitconnect/metadata.h"

#include <algorithm>
#include <regex>

#include "core/encoding.h"
#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

using nlohmann::json;

constexpr std::string_view kSchemaFile = "/metadata.schema.json";

Status MetadataProblem(ProblemKind kind, std::string detail) {
  return Reject(kind, kInstanceMetadata, detail);
}

std::optional<std::string> OptionalString(const json& object,
                                          const char* member) {
  auto it = object.find(member);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Hash HashFrom(const json& j) {
  return Hash{j.value("type", ""), j.value("content", "")};
}

// The schema has been validated, so the shapes below hold; value() with
// defaults only guards against versions that relax a requirement.
DataDescription DataFrom(const json& j) {
  const json& ref = j.at("submissionSchema");
  return DataDescription{HashFrom(j.at("hash")),
                         {ref.value("schemaUri", ""), ref.value("mimeType", "")}};
}

AttachmentDescription AttachmentFrom(const json& j) {
  AttachmentDescription a;
  a.attachment_id = j.value("attachmentId", "");
  a.hash = HashFrom(j.at("hash"));
  a.purpose = j.value("purpose", "");
  a.mime_type = j.value("mimeType", "");
  a.filename = OptionalString(j, "filename");
  a.description = OptionalString(j, "description");
  if (j.contains("fragments")) {
    for (const json& f : j["fragments"]) a.fragments.push_back(f.get<std::string>());
  }
  return a;
}

Metadata Extract(std::string version, json document) {
  Metadata m;
  m.version = std::move(version);
  const json& content = document.at("contentStructure");
  if (content.contains("data")) m.data = DataFrom(content["data"]);
  for (const json& a : content.value("attachments", json::array())) {
    m.attachments.push_back(AttachmentFrom(a));
  }
  if (document.contains("publicServiceType")) {
    const json& s = document["publicServiceType"];
    m.public_service = PublicServiceType{s.value("identifier", ""),
                                         s.value("name", "")};
  }
  if (document.contains("replyChannel") && !document["replyChannel"].empty()) {
    m.reply_channel = document["replyChannel"].items().begin().key();
  }
  m.document = std::move(document);
  return m;
}

json HashJson(const Hash& h) {
  return {{"type", h.type}, {"content", h.content}};
}

json AttachmentJson(const AttachmentDescription& a, bool v2) {
  json j = {{"attachmentId", a.attachment_id},
            {"hash", HashJson(a.hash)},
            {"purpose", a.purpose},
            {"mimeType", a.mime_type}};
  if (a.filename) j["filename"] = *a.filename;
  if (a.description) j["description"] = *a.description;
  if (v2 && !a.fragments.empty()) j["fragments"] = a.fragments;
  return j;
}

}  // namespace

std::string MetadataSchemaUri(std::string_view version) {
  return std::string(kMetadataSchemaBase) + std::string(version) +
         std::string(kSchemaFile);
}

Result<std::string> MetadataVersionOf(const json& metadata) {
  if (!metadata.is_object()) {
    return MetadataProblem(ProblemKind::kSchemaViolation,
                           "metadata is not a JSON object");
  }
  auto it = metadata.find("$schema");
  if (it == metadata.end()) return std::string("1.0.0");

  static const std::regex kUri(
      R"(^https://schema\.fitko\.de/fit-connect/metadata/(\d+\.\d+\.\d+)/metadata\.schema\.json$)");
  std::smatch match;
  std::string uri = it->is_string() ? it->get<std::string>() : "";
  if (!std::regex_match(uri, match, kUri)) {
    return MetadataProblem(ProblemKind::kUnsupportedSchema,
                           "$schema is not a FIT-Connect metadata schema URI");
  }
  return match[1].str();
}

Result<MetadataSchemas> MetadataSchemas::Load(
    const std::filesystem::path& specs_dir,
    const std::vector<std::string>& versions) {
  MetadataSchemas out;
  for (const std::string& v : versions) {
    std::filesystem::path file = specs_dir / "fit-connect" / "schemas" /
                                 ("metadata-" + v + ".schema.json");
    DS_ASSIGN_OR_RETURN(JsonSchema schema, JsonSchema::Load(file));
    out.schemas_.emplace(v, std::move(schema));
  }
  return out;
}

const JsonSchema* MetadataSchemas::Find(std::string_view version) const {
  auto it = schemas_.find(version);
  return it == schemas_.end() ? nullptr : &it->second;
}

std::vector<std::string> MetadataSchemas::versions() const {
  std::vector<std::string> out;
  for (const auto& [v, s] : schemas_) out.push_back(v);
  return out;
}

Result<Metadata> ParseMetadata(std::string_view plaintext,
                               const MetadataSchemas& schemas,
                               const MetadataParseOptions& options) {
  // Syntax.
  json document = json::parse(plaintext, nullptr, false);
  if (document.is_discarded()) {
    return MetadataProblem(ProblemKind::kSyntaxViolation,
                           "metadata is not valid JSON");
  }

  // Version: known to us and accepted by the destination.
  DS_ASSIGN_OR_RETURN(std::string version, MetadataVersionOf(document));
  const JsonSchema* schema = schemas.Find(version);
  const auto& accepted = options.accepted_versions;
  if (schema == nullptr ||
      (!accepted.empty() &&
       std::find(accepted.begin(), accepted.end(), version) == accepted.end())) {
    return MetadataProblem(ProblemKind::kUnsupportedSchema,
                           "metadata version " + version + " is not supported");
  }

  // Schema.
  Status valid = schema->Validate(document);
  if (!valid.ok()) {
    return MetadataProblem(ProblemKind::kSchemaViolation,
                           "metadata " + version + ": " + valid.message());
  }
  return Extract(std::move(version), std::move(document));
}

Result<json> BuildMetadata(const MetadataDraft& draft,
                           const MetadataSchemas* schemas) {
  bool v2 = draft.version.rfind("2.", 0) == 0;
  if (v2 && !draft.data) {
    return InvalidInput("build metadata: version 2.x requires data");
  }
  if (v2 && draft.public_service) {
    return InvalidInput("build metadata: version 2.x has no publicServiceType; "
                        "name the service on the submission");
  }

  json doc = {{"$schema", MetadataSchemaUri(draft.version)}};
  json content = {{"attachments", json::array()}};
  if (draft.data) {
    content["data"] = {
        {"hash", HashJson(draft.data->hash)},
        {"submissionSchema",
         {{"schemaUri", draft.data->submission_schema.schema_uri},
          {"mimeType", draft.data->submission_schema.mime_type}}}};
  }
  for (const AttachmentDescription& a : draft.attachments) {
    content["attachments"].push_back(AttachmentJson(a, v2));
  }
  doc["contentStructure"] = std::move(content);
  if (draft.public_service) {
    doc["publicServiceType"] = {{"identifier", draft.public_service->identifier}};
    if (!draft.public_service->name.empty()) {
      doc["publicServiceType"]["name"] = draft.public_service->name;
    }
  }
  if (!draft.reply_channel.is_null()) doc["replyChannel"] = draft.reply_channel;
  if (!draft.additional_reference_info.is_null()) {
    doc["additionalReferenceInfo"] = draft.additional_reference_info;
  }
  if (!draft.author.is_null()) doc["author"] = draft.author;

  if (schemas != nullptr) {
    const JsonSchema* schema = schemas->Find(draft.version);
    if (schema == nullptr) {
      return InvalidInput("build metadata: version " + draft.version +
                          " is not loaded");
    }
    Status valid = schema->Validate(doc);
    if (!valid.ok()) return InvalidInput("build metadata: " + valid.message());
  }
  return doc;
}

Hash HashOf(std::string_view plaintext) {
  return Hash{"sha512", HexEncode(Sha512(plaintext))};
}

}  // namespace ds::fitconnect
