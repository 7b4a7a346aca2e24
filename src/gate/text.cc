// Form data and text: XML (T50-T54), JSON (T55-T58), SVG/HTML (T63, T64)
// and spreadsheet formulas in text (T66).
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

xmlParserInputPtr DenyExternal(const char*, const char*, xmlParserCtxtPtr) {
  return nullptr;
}
void Silent(void*, const char*, ...) {}

// What the SAX handlers below record; no tree is built.
struct XmlFacts {
  int depth = 0;
  int max_depth = 0;
  bool xinclude = false;
  bool remote_schema = false;
  bool dtd = false;
};

void OnStartElement(void* user, const xmlChar* /*localname*/,
                    const xmlChar* /*prefix*/, const xmlChar* uri,
                    int /*nb_namespaces*/, const xmlChar** /*namespaces*/,
                    int nb_attributes, int /*nb_defaulted*/,
                    const xmlChar** attributes) {
  auto* f = static_cast<XmlFacts*>(user);
  f->max_depth = std::max(f->max_depth, ++f->depth);
  if (uri != nullptr &&
      std::string_view(reinterpret_cast<const char*>(uri)).find("XInclude") !=
          std::string_view::npos) {
    f->xinclude = true;
  }
  // Five pointers per attribute: local name, prefix, URI, value, end.
  for (int i = 0; i < nb_attributes; ++i) {
    std::string_view name(reinterpret_cast<const char*>(attributes[5 * i]));
    if (name == "schemaLocation" || name == "noNamespaceSchemaLocation") {
      f->remote_schema = true;
    }
  }
}

void OnEndElement(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
  --static_cast<XmlFacts*>(user)->depth;
}

void OnDoctype(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
  static_cast<XmlFacts*>(user)->dtd = true;
}

// Whether "<!DOCTYPE" or "<!ENTITY" occurs. Searches for '!', which is
// rare in XML, unlike '<'.
bool HasDeclaration(std::string_view data) {
  for (size_t p = data.find('!', 1); p != std::string_view::npos;
       p = data.find('!', p + 1)) {
    if (data[p - 1] != '<') continue;
    std::string_view rest = data.substr(p + 1);
    if (rest.substr(0, 7) == "DOCTYPE" || rest.substr(0, 6) == "ENTITY") {
      return true;
    }
  }
  return false;
}

// Bracket depth and number-token length before any parser runs.
bool PreScanJson(std::string_view s, const Limits& limits, Report& report) {
  int depth = 0;
  size_t number = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    bool num = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
               c == 'e' || c == 'E';
    number = num ? number + 1 : 0;
    if (number > limits.max_json_number_chars) {
      report.Add("json.number_too_long", Severity::kReject,
                 "a number longer than " +
                     std::to_string(limits.max_json_number_chars) +
                     " characters");
      return false;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') {
      if (++depth > limits.max_json_depth) {
        report.Add(
            "json.too_deep", Severity::kReject,
            "nesting deeper than " + std::to_string(limits.max_json_depth));
        return false;
      }
    }
    if (c == '}' || c == ']') --depth;
  }
  return true;
}

// Receives nlohmann's SAX events: records duplicate keys per object and
// the first parse error. Values are not kept.
class JsonChecker : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool duplicate = false;
  int error_id = 0;  // nlohmann exception id, 0 if none
  size_t error_byte = 0;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (!keys_.empty() && !keys_.back().insert(k).second) duplicate = true;
    return true;
  }
  bool end_object() override {
    if (!keys_.empty()) keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::json::exception& ex) override {
    error_id = ex.id;
    error_byte = position;
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;
};

}  // namespace

void InspectXml(std::string_view data, Context& ctx, Report& report) {
  // No DTD has a place in form data: reject before parsing (T50-T52).
  if (HasDeclaration(data)) {
    report.Add("xml.doctype", Severity::kReject,
               "XML with a document type declaration (entities, XXE)");
    return;
  }
  xmlSetExternalEntityLoader(DenyExternal);
  xmlSetGenericErrorFunc(nullptr, Silent);

  // libxml2's parser with SAX handlers that only count: the same
  // well-formedness checks as building a document, without the document.
  // Never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE.
  xmlParserCtxtPtr parser =
      xmlCreateMemoryParserCtxt(data.data(), static_cast<int>(data.size()));
  if (parser == nullptr) {  // empty input (or no memory): fail closed
    report.Add("xml.malformed", Severity::kReject,
               "XML is not well-formed (no parser for the input)");
    return;
  }
  xmlCtxtUseOptions(parser,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = OnStartElement;
  sax.endElementNs = OnEndElement;
  sax.internalSubset = OnDoctype;
  sax.externalSubset = OnDoctype;
  sax.serror = [](void*, auto*) {};  // xmlError is const from 2.12 on
  XmlFacts facts;
  xmlSAXHandlerPtr own_sax = parser->sax;
  parser->sax = &sax;
  parser->userData = &facts;
  xmlParseDocument(parser);
  parser->sax = own_sax;
  bool well_formed = parser->wellFormed != 0;
  int error = parser->lastError.code, line = parser->lastError.line;
  xmlFreeParserCtxt(parser);

  if (!well_formed) {
    report.Add("xml.malformed", Severity::kReject,
               "XML is not well-formed (libxml2 error " +
                   std::to_string(error) + ", line " + std::to_string(line) +
                   ")");
    return;
  }
  if (facts.dtd) {
    report.Add("xml.doctype", Severity::kReject, "XML with a DTD");
  }
  if (facts.max_depth > ctx.policy->limits.max_xml_depth) {
    report.Add("xml.too_deep", Severity::kReject,
               "elements nested " + std::to_string(facts.max_depth) + " deep");
  }
  if (facts.xinclude) {
    report.Add("xml.xinclude", Severity::kReject,
               "XInclude elements (would pull in other files)");
  }
  if (facts.remote_schema) {
    report.Add("xml.external_reference", Severity::kInfo,
               "schemaLocation hints (never fetched)");
  }
}

void InspectJson(std::string_view data, Context& ctx, Report& report) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") {
    report.Add("json.bom", Severity::kInfo, "JSON starts with a BOM");
    data.remove_prefix(3);
  }
  // The fast check spares the pre-scan and nlohmann's parse for plain form
  // data: it never accepts what either would object to, and when unsure
  // both run.
  const Limits& limits = ctx.policy->limits;
  if (!JsonCertainlyValid(data, limits)) {
    if (!PreScanJson(data, limits, report)) return;
    // Syntax by nlohmann's parser as SAX events (no document is built) and
    // duplicate keys per object, after unescaping (T56).
    JsonChecker checker;
    (void)nlohmann::json::sax_parse(data.begin(), data.end(), &checker,
                                    nlohmann::json::input_format_t::json,
                                    /*strict=*/true,
                                    /*ignore_comments=*/false);
    if (checker.error_id != 0) {
      // Ids 4xx are out_of_range (a number beyond a double), as
      // json::parse would throw them; everything else is a parse error.
      if ((checker.error_id / 100) % 100 == 4) {
        report.Add("json.number_out_of_range", Severity::kReject,
                   "a number outside the range of a double");
      } else {
        report.Add("json.malformed", Severity::kReject,
                   "JSON is not well-formed (error " +
                       std::to_string(checker.error_id) + " at byte " +
                       std::to_string(checker.error_byte) + ")");
      }
      return;
    }
    if (checker.duplicate) {
      report.Add("json.duplicate_key", Severity::kReject,
                 "an object has the same key twice");
    }
  }
  if (data.find("\\u0000") != std::string_view::npos) {
    report.Add("json.nul_character", Severity::kReview,
               "a string contains NUL (\\u0000)");
  }
}

void InspectText(std::string_view data, const std::string& type_id,
                 Context& /*ctx*/, Report& report) {
  if (type_id == "svg") {
    report.Add("text.active_content", Severity::kReject,
               "SVG images can carry script and external references");
    return;
  }
  if (type_id == "html") {
    report.Add("text.active_content", Severity::kReject,
               "HTML documents run script when opened");
    return;
  }
  // Cells that a spreadsheet evaluates as formulas (T66).
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end - start);
    size_t cell = 0;
    while (cell <= line.size()) {
      size_t next = line.find_first_of(",;\t", cell);
      std::string_view v = line.substr(cell, next - cell);
      while (!v.empty() && (v[0] == '"' || v[0] == ' ')) v.remove_prefix(1);
      bool formula =
          !v.empty() && (v[0] == '=' || v[0] == '@' ||
                         ((v[0] == '+' || v[0] == '-') && v.size() > 1 &&
                          !std::isdigit(static_cast<unsigned char>(v[1])) &&
                          v[1] != '.' && v[1] != ' '));
      if (formula) {
        report.Add("text.formula", Severity::kReview,
                   "cells start with = + - or @ (formula injection)");
        return;
      }
      if (next == std::string_view::npos) break;
      cell = next + 1;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

}  // namespace ds::gate::internal
