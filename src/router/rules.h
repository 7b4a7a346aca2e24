// Routing rules: which Fachverfahren (targets) a filed Vorgang goes to.
//
// A tenant's rules are tried in order; the first rule whose every given
// condition holds decides, and its targets receive the case in the order
// listed. A case that no rule matches stays in the Posteingang for a clerk.
// Conditions left empty do not restrict.
//
//   Rule r{.name = "wohngeld", .leika = {"99108008000000"},
//          .fields = {{.pointer = "/antrag/art", .equals = "erst"}},
//          .targets = {"wohngeld-fv"}};
//   RouteDecision d = Evaluate({r}, {.service_identifier = "urn:de:fim:"
//       "leika:leistung:99108008000000", .form = form_json});
//   // d.matched, d.rule == "wohngeld", d.targets == {"wohngeld-fv"}
//
// Rules are plain data, thread-compatible, no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ds::router {

// A condition on one member of the form data (a JSON document), addressed
// by an RFC 6901 JSON pointer. Strings compare as they are; numbers and
// booleans by their JSON text ("42", "true").
struct FieldCondition {
  std::string pointer;  // e.g. "/antragsteller/anschrift/plz"
  std::string equals;
};

struct Rule {
  std::string name;    // shown in dry runs and the audit trail
  std::string tenant;  // only set for rules read from the configuration
  // LeiKa keys (14 digits); match a service identifier equal to the key or
  // ending in ":" + key (urn:de:fim:leika:leistung:<key>).
  std::vector<std::string> leika;
  std::vector<std::string> services;      // exact service identifiers
  std::vector<std::string> destinations;  // FIT-Connect destination ids
  // Data schema URIs, compared with the schemaUri of the submission's
  // metadata; for cases filed before the E-Akte kept it, with the "$schema"
  // member of JSON form data.
  std::vector<std::string> data_schemas;
  // Regional keys (ARS/AGS) as prefixes of the form field `region_field`:
  // "09162" matches "091620000000".
  std::vector<std::string> regions;
  std::string region_field = "/region";
  std::vector<FieldCondition> fields;  // all must hold
  std::vector<std::string> targets;    // ids of configured targets, in order
};

// What rules look at. `form` is unset when the form data is not JSON or
// was not read (then field and region conditions fail, and data-schema
// conditions too unless `data_schema` is known).
struct CaseFacts {
  std::string service_identifier;
  std::string destination_id;
  std::string data_schema;  // the metadata's schemaUri, "" if unknown
  std::optional<nlohmann::json> form;
};

struct RouteDecision {
  bool matched = false;
  std::string rule;                  // name of the deciding rule
  std::vector<std::string> targets;  // empty if !matched
};

RouteDecision Evaluate(const std::vector<Rule>& rules, const CaseFacts& facts);

// True if one of the rules needs the form data: fields, regions, or data
// schemas when the case's schema URI is not known (`schema_known` false).
bool NeedsForm(const std::vector<Rule>& rules, bool schema_known = false);

// A rule as JSON (docs/openapi.json, schema RoutingRule) and back.
// RuleFromJson checks like CheckRule and rejects unknown members
// (kInvalidInput naming the member).
nlohmann::json RuleToJson(const Rule& rule);
Result<Rule> RuleFromJson(const nlohmann::json& json);

// kInvalidInput if the rule has no name or targets, or a malformed pointer.
Status CheckRule(const Rule& rule);

}  // namespace ds::router
