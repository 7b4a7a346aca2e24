// A small streaming writer for xdomea messages and the code-list helpers
// the builders share.
#include "xdomea/writer.h"

#include <ctime>
#include <utility>

#include "core/text.h"
#include "core/time.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea::internal {

XmlWriter::XmlWriter(std::string_view root, std::string_view version) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xdomea:";
  out_ += root;
  out_ += " xmlns:xdomea=\"" + NamespaceOf(version) + "\">";
  open_.emplace_back(root);
}

void XmlWriter::Indent() {
  out_ += '\n';
  out_.append(open_.size() * 2, ' ');
}

void XmlWriter::Open(std::string_view name) {
  Indent();
  out_ += "<xdomea:";
  out_ += name;
  out_ += '>';
  open_.emplace_back(name);
}

void XmlWriter::Close() {
  std::string name = std::move(open_.back());
  open_.pop_back();
  Indent();
  out_ += "</xdomea:" + name + ">";
}

void XmlWriter::Leaf(std::string_view name, std::string_view text) {
  Indent();
  out_ += "<xdomea:";
  out_ += name;
  out_ += '>';
  out_ += Escape(text);
  out_ += "</xdomea:";
  out_ += name;
  out_ += '>';
}

void XmlWriter::Code(std::string_view name, std::string_view list_uri,
                     std::string_view list_version, std::string_view code) {
  Indent();
  out_ += "<xdomea:";
  out_ += name;
  out_ += " listURI=\"" + Escape(list_uri) + "\" listVersionID=\"" +
          Escape(list_version) + "\"><code>" + Escape(code) +
          "</code></xdomea:";
  out_ += name;
  out_ += '>';
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  out_ += '\n';
  return std::move(out_);
}

std::string Escape(std::string_view text) { return EscapeMarkup(text); }

namespace {

struct FormatCode {
  const char* mime;
  const char* code;
};
// The types the gate lets through, by MIME type.
constexpr FormatCode kFormats[] = {
    {"application/pdf", "018"},
    {"application/xml", "030"},
    {"text/xml", "030"},
    {"text/plain", "045"},
    {"image/png", "019"},
    {"image/jpeg", "010"},
    {"image/tiff", "024"},
    {"image/bmp", "001"},
    {"text/csv", "002"},
    {"application/rtf", "022"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "035"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "036"},
    {"application/vnd.openxmlformats-officedocument.presentationml."
     "presentation",
     "037"},
    {"application/vnd.oasis.opendocument.text", "015"},
    {"application/vnd.oasis.opendocument.spreadsheet", "014"},
    {"application/vnd.oasis.opendocument.presentation", "013"},
    {"application/msword", "003"},
    {"application/vnd.ms-excel", "028"},
};
}  // namespace

std::string XmlDateTime(int64_t unix_seconds) {
  return FormatUtc(unix_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string XmlDate(int64_t unix_seconds) {
  return FormatUtc(unix_seconds, "%Y-%m-%d");
}

std::string DateiformatFor(std::string_view mime_type) {
  std::string_view base = mime_type.substr(0, mime_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  for (const FormatCode& f : kFormats) {
    if (base == f.mime) return f.code;
  }
  return "100";
}

std::string MimeForDateiformat(std::string_view code) {
  if (code == "044") return "application/pdf";  // PDF (archival)
  if (code == "011" || code == "009") return "image/jpeg";
  if (code == "023") return "image/tiff";
  for (const FormatCode& f : kFormats) {
    if (code == f.code) return f.mime;
  }
  return "";
}

std::string SafeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
    if (out.size() >= 80) break;
  }
  if (out.empty() || out == "." || out == "..") out = "datei";
  return out;
}

}  // namespace ds::xdomea::internal
