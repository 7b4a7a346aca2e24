// FIT-Connect submission metadata ("Metadaten"): version detection, schema
// validation, the facts intake needs, and building metadata for senders.
//
// Versions are data-driven: MetadataSchemas loads
// <specs>/fit-connect/schemas/metadata-<v>.schema.json for each supported
// version (1.0.0 and 2.1.0 by default). Metadata without `$schema` is
// treated as 1.0.0: real senders (GovOS) omit it, and 1.0.0 makes it
// optional [observed; the FITKO docs do not say so explicitly].
//
//   DS_ASSIGN_OR_RETURN(auto schemas, MetadataSchemas::Load(specs_dir));
//   DS_ASSIGN_OR_RETURN(Metadata m, ParseMetadata(plaintext, schemas, {}));
//   for (const AttachmentDescription& a : m.attachments) ...
//
// Failures carry the reject problem to send (instance "metadata"):
// syntax-violation, unsupported-schema, schema-violation (problems.h).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "fitconnect/schema.h"

namespace ds::fitconnect {

inline constexpr std::string_view kMetadataSchemaBase =
    "https://schema.fitko.de/fit-connect/metadata/";

// "https://schema.fitko.de/fit-connect/metadata/<version>/metadata.schema.json"
std::string MetadataSchemaUri(std::string_view version);

// The version a metadata document declares: "1.0.0" without `$schema`, the
// x.y.z of a metadata schema URI otherwise. kCheckFailed (unsupported-schema)
// for a `$schema` that is not a string or not a FIT-Connect metadata URI.
Result<std::string> MetadataVersionOf(const nlohmann::json& metadata);

// The compiled metadata schemas of the supported versions. Immutable after
// Load; thread-safe.
class MetadataSchemas {
 public:
  // kEnvironment if a file is missing, kInvalidInput if one fails the
  // schema gate.
  static Result<MetadataSchemas> Load(
      const std::filesystem::path& specs_dir,
      const std::vector<std::string>& versions = {"1.0.0", "2.1.0"});

  // The schema for `version`, or nullptr if it is not supported.
  const JsonSchema* Find(std::string_view version) const;
  std::vector<std::string> versions() const;

 private:
  std::map<std::string, JsonSchema, std::less<>> schemas_;
};

struct Hash {
  std::string type = "sha512";
  std::string content;  // lower-case hex, 128 characters
};

struct SubmissionSchemaRef {
  std::string schema_uri;
  std::string mime_type;  // application/json or application/xml
};

// contentStructure.data: how the Fachdaten are described.
struct DataDescription {
  Hash hash;
  SubmissionSchemaRef submission_schema;
};

// One entry of contentStructure.attachments.
struct AttachmentDescription {
  std::string attachment_id;
  Hash hash;
  std::string purpose;  // form, attachment, report (2.x also: data)
  std::string mime_type;
  std::optional<std::string> filename;     // optional in every version
  std::optional<std::string> description;
  std::vector<std::string> fragments;      // 2.x chunked upload
};

// publicServiceType (1.x only; 2.x moved the service to the submission).
struct PublicServiceType {
  std::string identifier;  // URN, e.g. urn:de:fim:leika:leistung:...
  std::string name;
};

// What intake needs from validated metadata.
struct Metadata {
  std::string version;                      // "1.0.0", "2.1.0"
  std::optional<DataDescription> data;      // required in 2.x
  std::vector<AttachmentDescription> attachments;
  std::optional<PublicServiceType> public_service;
  // The requested reply channel: "" (none: paper mail), eMail, deMail,
  // fink, elster, fitConnect, idBundDeMailbox.
  std::string reply_channel;
  nlohmann::json document;                  // the full metadata
};

struct MetadataParseOptions {
  // Versions the destination accepts (its metadataVersions); empty means
  // every version in the MetadataSchemas.
  std::vector<std::string> accepted_versions;
};

// Parses decrypted metadata: JSON syntax (syntax-violation), version
// (unsupported-schema), schema (schema-violation), then extracts. Errors are
// kCheckFailed with the problem attached, instance "metadata"; messages name
// JSON pointers, never values.
Result<Metadata> ParseMetadata(std::string_view plaintext,
                               const MetadataSchemas& schemas,
                               const MetadataParseOptions& options = {});

// Sender side: the parts of a metadata document to build.
struct MetadataDraft {
  std::string version = "2.1.0";
  std::optional<DataDescription> data;  // required for 2.x
  std::vector<AttachmentDescription> attachments;
  std::optional<PublicServiceType> public_service;  // 1.x only
  nlohmann::json reply_channel;  // e.g. {"eMail":{"address":...}}; null: none
  nlohmann::json additional_reference_info;  // null: none
  nlohmann::json author;                     // 2.x only; null: none
};

// Builds the metadata JSON (with `$schema` for every version) and, if
// `schemas` is given, validates it. kInvalidInput for a draft that the
// version cannot express or that fails validation.
Result<nlohmann::json> BuildMetadata(const MetadataDraft& draft,
                                     const MetadataSchemas* schemas);

// The hash entry for plaintext bytes (SHA-512, lower-case hex).
Hash HashOf(std::string_view plaintext);

}  // namespace ds::fitconnect
