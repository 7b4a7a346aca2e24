// clamd client: streams a file over clamd's local socket (INSTREAM) and
// turns the answer into gate findings.
//
// The gate calls this after the content inspection; other parts should
// call Gate::Inspect instead. Fails closed: an unreachable clamd, a scan
// error, a timeout or a limit alert is a finding, never "clean".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "gate/gate.h"

namespace ds::gate {

struct ClamdResult {
  bool scanned = false;          // clamd answered "OK" or "... FOUND"
  std::vector<Finding> findings;  // scan.* codes; empty when clean
};

// Streams `file` in 64 KiB chunks. Files above limits.clamd_max_bytes are
// not sent (finding scan.too_large). Thread-safe (one connection per call).
ClamdResult ScanWithClamd(const std::filesystem::path& socket,
                          const std::filesystem::path& file,
                          const Limits& limits);

// Sends a one-word command ("PING", "VERSION") and returns the answer.
// Errors: kUnavailable if clamd cannot be reached or does not answer.
Result<std::string> ClamdCommand(const std::filesystem::path& socket,
                                 const std::string& command,
                                 int timeout_seconds = 5);

}  // namespace ds::gate
