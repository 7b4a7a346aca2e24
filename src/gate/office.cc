// Office documents: OOXML/ODF part checks, OLE2 compound files (a small
// CFB directory reader) and RTF control words.
#include "gate/office.h"

#include <algorithm>

namespace ds::gate::internal {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// Relationships with TargetMode="External" other than hyperlinks (T33).
int ExternalRelationships(const std::string& rels) {
  int n = 0;
  for (size_t p = rels.find("<Relationship "); p != std::string::npos;
       p = rels.find("<Relationship ", p + 1)) {
    size_t end = rels.find('>', p);
    std::string_view el(rels.data() + p,
                        (end == std::string::npos ? rels.size() : end) - p);
    if (Contains(el, "TargetMode=\"External\"") &&
        !Contains(el, "relationships/hyperlink\"")) {
      ++n;
    }
  }
  return n;
}

// Field instructions (w:instrText runs, w:instr attributes) joined (T34).
std::string FieldInstructions(const std::string& xml) {
  std::string out;
  for (size_t p = xml.find("<w:instrText"); p != std::string::npos;
       p = xml.find("<w:instrText", p + 1)) {
    size_t start = xml.find('>', p);
    size_t end = xml.find("</w:instrText>", p);
    if (start == std::string::npos || end == std::string::npos) break;
    if (start < end) out += xml.substr(start + 1, end - start - 1);
  }
  for (size_t p = xml.find("w:instr=\""); p != std::string::npos;
       p = xml.find("w:instr=\"", p + 1)) {
    size_t end = xml.find('"', p + 9);
    if (end == std::string::npos) break;
    out += " " + xml.substr(p + 9, end - p - 9) + " ";
  }
  return Lower(out);
}

bool HasDde(const std::string& instructions) {
  for (size_t p = instructions.find("dde"); p != std::string::npos;
       p = instructions.find("dde", p + 1)) {
    bool start = p == 0 || !std::isalnum(static_cast<unsigned char>(
                               instructions[p - 1]));
    if (start) return true;
  }
  return false;
}

void CheckOoxml(const OfficeParts& p, Report& report) {
  bool macro = false, activex = false, embedded = false;
  for (const std::string& name : p.names) {
    std::string lower = Lower(name);
    macro |= EndsWith(lower, "vbaproject.bin") ||
             Contains(lower, "/macrosheets/") ||
             Contains(lower, "vbadata.xml");
    activex |= Contains(lower, "/activex/");
    embedded |= Contains(lower, "/embeddings/");
  }
  if (auto it = p.parts.find("[Content_Types].xml"); it != p.parts.end()) {
    macro |= Contains(it->second, "macroEnabled") ||
             Contains(it->second, "vbaProject");
  }
  if (macro) {
    report.Add("office.macro", Severity::kReject,
               "the document carries VBA or Excel 4.0 macros");
  }
  if (activex) {
    report.Add("office.activex", Severity::kReject,
               "the document carries ActiveX controls");
  }
  if (embedded) {
    report.Add("office.embedded_object", Severity::kReview,
               "the document embeds objects (OLE, packages)");
  }

  int external = 0;
  bool dde = false;
  for (const auto& [name, text] : p.parts) {
    if (EndsWith(name, ".rels")) external += ExternalRelationships(text);
    if (EndsWith(name, ".xml")) {
      dde |= HasDde(FieldInstructions(text)) || Contains(text, "<ddeLink");
    }
  }
  if (external > 0) {
    report.Add("office.external_relationship", Severity::kReject,
               std::to_string(external) +
                   " external relationship(s) (remote template, OLE link "
                   "or frame)");
  }
  if (dde) {
    report.Add("office.dde", Severity::kReject,
               "the document contains a DDE field or link");
  }
}

void CheckOdf(const OfficeParts& p, Report& report) {
  bool macro = false;
  for (const std::string& name : p.names) {
    macro |= name.rfind("Basic/", 0) == 0 || name.rfind("Scripts/", 0) == 0;
  }
  for (const char* part : {"content.xml", "styles.xml"}) {
    auto it = p.parts.find(part);
    if (it == p.parts.end()) continue;
    macro |= Contains(it->second, "office:event-listeners") ||
             Contains(it->second, "script:event-listener");
  }
  if (macro) {
    report.Add("office.macro", Severity::kReject,
               "the document carries Basic macros or script events");
  }
  auto manifest = p.parts.find("META-INF/manifest.xml");
  if (manifest != p.parts.end() &&
      Contains(manifest->second, "encryption-data")) {
    report.Add("office.encrypted", Severity::kReject,
               "the document is encrypted");
  }
}

// --- OLE2 compound file (MS-CFB): directory names only. ---

uint32_t Le32(std::string_view d, size_t o) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = v << 8 | static_cast<unsigned char>(d[o + i]);
  }
  return v;
}

constexpr uint32_t kEndOfChain = 0xFFFFFFFE;

class Cfb {
 public:
  explicit Cfb(std::string_view d) : d_(d) {}

  // Fills `names` (lower-case ASCII of each directory entry).
  bool ReadNames(std::vector<std::string>* names) {
    if (d_.size() < 512) return false;
    int shift = static_cast<unsigned char>(d_[30]);
    if (shift != 9 && shift != 12) return false;
    sector_ = size_t{1} << shift;
    if (!ReadFat()) return false;
    uint32_t s = Le32(d_, 48);
    size_t steps = 0;
    while (s != kEndOfChain) {
      if (s >= fat_.size() || ++steps > fat_.size()) return false;
      size_t off = (size_t{s} + 1) * sector_;
      if (off + sector_ > d_.size()) return false;
      for (size_t e = off; e < off + sector_; e += 128) {
        names->push_back(EntryName(e));
      }
      s = fat_[s];
    }
    return true;
  }

 private:
  bool ReadFat() {
    uint32_t n_fat = Le32(d_, 44);
    std::vector<uint32_t> fat_sectors;
    for (int i = 0; i < 109 && fat_sectors.size() < n_fat; ++i) {
      fat_sectors.push_back(Le32(d_, 76 + 4 * i));
    }
    uint32_t difat = Le32(d_, 68);
    size_t guard = 0;
    while (fat_sectors.size() < n_fat && difat < kEndOfChain) {
      size_t off = (size_t{difat} + 1) * sector_;
      if (off + sector_ > d_.size() || ++guard > 10000) return false;
      for (size_t i = 0; i + 4 < sector_ && fat_sectors.size() < n_fat;
           i += 4) {
        fat_sectors.push_back(Le32(d_, off + i));
      }
      difat = Le32(d_, off + sector_ - 4);
    }
    for (uint32_t fs : fat_sectors) {
      size_t off = (size_t{fs} + 1) * sector_;
      if (off + sector_ > d_.size()) return false;
      for (size_t i = 0; i < sector_; i += 4) fat_.push_back(Le32(d_, off + i));
    }
    return !fat_.empty();
  }

  std::string EntryName(size_t e) const {
    size_t len = static_cast<unsigned char>(d_[e + 64]) |
                 static_cast<unsigned char>(d_[e + 65]) << 8;
    std::string name;
    for (size_t i = 0; i + 1 < std::min<size_t>(len, 64); i += 2) {
      unsigned c = static_cast<unsigned char>(d_[e + i]) |
                   static_cast<unsigned char>(d_[e + i + 1]) << 8;
      if (c == 0) break;
      name.push_back(c < 0x80 ? static_cast<char>(c) : '?');
    }
    return Lower(name);
  }

  std::string_view d_;
  size_t sector_ = 512;
  std::vector<uint32_t> fat_;
};

}  // namespace

void OfficeParts::Add(const std::string& name, const std::string& content) {
  names.insert(name);
  bool wanted = EndsWith(name, ".xml") || EndsWith(name, ".rels") ||
                name == "mimetype";
  if (wanted && content.size() <= kMaxPartBytes) parts[name] = content;
}

std::string OfficeParts::DetectedType() const {
  if (auto it = parts.find("mimetype"); it != parts.end()) {
    const std::string& m = it->second;
    if (m == "application/vnd.oasis.opendocument.text") return "odt";
    if (m == "application/vnd.oasis.opendocument.spreadsheet") return "ods";
    if (m == "application/vnd.oasis.opendocument.presentation") return "odp";
  }
  if (names.count("[Content_Types].xml")) {
    for (const std::string& n : names) {
      if (n.rfind("word/", 0) == 0) return "docx";
      if (n.rfind("xl/", 0) == 0) return "xlsx";
      if (n.rfind("ppt/", 0) == 0) return "pptx";
    }
  }
  return "zip";
}

void CheckOfficeParts(const OfficeParts& parts, const std::string& type_id,
                      Report& report) {
  if (type_id == "docx" || type_id == "xlsx" || type_id == "pptx") {
    CheckOoxml(parts, report);
  } else if (type_id == "odt" || type_id == "ods" || type_id == "odp") {
    CheckOdf(parts, report);
  }
}

void InspectOle(std::string_view data, Report& report) {
  std::vector<std::string> names;
  if (!Cfb(data).ReadNames(&names)) {
    report.Add("office.damaged", Severity::kReject,
               "OLE2 compound file structure is damaged");
    return;
  }
  bool macro = false, encrypted = false, embedded = false, equation = false;
  for (const std::string& n : names) {
    macro |= n == "vba" || n == "_vba_project_cur" || n == "_vba_project" ||
             n == "macros";
    encrypted |= n == "encryptioninfo" || n == "encryptedpackage";
    embedded |= n == "objectpool" || n == "\x01ole10native" ||
                n == "?ole10native";
    equation |= n == "equation native";
  }
  if (macro) {
    report.Add("office.macro", Severity::kReject,
               "OLE2 document with a VBA project");
  }
  if (encrypted) {
    report.Add("office.encrypted", Severity::kReject,
               "encrypted Office document; its content cannot be checked");
  }
  if (equation) {
    report.Add("office.embedded_object", Severity::kReject,
               "Equation Editor object (exploited, CVE-2017-11882)");
  } else if (embedded) {
    report.Add("office.embedded_object", Severity::kReview,
               "OLE2 document with embedded objects");
  }
  // Not yet: the WordDocument FIB encryption flag and BIFF8 macro sheets
  // of legacy .doc/.xls are not read; clamd's heuristics cover them.
}

void InspectRtf(std::string_view data, Context& ctx, Report& report) {
  int depth = 0, max_depth = 0;
  bool object = false;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}') {
      --depth;
    } else if (c == '\\' && i + 1 < data.size()) {
      size_t j = i + 1;
      while (j < data.size() && std::isalpha(static_cast<unsigned char>(
                                    data[j]))) {
        ++j;
      }
      std::string word(data.substr(i + 1, j - i - 1));
      if (word.rfind("obj", 0) == 0 || word == "object") object = true;
      if (word == "bin") {  // \binN: N raw bytes follow
        size_t k = j;
        uint64_t n = 0;
        while (k < data.size() && std::isdigit(static_cast<unsigned char>(
                                      data[k])) && n < (1ull << 40)) {
          n = n * 10 + static_cast<uint64_t>(data[k++] - '0');
        }
        j = k + 1 + std::min<uint64_t>(n, data.size());
      }
      i = (word.empty() ? j : j - 1);
    }
  }
  if (object) {
    report.Add("office.rtf_object", Severity::kReject,
               "RTF with embedded or linked objects (\\object, \\objdata)");
  }
  if (max_depth > ctx.policy->limits.max_rtf_depth) {
    report.Add("office.rtf_too_deep", Severity::kReject,
               "RTF groups nested " + std::to_string(max_depth) + " deep");
  }
}

}  // namespace ds::gate::internal
