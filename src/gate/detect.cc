// Type detection by content and the dispatcher to the format inspectors.
#include <magic.h>

#include <algorithm>
#include <map>
#include <set>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

constexpr size_t kMagicPrefix = 1u << 20;

struct TypeRow {
  std::set<std::string, std::less<>> extensions;
  std::set<std::string, std::less<>> mimes;  // exact
  std::vector<std::string> mime_prefixes;    // "application/vnd.x."
};

const std::map<std::string, TypeRow, std::less<>>& Types() {
  static const auto* types = new std::map<std::string, TypeRow, std::less<>>{
      {"pdf", {{"pdf"}, {"application/pdf", "application/x-pdf"}, {}}},
      {"jpeg",
       {{"jpg", "jpeg", "jpe", "jfif"},
        {"image/jpeg", "image/pjpeg", "image/jpg"},
        {}}},
      {"png", {{"png"}, {"image/png"}, {}}},
      {"tiff", {{"tif", "tiff"}, {"image/tiff"}, {}}},
      {"gif", {{"gif"}, {"image/gif"}, {}}},
      {"bmp",
       {{"bmp", "dib"}, {"image/bmp", "image/x-ms-bmp", "image/x-bmp"}, {}}},
      {"xml", {{"xml"}, {"application/xml", "text/xml"}, {}}},
      {"json", {{"json"}, {"application/json", "text/json"}, {}}},
      {"text",
       {{"txt", "csv", "tsv", "text"},
        {"text/plain", "text/csv", "text/tab-separated-values"},
        {}}},
      {"rtf", {{"rtf"}, {"application/rtf", "text/rtf"}, {}}},
      {"docx",
       {{"docx", "docm", "dotx", "dotm"},
        {},
        {"application/vnd.openxmlformats-officedocument."
         "wordprocessingml.",
         "application/vnd.ms-word."}}},
      {"xlsx",
       {{"xlsx", "xlsm", "xltx", "xltm"},
        {},
        {"application/vnd.openxmlformats-officedocument."
         "spreadsheetml.",
         "application/vnd.ms-excel."}}},
      {"pptx",
       {{"pptx", "pptm", "potx", "ppsx"},
        {},
        {"application/vnd.openxmlformats-officedocument."
         "presentationml.",
         "application/vnd.ms-powerpoint."}}},
      {"odt",
       {{"odt", "ott"}, {}, {"application/vnd.oasis.opendocument.text"}}},
      {"ods",
       {{"ods", "ots"},
        {},
        {"application/vnd.oasis.opendocument.spreadsheet"}}},
      {"odp",
       {{"odp", "otp"},
        {},
        {"application/vnd.oasis.opendocument.presentation"}}},
      {"ole",
       {{"doc", "dot", "xls", "xlt", "ppt", "pps", "msg"},
        {"application/msword", "application/vnd.ms-excel",
         "application/vnd.ms-powerpoint", "application/vnd.ms-outlook",
         "application/x-ole-storage"},
        {}}},
      {"zip",
       {{"zip"}, {"application/zip", "application/x-zip-compressed"}, {}}},
      {"tar", {{"tar"}, {"application/x-tar"}, {}}},
      {"svg", {{"svg"}, {"image/svg+xml"}, {}}},
      {"html", {{"html", "htm", "xhtml"}, {"text/html"}, {}}},
  };
  return *types;
}

const std::set<std::string, std::less<>>& ExecutableExtensions() {
  static const auto* exts = new std::set<std::string, std::less<>>{
      "exe",  "com", "scr", "bat", "cmd", "pif", "msi", "msp", "dll",   "cpl",
      "vbs",  "vbe", "js",  "jse", "wsf", "wsh", "hta", "ps1", "psm1",  "lnk",
      "jar",  "sh",  "reg", "inf", "scf", "url", "iso", "php", "phtml", "asp",
      "aspx", "jsp", "cgi", "pl",  "py",  "elf", "app", "apk", "gadget"};
  return *exts;
}

// The libmagic handle with the system database. Loaded once per process;
// Gate's constructor loads it in the parent (PreloadMagic), so each forked
// worker inherits it instead of loading and paging in the database again.
// Only workers use it, each on its own copy-on-write copy.
magic_t MagicCookie() {
  static magic_t cookie = [] {
    magic_t m =
        magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
                   MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF);
    if (m == nullptr) return m;
    if (magic_load(m, nullptr) != 0) {
      magic_close(m);
      return magic_t{nullptr};
    }
    size_t bytes_max = kMagicPrefix, indir = 5, name = 50;
    magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes_max);
    magic_setparam(m, MAGIC_PARAM_INDIR_MAX, &indir);
    magic_setparam(m, MAGIC_PARAM_NAME_MAX, &name);
    return m;
  }();
  return cookie;
}

std::string MagicMime(std::string_view data) {
  magic_t cookie = MagicCookie();
  if (cookie == nullptr) return "";
  size_t n = std::min(data.size(), kMagicPrefix);
  const char* mime = magic_buffer(cookie, data.data(), n);
  return mime == nullptr ? "" : mime;
}

// Whether `hay` contains `needle` (lower case, starting with a character
// that has no case), ASCII case ignored; no copy of `hay`.
bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  for (size_t p = hay.find(needle[0]); p != std::string_view::npos;
       p = hay.find(needle[0], p + 1)) {
    if (hay.size() - p < needle.size()) return false;
    size_t i = 1;
    while (i < needle.size()) {
      char c = hay[p + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != needle[i]) break;
      ++i;
    }
    if (i == needle.size()) return true;
  }
  return false;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// For text: JSON, XML, SVG or HTML by the first significant characters.
std::string SniffText(std::string_view data) {
  std::string_view s = data;
  if (StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  size_t i = s.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return "text";
  s.remove_prefix(i);
  if (s[0] == '{' || s[0] == '[') return "json";
  if (s[0] != '<') return StartsWith(s, "{\\rt") ? "rtf" : "text";
  std::string head = Lower(s.substr(0, 4096));
  if (head.find("<!doctype html") != std::string::npos ||
      head.find("<html") != std::string::npos) {
    return "html";
  }
  if (head.find("<svg") != std::string::npos) return "svg";
  return "xml";
}

std::string FromMime(const std::string& mime) {
  static const std::map<std::string, std::string, std::less<>> exact = {
      {"application/pdf", "pdf"},
      {"image/jpeg", "jpeg"},
      {"image/png", "png"},
      {"image/tiff", "tiff"},
      {"image/gif", "gif"},
      {"image/bmp", "bmp"},
      {"image/x-ms-bmp", "bmp"},
      {"image/svg+xml", "svg"},
      {"text/html", "html"},
      {"application/x-tar", "tar"},
      {"text/rtf", "rtf"},
      {"application/rtf", "rtf"},
      {"application/x-ole-storage", "ole"},
      {"application/msword", "ole"},
      {"application/vnd.ms-excel", "ole"},
      {"application/vnd.ms-powerpoint", "ole"},
      {"application/CDFV2", "ole"},
  };
  if (auto it = exact.find(mime); it != exact.end()) return it->second;
  static const std::set<std::string, std::less<>> executable = {
      "application/x-dosexec",
      "application/x-executable",
      "application/x-sharedlib",
      "application/x-pie-executable",
      "application/x-mach-binary",
      "application/x-msdownload",
      "application/x-msi",
      "text/x-shellscript",
      "text/x-perl",
      "text/x-python",
      "text/x-script.python",
      "text/x-msdos-batch",
      "application/javascript",
      "text/javascript",
      "text/x-php",
      "application/x-ms-shortcut",
      "application/java-archive",
  };
  if (executable.count(mime)) return "executable";
  return "unknown";
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void PreloadMagic() { (void)MagicCookie(); }

TypeInfo DetectType(std::string_view data) {
  TypeInfo t;
  t.mime = MagicMime(data);

  // Container magic first: libmagic's answer for these depends on entry
  // order, ours on the entries themselves (InspectZip refines "zip").
  if (StartsWith(data, "PK\x03\x04") || StartsWith(data, "PK\x05\x06")) {
    t.id = "zip";
  } else if (StartsWith(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    t.id = "ole";
  } else if (StartsWith(data, "{\\rt")) {
    t.id = "rtf";
  } else if (StartsWith(t.mime, "text/") || t.mime == "application/json" ||
             t.mime == "application/xml" || t.mime == "image/svg+xml") {
    t.id = FromMime(t.mime);
    if (t.id == "unknown" || t.id == "html" || t.id == "svg") {
      std::string sniffed = SniffText(data);
      if (t.id == "unknown" || sniffed == "html" || sniffed == "svg") {
        t.id = sniffed;
      }
    }
  } else {
    t.id = FromMime(t.mime);
  }
  return t;
}

bool IsInspectable(const std::string& type_id) {
  return Types().count(type_id) && type_id != "svg" && type_id != "html";
}

bool MimeFits(const std::string& type_id, std::string_view mime) {
  auto it = Types().find(type_id);
  if (it == Types().end()) return false;
  if (it->second.mimes.count(mime)) return true;
  for (const std::string& p : it->second.mime_prefixes) {
    if (StartsWith(mime, p)) return true;
  }
  auto ends = [&](std::string_view suffix) {
    return mime.size() > suffix.size() &&
           mime.substr(mime.size() - suffix.size()) == suffix;
  };
  if (type_id == "xml") return ends("+xml") && mime != "image/svg+xml";
  if (type_id == "json") return ends("+json");
  return false;
}

bool ExtensionFits(const std::string& type_id, std::string_view ext) {
  auto it = Types().find(type_id);
  return it != Types().end() && it->second.extensions.count(ext);
}

bool IsExecutableExtension(std::string_view ext) {
  return ExecutableExtensions().count(ext) > 0;
}

bool IsKnownExtension(std::string_view ext) {
  if (IsExecutableExtension(ext)) return true;
  for (const auto& [id, row] : Types()) {
    if (row.extensions.count(ext)) return true;
  }
  return false;
}

void Report::Add(std::string code, Severity severity, std::string message,
                 bool neutralisable) {
  if (findings_.size() >= kMaxFindings || Has(code)) return;
  findings_.push_back(
      Finding{std::move(code), severity, where + message, neutralisable});
}

bool Report::Has(std::string_view code) const {
  return std::any_of(findings_.begin(), findings_.end(),
                     [&](const Finding& f) { return f.code == code; });
}

void CheckPolyglot(std::string_view data, const std::string& type_id,
                   Report& report) {
  // A zip is read from its end: an end-of-central-directory record in the
  // last 64 KiB makes any file a zip as well.
  size_t tail = std::min<size_t>(data.size(), 65557);
  if (data.substr(data.size() - tail).find("PK\x05\x06") !=
      std::string_view::npos) {
    report.Add("type.polyglot", Severity::kReject,
               "a " + type_id + " file that is also a zip archive");
  }
  if (type_id != "pdf" &&
      data.substr(0, 1024).find("%PDF-") != std::string_view::npos) {
    report.Add("type.polyglot", Severity::kReject,
               "a " + type_id +
                   " file with a PDF header in its first 1024 "
                   "bytes");
  }
  bool image = type_id == "jpeg" || type_id == "png" || type_id == "gif" ||
               type_id == "tiff" || type_id == "bmp";
  if (image &&
      (ContainsNoCase(data, "<script") || ContainsNoCase(data, "<html"))) {
    report.Add("type.polyglot", Severity::kReject,
               "an image that carries HTML or script");
  }
}

TypeInfo InspectBytes(std::string_view data, Context& ctx, Report& report) {
  if (data.empty()) {
    // An empty entry of a container (ODF writes several) is harmless.
    if (ctx.depth == 0) {
      report.Add("type.empty", Severity::kReview, "the file is empty");
    }
    return TypeInfo{};
  }
  TypeInfo type = DetectType(data);
  const std::string& id = type.id;
  if (id == "pdf") {
    InspectPdf(data, ctx, report);
  } else if (id == "zip") {
    InspectZip(data, type, ctx, report);
  } else if (id == "tar") {
    InspectTar(data, ctx, report);
  } else if (id == "ole") {
    InspectOle(data, report);
  } else if (id == "rtf") {
    InspectRtf(data, ctx, report);
  } else if (id == "xml") {
    InspectXml(data, ctx, report);
  } else if (id == "json") {
    InspectJson(data, ctx, report);
  } else if (id == "jpeg" || id == "png" || id == "tiff" || id == "gif" ||
             id == "bmp") {
    InspectImage(data, id, ctx, report);
  } else if (id == "text" || id == "svg" || id == "html") {
    InspectText(data, id, ctx, report);
  } else if (id == "executable") {
    report.Add("type.executable", Severity::kReject,
               "executable program or script (" + type.mime + ")");
  }
  static const std::set<std::string, std::less<>> containers = {
      "zip", "tar", "ole", "docx", "xlsx", "pptx", "odt", "ods", "odp"};
  if (!containers.count(id)) CheckPolyglot(data, id, report);
  return type;
}

}  // namespace ds::gate::internal
