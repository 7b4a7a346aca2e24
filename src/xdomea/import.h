// Import of xdomea packages into the E-Akte: the Aussonderung messages
// 0503 (Aussonderung.Aussonderung, with primary files) and 0501
// (Aussonderung.Anbieteverzeichnis, metadata only), as read-only records.
//
//   ds::xdomea::ImportOptions opt{.specs_dir = specs,
//                                 .inspect = ds::xdomea::GateInspector(p)};
//   DS_ASSIGN_OR_RETURN(auto r, ds::xdomea::ImportFile(store, "kreis-a",
//                                                      zip_path, opt));
//   // r.receipt: Akten, Vorgänge and Dokumente filed; importing the same
//   // package again files nothing (the xdomea UUIDs are kept).
//
// Mapping: Akte → Akte (Betreff, Kennzeichen, Federführung,
// Vertraulichkeitsstufe); Vorgang → Vorgang in that Akte (Betreff, Typ,
// zdA); Dokument → Dokument with the primary file of its latest Version.
// Teilakten and Teilvorgänge are flattened into their Akte, Anlagen into
// their Vorgang (the E-Akte has no nesting below Akte and Vorgang).
// Dokumente directly in an Akte go into one Vorgang "Dokumente der Akte".
// Dokumente without a primary file (0501) are counted, not filed.
#pragma once

#include <filesystem>
#include <string>

#include "records/store.h"
#include "records/store_import.h"
#include "xdomea/inspect.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {

struct ImportOptions {
  std::filesystem::path specs_dir;
  std::string version;  // "" = the message's own (3.0.0 or 3.1.0)
  Inspector inspect;    // empty: files are filed quarantined
  bool read_only = true;
  std::string actor = "xdomea-import";
  Limits limits;
};

struct ImportResult {
  std::string message_type;  // e.g. "Aussonderung.Aussonderung.0503"
  std::string version;
  std::string process_id;
  records::ImportReceipt receipt;
  int without_file = 0;  // Dokumente that name no primary file
};

// Imports a package read by ReadPackage. `side_dir` is where primary files
// of a bare .xml message lie ("" for zip packages). Errors: kCheckFailed
// when the message violates the XSD (nothing filed), kInvalidInput for an
// unsupported message type or a primary file missing from the package,
// kEnvironment without XSDs.
Result<ImportResult> ImportPackage(records::Store& store,
                                   const std::string& tenant,
                                   const Package& package,
                                   const std::filesystem::path& side_dir,
                                   const ImportOptions& options);

// A .zip package, or a bare .xml message with its primary files beside it.
Result<ImportResult> ImportFile(records::Store& store,
                                const std::string& tenant,
                                const std::filesystem::path& file,
                                const ImportOptions& options);

}  // namespace ds::xdomea
