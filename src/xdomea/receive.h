// The way back from a Fachverfahren: a FVDaten.SGOAblegen.0605 package
// (e.g. a Bescheid as PDF) is validated, its Dokumente are filed into the
// Vorgang or Akte its IDContainer names, and the answer is a
// FVDaten.ImportBestaetigen.0630 package, as the standard prescribes for
// Importbestaetigung = 1 (0605 fixes it to 1).
//
//   ds::xdomea::ReceiveOptions opt{.specs_dir = specs,
//                                  .inspect = GateInspector(policy)};
//   DS_ASSIGN_OR_RETURN(auto r, ds::xdomea::Receive0605(store, "kreis-a",
//                                                      zip_bytes, opt));
//   // r.answer_zip: the 0630 package (positive or negative), always
//   // schema-valid; r.accepted says which.
//
// Positive 0630: AllgemeineRueckmeldung 0000000 and one Rueckgabeparameter
// per filed Dokument (IDSGO = the new Dokument id, Ablageort = the Vorgang
// id). Negative 0630, nothing filed: 0000008 with the reason when the
// package or message is invalid (bad zip, names, DOCTYPE, XSD, wrong
// message type), 0605001 for an unknown or missing IDContainer, 0605004
// when a named primary file is missing, 0605005 when the gate rejects a
// file or the container is a read-only import. A package received again
// (same ProzessID and FachverfahrenObjektID) files nothing and answers
// with the ids filed the first time. Into an Akte, each
// SchriftgutobjektZumAblegen becomes a new Vorgang of that Akte.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "records/store.h"
#include "xdomea/export.h"
#include "xdomea/inspect.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {

struct ReceiveOptions {
  std::filesystem::path specs_dir;
  Inspector inspect;  // empty: filed quarantined (a person decides)
  Party self = {.institution = "drehscheibe"};  // Absender of the 0630
  std::string actor = "xdomea-receive";
  Limits limits;
};

struct ReceiveResult {
  bool accepted = false;   // positive 0630
  std::string reason;      // why negative (no content), "" if accepted
  std::string process_id;  // of the exchange ("" if unreadable)
  std::vector<std::string> dokument_ids;  // filed (or filed before)
  std::string answer_name;  // <ProzessID>_FVDaten.ImportBestaetigen.0630.zip
  std::string answer_zip;   // the 0630 package
};

// Errors only for failures on our side (kEnvironment without XSDs,
// kUnavailable when the store fails): an invalid package is a negative
// 0630, not an error.
Result<ReceiveResult> Receive0605(records::Store& store,
                                  const std::string& tenant,
                                  std::string_view zip,
                                  const ReceiveOptions& options);

}  // namespace ds::xdomea
