// The Prüfstand's evaluation protocol: outcomes, the rating of a sample's
// outcome against the catalogue's expectation, threat-class names, the
// catalogue's version and the JSON form with its schema.
//
// A protocol is a JSON document (docs/pruefstand-protocol.md describes every
// field; docs/pruefstand-protocol.schema.json is its JSON Schema, compiled
// into the binary). Protocols of different platforms and authorities compare
// because the catalogue is deterministic and identified by its manifest
// digest, and the outcome names are fixed:
//
//   nlohmann::json p = ...;                      // from Run() or a file
//   DS_RETURN_IF_ERROR(ValidateProtocol(p));     // against the schema
//   for (const auto& r : p["results"]) ... r["outcome"], r["passed"] ...
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "gate/samples.h"

namespace ds::pruefstand {

// Version of the protocol format (field "protocol_version"). A change that
// removes or renames a field raises the major number.
inline constexpr std::string_view kProtocolVersion = "1.0.0";

// What the platform did with one sample.
enum class Outcome {
  kRejected,           // refused, with a reason
  kQuarantined,        // taken in but held for a person to decide
  kNeutralised,        // taken in; the stored rendition lost the marker
  kAcceptedUnchanged,  // taken in as sent
  kError,              // 5xx, crash, timeout, no answer
  kNotApplicable,      // the transport cannot carry the sample at all
};

std::string_view OutcomeName(Outcome o);  // "rejected", "accepted_unchanged"
std::optional<Outcome> ParseOutcome(std::string_view name);
std::string_view OutcomeGerman(Outcome o);         // "abgewiesen", ...
std::string_view OutcomeMeaningGerman(Outcome o);  // one sentence

// The rating: a malicious sample passes when rejected, quarantined or
// neutralised; a benign control passes only when accepted unchanged. An
// error always fails; not_applicable is not rated (nullopt).
std::optional<bool> Passes(Outcome o, bool malicious);

// German title of a threat class ("T10" -> "PDF mit JavaScript"), and the
// group it belongs to ("PDF"). Unknown ids get the id itself.
std::string ThreatTitleGerman(std::string_view threat);
std::string ThreatGroupGerman(std::string_view threat);

// The catalogue's identity: a SHA-256 over every sample's id and content
// digest in order, so that two runs with the same version sent the same
// bytes. version = "sha256:" + the first 16 hex digits of the manifest.
struct CatalogueInfo {
  std::string version;
  std::string manifest_sha256;
  int samples = 0;
  int controls = 0;
};
CatalogueInfo DescribeCatalogue(const std::vector<gate::Sample>& samples);

// A declared file name made safe for JSON and HTML: printable ASCII stays,
// every other byte is written as \xNN (bidi overrides, NUL, CR LF, invalid
// UTF-8 and umlauts alike), so the protocol shows exactly what was sent and
// nothing in it can reorder or hide text.
std::string EscapeName(std::string_view raw);

// Counts over `results` (the protocol's "results" array): total, passed,
// failed, not_rated, by_outcome, and by_threat (per threat id: title,
// group, total, passed, failed, outcomes).
nlohmann::json Summarise(const nlohmann::json& results);

// The JSON Schema of protocols (docs/pruefstand-protocol.schema.json).
std::string_view ProtocolSchemaText();

// Validates a protocol against the schema; kCheckFailed naming the JSON
// pointers that fail, kInvalidInput for a major version this build does
// not read.
Status ValidateProtocol(const nlohmann::json& protocol);

}  // namespace ds::pruefstand
