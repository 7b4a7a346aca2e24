// Import of Aussonderung packages (0501, 0503) into the E-Akte.
#include "xdomea/import.h"

#include <libxml/tree.h>

#include "core/files.h"
#include "core/log.h"
#include "xdomea/dom.h"
#include "xdomea/tree.h"
#include "xdomea/writer.h"

namespace ds::xdomea {
namespace fs = std::filesystem;
using internal::Child;
using internal::Children;
using internal::ChildText;
using internal::CodeOf;

namespace internal {

std::optional<PrimaryRef> LatestPrimary(const xmlNode* dokument) {
  std::vector<const xmlNode*> versions = Children(dokument, "Version");
  for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
    for (const xmlNode* format : Children(*v, "Format")) {
      const xmlNode* primary = Child(format, "Primaerdokument");
      if (primary == nullptr) continue;
      PrimaryRef ref;
      ref.dateiname = ChildText(primary, "Dateiname");
      ref.original_name = ChildText(primary, "DateinameOriginal");
      if (ref.original_name.empty()) ref.original_name = ref.dateiname;
      std::string code = CodeOf(format, "Name");
      ref.mime_type = MimeForDateiformat(code);
      if (ref.mime_type.empty()) {
        std::string other = ChildText(format, "SonstigerName");
        ref.mime_type = other.find('/') != std::string::npos
                            ? other
                            : "application/octet-stream";
      }
      return ref;
    }
  }
  return std::nullopt;
}

Result<std::string> LoadPrimary(const FileSource& source,
                                const std::string& dateiname) {
  if (auto it = source.package.files.find(dateiname);
      it != source.package.files.end()) {
    return it->second;
  }
  if (source.side_dir.empty()) {
    return InvalidInput("primary file " + dateiname +
                        " named in the message is not in the package");
  }
  // A bare message: the file must be a plain name beside it.
  if (dateiname.empty() || dateiname.find('/') != std::string::npos ||
      dateiname.find('\\') != std::string::npos || dateiname == "." ||
      dateiname == "..") {
    return InvalidInput("primary file name is not a plain file name");
  }
  fs::path file = source.side_dir / dateiname;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(file, ec))) {
    return InvalidInput("primary file " + dateiname +
                        " named in the message is not beside it");
  }
  return ReadFile(file, source.limits.max_entry_bytes);
}

Result<std::optional<records::IncomingDocument>> StoreDokument(
    records::Store& store, const Inspector& inspect, const FileSource& source,
    const xmlNode* dokument) {
  std::optional<PrimaryRef> ref = LatestPrimary(dokument);
  if (!ref) return std::optional<records::IncomingDocument>();
  DS_ASSIGN_OR_RETURN(std::string bytes, LoadPrimary(source, ref->dateiname));
  DS_ASSIGN_OR_RETURN(
      Inspection seen,
      InspectBytes(inspect, bytes, ref->mime_type, ref->original_name));
  DS_ASSIGN_OR_RETURN(auto blob, store.files().PutBytes(bytes));

  records::IncomingDocument doc;
  doc.purpose = ChildText(dokument, "Typ");
  if (doc.purpose.empty()) doc.purpose = "dokument";
  doc.filename = ref->original_name;
  doc.mime_type = ref->mime_type;
  doc.content_address = blob.address;
  doc.size = static_cast<int64_t>(bytes.size());
  doc.verdict = seen.verdict;
  doc.findings_json = seen.findings_json;
  return std::optional<records::IncomingDocument>(std::move(doc));
}

}  // namespace internal

namespace {

struct Walker {
  records::Store& store;
  const ImportOptions& options;
  const internal::FileSource& source;
  int without_file = 0;

  // A Dokument and its Anlagen (AnlageDokumentType nests Dokumente).
  Status AddDokument(const xmlNode* d, records::ImportedVorgang& into) {
    std::string id = ChildText(Child(d, "Identifikation"), "ID");
    DS_ASSIGN_OR_RETURN(
        auto doc, internal::StoreDokument(store, options.inspect, source, d));
    if (doc) {
      into.dokumente.push_back({.external_id = id, .doc = std::move(*doc)});
    } else {
      ++without_file;
    }
    for (const xmlNode* anlage : Children(d, "Anlage")) {
      DS_RETURN_IF_ERROR(AddDokument(anlage, into));
    }
    return Status::Ok();
  }

  // A Vorgang; Teilvorgänge become further Vorgänge beside it.
  Status AddVorgang(const xmlNode* v,
                    std::vector<records::ImportedVorgang>& out) {
    const xmlNode* meta = Child(v, "AllgemeineMetadaten");
    records::ImportedVorgang iv;
    iv.external_id = ChildText(Child(v, "Identifikation"), "ID");
    iv.subject = ChildText(meta, "Betreff");
    iv.kennzeichen = ChildText(meta, "Kennzeichen");
    iv.kind = ChildText(v, "Typ");
    if (iv.subject.empty()) iv.subject = ChildText(v, "Aktenbetreff");
    for (const xmlNode* d : Children(v, "Dokument")) {
      DS_RETURN_IF_ERROR(AddDokument(d, iv));
    }
    out.push_back(std::move(iv));
    for (const xmlNode* t : Children(v, "Teilvorgang")) {
      DS_RETURN_IF_ERROR(AddVorgang(t, out));
    }
    return Status::Ok();
  }

  // The content of an Akte and its Teilakten into one ImportedAkte.
  Status AddAkteContent(const xmlNode* a, records::ImportedAkte& into) {
    const xmlNode* content = Child(a, "Akteninhalt");
    std::vector<const xmlNode*> loose = Children(content, "Dokument");
    if (!loose.empty()) {
      records::ImportedVorgang iv;
      iv.external_id =
          ChildText(Child(a, "Identifikation"), "ID") + ":dokumente";
      iv.subject = "Dokumente der Akte";
      for (const xmlNode* d : loose) DS_RETURN_IF_ERROR(AddDokument(d, iv));
      into.vorgaenge.push_back(std::move(iv));
    }
    for (const xmlNode* v : Children(content, "Vorgang")) {
      DS_RETURN_IF_ERROR(AddVorgang(v, into.vorgaenge));
    }
    for (const xmlNode* t : Children(content, "Teilakte")) {
      DS_RETURN_IF_ERROR(AddAkteContent(t, into));
    }
    return Status::Ok();
  }

  Status AddAkte(const xmlNode* a, records::RecordsImport& in) {
    const xmlNode* meta = Child(a, "AllgemeineMetadaten");
    records::ImportedAkte ia;
    ia.external_id = ChildText(Child(a, "Identifikation"), "ID");
    ia.meta.betreff = ChildText(meta, "Betreff");
    ia.meta.kennzeichen = ChildText(meta, "Kennzeichen");
    ia.meta.federfuehrung = ChildText(meta, "Federfuehrung");
    std::string stufe = CodeOf(meta, "Vertraulichkeitsstufe");
    if (!stufe.empty()) ia.meta.vertraulichkeit = stufe;
    DS_RETURN_IF_ERROR(AddAkteContent(a, ia));
    in.akten.push_back(std::move(ia));
    return Status::Ok();
  }
};

bool Importable(const std::string& type) {
  return type == "Aussonderung.Aussonderung.0503" ||
         type == "Aussonderung.Anbieteverzeichnis.0501";
}

}  // namespace

Result<ImportResult> ImportPackage(records::Store& store,
                                   const std::string& tenant,
                                   const Package& package,
                                   const fs::path& side_dir,
                                   const ImportOptions& options) {
  if (tenant.empty()) return InvalidInput("xdomea import: tenant missing");

  // Validate first: nothing is filed from a message that breaks the XSD.
  Validator validator(options.specs_dir, options.limits);
  DS_ASSIGN_OR_RETURN(
      internal::Parsed parsed,
      internal::ParseAndValidate(validator, package.xml, options.version));
  const ValidationReport& report = parsed.report;
  if (!report.valid()) {
    const SchemaError& e = report.errors.front();
    return CheckFailed("xdomea import: message violates the XSD (" +
                       std::to_string(report.errors.size()) +
                       " error(s), first at line " + std::to_string(e.line) +
                       ": " + e.message + ")");
  }
  if (!Importable(report.message_type)) {
    return InvalidInput("xdomea import: " + report.message_type +
                        " cannot be imported (supported: "
                        "Aussonderung.Aussonderung.0503, "
                        "Aussonderung.Anbieteverzeichnis.0501)");
  }

  // Walk Schriftgutobjekt → Akte / Vorgang / Dokument.
  const xmlNode* root = xmlDocGetRootElement(parsed.doc.get());
  ImportResult result;
  result.message_type = report.message_type;
  result.version = report.version;
  result.process_id = ChildText(Child(root, "Kopf"), "ProzessID");

  internal::FileSource source{
      .package = package, .side_dir = side_dir, .limits = options.limits};
  Walker walk{.store = store, .options = options, .source = source};
  records::RecordsImport in;
  in.tenant = tenant;
  in.source = "xdomea " + report.message_type + " " + result.process_id;
  in.read_only = options.read_only;
  in.actor = options.actor;
  for (const xmlNode* sgo : Children(root, "Schriftgutobjekt")) {
    for (const xmlNode* a : Children(sgo, "Akte")) {
      DS_RETURN_IF_ERROR(walk.AddAkte(a, in));
    }
    for (const xmlNode* v : Children(sgo, "Vorgang")) {
      DS_RETURN_IF_ERROR(walk.AddVorgang(v, in.vorgaenge));
    }
    std::vector<const xmlNode*> docs = Children(sgo, "Dokument");
    if (!docs.empty()) {
      records::ImportedVorgang iv;
      iv.external_id = result.process_id + ":dokumente";
      iv.subject = "Dokumente aus " + report.message_type;
      for (const xmlNode* d : docs) DS_RETURN_IF_ERROR(walk.AddDokument(d, iv));
      in.vorgaenge.push_back(std::move(iv));
    }
  }

  DS_ASSIGN_OR_RETURN(result.receipt, store.ImportRecords(in));
  result.without_file = walk.without_file;
  DefaultLogger().Info("xdomea.import",
                       {{"tenant", tenant},
                        {"message", result.message_type},
                        {"process_id", result.process_id},
                        {"akten", result.receipt.akten_new},
                        {"vorgaenge", result.receipt.vorgaenge_new},
                        {"dokumente", result.receipt.dokumente_new},
                        {"already_present", result.receipt.already_present}});
  return result;
}

Result<ImportResult> ImportFile(records::Store& store,
                                const std::string& tenant, const fs::path& file,
                                const ImportOptions& options) {
  DS_ASSIGN_OR_RETURN(Package package, ReadPackageFile(file, options.limits));
  fs::path side_dir;
  if (file.extension() == ".xml") side_dir = file.parent_path();
  if (side_dir.empty() && file.extension() == ".xml") side_dir = ".";
  return ImportPackage(store, tenant, package, side_dir, options);
}

}  // namespace ds::xdomea
