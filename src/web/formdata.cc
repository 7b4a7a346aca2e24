// Form data (Fachdaten) as readable HTML: JSON as nested definition lists
// with humanised labels, XML as an escaped element tree. The gate has
// checked the data's size and nesting before it was filed; rendering still
// stops at a fixed depth.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <nlohmann/json.hpp>

#include "web/pages.h"

namespace ds::web::internal {
namespace {

constexpr int kMaxDepth = 32;

// "wohnflaeche_qm" -> "Wohnflaeche qm", "postalCode" -> "Postal code".
std::string Humanise(const std::string& key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    char ch = key[i];
    if (ch == '_' || ch == '-' || ch == '.') {
      out += ' ';
    } else if (ch >= 'A' && ch <= 'Z' && i > 0 && key[i - 1] >= 'a' &&
               key[i - 1] <= 'z') {
      out += ' ';
      out += static_cast<char>(ch - 'A' + 'a');
    } else {
      out += ch;
    }
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

std::string Scalar(const Ctx& c, const nlohmann::json& v) {
  if (v.is_string()) return Esc(v.get<std::string>());
  if (v.is_boolean()) return Esc(c.t(v.get<bool>() ? "ja" : "nein"));
  if (v.is_number_integer()) return Esc(Number(c.lang, v.get<int64_t>()));
  if (v.is_null()) return "–";
  std::string s = v.dump();
  if (c.lang == Lang::kDe) {
    for (char& ch : s) ch = ch == '.' ? ',' : ch;
  }
  return Esc(s);
}

const nlohmann::json& Null() {
  static const nlohmann::json kNull;
  return kNull;
}

// The sub-schema of `schema` for property `key` (or Null()).
const nlohmann::json& PropertySchema(const nlohmann::json& schema,
                                     const std::string& key) {
  if (!schema.is_object() || !schema.contains("properties")) return Null();
  const nlohmann::json& props = schema["properties"];
  if (!props.is_object() || !props.contains(key)) return Null();
  return props[key];
}

// The schema's title for `key`, else the key humanised.
std::string Label(const nlohmann::json& schema, const std::string& key) {
  const nlohmann::json& p = PropertySchema(schema, key);
  if (p.is_object() && p.contains("title") && p["title"].is_string()) {
    return p["title"].get<std::string>();
  }
  return Humanise(key);
}

std::string JsonHtml(const Ctx& c, const nlohmann::json& v,
                     const nlohmann::json& schema, int depth, int heading) {
  if (depth > kMaxDepth) return "…";
  if (v.is_object()) {
    std::string dl = "<dl>", sections;
    for (const auto& [key, child] : v.items()) {
      const nlohmann::json& sub = PropertySchema(schema, key);
      if (child.is_object() || (child.is_array() && !child.empty() &&
                                child.front().is_structured())) {
        std::string h = "h" + std::to_string(std::min(heading, 6));
        sections += "<section><" + h + ">" + Esc(Label(schema, key)) + "</" +
                    h + ">" + JsonHtml(c, child, sub, depth + 1, heading + 1) +
                    "</section>";
      } else {
        dl += "<dt>" + Esc(Label(schema, key)) + "</dt><dd>" +
              JsonHtml(c, child, sub, depth + 1, heading + 1) + "</dd>";
      }
    }
    return (dl == "<dl>" ? "" : dl + "</dl>") + sections;
  }
  if (v.is_array()) {
    const nlohmann::json& items = schema.is_object() && schema.contains("items")
                                      ? schema["items"]
                                      : Null();
    std::string ol = "<ol>";
    for (const auto& item : v) {
      ol += "<li>" + JsonHtml(c, item, items, depth + 1, heading) + "</li>";
    }
    return ol + "</ol>";
  }
  return Scalar(c, v);
}

// The schema named `uri` if it is configured; else the first configured
// schema whose top-level properties contain every key of `data` and whose
// required keys `data` has.
nlohmann::json SchemaFor(const Ctx& c, const nlohmann::json& data,
                         const std::string& uri) {
  if (!data.is_object()) return nlohmann::json();
  for (const WebOptions::DataSchema& named : c.options.data_schemas) {
    if (uri.empty() || named.uri != uri) continue;
    nlohmann::json s = nlohmann::json::parse(named.text, nullptr, false);
    if (s.is_object()) return s;
  }
  for (const WebOptions::DataSchema& named : c.options.data_schemas) {
    nlohmann::json s = nlohmann::json::parse(named.text, nullptr, false);
    if (!s.is_object() || !s.contains("properties") ||
        !s["properties"].is_object()) {
      continue;
    }
    bool fits = true;
    for (const auto& item : data.items()) {
      fits = fits && s["properties"].contains(item.key());
    }
    if (s.contains("required") && s["required"].is_array()) {
      for (const auto& r : s["required"]) {
        fits = fits && r.is_string() && data.contains(r.get<std::string>());
      }
    }
    if (fits) return s;
  }
  return nlohmann::json();
}

std::string Text(const xmlChar* s) {
  return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
}

std::string XmlHtml(xmlNode* node, int depth) {
  if (depth > kMaxDepth) return "<li>…</li>";
  std::string out;
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    std::string name = Text(n->name);
    std::string attrs;
    for (xmlAttr* a = n->properties; a; a = a->next) {
      xmlChar* value = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
      attrs += " <span class=\"muted\">" + Esc(Text(a->name)) + "=„" +
               Esc(Text(value)) + "“</span>";
      xmlFree(value);
    }
    bool has_children = false;
    for (xmlNode* k = n->children; k; k = k->next) {
      has_children = has_children || k->type == XML_ELEMENT_NODE;
    }
    out += "<li><strong>" + Esc(Humanise(name)) + "</strong>" + attrs;
    if (has_children) {
      out += "<ul class=\"tree\">" + XmlHtml(n->children, depth + 1) + "</ul>";
    } else {
      xmlChar* value = xmlNodeGetContent(n);
      out += ": " + Esc(Text(value));
      xmlFree(value);
    }
    out += "</li>";
  }
  return out;
}

}  // namespace

std::string RenderFormData(const Ctx& c, const std::string& mime,
                           const std::string& content,
                           const std::string& schema_uri) {
  if (mime.find("json") != std::string::npos) {
    nlohmann::json j = nlohmann::json::parse(content, nullptr, false);
    if (!j.is_discarded()) {
      return "<div class=\"formdata\">" +
             JsonHtml(c, j, SchemaFor(c, j, schema_uri), 0, 3) + "</div>";
    }
  }
  if (mime.find("xml") != std::string::npos) {
    // No network, no DTD loading, no entity substitution.
    xmlDoc* doc = xmlReadMemory(
        content.data(), static_cast<int>(content.size()), "form.xml", nullptr,
        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc) {
      std::string h = "<div class=\"formdata\"><ul class=\"tree\">" +
                      XmlHtml(xmlDocGetRootElement(doc), 0) + "</ul></div>";
      xmlFreeDoc(doc);
      return h;
    }
  }
  return "<p>" +
         Esc(c.t("Die Antragsdaten liegen in einem Format vor, das "
                 "hier nicht lesbar dargestellt werden kann.")) +
         "</p>";
}

}  // namespace ds::web::internal
