// The keyword gate in front of valijson (see CheckSchemaCompat in schema.h).
#include <set>
#include <string>

#include "fitconnect/schema.h"

namespace ds::fitconnect {
namespace {

using nlohmann::json;

// Keywords whose value is a map of subschemas.
const std::set<std::string, std::less<>> kSchemaMaps = {
    "properties", "patternProperties", "definitions", "$defs"};
// Keywords whose value is one subschema.
const std::set<std::string, std::less<>> kSchemaValued = {
    "additionalProperties", "additionalItems", "contains", "propertyNames",
    "not", "if", "then", "else"};
// Keywords whose value is an array of subschemas.
const std::set<std::string, std::less<>> kSchemaArrays = {"allOf", "anyOf",
                                                          "oneOf"};
// Draft-7 assertions without subschemas.
const std::set<std::string, std::less<>> kAssertions = {
    "type",          "enum",      "const",     "multipleOf", "maximum",
    "minimum",       "maxLength", "minLength", "pattern",    "maxItems",
    "minItems",      "uniqueItems", "maxProperties", "minProperties",
    "required",      "exclusiveMaximum", "exclusiveMinimum"};
// Annotations: no effect on validation in the declared drafts. valijson
// evaluates `format` for date, time and date-time, which is stricter than
// 2020-12's annotation-only default (fail-closed, accepted).
const std::set<std::string, std::less<>> kAnnotations = {
    "title",      "description", "$comment",         "examples",
    "default",    "format",      "deprecated",       "readOnly",
    "writeOnly",  "contentMediaType", "contentEncoding", "contentSchema"};
// Drafts whose vocabulary, minus the refused keywords, valijson's draft-7
// mode reads with the same meaning.
const std::set<std::string, std::less<>> kDrafts = {
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft-06/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema"};

std::string Escape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Status Refuse(std::string_view what, const std::string& pointer,
              std::string_view why = "which this validator would ignore") {
  return InvalidInput("schema uses " + std::string(what) + " at " +
                      (pointer.empty() ? "/" : pointer) + ", " +
                      std::string(why));
}

class Gate {
 public:
  explicit Gate(bool items_array_allowed)
      : items_array_allowed_(items_array_allowed) {}

  Status Walk(const json& node, const std::string& at, bool root) {
    if (node.is_boolean()) return Status::Ok();
    if (!node.is_object()) return Refuse("a non-schema value", at,
                                         "where a schema is required");
    DS_RETURN_IF_ERROR(CheckRef(node, at));
    for (const auto& [key, value] : node.items()) {
      DS_RETURN_IF_ERROR(Keyword(key, value, at + "/" + Escape(key), root, node));
    }
    return Status::Ok();
  }

 private:
  Status Keyword(const std::string& key, const json& value,
                 const std::string& at, bool root, const json& parent) {
    if (kSchemaMaps.count(key)) return WalkMap(key, value, at);
    if (kSchemaValued.count(key)) return Walk(value, at, false);
    if (kSchemaArrays.count(key)) return WalkArray(key, value, at);
    if (kAnnotations.count(key)) return Status::Ok();
    if (key == "exclusiveMaximum" || key == "exclusiveMinimum") {
      if (!value.is_number()) {
        return Refuse("'" + key + "' as a boolean (draft 4)", at,
                      "which draft 7 reads differently");
      }
      return Status::Ok();
    }
    if (kAssertions.count(key)) return Status::Ok();
    if (key == "items") return Items(value, at);
    if (key == "dependencies") return Dependencies(value, at);
    if (key == "minContains") return MinContains(value, at, parent);
    if (key == "$ref") return Status::Ok();  // checked in CheckRef
    if (key == "$schema") return Draft(value, at, root);
    if (key == "$id") {
      if (!root) return Refuse("'$id'", at, "which is allowed only at the root");
      return Status::Ok();
    }
    return Refuse("'" + key + "'", at);
  }

  Status WalkMap(const std::string& key, const json& value,
                 const std::string& at) {
    if (!value.is_object()) return Refuse("'" + key + "' that is not an object", at,
                                          "which is malformed");
    for (const auto& [name, sub] : value.items()) {
      DS_RETURN_IF_ERROR(Walk(sub, at + "/" + Escape(name), false));
    }
    return Status::Ok();
  }

  Status WalkArray(const std::string& key, const json& value,
                   const std::string& at) {
    if (!value.is_array()) return Refuse("'" + key + "' that is not an array", at,
                                         "which is malformed");
    for (size_t i = 0; i < value.size(); ++i) {
      DS_RETURN_IF_ERROR(Walk(value[i], at + "/" + std::to_string(i), false));
    }
    return Status::Ok();
  }

  Status Items(const json& value, const std::string& at) {
    if (!value.is_array()) return Walk(value, at, false);
    if (!items_array_allowed_) {
      return Refuse("'items' as an array", at,
                    "which 2019-09/2020-12 replaced by prefixItems");
    }
    return WalkArray("items", value, at);
  }

  Status Dependencies(const json& value, const std::string& at) {
    if (!value.is_object()) return Refuse("'dependencies' that is not an object",
                                          at, "which is malformed");
    for (const auto& [name, dep] : value.items()) {
      if (dep.is_array()) continue;  // property dependency
      DS_RETURN_IF_ERROR(Walk(dep, at + "/" + Escape(name), false));
    }
    return Status::Ok();
  }

  // minContains 1 is what draft-7 `contains` means; 0 makes valijson
  // stricter than the schema (fail-closed). Anything else would be ignored.
  Status MinContains(const json& value, const std::string& at,
                     const json& parent) {
    if (!value.is_number_integer() || value.get<int64_t>() > 1 ||
        value.get<int64_t>() < 0) {
      return Refuse("'minContains' above 1", at);
    }
    if (!parent.contains("contains")) {
      return Refuse("'minContains' without 'contains'", at);
    }
    return Status::Ok();
  }

  Status Draft(const json& value, const std::string& at, bool root) {
    if (!root) return Refuse("'$schema'", at, "which is allowed only at the root");
    if (!value.is_string() || !kDrafts.count(value.get<std::string>())) {
      return Refuse("an unsupported '$schema' draft", at,
                    "which this validator cannot evaluate");
    }
    return Status::Ok();
  }

  // $ref must point into this document, and draft 7 ignores its siblings.
  Status CheckRef(const json& node, const std::string& at) {
    auto ref = node.find("$ref");
    if (ref == node.end()) return Status::Ok();
    if (!ref->is_string() || ref->get<std::string>().rfind("#", 0) != 0) {
      return Refuse("a non-local '$ref'", at + "/$ref",
                    "which this validator cannot resolve");
    }
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" || kAnnotations.count(key)) continue;
      return Refuse("'" + key + "' beside '$ref'", at + "/" + Escape(key));
    }
    return Status::Ok();
  }

  bool items_array_allowed_;
};

}  // namespace

Status CheckSchemaCompat(const json& schema) {
  bool new_draft = false;
  if (schema.is_object() && schema.contains("$schema") &&
      schema["$schema"].is_string()) {
    const std::string& draft = schema["$schema"].get_ref<const std::string&>();
    new_draft = draft.find("/draft/20") != std::string::npos;
  }
  Gate gate(/*items_array_allowed=*/!new_draft);
  return gate.Walk(schema, "", /*root=*/true);
}

}  // namespace ds::fitconnect
