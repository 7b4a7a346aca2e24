#include "gate/worker.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

// The hard CPU limit over all jobs of a worker: each job's soft limit is
// at most one second above its budget, so max_jobs jobs fit below it.
rlim_t CpuHardLimit(const WorkerLimits& limits) {
  return static_cast<rlim_t>(limits.cpu_seconds + 1) *
             static_cast<rlim_t>(std::max(1, limits.max_jobs)) +
         1;
}

// Before each job: the soft CPU limit is what the process used so far
// (rounded up) plus the job's budget; SIGXCPU ends the job there.
void ArmCpuLimit(const WorkerLimits& limits) {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  rlim_t used = static_cast<rlim_t>(u.ru_utime.tv_sec + u.ru_stime.tv_sec);
  if (u.ru_utime.tv_usec + u.ru_stime.tv_usec > 0) ++used;
  rlim_t hard = CpuHardLimit(limits);
  rlim_t soft =
      std::min(used + static_cast<rlim_t>(limits.cpu_seconds), hard - 1);
  SetLimit(RLIMIT_CPU, soft, hard);
}

bool g_network_isolated = false;

// In the child: only the request/report socket stays open (as fd 3),
// limits next, then best-effort isolation (no network namespace if user
// namespaces are unavailable). Returns the socket fd.
int ConfineChild(const WorkerLimits& limits, int fd) {
  if (fd != 3) {
    dup2(fd, 3);
    close(fd);
  }
  close_range(4, ~0U, 0);  // listening sockets, database files, keys

  // A one-job worker dies with the thread that forked it. A reused worker
  // must not: the thread may end while the worker serves others (the
  // signal would look like a limit). It ends instead when the parent's
  // end of the socket closes (Worker's destructor, or the parent's exit)
  // and, if busy then, at its CPU limit at the latest.
  if (limits.max_jobs <= 1) prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  SetLimit(RLIMIT_CORE, 0, 0);
  SetLimit(RLIMIT_CPU, CpuHardLimit(limits), CpuHardLimit(limits));
  SetLimit(RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes);
  SetLimit(RLIMIT_NOFILE, 64, 64);
  if (!kSanitized) {
    uint64_t as = CurrentAddressSpace() + limits.memory_bytes;
    SetLimit(RLIMIT_AS, as, as);
  }
  g_network_isolated = unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
  return 3;
}

bool WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// A frame: 4-byte length (host order, both ends are this process image),
// then the bytes.
bool WriteFrame(int fd, std::string_view body) {
  auto len = static_cast<uint32_t>(body.size());
  return WriteAll(fd, reinterpret_cast<const char*>(&len), 4) &&
         WriteAll(fd, body.data(), body.size());
}

bool ReadAll(int fd, char* data, size_t len) {
  while (len > 0) {
    ssize_t n = read(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// In the child: the next request, false when the parent closed the socket.
bool ReadRequest(int fd, std::string* request) {
  constexpr uint32_t kMaxRequest = 1u << 20;
  uint32_t len = 0;
  if (!ReadAll(fd, reinterpret_cast<char*>(&len), 4) || len > kMaxRequest) {
    return false;
  }
  request->resize(len);
  return ReadAll(fd, request->data(), len);
}

// The child's life: confine, then one job per request until the parent
// closes the socket. Memory goes back to the system between jobs, so the
// address-space limit is available to every job in full.
[[noreturn]] void RunChild(int fd, const WorkerLimits& limits,
                           const WorkerHandler& handler) {
  fd = ConfineChild(limits, fd);
  std::string request;
  while (ReadRequest(fd, &request)) {
    ArmCpuLimit(limits);
    std::string report;
    try {
      report = handler(request);
    } catch (const std::bad_alloc&) {
      _exit(kExitMemory);
    } catch (...) {
      _exit(kExitException);
    }
    if (!WriteFrame(fd, report)) _exit(kExitWrite);
    report = std::string();
    request = std::string();
    malloc_trim(0);
  }
  _exit(0);
}

Finding Failure(std::string code, std::string message) {
  return Finding{std::move(code), Severity::kReview, std::move(message)};
}

// Maps how the child ended during a job to a finding.
Finding Classify(int status, bool timed_out, const WorkerLimits& limits) {
  if (timed_out) {
    return Failure("worker.timeout",
                   "inspection exceeded the wall-clock "
                   "limit of " +
                       std::to_string(limits.wall_seconds) + " s");
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return Failure("worker.cpu_limit",
                     "inspection exceeded the CPU limit "
                     "of " +
                         std::to_string(limits.cpu_seconds) + " s");
    }
    if (sig == SIGXFSZ) {
      return Failure("worker.file_limit",
                     "inspection exceeded the output "
                     "file size limit");
    }
    return Failure("worker.crashed",
                   std::string("inspection crashed: ") + strsignal(sig));
  }
  int code = WEXITSTATUS(status);
  if (code == kExitMemory) {
    return Failure("worker.memory_limit",
                   "inspection exceeded the memory "
                   "limit");
  }
  return Failure("worker.crashed",
                 "inspection ended without a report "
                 "(exit status " +
                     std::to_string(code) + ")");
}

// Reaps `pid`; kills it first if `kill_now`, or when it outlives the
// deadline (then *timed_out). A pidfd turns readable when the child exits,
// so waiting costs no polling delay (without one: polls every 2 ms).
Result<int> Reap(pid_t pid, bool kill_now,
                 std::chrono::steady_clock::time_point deadline,
                 bool* timed_out) {
  int status = 0;
  if (kill_now) kill(pid, SIGKILL);
  // (glibc 2.36's <sys/pidfd.h> lacks C linkage for C++: the syscall.)
  int pidfd = kill_now ? -1 : static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool killed = kill_now;
  for (;;) {
    pid_t w = waitpid(pid, &status, killed ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      if (pidfd >= 0) close(pidfd);
      return Internal(std::string("worker: waitpid: ") + strerror(errno));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      *timed_out = true;
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
  return status;
}

}  // namespace

bool WorkerLimitsAddressSpace() { return !kSanitized; }

bool WorkerHasNoNetwork() { return g_network_isolated; }

Result<std::unique_ptr<Worker>> Worker::Start(const WorkerLimits& limits,
                                              WorkerHandler handler) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return EnvironmentError(std::string("worker: socketpair: ") +
                            strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return EnvironmentError(std::string("worker: fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1], limits, handler);
  }
  close(fds[1]);
  return std::unique_ptr<Worker>(new Worker(limits, pid, fds[0]));
}

Worker::~Worker() {
  if (fd_ >= 0) close(fd_);
  if (pid_ > 0) {
    // Idle, it would exit on the closed socket; busy, it must not go on.
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool Worker::Reusable() const {
  return !dead_ && jobs_ < std::max(1, limits_.max_jobs);
}

Status Worker::Submit(std::string_view request) {
  if (dead_ || jobs_ >= std::max(1, limits_.max_jobs)) {
    return EnvironmentError("worker: not available for another job");
  }
  deadline_ = std::chrono::steady_clock::now() +
              std::chrono::seconds(limits_.wall_seconds);
  if (!WriteFrame(fd_, request)) {
    dead_ = true;
    return EnvironmentError(std::string("worker: send: ") + strerror(errno));
  }
  return Status::Ok();
}

// Ends the child after a failed job and says why.
Result<WorkerOutcome> Worker::Fail(bool timed_out, bool oversized) {
  dead_ = true;
  close(fd_);
  fd_ = -1;
  DS_ASSIGN_OR_RETURN(
      int status, Reap(pid_, timed_out || oversized, deadline_, &timed_out));
  pid_ = -1;
  WorkerOutcome out;
  out.failure =
      oversized ? Failure("worker.bad_report", "inspection report too large")
                : Classify(status, timed_out, limits_);
  return out;
}

Result<WorkerOutcome> Worker::Collect() {
  if (dead_) return Internal("worker: Collect without a job");
  // Read one frame until EOF, the report cap or the deadline. A report
  // that is complete when the caller comes back counts, however late.
  std::string frame;
  char buf[65536];
  for (;;) {
    if (frame.size() >= 4) {
      uint32_t len = 0;
      std::memcpy(&len, frame.data(), 4);
      if (len > limits_.max_report_bytes) return Fail(false, true);
      if (frame.size() - 4 >= len) break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Fail(true, false);
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail(false, false);  // the child ended
    frame.append(buf, static_cast<size_t>(n));
  }
  uint32_t len = 0;
  std::memcpy(&len, frame.data(), 4);
  if (frame.size() - 4 > len) {
    return Fail(false, false);  // more than one report: not our protocol
  }
  ++jobs_;
  WorkerOutcome out;
  out.report = frame.substr(4);
  return out;
}

Result<WorkerOutcome> RunInWorker(const WorkerLimits& limits,
                                  const std::function<std::string()>& job) {
  WorkerLimits one = limits;
  one.max_jobs = 1;
  DS_ASSIGN_OR_RETURN(
      std::unique_ptr<Worker> w,
      Worker::Start(one, [&job](std::string_view) { return job(); }));
  DS_RETURN_IF_ERROR(w->Submit(""));
  return w->Collect();
}

}  // namespace ds::gate::internal
