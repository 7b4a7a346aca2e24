#include "gate/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

namespace ds::gate::internal {
namespace {

constexpr int kExitMemory = 86;
constexpr int kExitException = 87;
constexpr int kExitWrite = 88;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Virtual size of this process in bytes (0 if unknown).
uint64_t CurrentAddressSpace() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages = 0;
  int n = std::fscanf(f, "%lu", &pages);
  std::fclose(f);
  return n == 1 ? uint64_t{pages} * sysconf(_SC_PAGESIZE) : 0;
}

void SetLimit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  setrlimit(resource, &r);
}

bool g_network_isolated = false;

// In the child: only the report pipe stays open (as fd 3), limits next,
// then best-effort isolation (no network namespace if user namespaces are
// unavailable). Returns the report fd.
int ConfineChild(const WorkerLimits& limits, int report_fd) {
  if (report_fd != 3) {
    dup2(report_fd, 3);
    close(report_fd);
  }
  close_range(4, ~0U, 0);  // listening sockets, database files, keys

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  SetLimit(RLIMIT_CORE, 0, 0);
  rlim_t cpu = static_cast<rlim_t>(limits.cpu_seconds);
  SetLimit(RLIMIT_CPU, cpu, cpu + 1);
  SetLimit(RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes);
  SetLimit(RLIMIT_NOFILE, 64, 64);
  if (!kSanitized) {
    uint64_t as = CurrentAddressSpace() + limits.memory_bytes;
    SetLimit(RLIMIT_AS, as, as);
  }
  g_network_isolated = unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
  return 3;
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void RunChild(int fd, const WorkerLimits& limits,
                           const std::function<std::string()>& job) {
  fd = ConfineChild(limits, fd);
  std::string report;
  try {
    report = job();
  } catch (const std::bad_alloc&) {
    _exit(kExitMemory);
  } catch (...) {
    _exit(kExitException);
  }
  _exit(WriteAll(fd, report) ? 0 : kExitWrite);
}

Finding Failure(std::string code, std::string message) {
  return Finding{std::move(code), Severity::kReview, std::move(message)};
}

// Maps how the child ended to a finding (nullopt: normal exit 0).
std::optional<Finding> Classify(int status, bool timed_out,
                                const WorkerLimits& limits) {
  if (timed_out) {
    return Failure("worker.timeout", "inspection exceeded the wall-clock "
                   "limit of " + std::to_string(limits.wall_seconds) + " s");
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return Failure("worker.cpu_limit", "inspection exceeded the CPU limit "
                     "of " + std::to_string(limits.cpu_seconds) + " s");
    }
    if (sig == SIGXFSZ) {
      return Failure("worker.file_limit", "inspection exceeded the output "
                     "file size limit");
    }
    return Failure("worker.crashed", std::string("inspection crashed: ") +
                                         strsignal(sig));
  }
  int code = WEXITSTATUS(status);
  if (code == 0) return std::nullopt;
  if (code == kExitMemory) {
    return Failure("worker.memory_limit", "inspection exceeded the memory "
                   "limit");
  }
  return Failure("worker.crashed", "inspection failed with exit status " +
                                       std::to_string(code));
}

}  // namespace

bool WorkerLimitsAddressSpace() { return !kSanitized; }

bool WorkerHasNoNetwork() { return g_network_isolated; }

Result<WorkerOutcome> RunInWorker(const WorkerLimits& limits,
                                  const std::function<std::string()>& job) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return EnvironmentError(std::string("worker: pipe: ") + strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return EnvironmentError(std::string("worker: fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1], limits, job);
  }
  close(fds[1]);

  // Read the report until EOF, the report cap or the deadline.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(limits.wall_seconds);
  std::string report;
  bool timed_out = false, oversized = false;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) { timed_out = true; break; }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) { timed_out = true; break; }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buf, static_cast<size_t>(n));
    if (report.size() > limits.max_report_bytes) { oversized = true; break; }
  }
  close(fds[0]);

  // Reap the child; kill it if it outlives the deadline. A pidfd turns
  // readable when the child exits, so waiting for the exit after EOF costs
  // no polling delay (without one: polls every 2 ms).
  int status = 0;
  if (timed_out || oversized) kill(pid, SIGKILL);
  // (glibc 2.36's <sys/pidfd.h> lacks C linkage for C++: the syscall.)
  int pidfd = timed_out || oversized
                  ? -1
                  : static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  for (;;) {
    pid_t w = waitpid(pid, &status, timed_out || oversized ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      if (pidfd >= 0) close(pidfd);
      return Internal(std::string("worker: waitpid: ") + strerror(errno));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      timed_out = true;
      continue;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  if (pidfd >= 0) close(pidfd);

  WorkerOutcome out;
  if (oversized) {
    out.failure = Failure("worker.bad_report", "inspection report too large");
    return out;
  }
  out.failure = Classify(status, timed_out, limits);
  if (!out.failure) out.report = std::move(report);
  return out;
}

}  // namespace ds::gate::internal
