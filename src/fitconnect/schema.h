// Schema validation of FIT-Connect content: JSON Schema (metadata, JSON
// Fachdaten) and XML Schema (XML Fachdaten).
//
// JSON Schema runs on valijson in draft-7 mode. FIT-Connect's schemas
// declare 2020-12 but use only keywords whose meaning is the same in draft 7;
// since valijson silently ignores keywords it does not know (fail-open), every
// schema passes a compatibility gate at load time (CheckSchemaCompat) that
// refuses any keyword the validator would ignore or read differently.
//
//   DS_ASSIGN_OR_RETURN(auto schema, JsonSchema::Load(dir / "x.schema.json"));
//   Status s = schema.Validate(instance);   // kCheckFailed naming pointers
//
// Validation errors name the JSON pointer of the failing instance value and
// a reason taken from the schema, never instance values: those may be
// personal data. XML errors likewise name the element path and a libxml2
// error code only.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::fitconnect {

// Checks that `schema` uses only keywords valijson's draft-7 mode evaluates
// as the schema's own draft means them: the draft-7 vocabulary, `$defs` as a
// container, `contains` with `minContains` <= 1, and annotations (title,
// description, $comment, examples, default, format, deprecated, readOnly,
// writeOnly, contentMediaType, contentEncoding, contentSchema). `$ref` must
// be local ("#...") and have no sibling assertions; `$id` only at the root.
// kInvalidInput "schema uses 'prefixItems' at /properties/a, which this
// validator would ignore" otherwise. Values of enum/const/examples/default
// are data and are not walked.
Status CheckSchemaCompat(const nlohmann::json& schema);

// One validation error: where in the instance, and why (no values).
struct SchemaError {
  std::string pointer;  // JSON pointer into the instance, "" for the root
  std::string reason;
};

// A compiled JSON Schema. Immutable after loading, cheap to copy, and safe
// to use from several threads at once.
class JsonSchema {
 public:
  // Runs CheckSchemaCompat, then compiles. Only local `$ref`s resolve.
  // kInvalidInput for a schema that is not JSON, fails the gate or does not
  // compile.
  static Result<JsonSchema> FromJson(const nlohmann::json& schema);
  static Result<JsonSchema> Parse(std::string_view schema_text);
  // As Parse; kEnvironment if the file cannot be read.
  static Result<JsonSchema> Load(const std::filesystem::path& file);

  // OK, or kCheckFailed "schema violation at /a/0/b: reason; ..." listing up
  // to `max_errors` errors.
  Status Validate(const nlohmann::json& instance, size_t max_errors = 5) const;
  // All errors (empty if valid).
  std::vector<SchemaError> Errors(const nlohmann::json& instance) const;

  // The schema's `$id` (empty if none).
  const std::string& id() const;

 private:
  struct Rep;
  explicit JsonSchema(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

// Limits for parsing untrusted XML.
struct XmlLimits {
  size_t max_bytes = 64u << 20;
};

// A compiled XML Schema (XSD 1.0, libxml2). Load only trusted XSDs (our
// own specs directory): libxml2's schema compiler is not hardened against
// hostile schemas. Includes and imports are resolved by libxml2's default
// loader relative to the file: keep every imported XSD local. Immutable,
// thread-safe for validation.
class XmlSchema {
 public:
  static Result<XmlSchema> Load(const std::filesystem::path& xsd_file);

  // Parses untrusted `xml` hardened (no network, no DTD loading, no entity
  // expansion, a DOCTYPE is refused, size capped) and validates it.
  // kInvalidInput for XML that is not well-formed or has a DOCTYPE (a
  // syntax problem), kCheckFailed "XML schema violation at /a/b[2] ..." for
  // invalid content, kTooLarge above the limit.
  Status Validate(std::string_view xml, const XmlLimits& limits = {}) const;

 private:
  struct Rep;
  explicit XmlSchema(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

// Checks only that `xml` is well-formed under the same hardened settings as
// XmlSchema::Validate (for Fachdaten whose XSD is not available).
Status CheckXmlWellFormed(std::string_view xml, const XmlLimits& limits = {});

}  // namespace ds::fitconnect
