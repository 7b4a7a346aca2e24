// ExportVorgang: a Vorgang of the E-Akte as a FVDaten.SGOAblegen.0605
// package.
#include "xdomea/export.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "core/log.h"
#include "xdomea/messages.h"
#include "xdomea/writer.h"

namespace ds::xdomea {
namespace fs = std::filesystem;
using internal::XmlWriter;

namespace {

bool Exportable(const records::Dokument& d) {
  return !d.deleted_at && (d.verdict == records::Verdict::kClean ||
                           d.verdict == records::Verdict::kNeutralised);
}

const records::Format* Original(const records::Dokument& d) {
  for (const records::Format& f : d.formats) {
    if (f.kind == "original" && !f.content_address.empty()) return &f;
  }
  return nullptr;
}

std::string Note(const records::Dokument& d, bool withheld) {
  std::string verdict(records::VerdictName(d.verdict));
  if (d.deleted_at) {
    return "Primärdokument nach Ablauf der Aufbewahrungsfrist gelöscht.";
  }
  if (withheld) {
    return "Primärdokument zurückgehalten: Prüfergebnis der Eingangsprüfung "
           "\"" +
           verdict + "\" (drehscheibe).";
  }
  if (d.verdict == records::Verdict::kNeutralised) {
    return "Original mit aktiven Inhalten; in drehscheibe liegt eine "
           "bereinigte Fassung vor (Prüfergebnis \"neutralised\").";
  }
  return "";
}

struct Collector {
  records::Store& store;
  const std::string& tenant;
  const std::string& actor;
  Package& package;
  nlohmann::json withheld = nlohmann::json::array();
  int files = 0;
};

Status WriteDokument(XmlWriter& w, const records::Dokument& d,
                     int64_t received_at, Collector& c) {
  const records::Format* original = Original(d);
  bool withheld = !Exportable(d) || original == nullptr;

  w.Open("Dokument");
  w.Open("Identifikation");
  w.Leaf("ID", d.id);
  w.Leaf("NummerImUebergeordnetenContainer", std::to_string(d.position));
  w.Close();
  w.Open("AllgemeineMetadaten");
  std::string betreff = original ? original->filename : "";
  if (betreff.empty())
    betreff = d.purpose == "form" ? "Antragsdaten" : "Anlage";
  w.Leaf("Betreff", betreff);
  if (std::string note = Note(d, withheld); !note.empty()) {
    w.Leaf("Bemerkung", note);
  }
  w.Code("Medium", "urn:xoev-de:xdomea:codeliste:medium", "1.0", "001");
  w.Close();
  w.Leaf("Posteingangsdatum", internal::XmlDate(received_at));
  w.Leaf("Typ", d.purpose);

  if (withheld) {
    c.withheld.push_back(d.id);
  } else {
    DS_ASSIGN_OR_RETURN(std::string bytes,
                        c.store.ReadContent(c.tenant, original->id, c.actor));
    std::string name =
        original->id + "_" + internal::SafeName(original->filename);
    c.package.files.emplace(name, std::move(bytes));
    ++c.files;

    std::string code = internal::DateiformatFor(original->mime_type);
    w.Open("Version");
    w.Leaf("Nummer", std::to_string(d.version));
    w.Open("Format");
    w.Code("Name", "urn:xoev-de:xdomea:codeliste:dateiformat", "1.0", code);
    if (code == "100") w.Leaf("SonstigerName", original->mime_type);
    w.Leaf("Version", "");
    w.Open("Primaerdokument");
    w.Leaf("Dateiname", name);
    if (!original->filename.empty()) {
      w.Leaf("DateinameOriginal", original->filename);
    }
    w.Leaf("DatumUhrzeit", internal::XmlDateTime(d.created_at));
    w.Close();
    w.Close();
    w.Close();
  }
  w.Close();
  return Status::Ok();
}

Status WriteVorgang(XmlWriter& w, const records::Vorgang& v, Collector& c) {
  w.Open("Vorgang");
  w.Open("Identifikation");
  w.Leaf("ID", v.id);
  w.Close();
  w.Open("AllgemeineMetadaten");
  w.Leaf("Betreff", v.subject.empty() ? v.service_name : v.subject);
  w.Code("Medium", "urn:xoev-de:xdomea:codeliste:medium", "1.0", "001");
  w.Close();
  if (!v.service_name.empty()) w.Leaf("Typ", v.service_name);
  if (v.closed_at) {
    w.Leaf("ZdA", "1");
    w.Leaf("ZdADatum", internal::XmlDate(*v.closed_at));
  }
  for (const records::Dokument& d : v.dokumente) {
    DS_RETURN_IF_ERROR(WriteDokument(w, d, v.received_at, c));
  }
  w.Close();
  return Status::Ok();
}

void WriteAkteHead(XmlWriter& w, const records::Akte& a) {
  w.Open("Identifikation");
  w.Leaf("ID", a.id);
  w.Close();
  w.Open("AllgemeineMetadaten");
  if (!a.meta.betreff.empty()) w.Leaf("Betreff", a.meta.betreff);
  if (!a.meta.kennzeichen.empty()) w.Leaf("Kennzeichen", a.meta.kennzeichen);
  if (!a.meta.federfuehrung.empty()) {
    w.Leaf("Federfuehrung", a.meta.federfuehrung);
  }
  const std::string& stufe = a.meta.vertraulichkeit;
  if (stufe.size() == 3 && stufe >= "001" && stufe <= "005") {
    w.Code("Vertraulichkeitsstufe",
           "urn:xoev-de:xdomea:codeliste:vertraulichkeitsstufe", "1.0", stufe);
  }
  w.Code("Medium", "urn:xoev-de:xdomea:codeliste:medium", "1.0", "001");
  w.Close();
}

// A built and validated package with what the audit entry records.
struct Built {
  ExportedPackage package;
  std::string vorgang_id;
  nlohmann::json withheld;
  int files = 0;
};

Result<Built> Build(records::Store& store, const std::string& tenant,
                    const std::string& vorgang_id,
                    const ExportOptions& options) {
  if (options.version != "3.0.0" && options.version != "3.1.0") {
    return InvalidInput("xdomea export: version " + options.version +
                        " not supported (3.0.0, 3.1.0)");
  }
  if (!options.process_id.empty() && !IsUuid(options.process_id)) {
    return InvalidInput("xdomea export: process_id must be a UUID");
  }

  // Read the case and its Akte.
  DS_ASSIGN_OR_RETURN(records::Vorgang v, store.GetVorgang(tenant, vorgang_id));
  std::optional<records::Akte> akte;
  if (!v.akte_id.empty()) {
    DS_ASSIGN_OR_RETURN(akte, store.GetAkte(tenant, v.akte_id));
  }

  // Build the message: header, then one SchriftgutobjektZumAblegen.
  Package package;
  Collector c{.store = store,
              .tenant = tenant,
              .actor = options.actor,
              .package = package};
  std::string process_id =
      options.process_id.empty() ? NewUuid() : options.process_id;
  XmlWriter w(k0605Root, options.version);
  WriteHeader(w, {.process_id = process_id,
                  .code = "0605",
                  .created_at = UnixNow(),
                  .sender = options.sender,
                  .receiver = options.receiver});
  w.Leaf("Empfangsbestaetigung", "0");
  w.Leaf("Importbestaetigung", "1");
  w.Leaf("Erstellerkennung", options.erstellerkennung);
  w.Leaf("Stapel", "0");
  w.Close();  // Kopf

  w.Open("SchriftgutobjektZumAblegen");
  w.Leaf("FachverfahrenObjektID", v.id);
  if (!options.id_container.empty())
    w.Leaf("IDContainer", options.id_container);
  w.Open("Schriftgutobjekt");
  if (akte) {
    w.Open("Akte");
    WriteAkteHead(w, *akte);
    w.Open("Akteninhalt");
    DS_RETURN_IF_ERROR(WriteVorgang(w, v, c));
    w.Close();
    w.Close();
  } else {
    DS_RETURN_IF_ERROR(WriteVorgang(w, v, c));
  }
  package.xml = w.Finish();
  package.message_name = process_id + "_" + k0605Root + ".xml";

  // Check what we send against the XSD before anything leaves.
  Validator validator(options.specs_dir);
  DS_ASSIGN_OR_RETURN(ValidationReport report,
                      validator.Validate(package.xml, options.version));
  if (!report.valid()) {
    return Internal("xdomea export: built 0605 does not validate (line " +
                    std::to_string(report.errors[0].line) + ": " +
                    report.errors[0].message + ")");
  }

  DS_ASSIGN_OR_RETURN(std::string zip, WritePackage(package));
  return Built{.package = {.process_id = process_id,
                           .file_name = process_id + "_" + k0605Root + ".zip",
                           .zip = std::move(zip)},
               .vorgang_id = v.id,
               .withheld = std::move(c.withheld),
               .files = c.files};
}

Status Audit(records::Store& store, const std::string& tenant,
             const ExportOptions& options, const Built& b) {
  DS_RETURN_IF_ERROR(store.AppendAudit(tenant, options.actor,
                                       records::kActionExport, {b.vorgang_id},
                                       {{"format", "xdomea"},
                                        {"message", "0605"},
                                        {"version", options.version},
                                        {"process_id", b.package.process_id},
                                        {"files", b.files},
                                        {"withheld", b.withheld}}));
  DefaultLogger().Info("xdomea.export",
                       {{"tenant", tenant},
                        {"vorgang", b.vorgang_id},
                        {"process_id", b.package.process_id},
                        {"files", b.files},
                        {"withheld", static_cast<int64_t>(b.withheld.size())},
                        {"bytes", static_cast<int64_t>(b.package.zip.size())}});
  return Status::Ok();
}

}  // namespace

Result<fs::path> ExportVorgang(records::Store& store, const std::string& tenant,
                               const std::string& vorgang_id,
                               const ExportOptions& options) {
  if (options.out_dir.empty()) return InvalidInput("xdomea export: no out_dir");
  DS_ASSIGN_OR_RETURN(Built b, Build(store, tenant, vorgang_id, options));
  DS_RETURN_IF_ERROR(EnsureDir(options.out_dir));
  fs::path out = options.out_dir / b.package.file_name;
  DS_RETURN_IF_ERROR(WriteFileAtomic(out, b.package.zip));
  DS_RETURN_IF_ERROR(Audit(store, tenant, options, b));
  return out;
}

Result<ExportedPackage> ExportVorgangPackage(records::Store& store,
                                             const std::string& tenant,
                                             const std::string& vorgang_id,
                                             const ExportOptions& options) {
  DS_ASSIGN_OR_RETURN(Built b, Build(store, tenant, vorgang_id, options));
  DS_RETURN_IF_ERROR(Audit(store, tenant, options, b));
  return std::move(b.package);
}

}  // namespace ds::xdomea
