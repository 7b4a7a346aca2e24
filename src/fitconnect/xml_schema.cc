// XML parsing of untrusted Fachdaten and XSD validation on libxml2.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <mutex>

#include "fitconnect/schema.h"

namespace ds::fitconnect {

struct XmlSchema::Rep {
  xmlSchemaPtr schema = nullptr;
  ~Rep() { xmlSchemaFree(schema); }
};

namespace {

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// SAX hook: a DOCTYPE stops the parser before its internal subset (with
// entity declarations) is read.
void RefuseDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  *static_cast<bool*>(ctxt->_private) = true;
  xmlStopParser(ctxt);
}

// No network, no DTD loading or attribute defaults, no entity substitution,
// no XInclude, default size limits (no XML_PARSE_HUGE), quiet.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

Result<DocPtr> ParseHardened(std::string_view xml, const XmlLimits& limits) {
  if (xml.size() > limits.max_bytes) {
    return TooLarge("XML of " + std::to_string(xml.size()) +
                    " bytes exceeds the limit of " +
                    std::to_string(limits.max_bytes));
  }
  InitLibxml();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return Internal("parse XML: no parser context");
  bool doctype = false;
  ctxt->_private = &doctype;
  ctxt->sax->internalSubset = RefuseDoctype;

  DocPtr doc(xmlCtxtReadMemory(ctxt, xml.data(), static_cast<int>(xml.size()),
                               "content.xml", nullptr, kParseOptions));
  int line = ctxt->lastError.line;
  bool well_formed = ctxt->wellFormed != 0;
  xmlFreeParserCtxt(ctxt);

  if (doctype) return InvalidInput("parse XML: a DOCTYPE is not allowed");
  if (!doc || !well_formed) {
    return InvalidInput("parse XML: not well-formed (line " +
                        std::to_string(line) + ")");
  }
  return doc;
}

struct Collected {
  std::vector<std::string> errors;
};

// Element path, line and libxml2 error code; the message itself may quote
// content and is dropped.
void CollectError(void* user, xmlErrorPtr error) {
  auto* out = static_cast<Collected*>(user);
  if (error == nullptr || out->errors.size() >= 5) return;
  std::string where = "/";
  if (error->node != nullptr) {
    xmlChar* path = xmlGetNodePath(static_cast<xmlNodePtr>(error->node));
    if (path != nullptr) {
      where = reinterpret_cast<const char*>(path);
      xmlFree(path);
    }
  }
  out->errors.push_back(where + " (line " + std::to_string(error->line) +
                        ", libxml2 error " + std::to_string(error->code) + ")");
}

}  // namespace

Result<XmlSchema> XmlSchema::Load(const std::filesystem::path& xsd_file) {
  InitLibxml();
  if (!std::filesystem::is_regular_file(xsd_file)) {
    return EnvironmentError("load XSD " + xsd_file.string() + ": no such file");
  }
  xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(xsd_file.c_str());
  if (pctxt == nullptr) return Internal("load XSD: no parser context");
  Collected quiet;
  xmlSchemaSetParserStructuredErrors(pctxt, CollectError, &quiet);
  auto rep = std::make_shared<Rep>();
  rep->schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (rep->schema == nullptr) {
    return InvalidInput("load XSD " + xsd_file.filename().string() +
                        ": does not compile");
  }
  return XmlSchema(std::move(rep));
}

Status XmlSchema::Validate(std::string_view xml, const XmlLimits& limits) const {
  DS_ASSIGN_OR_RETURN(DocPtr doc, ParseHardened(xml, limits));

  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(rep_->schema);
  if (vctxt == nullptr) return Internal("validate XML: no validation context");
  Collected collected;
  xmlSchemaSetValidStructuredErrors(vctxt, CollectError, &collected);
  int rc = xmlSchemaValidateDoc(vctxt, doc.get());
  xmlSchemaFreeValidCtxt(vctxt);

  if (rc == 0) return Status::Ok();
  if (rc < 0) return Internal("validate XML: libxml2 internal error");
  std::string message = "XML schema violation";
  for (size_t i = 0; i < collected.errors.size(); ++i) {
    message += (i == 0 ? " at " : "; at ") + collected.errors[i];
  }
  return CheckFailed(std::move(message));
}

Status CheckXmlWellFormed(std::string_view xml, const XmlLimits& limits) {
  DS_ASSIGN_OR_RETURN(DocPtr doc, ParseHardened(xml, limits));
  return Status::Ok();
}

}  // namespace ds::fitconnect
