// The data schemas (Fachdatenschemas) the hub validates form data against,
// keyed by the schemaUri a submission's metadata names. A destination
// accepts a schemaUri for a service (its submissionSchemas); the hub must
// also hold the schema itself, or the submission is rejected as
// unsupported-schema: data the hub cannot check is never accepted.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"
#include "fitconnect/schema.h"

namespace ds::intake {

class DataSchemas {
 public:
  // Registers a JSON Schema (checked by the schema gate) or an XSD file.
  Status AddJson(std::string uri, std::string_view schema_text);
  Status AddXsd(std::string uri, const std::filesystem::path& xsd);

  // Validates `data` of `mime_type` against the schema for `uri`.
  // Problems (kCheckFailed, instance "data"): unsupported-schema when the
  // URI is unknown or the mime type does not fit the schema kind,
  // syntax-violation for data that does not parse, schema-violation.
  Status Validate(std::string_view uri, std::string_view mime_type,
                  std::string_view data) const;

  bool Has(std::string_view uri) const { return schemas_.count(std::string(uri)) > 0; }

 private:
  std::map<std::string, std::variant<fitconnect::JsonSchema, fitconnect::XmlSchema>> schemas_;
};

}  // namespace ds::intake
