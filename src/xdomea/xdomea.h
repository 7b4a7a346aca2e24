// xdomea: messages and packages of the XÖV standard for records exchange,
// validated against the official XSDs from the specs directory.
//
// A package is a zip with one message XML named
// `<ProzessID>_<Gruppe>.<Name>.<Code>.xml` (xdomea 3.x) and the primary
// files its Dokumente name (`<UUID>[_<Betreff>].<ext>`). Packages come from
// outside (a DMS, a Fachverfahren, an archive): everything here reads them
// as hostile input and fails closed with a message that names the step,
// never content.
//
//   ds::xdomea::Validator validator(specs_dir);       // caches XSDs
//   DS_ASSIGN_OR_RETURN(auto pkg, ds::xdomea::ReadPackageFile(path));
//   DS_ASSIGN_OR_RETURN(auto report, validator.Validate(pkg.xml));
//   if (!report.valid()) { for (auto& e : report.errors) ...e.line... }
//
// Thread-safety: a Validator may be shared by threads; the compiled
// schemas are immutable after loading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::xdomea {

// The version drehscheibe writes unless told otherwise.
inline constexpr const char* kDefaultVersion = "3.1.0";
// "urn:xoev-de:xdomea:schema:" + version.
std::string NamespaceOf(std::string_view version);

// Caps on untrusted packages and messages. A package over any of them is
// refused as a whole (kTooLarge), before its XML is parsed.
struct Limits {
  uint64_t max_package_bytes = 512ull << 20;  // the zip itself
  uint64_t max_entries = 1000;
  uint64_t max_entry_bytes = 256ull << 20;  // one uncompressed entry
  uint64_t max_total_bytes = 1ull << 30;    // all entries uncompressed
  uint64_t max_ratio = 200;                 // uncompressed/compressed
  uint64_t max_xml_bytes = 64ull << 20;     // the message
  size_t max_name_bytes = 255;              // an entry name
  // Element nesting is bounded by libxml2 (256 levels without
  // XML_PARSE_HUGE, which is never set).
};

// One schema violation: where (line; column of the offending element's
// start tag, since libxml2 keeps no columns in its tree; 0 if unknown) and
// libxml2's message with quoted values of the document replaced by "…".
struct SchemaError {
  int line = 0;
  int column = 0;
  std::string message;
};

struct ValidationReport {
  std::string version;       // "3.1.0", from the root's namespace
  std::string message_type;  // root name, e.g. "FVDaten.SGOAblegen.0605"
  std::vector<SchemaError> errors;
  bool valid() const { return errors.empty(); }
};

// A package as read from a zip: the message and the primary files.
struct Package {
  std::string message_name;  // entry name of the message XML
  std::string xml;
  std::map<std::string, std::string> files;  // entry name -> bytes
  bool zipped = false;  // read from a zip (else a bare message)
};

// Reads a zip package (bytes in memory). Checks: it is a zip; at most
// `limits` entries and bytes; no directories, links, absolute names, "..",
// backslashes or control characters in names; no duplicate names; exactly
// one message XML whose name follows the 3.x naming rule. kInvalidInput or
// kTooLarge with the step that failed.
Result<Package> ReadPackage(std::string_view zip, const Limits& limits = {});
// A .zip package or a bare .xml message from a file. For a bare message,
// the primary files are not loaded (files stays empty).
Result<Package> ReadPackageFile(const std::filesystem::path& path,
                                const Limits& limits = {});

// Writes a package: the message as `<message_name>` and the files. The
// zip has no directories; entries are deflated.
Result<std::string> WritePackage(const Package& package);

// Validates xdomea messages against `<specs>/xdomea/xsd/<version>/xdomea.xsd`.
class Validator {
 public:
  explicit Validator(std::filesystem::path specs_dir, Limits limits = {});
  ~Validator();

  // Parses `xml` hardened (no network, no DTD, a DOCTYPE is refused, no
  // entity expansion) and validates it against the XSD of `version`, or of
  // the version in the root element's namespace when `version` is "".
  // Returns a report (valid or with schema errors). Errors: kInvalidInput
  // when the XML is not well-formed, has a DOCTYPE or is not an xdomea
  // message, or its namespace differs from a requested `version`;
  // kTooLarge over the limits; kEnvironment when the specs dir lacks the
  // version's XSDs (e.g. 4.0.0).
  Result<ValidationReport> Validate(std::string_view xml,
                                    const std::string& version = "") const;

  // Validate, and for a zipped package also that every Primaerdokument's
  // Dateiname is an entry of the package (reported like a schema error, at
  // the Dateiname's line).
  Result<ValidationReport> ValidatePackage(
      const Package& package, const std::string& version = "") const;

  const std::filesystem::path& specs_dir() const { return specs_dir_; }
  const Limits& limits() const { return limits_; }

 private:
  std::filesystem::path specs_dir_;
  Limits limits_;
};

// The versions whose XSDs the specs dir holds, e.g. {"3.0.0", "3.1.0"}.
std::vector<std::string> AvailableVersions(
    const std::filesystem::path& specs_dir);

}  // namespace ds::xdomea
