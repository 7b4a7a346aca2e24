// pdftotext in the worker: the worker forks once more and execs the
// program with its limits inherited; the text comes back over a pipe.
#include "gate/pdf_text.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate/worker.h"

namespace ds::gate {
namespace {

constexpr const char* kPdftotext = "/usr/bin/pdftotext";

// Worker report: "ok\n<text>" or "error\n<reason>".
std::string RunPdftotext(const std::filesystem::path& pdf, size_t max_bytes) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "error\nno pipe";
  pid_t pid = fork();
  if (pid < 0) return "error\nno process";
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the worker
    // The worker forbids writing files (RLIMIT_FSIZE 0). Poppler's font
    // lookup tries to write fontconfig's cache and lock files when they
    // are missing (a fresh machine); with SIGXFSZ ignored (kept across
    // exec) such a write fails with EFBIG instead of killing the tool.
    signal(SIGXFSZ, SIG_IGN);
    dup2(fds[1], 1);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    std::string path = pdf.string();
    const char* argv[] = {kPdftotext, "-q",         "-enc", "UTF-8",
                          "-nopgbrk", path.c_str(), "-",    nullptr};
    execv(kPdftotext, const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[1]);

  // Read up to the cap; drain the rest so that pdftotext can finish.
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t room = max_bytes + 4 > text.size() ? max_bytes + 4 - text.size() : 0;
    text.append(buf, std::min(room, static_cast<size_t>(n)));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return "error\nmissing";
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "error\npdftotext failed";
  }
  return "ok\n" + text;
}

// Collapses whitespace runs to one space and cuts at `max` bytes without
// splitting a UTF-8 sequence.
std::string Tidy(const std::string& in, size_t max) {
  std::string out;
  bool space = false;
  for (char c : in) {
    bool ws = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
              c == '\v';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= max) return out;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return out.substr(0, cut);
}

}  // namespace

Result<std::string> ExtractPdfText(const std::filesystem::path& pdf,
                                   const Limits& limits, size_t max_bytes) {
  if (access(kPdftotext, X_OK) != 0) {
    return EnvironmentError(
        "pdf text: pdftotext not installed "
        "(poppler-utils)");
  }
  internal::WorkerLimits wl;
  wl.memory_bytes = limits.worker_memory_bytes;
  wl.cpu_seconds = limits.worker_cpu_seconds;
  wl.wall_seconds = limits.worker_wall_seconds;
  wl.file_bytes = 0;
  wl.max_report_bytes = max_bytes + 64;
  DS_ASSIGN_OR_RETURN(
      internal::WorkerOutcome out,
      internal::RunInWorker(wl, [&] { return RunPdftotext(pdf, max_bytes); }));
  if (out.failure) return CheckFailed("pdf text: " + out.failure->message);
  if (!out.report) return CheckFailed("pdf text: no report");
  const std::string& r = *out.report;
  if (r.rfind("ok\n", 0) == 0) return Tidy(r.substr(3), max_bytes);
  if (r == "error\nmissing") {
    return EnvironmentError("pdf text: pdftotext could not be run");
  }
  return CheckFailed("pdf text: " + r.substr(r.find('\n') + 1));
}

}  // namespace ds::gate
