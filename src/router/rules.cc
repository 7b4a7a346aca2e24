#include "router/rules.h"

#include <algorithm>
#include <functional>

#include "core/text.h"

namespace ds::router {
namespace {

bool AnyOf(const std::vector<std::string>& list,
           const std::function<bool(const std::string&)>& pred) {
  return std::any_of(list.begin(), list.end(), pred);
}

bool LeikaMatches(const std::string& key, const std::string& service) {
  return service == key ||
         (service.size() > key.size() + 1 && service.ends_with(":" + key));
}

// The form member at `pointer` as text, or nullopt if absent or not a
// scalar.
std::optional<std::string> FieldText(const nlohmann::json& form,
                                     const std::string& pointer) {
  try {
    nlohmann::json::json_pointer p(pointer);
    if (!form.contains(p)) return std::nullopt;
    const nlohmann::json& v = form.at(p);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

bool Matches(const Rule& r, const CaseFacts& f) {
  const std::string& svc = f.service_identifier;
  if (!r.leika.empty() &&
      !AnyOf(r.leika, [&](const auto& k) { return LeikaMatches(k, svc); })) {
    return false;
  }
  if (!r.services.empty() &&
      !AnyOf(r.services, [&](const auto& s) { return s == svc; })) {
    return false;
  }
  if (!r.destinations.empty() && !AnyOf(r.destinations, [&](const auto& d) {
        return d == f.destination_id;
      })) {
    return false;
  }

  // The data schema: the metadata's, else (older cases) the form's own.
  if (!r.data_schemas.empty()) {
    std::optional<std::string> schema;
    if (!f.data_schema.empty()) {
      schema = f.data_schema;
    } else if (f.form && f.form->is_object()) {
      schema = FieldText(*f.form, "/$schema");
    }
    if (!schema ||
        !AnyOf(r.data_schemas, [&](const auto& s) { return s == *schema; })) {
      return false;
    }
  }

  // Conditions on the form data.
  bool needs_form = !r.regions.empty() || !r.fields.empty();
  if (!needs_form) return true;
  if (!f.form || !f.form->is_object()) return false;
  if (!r.regions.empty()) {
    std::optional<std::string> ars = FieldText(*f.form, r.region_field);
    if (!ars ||
        !AnyOf(r.regions, [&](const auto& p) { return ars->starts_with(p); })) {
      return false;
    }
  }
  for (const FieldCondition& c : r.fields) {
    std::optional<std::string> v = FieldText(*f.form, c.pointer);
    if (!v || *v != c.equals) return false;
  }
  return true;
}

bool ValidPointer(const std::string& p) {
  try {
    nlohmann::json::json_pointer ptr(p);
    return !p.empty();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

Status StringList(const nlohmann::json& j, const char* key,
                  std::vector<std::string>* out) {
  if (!j.contains(key)) return Status::Ok();
  const nlohmann::json& v = j.at(key);
  if (!v.is_array())
    return InvalidInput(std::string("rule: ") + key +
                        " must be an array of strings");
  for (const auto& e : v) {
    if (!e.is_string() || e.get<std::string>().empty() ||
        e.get<std::string>().size() > 500) {
      return InvalidInput(std::string("rule: ") + key +
                          " must hold non-empty strings");
    }
    out->push_back(e.get<std::string>());
  }
  return Status::Ok();
}

}  // namespace

RouteDecision Evaluate(const std::vector<Rule>& rules, const CaseFacts& facts) {
  for (const Rule& r : rules) {
    if (Matches(r, facts)) {
      return {.matched = true, .rule = r.name, .targets = r.targets};
    }
  }
  return {};
}

bool NeedsForm(const std::vector<Rule>& rules, bool schema_known) {
  return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) {
    return (!schema_known && !r.data_schemas.empty()) || !r.regions.empty() ||
           !r.fields.empty();
  });
}

Status CheckRule(const Rule& r) {
  if (r.name.empty()) return InvalidInput("rule: name missing");
  // The name is shown to people (UI, dry runs): no controls, no direction
  // changes that would make it read as another.
  if (r.name.size() > 200 || !IsPlainText(r.name)) {
    return InvalidInput(
        "rule: name must be plain text of at most 200 bytes (no control, "
        "direction or invisible characters)");
  }
  if (r.targets.empty()) {
    return InvalidInput("rule " + r.name + ": at least one target needed");
  }
  for (size_t i = 0; i < r.targets.size(); ++i) {
    if (std::find(r.targets.begin(), r.targets.begin() + i, r.targets[i]) !=
        r.targets.begin() + i) {
      return InvalidInput("rule " + r.name + ": target " + r.targets[i] +
                          " named twice");
    }
  }
  // Conditions are shown to people too, and a hidden character would make a
  // condition that reads "09162" never match "091620000".
  for (const std::vector<std::string>* list :
       {&r.leika, &r.services, &r.destinations, &r.data_schemas, &r.regions,
        &r.targets}) {
    for (const std::string& value : *list) {
      if (!IsPlainText(value)) {
        return InvalidInput("rule " + r.name +
                            ": a condition or target holds control, "
                            "direction or invisible characters");
      }
    }
  }
  for (const FieldCondition& c : r.fields) {
    if (!IsPlainText(c.pointer) || !IsPlainText(c.equals)) {
      return InvalidInput("rule " + r.name +
                          ": a field condition holds control, direction or "
                          "invisible characters");
    }
  }
  if (!ValidPointer(r.region_field)) {
    return InvalidInput("rule " + r.name + ": region_field is no JSON pointer");
  }
  for (const FieldCondition& c : r.fields) {
    if (!ValidPointer(c.pointer)) {
      return InvalidInput("rule " + r.name + ": field pointer \"" + c.pointer +
                          "\" is no JSON pointer");
    }
  }
  return Status::Ok();
}

nlohmann::json RuleToJson(const Rule& r) {
  nlohmann::json fields = nlohmann::json::array();
  for (const FieldCondition& c : r.fields) {
    fields.push_back({{"pointer", c.pointer}, {"equals", c.equals}});
  }
  return {{"name", r.name},
          {"leika", r.leika},
          {"services", r.services},
          {"destinations", r.destinations},
          {"data_schemas", r.data_schemas},
          {"regions", r.regions},
          {"region_field", r.region_field},
          {"fields", fields},
          {"targets", r.targets}};
}

Result<Rule> RuleFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidInput("rule: must be an object");
  static const char* kKnown[] = {"name",         "leika",        "services",
                                 "destinations", "data_schemas", "regions",
                                 "region_field", "fields",       "targets"};
  for (const auto& [key, value] : j.items()) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) {
          return key == k;
        }) == std::end(kKnown)) {
      return InvalidInput("rule: unknown member " + key);
    }
  }
  Rule r;
  if (!j.contains("name") || !j["name"].is_string()) {
    return InvalidInput("rule: name must be a string");
  }
  r.name = j["name"].get<std::string>();
  DS_RETURN_IF_ERROR(StringList(j, "leika", &r.leika));
  DS_RETURN_IF_ERROR(StringList(j, "services", &r.services));
  DS_RETURN_IF_ERROR(StringList(j, "destinations", &r.destinations));
  DS_RETURN_IF_ERROR(StringList(j, "data_schemas", &r.data_schemas));
  DS_RETURN_IF_ERROR(StringList(j, "regions", &r.regions));
  DS_RETURN_IF_ERROR(StringList(j, "targets", &r.targets));
  if (j.contains("region_field")) {
    if (!j["region_field"].is_string()) {
      return InvalidInput("rule: region_field must be a string");
    }
    r.region_field = j["region_field"].get<std::string>();
  }
  if (j.contains("fields")) {
    if (!j["fields"].is_array())
      return InvalidInput("rule: fields must be an array");
    for (const auto& f : j["fields"]) {
      if (!f.is_object() || !f.contains("pointer") ||
          !f["pointer"].is_string() || !f.contains("equals") ||
          !f["equals"].is_string() || f.size() != 2) {
        return InvalidInput(
            "rule: each field needs exactly a string pointer and equals");
      }
      r.fields.push_back({.pointer = f["pointer"].get<std::string>(),
                          .equals = f["equals"].get<std::string>()});
    }
  }
  DS_RETURN_IF_ERROR(CheckRule(r));
  return r;
}

}  // namespace ds::router
