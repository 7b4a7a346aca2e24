// Finding codes of the gate, their German titles for clerks, and the JSON
// form of a verdict (used by `drehscheibe scan --json`, the E-Akte and the
// Prüfstand).
//
// Codes are stable, lower-case, dotted: "<area>.<what>". Areas: type,
// filename, worker, scan (clamd), pdf, office, archive, xml, json, image,
// text. A code's German title is what the clerk's inbox shows
// ("PDF enthält JavaScript"); the English message says what was found.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gate/gate.h"

namespace ds::gate {

std::string_view DecisionName(Decision d);  // "clean", "neutralised", ...
std::string_view SeverityName(Severity s);  // "info", "review", "reject"

// German title for a finding code; a generic title for unknown codes.
std::string_view GermanTitle(std::string_view code);

// {"decision", "detected_type", "detected_mime", "virus_scanned",
//  "duration_ms", "neutralised_copy"?, "findings": [{"code", "severity",
//  "title_de", "message", "neutralisable"}]}
nlohmann::json VerdictToJson(const Verdict& v);

}  // namespace ds::gate
