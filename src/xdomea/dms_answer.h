// Reading what a DMS answered to a FVDaten.SGOAblegen.0605 that drehscheibe
// sent it: a FVDaten.ImportBestaetigen.0630 package, as the standard
// prescribes for the 0605 (Importbestaetigung is fixed to 1).
//
//   ds::xdomea::Validator validator(specs);
//   DS_ASSIGN_OR_RETURN(ds::xdomea::DmsAnswer a,
//                       ds::xdomea::Read0630(validator, zip_bytes));
//   if (a.process_id != our_process_id) ...  // answers another exchange
//   if (a.accepted) ...                      // a.filed: the DMS's ids
//
// Only codes and ids are kept: a SonstigeFehlermeldung is free text that
// may name people, so it is counted ("text"), not copied.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {

struct DmsAnswer {
  std::string version;     // "3.1.0", from the message's namespace
  std::string process_id;  // Kopf/ProzessID: the 0605's
  // Every Rueckmeldung and every positive Rueckgabeparameter: the DMS
  // took the package.
  bool accepted = false;
  // The codes of the message's Rueckmeldungen, in order: general ones
  // (AllgemeineRueckmeldung, "0000000" = success) and 0605-specific ones
  // ("0605001" unknown container, ...); "text" for a free-text message.
  std::vector<std::string> codes;
  // One per Rueckgabeparameter: the DMS's id of what it filed.
  struct Filed {
    int nummer_im_stapel = -1;       // -1 if the DMS left it out
    std::string id;                  // IDSGO, "" if the DMS left it out
    bool ok = false;                 // Erfolgreich
    std::vector<std::string> codes;  // its own Rueckmeldungen
  };
  std::vector<Filed> filed;
};

// Reads and checks a 0630 package (or a bare 0630 message): the zip within
// `validator.limits()`, the XML hardened as every xdomea message (no
// DOCTYPE, no network), valid against the XSD of its version, and its root
// a FVDaten.ImportBestaetigen.0630. kInvalidInput for anything else,
// kEnvironment without the XSDs.
Result<DmsAnswer> Read0630(const Validator& validator, std::string_view zip);

}  // namespace ds::xdomea
