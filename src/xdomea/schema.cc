// Hardened parsing of xdomea messages and their validation against the
// bundled XSDs of the specs directory, compiled once per version.
#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "xdomea/dom.h"

namespace ds::xdomea {
namespace fs = std::filesystem;
using internal::DocPtr;

namespace {

constexpr std::string_view kNamespacePrefix = "urn:xoev-de:xdomea:schema:";

// No network for anything libxml2 loads (XSD includes and imports
// included): the default loader is replaced once for the process.
void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
  });
}

// SAX hook: a DOCTYPE stops the parser before its internal subset (with
// entity declarations) is read.
void RefuseDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  *static_cast<bool*>(ctxt->_private) = true;
  xmlStopParser(ctxt);
}

// No network, no DTD loading or attribute defaults, no entity substitution
// (no XML_PARSE_NOENT), no XInclude, default limits (no XML_PARSE_HUGE).
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

// libxml2 quotes values of the document in its messages; they may be
// personal data. A quoted part right after "value " or ": " is a value of
// the document (element and type names and schema facets stay).
std::string Redact(std::string_view message) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t open = message.find('\'', i);
    if (open == std::string_view::npos) break;
    size_t close = message.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view before = message.substr(0, open);
    bool value = before.ends_with("value ") || before.ends_with(": ");
    out.append(message.substr(i, open + 1 - i));
    out.append(value ? "…" : message.substr(open + 1, close - open - 1));
    out.push_back('\'');
    i = close + 1;
  }
  out.append(message.substr(std::min(i, message.size())));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

struct Collected {
  std::vector<SchemaError> errors;
  std::vector<std::string> tags;  // qualified name of each error's element
};

constexpr size_t kMaxErrors = 100;

void CollectError(void* user, xmlErrorPtr error) {
  auto* out = static_cast<Collected*>(user);
  if (error == nullptr || out->errors.size() >= kMaxErrors) return;
  out->errors.push_back(SchemaError{
      .line = error->line,
      .column = error->int2 > 0 ? error->int2 : 0,
      .message = Redact(error->message ? error->message : "schema error")});
  std::string tag;
  const auto* node = static_cast<const xmlNode*>(error->node);
  if (node != nullptr && node->type == XML_ATTRIBUTE_NODE) node = node->parent;
  if (node != nullptr && node->type == XML_ELEMENT_NODE && node->name) {
    if (node->ns && node->ns->prefix) {
      tag = std::string(reinterpret_cast<const char*>(node->ns->prefix)) + ":";
    }
    tag += reinterpret_cast<const char*>(node->name);
  }
  out->tags.push_back(std::move(tag));
}

// libxml2 keeps no columns in the tree; a schema error's column is that of
// its element's start tag on the reported line (the first such tag there).
void AddColumns(std::string_view xml, Collected& c) {
  for (size_t i = 0; i < c.errors.size(); ++i) {
    SchemaError& e = c.errors[i];
    if (e.column > 0 || e.line <= 0 || c.tags[i].empty()) continue;
    size_t start = 0;
    for (int line = 1; line < e.line && start != std::string_view::npos;
         ++line) {
      start = xml.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos) continue;
    std::string_view text = xml.substr(start, xml.find('\n', start) - start);
    std::string open = "<" + c.tags[i];
    for (size_t at = text.find(open); at != std::string_view::npos;
         at = text.find(open, at + 1)) {
      size_t end = at + open.size();
      if (end == text.size() || text[end] == ' ' || text[end] == '>' ||
          text[end] == '/' || text[end] == '\t' || text[end] == '\r') {
        e.column = static_cast<int>(at) + 1;
        break;
      }
    }
  }
}

struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
using SchemaPtr = std::shared_ptr<xmlSchema>;

// Compiled schemas by XSD path; compiling xdomea.xsd takes long compared
// with a validation, so it happens once per process and version.
Result<SchemaPtr> LoadSchema(const fs::path& xsd) {
  static std::mutex mu;
  static std::map<std::string, SchemaPtr> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(xsd.string()); it != cache.end()) return it->second;

  if (!fs::is_regular_file(xsd)) {
    return EnvironmentError("xdomea XSD " + xsd.string() +
                            " not found (specs directory)");
  }
  xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(xsd.c_str());
  if (pctxt == nullptr) return Internal("load XSD: no parser context");
  Collected quiet;
  xmlSchemaSetParserStructuredErrors(pctxt, CollectError, &quiet);
  SchemaPtr schema(xmlSchemaParse(pctxt), SchemaFree());
  xmlSchemaFreeParserCtxt(pctxt);
  if (!schema) {
    return EnvironmentError("xdomea XSD " + xsd.string() + " does not compile");
  }
  cache.emplace(xsd.string(), schema);
  return schema;
}

bool IsVersion(std::string_view v) {
  return v.size() == 5 && std::isdigit(static_cast<unsigned char>(v[0])) &&
         v[1] == '.' && std::isdigit(static_cast<unsigned char>(v[2])) &&
         v[3] == '.' && std::isdigit(static_cast<unsigned char>(v[4]));
}

}  // namespace

std::string NamespaceOf(std::string_view version) {
  return std::string(kNamespacePrefix) + std::string(version);
}

std::vector<std::string> AvailableVersions(const fs::path& specs_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e :
       fs::directory_iterator(specs_dir / "xdomea" / "xsd", ec)) {
    std::string name = e.path().filename().string();
    if (IsVersion(name) && fs::is_regular_file(e.path() / "xdomea.xsd")) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace internal {

Result<DocPtr> ParseXml(std::string_view xml, const Limits& limits) {
  if (xml.size() > limits.max_xml_bytes) {
    return TooLarge("message of " + std::to_string(xml.size()) +
                    " bytes exceeds the limit of " +
                    std::to_string(limits.max_xml_bytes));
  }
  InitLibxml();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return Internal("parse XML: no parser context");
  bool doctype = false;
  ctxt->_private = &doctype;
  ctxt->sax->internalSubset = RefuseDoctype;

  DocPtr doc(xmlCtxtReadMemory(ctxt, xml.data(), static_cast<int>(xml.size()),
                               "message.xml", nullptr, kParseOptions));
  int line = ctxt->lastError.line;
  int column = ctxt->lastError.int2;
  std::string why = ctxt->lastError.message ? ctxt->lastError.message : "";
  bool well_formed = ctxt->wellFormed != 0;
  xmlFreeParserCtxt(ctxt);

  if (doctype) {
    return InvalidInput(
        "parse message: a DOCTYPE is not allowed (no DTDs, "
        "no entities)");
  }
  if (!doc || !well_formed) {
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return InvalidInput("parse message: not well-formed XML at line " +
                        std::to_string(line) + ", column " +
                        std::to_string(column) + ": " + Redact(why));
  }
  return doc;
}

Result<std::string> VersionOf(const xmlNode* root) {
  if (root == nullptr) return InvalidInput("message has no root element");
  std::string ns = root->ns && root->ns->href
                       ? reinterpret_cast<const char*>(root->ns->href)
                       : "";
  if (!ns.starts_with(kNamespacePrefix) ||
      !IsVersion(std::string_view(ns).substr(kNamespacePrefix.size()))) {
    return InvalidInput(
        "not an xdomea message: the root element is not in "
        "a namespace urn:xoev-de:xdomea:schema:<version>");
  }
  return ns.substr(kNamespacePrefix.size());
}

Result<Parsed> ParseAndValidate(const Validator& validator,
                                std::string_view xml,
                                const std::string& version) {
  DS_ASSIGN_OR_RETURN(DocPtr doc, ParseXml(xml, validator.limits()));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  DS_ASSIGN_OR_RETURN(std::string found, VersionOf(root));
  if (!version.empty() && version != found) {
    return InvalidInput("message is xdomea " + found + ", not the requested " +
                        version);
  }
  fs::path xsd =
      validator.specs_dir() / "xdomea" / "xsd" / found / "xdomea.xsd";
  if (!fs::is_regular_file(xsd)) {
    return EnvironmentError(
        "no XSD for xdomea " + found + " in " +
        (validator.specs_dir() / "xdomea" / "xsd").string() +
        " (official schemas: XRepository)");
  }
  DS_ASSIGN_OR_RETURN(SchemaPtr schema, LoadSchema(xsd));

  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema.get());
  if (vctxt == nullptr) return Internal("validate: no validation context");
  Collected collected;
  xmlSchemaSetValidStructuredErrors(vctxt, CollectError, &collected);
  int rc = xmlSchemaValidateDoc(vctxt, doc.get());
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc < 0) return Internal("validate: libxml2 internal error");
  AddColumns(xml, collected);
  if (rc > 0 && collected.errors.empty()) {
    collected.errors.push_back(
        {.line = 0, .column = 0, .message = "schema validation failed"});
  }

  Parsed out{.doc = std::move(doc),
             .report = {.version = found,
                        .message_type = LocalName(root),
                        .errors = std::move(collected.errors)}};
  return out;
}

std::vector<const xmlNode*> Children(const xmlNode* node, const char* name) {
  std::vector<const xmlNode*> out;
  if (node == nullptr) return out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE &&
        xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      out.push_back(c);
    }
  }
  return out;
}

const xmlNode* Child(const xmlNode* node, const char* name) {
  if (node == nullptr) return nullptr;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE &&
        xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      return c;
    }
  }
  return nullptr;
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* text = xmlNodeGetContent(node);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  size_t b = out.find_first_not_of(" \t\r\n");
  size_t e = out.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

std::string ChildText(const xmlNode* node, const char* name) {
  return Text(Child(node, name));
}

std::string CodeOf(const xmlNode* node, const char* name) {
  return ChildText(Child(node, name), "code");
}

std::string LocalName(const xmlNode* node) {
  return node && node->name ? reinterpret_cast<const char*>(node->name) : "";
}

}  // namespace internal

Validator::Validator(fs::path specs_dir, Limits limits)
    : specs_dir_(std::move(specs_dir)), limits_(limits) {}
Validator::~Validator() = default;

Result<ValidationReport> Validator::Validate(std::string_view xml,
                                             const std::string& version) const {
  DS_ASSIGN_OR_RETURN(internal::Parsed parsed,
                      internal::ParseAndValidate(*this, xml, version));
  return std::move(parsed.report);
}

namespace {
void CheckDateinamen(const xmlNode* node, const Package& package,
                     std::vector<SchemaError>& errors) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (internal::LocalName(c) == "Dateiname" &&
        internal::LocalName(c->parent) == "Primaerdokument" &&
        !package.files.contains(internal::Text(c))) {
      errors.push_back({.line = static_cast<int>(xmlGetLineNo(c)),
                        .column = 0,
                        .message = "Element 'Dateiname': the primary file it "
                                   "names is not in the package"});
    }
    CheckDateinamen(c, package, errors);
  }
}
}  // namespace

Result<ValidationReport> Validator::ValidatePackage(
    const Package& package, const std::string& version) const {
  DS_ASSIGN_OR_RETURN(internal::Parsed parsed,
                      internal::ParseAndValidate(*this, package.xml, version));
  if (package.zipped && parsed.report.valid()) {
    CheckDateinamen(xmlDocGetRootElement(parsed.doc.get()), package,
                    parsed.report.errors);
  }
  return std::move(parsed.report);
}

}  // namespace ds::xdomea
