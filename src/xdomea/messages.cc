// Header and 0630 writing shared by export and receive.
#include "xdomea/messages.h"

namespace ds::xdomea {
namespace {

void WriteParty(internal::XmlWriter& w, const char* element, const Party& p) {
  w.Open(element);
  if (!p.institution.empty()) {
    w.Open("Institution");
    w.Leaf("Name", p.institution);
    w.Close();
  }
  if (!p.organisationseinheit.empty()) {
    w.Open("Organisationseinheit");
    w.Leaf("Name", p.organisationseinheit);
    w.Close();
  }
  w.Close();
}

void WriteFeedback(internal::XmlWriter& w, const Feedback& f) {
  if (!f.general_code.empty()) {
    w.Code("AllgemeineRueckmeldung",
           "urn:xoev-de:xdomea:codeliste:allgemeinerueckmeldung", "1.1",
           f.general_code);
  } else if (!f.specific_code.empty()) {
    w.Code("SpezifischeFehlermeldung0605",
           "urn:xoev-de:xdomea:codeliste:spezifischefehlermeldung0605", "1.0",
           f.specific_code);
  } else {
    w.Leaf("SonstigeFehlermeldung", f.text);
  }
}

}  // namespace

void WriteHeader(internal::XmlWriter& w, const Header& h) {
  w.Open("Kopf");
  w.Leaf("ProzessID", h.process_id);
  w.Code("Nachrichtentyp", "urn:xoev-de:xdomea:codeliste:nachrichtentyp", "2.0",
         h.code);
  w.Leaf("Erstellungszeitpunkt", internal::XmlDateTime(h.created_at));
  WriteParty(w, "Absender", h.sender);
  WriteParty(w, "Empfaenger", h.receiver);
  w.Open("SendendesSystem");
  w.Leaf("Produktname", "drehscheibe");
  w.Leaf("Version", "0.1.0");
  w.Close();
}

std::string Build0630(const ImportAnswer& a) {
  internal::XmlWriter w(k0630Root, a.version);
  WriteHeader(w, a.header);
  w.Leaf("FVSessionID", a.fv_session_id);
  w.Close();  // Kopf

  w.Open("ErfolgOderMisserfolg");
  for (const Feedback& f : a.feedback) {
    w.Open("Rueckmeldung");
    WriteFeedback(w, f);
    w.Close();
  }
  for (const FiledObject& o : a.filed) {
    w.Open("Rueckgabeparameter");
    if (o.nummer_im_stapel >= 0) {
      w.Leaf("NummerImStapel", std::to_string(o.nummer_im_stapel));
    }
    w.Leaf("IDSGO", o.new_id);
    w.Open("Parameter");
    w.Leaf("Ablageort", o.ablageort);
    w.Close();
    w.Leaf("Erfolgreich", "1");
    w.Close();
  }
  return w.Finish();
}

}  // namespace ds::xdomea
