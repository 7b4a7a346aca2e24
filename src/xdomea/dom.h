// Internal to ds_xdomea: hardened XML parsing and small DOM helpers over
// libxml2. Only files in src/xdomea include this header.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xdomea/xdomea.h"

namespace ds::xdomea::internal {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// Parses untrusted XML: no network, no DTD loading, no entity expansion, a
// DOCTYPE is refused before its internal subset is read, libxml2's default
// depth and size limits. kInvalidInput names line and column of the first
// well-formedness error; kTooLarge over limits.max_xml_bytes.
Result<DocPtr> ParseXml(std::string_view xml, const Limits& limits);

// "3.1.0" from the root's namespace urn:xoev-de:xdomea:schema:3.1.0;
// kInvalidInput for any other namespace.
Result<std::string> VersionOf(const xmlNode* root);

// A parsed message whose schema check ran.
struct Parsed {
  DocPtr doc;
  ValidationReport report;
};
// ParseXml + validation against the version's XSD (see Validator).
Result<Parsed> ParseAndValidate(const Validator& validator,
                                std::string_view xml,
                                const std::string& version);

// Element children of `node` with local name `name` (any namespace: the
// schema check already fixed the namespace of every element).
std::vector<const xmlNode*> Children(const xmlNode* node, const char* name);
const xmlNode* Child(const xmlNode* node, const char* name);
// Text content of an element (empty for null).
std::string Text(const xmlNode* node);
// Text of the first child `name`, "" if absent.
std::string ChildText(const xmlNode* node, const char* name);
// Text of the <code> child of a code element child `name`.
std::string CodeOf(const xmlNode* node, const char* name);
std::string LocalName(const xmlNode* node);

}  // namespace ds::xdomea::internal
