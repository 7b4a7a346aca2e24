// Internal to ds_xdomea: writing xdomea messages. Every element is written
// with the prefix "xdomea" (the standard asks for it) except the
// unqualified <code> of code lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ds::xdomea::internal {

class XmlWriter {
 public:
  // Starts a document whose root is xdomea:<root> in the version's
  // namespace.
  XmlWriter(std::string_view root, std::string_view version);

  void Open(std::string_view name);
  void Close();
  // <xdomea:name>text</xdomea:name>; text is escaped.
  void Leaf(std::string_view name, std::string_view text);
  // <xdomea:name listURI=".." listVersionID=".."><code>..</code></...>
  void Code(std::string_view name, std::string_view list_uri,
            std::string_view list_version, std::string_view code);
  // Closes everything still open and returns the document.
  std::string Finish();

 private:
  void Indent();
  std::string out_;
  std::vector<std::string> open_;
};

// Escapes markup characters and drops characters XML 1.0 does not allow
// (ds::EscapeMarkup).
std::string Escape(std::string_view text);

// "2026-12-03T19:00:00Z".
std::string XmlDateTime(int64_t unix_seconds);
std::string XmlDate(int64_t unix_seconds);

// Dateiformat code (code list urn:xoev-de:xdomea:codeliste:dateiformat)
// for a MIME type: "018" pdf, "030" xml, ... or "100" (Sonstiges, then the
// MIME type goes into SonstigerName).
std::string DateiformatFor(std::string_view mime_type);
// The MIME type drehscheibe files for a Dateiformat code ("" if unknown).
std::string MimeForDateiformat(std::string_view code);

// A file name reduced to [A-Za-z0-9._-] (others become '_'), at most 80
// characters, for the `<UUID>_<name>` primary file names.
std::string SafeName(std::string_view name);

}  // namespace ds::xdomea::internal
