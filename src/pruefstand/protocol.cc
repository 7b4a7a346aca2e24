#include "pruefstand/protocol.h"

#include <map>

#include "core/encoding.h"
#include "fitconnect/schema.h"

namespace ds::pruefstand {
namespace {

using nlohmann::json;

struct OutcomeText {
  Outcome outcome;
  std::string_view name, german, meaning;
};

constexpr OutcomeText kOutcomes[] = {
    {Outcome::kRejected, "rejected", "abgewiesen",
     "Die Plattform hat die Datei mit einer Begründung zurückgewiesen; sie "
     "erreicht niemanden."},
    {Outcome::kQuarantined, "quarantined", "in Quarantäne",
     "Die Plattform hat die Datei angenommen, aber zur Prüfung durch eine "
     "Person zurückgehalten."},
    {Outcome::kNeutralised, "neutralised", "entschärft",
     "Die Plattform hat die Datei angenommen; die gespeicherte Fassung "
     "enthält den aktiven Inhalt (die Markierung) nicht mehr, das Original "
     "ist getrennt aufbewahrt."},
    {Outcome::kAcceptedUnchanged, "accepted_unchanged",
     "unverändert angenommen",
     "Die Plattform hat die Datei so angenommen, wie sie gesendet wurde. "
     "Richtig für harmlose Kontrollen, ein Durchlass für Angriffe."},
    {Outcome::kError, "error", "Fehler",
     "Die Plattform antwortete mit einem Serverfehler (5xx), brach ab oder "
     "antwortete nicht rechtzeitig. Zählt immer als nicht bestanden."},
    {Outcome::kNotApplicable, "not_applicable", "nicht anwendbar",
     "Der Übertragungsweg kann diese Probe nicht transportieren (z. B. ein "
     "Dateiname, der kein gültiges UTF-8 ist, in JSON-Metadaten); sie wird "
     "nicht bewertet."},
};

const OutcomeText& TextOf(Outcome o) {
  for (const OutcomeText& t : kOutcomes) {
    if (t.outcome == o) return t;
  }
  return kOutcomes[4];
}

struct ThreatText {
  std::string_view id, title;
};

// German titles of the threat classes of notes/manipulated-files.md.
constexpr ThreatText kThreats[] = {
    {"control", "Harmlose Kontrolldatei"},
    {"T01", "EICAR-Testvirus (auch in Containern)"},
    {"T10", "PDF mit JavaScript"},
    {"T11", "PDF mit OpenAction / Auslöseaktionen"},
    {"T12", "PDF mit Launch-Aktion (Programmstart)"},
    {"T13", "PDF mit eingebetteten Dateien"},
    {"T14", "PDF mit XFA-Formular"},
    {"T15", "PDF mit URI-, SubmitForm- oder GoToR-Aktion"},
    {"T16", "PDF mit verschleierten Namen oder Objektströmen"},
    {"T17", "PDF mit inkrementeller Änderung"},
    {"T18", "Beschädigte oder zyklische PDF-Struktur"},
    {"T19", "Verschlüsseltes PDF"},
    {"T20", "PDF-Bombe (Strom, Seiten)"},
    {"T30", "OLE2-Dokument mit VBA-Makros"},
    {"T31", "Excel-4.0-Makros"},
    {"T32", "OOXML mit Makros (auch als .docx getarnt)"},
    {"T33", "Externe Vorlage oder Beziehung"},
    {"T34", "DDE-Feld"},
    {"T35", "Eingebettetes OLE-Objekt"},
    {"T36", "RTF mit Objekt oder tiefer Verschachtelung"},
    {"T37", "OpenDocument mit Basic-Makro"},
    {"T38", "Verschlüsseltes Office-Dokument"},
    {"T39", "XXE in Office-Teilen"},
    {"T40", "Verschachtelte Zip-Bombe"},
    {"T41", "Überlappende Zip-Einträge"},
    {"T42", "Falsche Größenangaben, Kompressionsbombe"},
    {"T43", "Zu viele Einträge, überlange Namen"},
    {"T44", "Zip-Slip (Pfad-Traversal)"},
    {"T45", "Symbolische Links im Archiv"},
    {"T46", "Mehrdeutige Archive"},
    {"T47", "Verschlüsseltes Archiv"},
    {"T50", "XML mit externen Entitäten (XXE)"},
    {"T51", "Billion Laughs (Entitätsexpansion)"},
    {"T52", "Quadratische Entitätsexpansion"},
    {"T53", "Tiefe Verschachtelung, Attributflut"},
    {"T54", "XInclude / externe Schemata"},
    {"T55", "Tief verschachteltes JSON"},
    {"T56", "JSON mit doppelten Schlüsseln"},
    {"T57", "Riesige Zahlen in JSON"},
    {"T58", "Kodierungstricks"},
    {"T59", "Mehrdeutiger Inhaltstyp"},
    {"T60", "Pixelflut (Dekompressionsbombe)"},
    {"T61", "Abgeschnittene oder beschädigte Bilder"},
    {"T62", "Bild-Metadaten- und Einzelbildbomben"},
    {"T63", "SVG mit Skript"},
    {"T64", "HTML-Smuggling"},
    {"T65", "Polyglotte Dateien"},
    {"T66", "CSV-Formelinjektion"},
    {"T70", "Typ passt nicht zu Endung oder Angabe"},
    {"T71", "Doppelte Endung, Programmendung"},
    {"T72", "Bidi-Steuerzeichen, unsichtbare Zeichen im Namen"},
    {"T73", "Pfadtrenner im Dateinamen"},
    {"T74", "NUL- und Steuerzeichen im Dateinamen"},
    {"T75", "Überlange oder reservierte Dateinamen"},
    {"T76", "Normalisierungskollisionen im Dateinamen"},
    {"T77", "Übergroße Datei"},
};

int ThreatNumber(std::string_view threat) {
  if (threat.size() != 3 || threat[0] != 'T') return -1;
  if (threat[1] < '0' || threat[1] > '9' || threat[2] < '0' ||
      threat[2] > '9') {
    return -1;
  }
  return (threat[1] - '0') * 10 + (threat[2] - '0');
}

const fitconnect::JsonSchema* CompiledSchema(Status* error) {
  static const Result<fitconnect::JsonSchema> schema =
      fitconnect::JsonSchema::Parse(ProtocolSchemaText());
  if (!schema.ok()) {
    *error = Internal("pruefstand: protocol schema does not compile: " +
                      schema.status().message());
    return nullptr;
  }
  return &*schema;
}

}  // namespace

std::string_view OutcomeName(Outcome o) { return TextOf(o).name; }
std::string_view OutcomeGerman(Outcome o) { return TextOf(o).german; }
std::string_view OutcomeMeaningGerman(Outcome o) { return TextOf(o).meaning; }

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const OutcomeText& t : kOutcomes) {
    if (t.name == name) return t.outcome;
  }
  return std::nullopt;
}

std::optional<bool> Passes(Outcome o, bool malicious) {
  switch (o) {
    case Outcome::kNotApplicable:
      return std::nullopt;
    case Outcome::kError:
      return false;
    case Outcome::kAcceptedUnchanged:
      return !malicious;
    case Outcome::kRejected:
    case Outcome::kQuarantined:
    case Outcome::kNeutralised:
      return malicious;
  }
  return false;
}

std::string ThreatTitleGerman(std::string_view threat) {
  for (const ThreatText& t : kThreats) {
    if (t.id == threat) return std::string(t.title);
  }
  return std::string(threat);
}

std::string ThreatGroupGerman(std::string_view threat) {
  if (threat == "control") return "Kontrollen";
  int n = ThreatNumber(threat);
  if (n < 0) return "Sonstige";
  if (n < 10) return "Schadsoftware-Signatur";
  if (n < 30) return "PDF";
  if (n < 40) return "Office, RTF, ODF";
  if (n < 50) return "Archive";
  if (n < 60) return "XML und JSON";
  if (n < 70) return "Bilder, SVG, HTML, Polyglotte";
  return "Typ, Dateiname, Größe";
}

CatalogueInfo DescribeCatalogue(const std::vector<gate::Sample>& samples) {
  std::string manifest;
  CatalogueInfo info;
  for (const gate::Sample& s : samples) {
    manifest += s.id + " " + HexEncode(Sha256(s.bytes)) + "\n";
    ++info.samples;
    if (s.expect == gate::Expect::kClean) ++info.controls;
  }
  info.manifest_sha256 = HexEncode(Sha256(manifest));
  info.version = "sha256:" + info.manifest_sha256.substr(0, 16);
  return info;
}

std::string EscapeName(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

json Summarise(const json& results) {
  json by_outcome = json::object();
  for (const OutcomeText& t : kOutcomes) by_outcome[std::string(t.name)] = 0;
  std::map<std::string, json> by_threat;
  int passed = 0, failed = 0, not_rated = 0;
  for (const json& r : results) {
    std::string outcome = r.value("outcome", "error");
    std::string threat = r.value("threat", "");
    by_outcome[outcome] = by_outcome.value(outcome, 0) + 1;
    json& t = by_threat[threat];
    if (t.is_null()) {
      t = {{"threat", threat},
           {"title_de", ThreatTitleGerman(threat)},
           {"group_de", ThreatGroupGerman(threat)},
           {"total", 0},
           {"passed", 0},
           {"failed", 0},
           {"outcomes", json::object()}};
    }
    t["total"] = t["total"].get<int>() + 1;
    t["outcomes"][outcome] = t["outcomes"].value(outcome, 0) + 1;
    const json& p = r["passed"];
    if (p.is_null()) {
      ++not_rated;
    } else if (p.get<bool>()) {
      ++passed;
      t["passed"] = t["passed"].get<int>() + 1;
    } else {
      ++failed;
      t["failed"] = t["failed"].get<int>() + 1;
    }
  }
  // Controls first, then the threat classes in catalogue order.
  json threats = json::array();
  if (by_threat.count("control")) threats.push_back(by_threat["control"]);
  for (auto& [id, t] : by_threat) {
    if (id != "control") threats.push_back(std::move(t));
  }
  return {{"total", results.size()},  {"passed", passed},
          {"failed", failed},         {"not_rated", not_rated},
          {"by_outcome", by_outcome}, {"by_threat", threats}};
}

Status ValidateProtocol(const json& protocol) {
  std::string version =
      protocol.is_object() ? protocol.value("protocol_version", "") : "";
  std::string major = version.substr(0, version.find('.'));
  if (major != kProtocolVersion.substr(0, kProtocolVersion.find('.'))) {
    return InvalidInput("pruefstand: protocol version '" + version +
                        "' is not readable by this build (reads " +
                        std::string(kProtocolVersion) + ")");
  }
  Status error;
  const fitconnect::JsonSchema* schema = CompiledSchema(&error);
  if (!schema) return error;
  Status s = schema->Validate(protocol);
  if (!s.ok()) return CheckFailed("pruefstand: protocol: " + s.message());
  return Status::Ok();
}

}  // namespace ds::pruefstand
