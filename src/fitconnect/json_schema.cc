// JsonSchema on valijson (draft-7 mode) behind the keyword gate.
#include <fstream>
#include <set>
#include <sstream>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "fitconnect/schema.h"

namespace ds::fitconnect {

struct JsonSchema::Rep {
  valijson::Schema schema;
  std::string id;
};

namespace {

// valijson's context ("<root>", "[name]", "[0]") as a JSON pointer.
std::string Pointer(const std::vector<std::string>& context) {
  std::string out;
  for (const std::string& part : context) {
    if (part.size() < 2 || part.front() != '[' || part.back() != ']') continue;
    out += '/';
    for (char c : std::string_view(part).substr(1, part.size() - 2)) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out += c;
    }
  }
  return out;
}

// valijson's description with quoted words dropped unless they are schema
// keywords: some messages quote an instance property name, and instance
// content must not reach logs.
std::string Reason(const std::string& description) {
  static const std::set<std::string, std::less<>> kKeywords = {
      "properties", "additionalProperties", "patternProperties", "pattern",
      "const", "enum", "type", "contains", "not", "items", "dependencies"};
  std::string out;
  size_t pos = 0;
  while (pos < description.size()) {
    char c = description[pos];
    size_t end = (c == '\'' || c == '"') ? description.find(c, pos + 1)
                                         : std::string::npos;
    if (end == std::string::npos) {
      out += c;
      ++pos;
      continue;
    }
    std::string_view word(description.data() + pos + 1, end - pos - 1);
    out += kKeywords.count(word) ? "'" + std::string(word) + "'" : "(omitted)";
    pos = end + 1;
  }
  return out.empty() ? "constraint violated" : out;
}

}  // namespace

Result<JsonSchema> JsonSchema::FromJson(const nlohmann::json& schema) {
  DS_RETURN_IF_ERROR(CheckSchemaCompat(schema));

  auto rep = std::make_shared<Rep>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, rep->schema);
  } catch (const std::exception& e) {
    return InvalidInput(std::string("compile schema: ") + e.what());
  }
  if (schema.is_object() && schema.contains("$id") && schema["$id"].is_string()) {
    rep->id = schema["$id"].get<std::string>();
  }
  return JsonSchema(std::move(rep));
}

Result<JsonSchema> JsonSchema::Parse(std::string_view schema_text) {
  nlohmann::json schema = nlohmann::json::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) return InvalidInput("schema is not JSON");
  return FromJson(schema);
}

Result<JsonSchema> JsonSchema::Load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return EnvironmentError("read schema " + file.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  Result<JsonSchema> schema = Parse(text.str());
  if (!schema.ok()) {
    Status s = schema.status();
    return s.Prepend("load schema " + file.filename().string());
  }
  return schema;
}

std::vector<SchemaError> JsonSchema::Errors(const nlohmann::json& instance) const {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(instance);
  std::vector<SchemaError> errors;
  if (validator.validate(rep_->schema, target, &results)) return errors;

  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    errors.push_back({Pointer(error.context), Reason(error.description)});
  }
  if (errors.empty()) errors.push_back({"", "constraint violated"});
  return errors;
}

Status JsonSchema::Validate(const nlohmann::json& instance,
                            size_t max_errors) const {
  std::vector<SchemaError> errors = Errors(instance);
  if (errors.empty()) return Status::Ok();

  std::string message = "schema violation";
  for (size_t i = 0; i < errors.size() && i < max_errors; ++i) {
    message += (i == 0 ? " at " : "; at ");
    message += errors[i].pointer.empty() ? "/" : errors[i].pointer;
    message += ": " + errors[i].reason;
  }
  if (errors.size() > max_errors) {
    message += "; and " + std::to_string(errors.size() - max_errors) + " more";
  }
  return CheckFailed(std::move(message));
}

const std::string& JsonSchema::id() const { return rep_->id; }

}  // namespace ds::fitconnect
