// Internal: runs untrusted parsing in a resource-limited child process
// (fork, setrlimit, wall-clock kill; requests and reports over a socket).
//
// A Worker is one child process that runs jobs one after another: the
// caller submits a request, may do other work (the gate streams the file
// to clamd meanwhile) and collects the report. Limits apply per job: the
// CPU limit is re-armed before every job, the wall clock runs from the
// submission, the address-space and file-size limits hold for the whole
// process (memory is returned between jobs). A crash, timeout or limit
// ends the process; the caller replaces it.
//
//   auto w = Worker::Start(limits, [](std::string_view req) { ... });
//   DS_RETURN_IF_ERROR((*w)->Submit("file=/x"));
//   ... other work ...
//   DS_ASSIGN_OR_RETURN(WorkerOutcome out, (*w)->Collect());
//
// The child inherits the parent's memory image (no exec), so the handler
// may use anything the parent prepared. It must not rely on locks held by
// other threads of the parent at fork time: handlers use only their own
// objects. Not yet: no seccomp filter and no fork+exec; a multi-threaded
// host gets the fork-in-threads caveat (parsers here take no global locks).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "gate/gate.h"

namespace ds::gate::internal {

struct WorkerLimits {
  uint64_t memory_bytes = 1ull << 30;  // on top of the inherited mappings
  int cpu_seconds = 30;                // per job
  int wall_seconds = 60;               // per job, from Submit
  uint64_t file_bytes = 0;             // RLIMIT_FSIZE; 0 forbids writing
  uint64_t max_report_bytes = 4u << 20;
  int max_jobs = 1;  // jobs before the process retires

  bool operator==(const WorkerLimits&) const = default;
};

// Either the job's report or a finding (code "worker.*") saying why there
// is none: crash, timeout, CPU, memory or file-size limit, oversized report.
struct WorkerOutcome {
  std::optional<std::string> report;
  std::optional<Finding> failure;
};

// False in sanitizer builds, where RLIMIT_AS cannot be used (the shadow
// memory needs terabytes of address space); memory is then unlimited.
bool WorkerLimitsAddressSpace();

// Inside a worker: whether it runs in its own (empty) network namespace.
bool WorkerHasNoNetwork();

// Runs in the child for every request; returns the report. A
// std::bad_alloc is a memory-limit finding, any other exception a crash.
using WorkerHandler = std::function<std::string(std::string_view request)>;

// One worker process. Not thread-safe: one caller at a time (the gate keeps
// idle workers in a pool and hands each to one Inspect call).
class Worker {
 public:
  // Forks and confines the child (rlimits, all inherited descriptors but
  // stdio closed, a network namespace where user namespaces exist).
  // Errors: kEnvironment if no socket or process could be created.
  static Result<std::unique_ptr<Worker>> Start(const WorkerLimits& limits,
                                               WorkerHandler handler);

  // Kills the child if it is still running and reaps it.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Hands one request to the child and starts the job's wall clock. Call
  // Collect before the next Submit. Errors: kEnvironment if the child is
  // gone (then the worker is dead: start another).
  Status Submit(std::string_view request);

  // Waits for the report until the job's deadline. A failure finding means
  // the child is dead (killed at the deadline or ended by a limit or a
  // crash); the worker must then be discarded. Errors: kInternal if the
  // child cannot be reaped.
  Result<WorkerOutcome> Collect();

  // Whether the child can take another job: alive, not at max_jobs.
  bool Reusable() const;
  const WorkerLimits& limits() const { return limits_; }
  pid_t pid() const { return pid_; }

 private:
  Worker(const WorkerLimits& limits, pid_t pid, int fd)
      : limits_(limits), pid_(pid), fd_(fd) {}
  Result<WorkerOutcome> Fail(bool timed_out, bool oversized);

  WorkerLimits limits_;
  pid_t pid_ = -1;
  int fd_ = -1;
  int jobs_ = 0;
  bool dead_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

// A fresh worker for one job: Start, Submit, Collect, end. Errors as for
// Worker::Start.
Result<WorkerOutcome> RunInWorker(const WorkerLimits& limits,
                                  const std::function<std::string()>& job);

}  // namespace ds::gate::internal
