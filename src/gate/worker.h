// Internal: runs untrusted parsing in a disposable, resource-limited child
// process (fork, setrlimit, wall-clock kill; results over a pipe).
//
// The child inherits the parent's memory image (no exec), so the job may
// use anything the parent prepared. It must not rely on locks held by other
// threads of the parent at fork time: jobs use only their own objects.
// Not yet: no seccomp filter and no fork+exec; a multi-threaded host gets
// the fork-in-threads caveat (parsers here take no global locks).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "gate/gate.h"

namespace ds::gate::internal {

struct WorkerLimits {
  uint64_t memory_bytes = 1ull << 30;  // on top of the inherited mappings
  int cpu_seconds = 30;
  int wall_seconds = 60;
  uint64_t file_bytes = 0;             // RLIMIT_FSIZE; 0 forbids writing
  uint64_t max_report_bytes = 4u << 20;
};

// Either the job's report or a finding (code "worker.*") saying why there
// is none: crash, timeout, CPU, memory or file-size limit, oversized report.
struct WorkerOutcome {
  std::optional<std::string> report;
  std::optional<Finding> failure;
};

// Forks, applies the limits in the child, runs `job` there and returns
// what it returned. A std::bad_alloc in the child is a memory-limit
// finding. Errors: kEnvironment if no pipe or process could be created.
Result<WorkerOutcome> RunInWorker(const WorkerLimits& limits,
                                  const std::function<std::string()>& job);

}  // namespace ds::gate::internal
