#include "pruefstand/compare.h"

#include <map>

#include "pruefstand/protocol.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

json Side(const json& p) {
  const json& s = p["summary"];
  return {{"target", p["target"].value("description", "")},
          {"target_kind", p["target"].value("kind", "")},
          {"test_date", p.value("test_date", "")},
          {"catalogue_version", p["catalogue"].value("version", "")},
          {"passed", s.value("passed", 0)},
          {"failed", s.value("failed", 0)}};
}

json RowOf(const json& r) {
  return {{"outcome", r.value("outcome", "")},
          {"passed", r.contains("passed") ? r["passed"] : json(nullptr)},
          {"reason", r.value("reason", "")}};
}

std::map<std::string, const json*> ById(const json& p) {
  std::map<std::string, const json*> out;
  for (const json& r : p["results"]) out[r.value("sample_id", "")] = &r;
  return out;
}

std::string Label(const json& row) {
  std::optional<Outcome> o = ParseOutcome(row.value("outcome", ""));
  std::string text = o ? std::string(OutcomeGerman(*o)) : "?";
  const json& p = row["passed"];
  text += p.is_null()     ? " (nicht bewertet)"
          : p.get<bool>() ? " (bestanden)"
                          : " (NICHT bestanden)";
  return text;
}

}  // namespace

json Compare(const json& a, const json& b) {
  auto in_a = ById(a);
  auto in_b = ById(b);
  json differences = json::array();
  json only_a = json::array(), only_b = json::array();
  int compared = 0;
  for (const json& r : a["results"]) {
    std::string id = r.value("sample_id", "");
    auto other = in_b.find(id);
    if (other == in_b.end()) {
      only_a.push_back(id);
      continue;
    }
    ++compared;
    json ra = RowOf(r), rb = RowOf(*other->second);
    if (ra["outcome"] != rb["outcome"] || ra["passed"] != rb["passed"]) {
      differences.push_back({{"sample_id", id},
                             {"threat", r.value("threat", "")},
                             {"a", ra},
                             {"b", rb}});
    }
  }
  for (const json& r : b["results"]) {
    std::string id = r.value("sample_id", "");
    if (!in_a.count(id)) only_b.push_back(id);
  }
  json sa = Side(a), sb = Side(b);
  bool same_catalogue = sa["catalogue_version"] == sb["catalogue_version"];
  bool identical =
      differences.empty() && only_a.empty() && only_b.empty() && same_catalogue;
  return {{"a", sa},
          {"b", sb},
          {"same_catalogue", same_catalogue},
          {"compared", compared},
          {"differences", differences},
          {"only_in_a", only_a},
          {"only_in_b", only_b},
          {"identical", identical}};
}

std::string CompareText(const json& d) {
  std::string out;
  for (const char* side : {"a", "b"}) {
    const json& s = d[side];
    out += std::string(side == std::string("a") ? "A" : "B") + ": " +
           s.value("target", "") + ", " + s.value("test_date", "") +
           ", Katalog " + s.value("catalogue_version", "") + ", " +
           std::to_string(s.value("passed", 0)) + " bestanden, " +
           std::to_string(s.value("failed", 0)) + " nicht bestanden\n";
  }
  if (!d.value("same_catalogue", true)) {
    out +=
        "Achtung: verschiedene Katalogversionen; gleiche Probennamen "
        "können verschiedene Dateien bezeichnen.\n";
  }
  out += std::to_string(d.value("compared", 0)) + " Proben verglichen, " +
         std::to_string(d["differences"].size()) + " unterschiedlich.\n";
  for (const json& x : d["differences"]) {
    out += "  " + x.value("sample_id", "") + ": A " + Label(x["a"]) + " | B " +
           Label(x["b"]) + "\n";
  }
  for (const char* key : {"only_in_a", "only_in_b"}) {
    if (d[key].empty()) continue;
    out += std::string(key == std::string("only_in_a") ? "Nur in A: "
                                                       : "Nur in B: ");
    for (const json& id : d[key]) out += id.get<std::string>() + " ";
    out += "\n";
  }
  if (d.value("identical", false)) out += "Keine Unterschiede.\n";
  return out;
}

}  // namespace ds::pruefstand
