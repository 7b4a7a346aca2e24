#include "xdomea/dms_answer.h"

#include <libxml/tree.h>

#include "xdomea/dom.h"
#include "xdomea/messages.h"

namespace ds::xdomea {
namespace {

using internal::Child;
using internal::Children;
using internal::ChildText;

// The code of one Rueckmeldung: its AllgemeineRueckmeldung, else its
// SpezifischeFehlermeldung06xx, else "text" (SonstigeFehlermeldung).
std::string FeedbackCode(const xmlNode* rueckmeldung) {
  for (const xmlNode* n = rueckmeldung->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    std::string name = internal::LocalName(n);
    if (name == "AllgemeineRueckmeldung" ||
        name.starts_with("SpezifischeFehlermeldung")) {
      std::string code = ChildText(n, "code");
      return code.empty() ? "text" : code;
    }
  }
  return "text";
}

bool True(const std::string& xs_boolean) {
  return xs_boolean == "true" || xs_boolean == "1";
}

}  // namespace

Result<DmsAnswer> Read0630(const Validator& validator, std::string_view zip) {
  DS_ASSIGN_OR_RETURN(Package package, ReadPackage(zip, validator.limits()));
  DS_ASSIGN_OR_RETURN(internal::Parsed parsed,
                      internal::ParseAndValidate(validator, package.xml, ""));
  if (!parsed.report.valid()) {
    // The line only: libxml2's messages may quote values from the message.
    return InvalidInput(
        "0630 does not validate against xdomea " + parsed.report.version +
        " (line " + std::to_string(parsed.report.errors.front().line) + ")");
  }
  const xmlNode* root = xmlDocGetRootElement(parsed.doc.get());
  if (internal::LocalName(root) != k0630Root) {
    return InvalidInput("the answer is a " + internal::LocalName(root) +
                        ", not a " + k0630Root);
  }

  DmsAnswer a;
  a.version = parsed.report.version;
  a.process_id = ChildText(Child(root, "Kopf"), "ProzessID");
  const xmlNode* result = Child(root, "ErfolgOderMisserfolg");
  bool ok = true;
  for (const xmlNode* r : Children(result, "Rueckmeldung")) {
    a.codes.push_back(FeedbackCode(r));
    ok = ok && a.codes.back() == "0000000";
  }
  for (const xmlNode* p : Children(result, "Rueckgabeparameter")) {
    DmsAnswer::Filed f;
    std::string nummer = ChildText(p, "NummerImStapel");
    // xs:unsignedInt (digits only, checked by the XSD); a number beyond
    // int is kept as "left out".
    if (!nummer.empty() && nummer.size() <= 9) {
      f.nummer_im_stapel = std::stoi(nummer);
    }
    f.id = ChildText(p, "IDSGO");
    f.ok = True(ChildText(p, "Erfolgreich"));
    for (const xmlNode* r : Children(p, "Rueckmeldung")) {
      f.codes.push_back(FeedbackCode(r));
    }
    ok = ok && f.ok;
    a.filed.push_back(std::move(f));
  }
  a.accepted = ok && !a.codes.empty();
  return a;
}

}  // namespace ds::xdomea
