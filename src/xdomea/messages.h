// Internal to ds_xdomea: the FVDaten messages drehscheibe writes (0605 for
// export, 0630 as the answer to a received 0605).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xdomea/export.h"
#include "xdomea/writer.h"

namespace ds::xdomea {

inline constexpr const char* k0605Root = "FVDaten.SGOAblegen.0605";
inline constexpr const char* k0630Root = "FVDaten.ImportBestaetigen.0630";

struct Header {
  std::string process_id;
  std::string code;  // Nachrichtentyp, e.g. "0605"
  int64_t created_at = 0;
  Party sender;
  Party receiver;
};

// Opens <Kopf> and writes the NkBasisType part (ProzessID .. SendendesSystem);
// the caller adds the family's elements and closes it.
void WriteHeader(internal::XmlWriter& w, const Header& h);

// One Rueckmeldung of a 0630: a general code (AllgemeineRueckmeldung, e.g.
// "0000000" success, "0000008" XML structure invalid) or a 0605-specific
// code ("0605001" unknown container, ...), or a free text
// (SonstigeFehlermeldung) when both codes are empty.
struct Feedback {
  std::string general_code;
  std::string specific_code;
  std::string text;
};

// The per-object answer: the new DMS id and where it was filed.
struct FiledObject {
  std::string fachverfahren_objekt_id;  // as sent (for the log only)
  int nummer_im_stapel = -1;            // -1 = not sent
  std::string new_id;                   // UUID of the new Dokument
  std::string ablageort;                // Vorgang id it was filed into
};

struct ImportAnswer {
  std::string version;
  Header header;
  std::string fv_session_id;
  std::vector<Feedback> feedback;  // at least one
  std::vector<FiledObject> filed;
};

// The 0630 message (XML).
std::string Build0630(const ImportAnswer& answer);

}  // namespace ds::xdomea
