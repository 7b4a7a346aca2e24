// Internal: the content inspectors that run inside the worker process.
//
// Every inspector takes the bytes of one object (the file, or an entry of
// a container) and adds findings to a Report. Inspectors never throw for
// bad input; a parse failure is a finding. Containers call InspectBytes
// for their entries with depth + 1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gate/gate.h"

namespace ds::gate::internal {

// Findings of one inspection, capped so a hostile file cannot flood the
// report; `where` prefixes messages with the container path.
class Report {
 public:
  static constexpr size_t kMaxFindings = 200;

  void Add(std::string code, Severity severity, std::string message,
           bool neutralisable = false);
  bool Has(std::string_view code) const;
  const std::vector<Finding>& findings() const { return findings_; }

  // Set by a container while it inspects an entry ("word/document.xml: ").
  std::string where;
  // Bytes inflated so far by all containers of this file.
  uint64_t inflated = 0;

 private:
  std::vector<Finding> findings_;
};

// A detected type: our id ("pdf", "docx", ...) and libmagic's MIME answer.
struct TypeInfo {
  std::string id = "unknown";
  std::string mime;
};

struct Context {
  const Policy* policy = nullptr;
  int depth = 0;         // 0 for the file itself
  // Neutralisation target for the top-level PDF (empty: do not write).
  std::filesystem::path neutralise_to;
  bool neutralised = false;  // set when a cleaned copy was written
};

// Type by content: libmagic on a bounded prefix, refined by cheap sniffing
// (OOXML vs ODF vs zip, JSON vs text, SVG/HTML vs XML, RTF).
TypeInfo DetectType(std::string_view data);

// Loads libmagic's database in this process (once; thread-safe), so that
// forked workers inherit it. Reads only the system database, never input.
void PreloadMagic();

// Type ids the gate can inspect, and whether a type may carry a given
// declared MIME type / file name extension (lower case, without dot).
bool IsInspectable(const std::string& type_id);
bool MimeFits(const std::string& type_id, std::string_view mime);
bool ExtensionFits(const std::string& type_id, std::string_view ext);
bool IsExecutableExtension(std::string_view ext);
bool IsKnownExtension(std::string_view ext);

// Detects the type and runs the matching inspector; returns the type.
TypeInfo InspectBytes(std::string_view data, Context& ctx, Report& report);

// Format inspectors (one .cc each).
void InspectPdf(std::string_view data, Context& ctx, Report& report);
void InspectZip(std::string_view data, TypeInfo& type, Context& ctx,
                Report& report);
void InspectTar(std::string_view data, Context& ctx, Report& report);
void InspectOle(std::string_view data, Report& report);
void InspectRtf(std::string_view data, Context& ctx, Report& report);
void InspectXml(std::string_view data, Context& ctx, Report& report);
void InspectJson(std::string_view data, Context& ctx, Report& report);
void InspectImage(std::string_view data, const std::string& type_id,
                  Context& ctx, Report& report);
void InspectText(std::string_view data, const std::string& type_id,
                 Context& ctx, Report& report);

// True only if `data` is certainly one strict JSON value without duplicate
// keys, within the JSON depth and number limits (no \u escapes, numbers of
// at most 15 characters without exponent); false means "unsure", never
// "invalid". A fast path for InspectJson: such a document passes every
// JSON check but the \u0000 search.
bool JsonCertainlyValid(std::string_view data, const Limits& limits);

// Secondary-format signatures (T65), for files that are not containers.
void CheckPolyglot(std::string_view data, const std::string& type_id,
                   Report& report);

// Findings for a client-declared file name (T71-T75).
std::vector<Finding> CheckFileName(std::string_view name);

// Lower-case ASCII copy.
std::string Lower(std::string_view s);

}  // namespace ds::gate::internal
