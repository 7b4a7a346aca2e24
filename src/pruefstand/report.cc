#include "pruefstand/report.h"

#include "core/text.h"
#include "pruefstand/protocol.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

// Colours checked for contrast against their backgrounds (all >= 7:1
// except the badges, >= 4.5:1).
constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  background: #ffffff; margin: 2rem auto; max-width: 75rem; padding: 0 1rem;
  line-height: 1.45; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 2px solid #1d4f91;
  padding-bottom: .2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr;
  gap: .3rem 1.2rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #e8eef7; }
td.num { text-align: right; }
table.narrow { width: auto; min-width: 24rem; }
tr.fail td { background: #fde8e8; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .2rem;
  font-weight: bold; }
.pass { background: #dff3e4; color: #0b4d1e; }
.fail { background: #fde8e8; color: #8a1111; }
.na { background: #eeeeee; color: #333333; }
.result { font-size: 1.15rem; padding: .6rem .8rem; border: 2px solid;
  border-radius: .3rem; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .92em;
  overflow-wrap: anywhere; }
th code { white-space: nowrap; }
ul.findings { margin: 0; padding-left: 1.1rem; }
)";

// j[key] if j is an object holding it, else null (protocols from files
// may lack members).
const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string Esc(std::string_view s) { return EscapeMarkup(s); }

std::string Str(const json& j, const char* key, const char* fallback = "") {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    return fallback;
  }
  return j[key].get<std::string>();
}

int Int(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number_integer()
             ? j[key].get<int>()
             : 0;
}

constexpr Outcome kAllOutcomes[] = {
    Outcome::kRejected,    Outcome::kQuarantined,
    Outcome::kNeutralised, Outcome::kAcceptedUnchanged,
    Outcome::kError,       Outcome::kNotApplicable};

std::string OutcomeLabel(const std::string& name) {
  std::optional<Outcome> o = ParseOutcome(name);
  return o ? std::string(OutcomeGerman(*o)) : name;
}

std::string PassBadge(const json& passed) {
  if (passed.is_null()) return "<span class=\"badge na\">nicht bewertet</span>";
  return passed.get<bool>()
             ? "<span class=\"badge pass\">bestanden</span>"
             : "<span class=\"badge fail\">NICHT bestanden</span>";
}

std::string Facts(const json& p) {
  const json& target = At(p, "target");
  const json& cat = At(p, "catalogue");
  const json& sel = At(p, "selection");
  const json& auth = At(p, "authorisation");
  std::string by = Str(auth, "by");
  std::string authorised = !by.empty() ? Esc(by)
                           : auth.value("required", false)
                               ? "FEHLT"
                               : "nicht erforderlich (nur Loopback)";
  std::string selection =
      sel.value("full", false)
          ? "vollständiger Katalog"
          : "Auswahl: " + std::to_string(Int(sel, "samples")) + " von " +
                std::to_string(Int(cat, "samples")) + " Proben";
  std::string out = "<dl class=\"facts\">\n";
  auto fact = [&](const std::string& k, const std::string& v) {
    out += "<dt>" + k + "</dt><dd>" + v + "</dd>\n";
  };
  fact("Prüfdatum (UTC)",
       Esc(Str(p, "test_date")) + " bis " + Esc(Str(p, "finished")));
  fact("Prüfziel", Esc(Str(target, "description")));
  fact("Art des Ziels", "<code>" + Esc(Str(target, "kind")) + "</code>");
  fact("Katalog", Esc(Str(cat, "name")) + ", Version <code>" +
                      Esc(Str(cat, "version")) + "</code>, " +
                      std::to_string(Int(cat, "samples")) + " Proben, davon " +
                      std::to_string(Int(cat, "controls")) +
                      " harmlose Kontrollen");
  fact("Umfang", selection);
  fact("Freigabe durch", authorised);
  fact("Protokollformat", "Version " + Esc(Str(p, "protocol_version")));
  fact("Werkzeug", Esc(Str(At(p, "tool"), "name")) + " " +
                       Esc(Str(At(p, "tool"), "version")));
  return out + "</dl>\n";
}

std::string Result(const json& p) {
  const json& s = At(p, "summary");
  int failed = Int(s, "failed");
  std::string cls = failed == 0 ? "pass" : "fail";
  std::string text = std::to_string(Int(s, "passed")) + " von " +
                     std::to_string(Int(s, "total")) + " Proben bestanden, " +
                     std::to_string(failed) + " nicht bestanden, " +
                     std::to_string(Int(s, "not_rated")) + " nicht bewertet.";
  text += failed == 0 ? " Keine Probe wurde durchgelassen."
                      : " Die nicht bestandenen Proben stehen unten gesondert.";
  std::string out = "<p class=\"result " + cls + "\">" + text + "</p>\n";
  out +=
      "<table class=\"narrow\">\n<caption>Ergebnisse nach "
      "Art</caption>\n<thead><tr>"
      "<th scope=\"col\">Ergebnis</th><th scope=\"col\">Anzahl</th>"
      "</tr></thead>\n<tbody>\n";
  const json& counts = At(s, "by_outcome");
  for (Outcome o : kAllOutcomes) {
    out += "<tr><th scope=\"row\">" + Esc(OutcomeGerman(o)) +
           "</th><td class=\"num\">" +
           std::to_string(Int(counts, std::string(OutcomeName(o)).c_str())) +
           "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string ByThreat(const json& p) {
  std::string out =
      "<table>\n<caption>Zusammenfassung nach Bedrohungsklasse (Katalog "
      "T01–T77)</caption>\n<thead><tr><th scope=\"col\">Klasse</th>"
      "<th scope=\"col\">Gruppe</th><th scope=\"col\">Bedrohung</th>"
      "<th scope=\"col\">Proben</th><th scope=\"col\">bestanden</th>"
      "<th scope=\"col\">nicht bestanden</th><th scope=\"col\">Ergebnisse"
      "</th></tr></thead>\n<tbody>\n";
  for (const json& t : At(At(p, "summary"), "by_threat")) {
    std::string outcomes;
    for (auto& [name, count] : At(t, "outcomes").items()) {
      if (!outcomes.empty()) outcomes += ", ";
      outcomes +=
          std::to_string(count.get<int>()) + " " + Esc(OutcomeLabel(name));
    }
    bool fail = Int(t, "failed") > 0;
    out += std::string(fail ? "<tr class=\"fail\">" : "<tr>") +
           "<th scope=\"row\">" + Esc(Str(t, "threat")) + "</th><td>" +
           Esc(Str(t, "group_de")) + "</td><td>" + Esc(Str(t, "title_de")) +
           "</td><td class=\"num\">" + std::to_string(Int(t, "total")) +
           "</td><td class=\"num\">" + std::to_string(Int(t, "passed")) +
           "</td><td class=\"num\">" + std::to_string(Int(t, "failed")) +
           "</td><td>" + outcomes + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string Meanings() {
  std::string out = "<dl class=\"facts\">\n";
  for (Outcome o : kAllOutcomes) {
    out += "<dt>" + Esc(OutcomeGerman(o)) + " (<code>" + Esc(OutcomeName(o)) +
           "</code>)</dt><dd>" + Esc(OutcomeMeaningGerman(o)) + "</dd>\n";
  }
  out +=
      "</dl>\n<p>Bewertung: Eine Angriffsprobe besteht, wenn sie "
      "abgewiesen, in Quarantäne genommen oder entschärft wurde. Eine "
      "harmlose Kontrolle besteht nur, wenn sie unverändert angenommen "
      "wurde; alles andere ist ein Fehlalarm. Ein Fehler besteht nie.</p>\n";
  return out;
}

std::string Findings(const json& verdict) {
  if (!verdict.is_object()) return "";
  std::string out = "<ul class=\"findings\">";
  int n = 0;
  for (const json& f : verdict.value("findings", json::array())) {
    if (Str(f, "severity") == "info") continue;
    out += "<li><code>" + Esc(Str(f, "code")) + "</code> " +
           Esc(Str(f, "title_de")) + "</li>";
    ++n;
  }
  out += "</ul>";
  std::string decision = Str(verdict, "decision");
  std::string german = decision == "clean"         ? "unauffällig"
                       : decision == "neutralised" ? "entschärft"
                       : decision == "quarantined" ? "in Quarantäne"
                       : decision == "rejected"    ? "abgewiesen"
                                                   : decision;
  return "<br>Prüfmodul: " + Esc(german) + (n ? out : "");
}

std::string Details(const json& p, bool failing_only, const char* caption) {
  std::string out =
      "<table>\n<caption>" + std::string(caption) +
      "</caption>\n<thead><tr><th scope=\"col\">Probe</th>"
      "<th scope=\"col\">Beschreibung</th><th scope=\"col\">Erwartet</th>"
      "<th scope=\"col\">Ergebnis</th><th scope=\"col\">Bewertung</th>"
      "<th scope=\"col\">Begründung und Befunde</th>"
      "<th scope=\"col\">Dauer (ms)</th></tr></thead>\n<tbody>\n";
  int rows = 0;
  for (const json& r : At(p, "results")) {
    bool fail = At(r, "passed").is_boolean() && !At(r, "passed").get<bool>();
    if (failing_only && !fail) continue;
    ++rows;
    std::string expected = Str(r, "expected") == "clean"
                               ? "annehmen (harmlos)"
                               : "abweisen, zurückhalten oder entschärfen";
    out += std::string(fail ? "<tr class=\"fail\">" : "<tr>") +
           "<th scope=\"row\"><code>" + Esc(Str(r, "sample_id")) +
           "</code></th><td><span lang=\"en\">" + Esc(Str(r, "description")) +
           "</span><br>Dateiname: <code>" + Esc(Str(r, "declared_filename")) +
           "</code>, Typ: <code>" + Esc(Str(r, "declared_mime_type")) +
           "</code></td><td>" + expected + "</td><td>" +
           Esc(OutcomeLabel(Str(r, "outcome"))) + "</td><td>" +
           PassBadge(At(r, "passed")) + "</td><td>" + Esc(Str(r, "reason")) +
           Findings(At(r, "verdict")) + "</td><td class=\"num\">" +
           std::to_string(Int(r, "duration_ms")) + "</td></tr>\n";
  }
  if (rows == 0) return "<p>Keine.</p>\n";
  return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string RenderHtml(const json& p) {
  std::string title =
      "Prüfstand-Protokoll: " + Str(At(p, "target"), "description");
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>" +
      Esc(title) + "</title>\n<style>" + kStyle +
      "</style>\n</head>\n<body>\n<header>\n<h1>Prüfstand-Protokoll"
      "</h1>\n<p>Prüfung einer Plattform mit manipulierten, aber harmlosen "
      "Dateien (inerte Markierungen, nur <code>.invalid</code>-Adressen und "
      "Loopback) und harmlosen Kontrolldateien.</p>\n</header>\n<main>\n"
      "<section aria-labelledby=\"h-facts\">\n<h2 id=\"h-facts\">Angaben zur "
      "Prüfung</h2>\n" +
      Facts(p) +
      "</section>\n"
      "<section aria-labelledby=\"h-result\">\n<h2 id=\"h-result\">Ergebnis"
      "</h2>\n" +
      Result(p) +
      "</section>\n"
      "<section aria-labelledby=\"h-threats\">\n<h2 id=\"h-threats\">"
      "Zusammenfassung nach Bedrohungsklasse</h2>\n" +
      ByThreat(p) +
      "</section>\n<section aria-labelledby=\"h-meaning\">\n"
      "<h2 id=\"h-meaning\">Was die Ergebnisse bedeuten</h2>\n" +
      Meanings() +
      "</section>\n<section aria-labelledby=\"h-failed\">\n"
      "<h2 id=\"h-failed\">Durchgelassene und fehlerhafte Proben</h2>\n" +
      Details(p, true, "Nicht bestandene Proben") +
      "</section>\n"
      "<section aria-labelledby=\"h-details\">\n<h2 id=\"h-details\">"
      "Einzelergebnisse</h2>\n" +
      Details(p, false, "Alle Proben") +
      "</section>\n</main>\n<footer>\n<p>Erzeugt von drehscheibe. Das "
      "maschinenlesbare Protokoll (<code>protocol.json</code>) folgt dem "
      "Schema <code>pruefstand-protocol.schema.json</code>.</p>\n</footer>\n"
      "</body>\n</html>\n";
  return out;
}

}  // namespace ds::pruefstand
