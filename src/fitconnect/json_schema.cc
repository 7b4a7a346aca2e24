// JsonSchema on valijson (draft-7 mode) behind the keyword gate.
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "fitconnect/schema.h"
#include "fitconnect/schema_internal.h"

namespace ds::fitconnect {

struct JsonSchema::Rep {
  valijson::Schema schema;
  std::string id;
  std::vector<MultipleOfRule> multiple_of;  // evaluated here, not by valijson
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

std::string Escape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Mathematically, is `value` an integer multiple of `divisor`? Integers are
// compared exactly; otherwise the quotient may be off an integer by a
// relative 1e-9 (binary doubles cannot hold 0.01 exactly).
bool IsMultiple(const nlohmann::json& value, const nlohmann::json& divisor) {
  if (value.is_number_integer() && divisor.is_number_integer() &&
      !value.is_number_unsigned() && !divisor.is_number_unsigned()) {
    return value.get<int64_t>() % divisor.get<int64_t>() == 0;
  }
  double q = value.get<double>() / divisor.get<double>();
  if (!std::isfinite(q)) return false;
  return std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
}

void CheckMultipleOf(const nlohmann::json& node, const MultipleOfRule& rule,
                     size_t step, const std::string& pointer,
                     std::vector<SchemaError>* errors) {
  if (step == rule.instance_path.size()) {
    if (node.is_number() && !IsMultiple(node, rule.divisor)) {
      errors->push_back({pointer, "Value should be a multiple of " +
                                      rule.divisor.dump()});
    }
    return;
  }
  const std::string& name = rule.instance_path[step];
  if (node.is_object()) {
    auto it = node.find(name);
    if (it != node.end()) {
      CheckMultipleOf(*it, rule, step + 1, pointer + "/" + Escape(name), errors);
    }
  } else if (node.is_array() && name == "*") {
    for (size_t i = 0; i < node.size(); ++i) {
      CheckMultipleOf(node[i], rule, step + 1,
                      pointer + "/" + std::to_string(i), errors);
    }
  }
}

}  // namespace

Result<JsonSchema> JsonSchema::FromJson(const nlohmann::json& schema) {
  auto rep = std::make_shared<Rep>();
  DS_RETURN_IF_ERROR(internal::CheckSchemaCompat(schema, &rep->multiple_of));

  // valijson never sees multipleOf (see schema_compat.cc).
  nlohmann::json compiled = schema;
  for (const MultipleOfRule& rule : rep->multiple_of) {
    std::string parent = rule.schema_pointer.substr(
        0, rule.schema_pointer.size() - std::string_view("/multipleOf").size());
    compiled.at(nlohmann::json::json_pointer(parent)).erase("multipleOf");
  }

  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(compiled);
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
  if (!validator.validate(rep_->schema, target, &results)) {
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      errors.push_back({Pointer(error.context), Reason(error.description)});
    }
    if (errors.empty()) errors.push_back({"", "constraint violated"});
  }
  for (const MultipleOfRule& rule : rep_->multiple_of) {
    CheckMultipleOf(instance, rule, 0, "", &errors);
  }
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
