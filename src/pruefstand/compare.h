// Compares two Prüfstand protocols: two platforms, or two runs against one.
//
//   nlohmann::json diff = ds::pruefstand::Compare(a, b);
//   if (!diff["identical"]) std::cout << ds::pruefstand::CompareText(diff);
//
// Rows are matched by sample id. A row differs when the outcome or the
// rating differs; samples in only one protocol are listed separately, and
// so is a difference in catalogue version (then the same id may name
// different bytes and the comparison says so).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ds::pruefstand {

// {"a": {target, test_date, catalogue_version, passed, failed},
//  "b": {...}, "same_catalogue": bool, "compared": N,
//  "differences": [{"sample_id", "threat", "a": {outcome, passed, reason},
//                   "b": {...}}],
//  "only_in_a": [ids], "only_in_b": [ids], "identical": bool}
// Both inputs must be valid protocols (ValidateProtocol).
nlohmann::json Compare(const nlohmann::json& a, const nlohmann::json& b);

// A plain-text table of the differences, in German, for the terminal.
std::string CompareText(const nlohmann::json& diff);

}  // namespace ds::pruefstand
