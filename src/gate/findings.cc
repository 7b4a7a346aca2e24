#include "gate/findings.h"

#include <map>

namespace ds::gate {

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kClean: return "clean";
    case Decision::kNeutralised: return "neutralised";
    case Decision::kQuarantined: return "quarantined";
    case Decision::kRejected: return "rejected";
  }
  return "rejected";
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kReview: return "review";
    case Severity::kReject: return "reject";
  }
  return "reject";
}

namespace {

// Titles as a clerk's inbox shows them. Keep in step with the codes the
// inspectors emit (grep for the code string).
const std::map<std::string_view, std::string_view>& Titles() {
  static const auto* titles = new std::map<std::string_view, std::string_view>{
      {"type.not_allowed", "Dateityp für diese Leistung nicht zugelassen"},
      {"type.unknown", "Dateityp nicht erkannt"},
      {"type.executable", "Ausführbares Programm"},
      {"type.mime_mismatch", "Angegebener Dateityp passt nicht zum Inhalt"},
      {"type.extension_mismatch", "Dateiendung passt nicht zum Inhalt"},
      {"type.polyglot", "Datei enthält einen zweiten Dateityp"},
      {"type.too_large", "Datei zu groß"},
      {"type.empty", "Datei ist leer"},
      {"filename.invalid_utf8", "Dateiname ungültig kodiert"},
      {"filename.control_char", "Dateiname enthält Steuerzeichen"},
      {"filename.bidi", "Dateiname enthält Schreibrichtungszeichen"},
      {"filename.invisible", "Dateiname enthält unsichtbare Zeichen"},
      {"filename.path", "Dateiname enthält eine Pfadangabe"},
      {"filename.double_extension", "Dateiname mit doppelter Endung"},
      {"filename.executable_extension", "Dateiname mit Programm-Endung"},
      {"filename.trailing_dot", "Dateiname endet mit Punkt oder Leerzeichen"},
      {"filename.reserved", "Reservierter Dateiname"},
      {"filename.too_long", "Dateiname zu lang"},
      {"filename.stream", "Dateiname mit Datenstrom-Angabe"},
      {"filename.missing", "Kein Dateiname angegeben"},
      {"worker.crashed", "Prüfung abgestürzt"},
      {"worker.timeout", "Prüfung hat zu lange gedauert"},
      {"worker.cpu_limit", "Prüfung hat zu viel Rechenzeit gebraucht"},
      {"worker.memory_limit", "Prüfung hat zu viel Speicher gebraucht"},
      {"worker.file_limit", "Prüfung hat zu viel geschrieben"},
      {"worker.bad_report", "Prüfergebnis unlesbar"},
      {"worker.sandbox", "Prüfumgebung eingeschränkt"},
      {"scan.virus", "Schadsoftware gefunden"},
      {"scan.heuristic", "Virenscanner meldet Auffälligkeit"},
      {"scan.encrypted", "Verschlüsselter Inhalt nicht prüfbar"},
      {"scan.limits", "Virenscanner-Grenze überschritten"},
      {"scan.error", "Virenscan fehlgeschlagen"},
      {"scan.unavailable", "Virenscanner nicht erreichbar"},
      {"scan.not_performed", "Virenscan nicht durchgeführt"},
      {"scan.too_large", "Datei zu groß für den Virenscan"},
      {"pdf.damaged", "PDF beschädigt"},
      {"pdf.warnings", "PDF fehlerhaft aufgebaut"},
      {"pdf.encrypted", "PDF verschlüsselt"},
      {"pdf.javascript", "PDF enthält JavaScript"},
      {"pdf.open_action", "PDF führt beim Öffnen eine Aktion aus"},
      {"pdf.additional_actions", "PDF enthält automatische Aktionen"},
      {"pdf.launch", "PDF startet Programme"},
      {"pdf.embedded_file", "PDF enthält eingebettete Dateien"},
      {"pdf.xfa", "PDF enthält XFA-Formular"},
      {"pdf.uri", "PDF enthält Internet-Verweise"},
      {"pdf.submit_form", "PDF sendet Formulardaten"},
      {"pdf.remote_action", "PDF lädt fremde Inhalte"},
      {"pdf.rich_media", "PDF enthält Multimedia-Inhalte"},
      {"pdf.incremental_update", "PDF nachträglich geändert"},
      {"pdf.trailing_data", "Daten hinter dem PDF-Ende"},
      {"pdf.too_many_pages", "PDF hat zu viele Seiten"},
      {"pdf.page_too_large", "PDF-Seite zu groß"},
      {"pdf.stream_bomb", "PDF entpackt zu übergroßen Daten"},
      {"pdf.neutralise_failed", "PDF konnte nicht bereinigt werden"},
      {"office.macro", "Dokument enthält Makros"},
      {"office.external_relationship", "Dokument lädt externe Inhalte"},
      {"office.dde", "Dokument enthält DDE-Befehle"},
      {"office.embedded_object", "Dokument enthält eingebettete Objekte"},
      {"office.activex", "Dokument enthält ActiveX-Steuerelemente"},
      {"office.encrypted", "Dokument verschlüsselt"},
      {"office.xml_doctype", "Dokument enthält DTD-Deklarationen"},
      {"office.damaged", "Dokument beschädigt"},
      {"office.rtf_object", "RTF enthält eingebettete Objekte"},
      {"office.rtf_too_deep", "RTF zu tief verschachtelt"},
      {"archive.damaged", "Archiv beschädigt"},
      {"archive.encrypted", "Archiv verschlüsselt"},
      {"archive.bomb", "Archiv entpackt zu übergroßen Daten (Archivbombe)"},
      {"archive.too_large", "Archivinhalt zu groß"},
      {"archive.too_many_entries", "Archiv enthält zu viele Dateien"},
      {"archive.too_deep", "Archive zu tief verschachtelt"},
      {"archive.overlap", "Archiv mit überlappenden Einträgen"},
      {"archive.path_traversal", "Archiv schreibt außerhalb des Zielordners"},
      {"archive.link", "Archiv enthält Verknüpfungen"},
      {"archive.special_file", "Archiv enthält Sonderdateien"},
      {"archive.duplicate_name", "Archiv enthält doppelte Namen"},
      {"archive.name_mismatch", "Archiv mit widersprüchlichen Einträgen"},
      {"archive.prepended_data", "Daten vor dem Archivanfang"},
      {"archive.zip64", "ZIP64-Archiv nicht prüfbar"},
      {"archive.executable", "Archiv enthält Programme"},
      {"archive.name_too_long", "Archiv mit überlangem Dateinamen"},
      {"xml.doctype", "XML enthält DTD-Deklarationen"},
      {"xml.malformed", "XML nicht wohlgeformt"},
      {"xml.too_deep", "XML zu tief verschachtelt"},
      {"xml.xinclude", "XML bindet fremde Inhalte ein"},
      {"xml.external_reference", "XML verweist auf externe Schemata"},
      {"json.too_deep", "JSON zu tief verschachtelt"},
      {"json.duplicate_key", "JSON mit doppelten Feldnamen"},
      {"json.number_too_long", "JSON mit überlanger Zahl"},
      {"json.number_out_of_range", "JSON mit unzulässiger Zahl"},
      {"json.malformed", "JSON nicht wohlgeformt"},
      {"json.nul_character", "JSON enthält Nullzeichen"},
      {"json.bom", "JSON beginnt mit Byte-Order-Mark"},
      {"image.too_large", "Bild zu groß (Pixelflut)"},
      {"image.damaged", "Bild beschädigt"},
      {"image.truncated", "Bild unvollständig"},
      {"image.too_many_frames", "Bild mit zu vielen Einzelbildern"},
      {"image.chunk_too_large", "Bild mit übergroßen Metadaten"},
      {"image.trailing_data", "Daten hinter dem Bildende"},
      {"text.active_content", "Datei enthält aktive Inhalte (Skript)"},
      {"text.formula", "Tabelle enthält Formeln"},
  };
  return *titles;
}

}  // namespace

std::string_view GermanTitle(std::string_view code) {
  auto it = Titles().find(code);
  return it == Titles().end() ? "Auffälligkeit in der Datei" : it->second;
}

nlohmann::json VerdictToJson(const Verdict& v) {
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : v.findings) {
    findings.push_back({{"code", f.code},
                        {"severity", SeverityName(f.severity)},
                        {"title_de", GermanTitle(f.code)},
                        {"message", f.message},
                        {"neutralisable", f.neutralisable}});
  }
  nlohmann::json j = {{"decision", DecisionName(v.decision)},
                      {"detected_type", v.detected_type},
                      {"detected_mime", v.detected_mime},
                      {"virus_scanned", v.virus_scanned},
                      {"duration_ms", v.duration.count()},
                      {"findings", std::move(findings)}};
  if (v.neutralised_copy) j["neutralised_copy"] = v.neutralised_copy->string();
  return j;
}

}  // namespace ds::gate
