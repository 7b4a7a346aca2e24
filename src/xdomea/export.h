// Export of a Vorgang from the E-Akte as an xdomea package for a DMS or a
// Fachverfahren: message FVDaten.SGOAblegen.0605 ("hand new
// Schriftgutobjekte to the DMS for filing"), drehscheibe acting as the
// Fachverfahren side. docs/xdomea.md says why this message type.
//
//   ds::xdomea::ExportOptions opt{.specs_dir = specs, .out_dir = out,
//                                 .sender = {.institution = "Kreis A"},
//                                 .receiver = {.institution = "DMS"}};
//   DS_ASSIGN_OR_RETURN(auto zip, ds::xdomea::ExportVorgang(store, "kreis-a",
//                                                          vorgang_id, opt));
//   // zip = out/<ProzessID>_FVDaten.SGOAblegen.0605.zip, schema-valid
//
// The package holds the originals of the Dokumente the gate passed (clean
// or neutralised). Renditions (neutralised copies, extracted text) are
// drehscheibe's own derivatives and stay behind. A Dokument the gate
// quarantined or rejected, or whose content retention deleted, appears in
// the hierarchy with its metadata and a Bemerkung, but without primary
// file. Every export reads content through the store (audited
// "read-content") and leaves one "export" audit entry.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"
#include "records/store.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {

// Sender or receiver in the message header (KontaktType).
struct Party {
  std::string institution;           // Institution/Name, e.g. "Kreis A"
  std::string organisationseinheit;  // Organisationseinheit/Name, optional
};

struct ExportOptions {
  std::string version = kDefaultVersion;  // "3.1.0" or "3.0.0"
  std::filesystem::path specs_dir;        // the XSDs the package is checked
                                          // against before it is written
  std::filesystem::path out_dir;          // created if missing
  Party sender;
  Party receiver;
  std::string erstellerkennung = "drehscheibe";  // user id in the DMS
  std::string id_container;             // optional: DMS container to file into
  std::string actor = "xdomea-export";  // audit actor
  // ProzessID of the message and stem of the package name; "" = a new
  // UUID. A caller that must produce the same package name again (the
  // router's xdomea transport after a crash) passes a stable UUID.
  std::string process_id;
};

// A built package: the bytes and the name xdomea gives it
// (<ProzessID>_FVDaten.SGOAblegen.0605.zip).
struct ExportedPackage {
  std::string process_id;
  std::string file_name;
  std::string zip;
};

// Writes the Vorgang (inside its Akte, if it has one) as a schema-valid
// 0605 package into out_dir and returns its path. Errors: kNotFound for an
// unknown Vorgang; kInvalidInput for an unsupported version; kEnvironment
// without XSDs or when out_dir is not writable; kInternal if the message
// built does not validate (a bug; nothing is written).
Result<std::filesystem::path> ExportVorgang(records::Store& store,
                                            const std::string& tenant,
                                            const std::string& vorgang_id,
                                            const ExportOptions& options);

// The same package in memory, for a caller that sends it elsewhere (HTTP);
// out_dir is ignored. Validated and audited ("export") like ExportVorgang.
Result<ExportedPackage> ExportVorgangPackage(records::Store& store,
                                             const std::string& tenant,
                                             const std::string& vorgang_id,
                                             const ExportOptions& options);

}  // namespace ds::xdomea
