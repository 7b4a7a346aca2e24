#include "gate/clamd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

namespace ds::gate {
namespace {

using Clock = std::chrono::steady_clock;

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  Status Open(const std::filesystem::path& socket, Clock::time_point dl) {
    deadline_ = dl;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string p = socket.string();
    if (p.size() >= sizeof addr.sun_path) {
      return Unavailable("clamd: socket path too long");
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Unavailable(std::string("clamd: socket: ") +
                                    strerror(errno));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return Unavailable("clamd: connect " + p + ": " + strerror(errno));
    }
    return Status::Ok();
  }

  Status Send(const char* data, size_t len) {
    while (len > 0) {
      DS_RETURN_IF_ERROR(Wait(POLLOUT));
      ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Unavailable(std::string("clamd: send: ") +
                                     strerror(errno));
      data += n;
      len -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  // Reads until NUL, EOF or 4 KiB.
  Result<std::string> ReadAnswer() {
    std::string out;
    char buf[512];
    while (out.size() < 4096) {
      DS_RETURN_IF_ERROR(Wait(POLLIN));
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Unavailable(std::string("clamd: recv: ") +
                                    strerror(errno));
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.find('\0') != std::string::npos) break;
    }
    if (auto nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
      out.pop_back();
    }
    if (out.empty()) return Unavailable("clamd: empty answer");
    return out;
  }

 private:
  Status Wait(short events) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline_ - Clock::now());
      if (left.count() <= 0) return Unavailable("clamd: timeout");
      pollfd p{fd_, events, 0};
      int r = poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) return Unavailable("clamd: timeout");
      if (r < 0) return Unavailable(std::string("clamd: poll: ") +
                                    strerror(errno));
      return Status::Ok();
    }
  }

  int fd_ = -1;
  Clock::time_point deadline_;
};

Finding Make(std::string code, Severity sev, std::string msg) {
  return Finding{std::move(code), sev, std::move(msg), false};
}

// "stream: Eicar-Signature FOUND" / "stream: OK" / "... ERROR".
void Interpret(const std::string& answer, ClamdResult* r) {
  std::string a = answer;
  if (a.rfind("stream: ", 0) == 0) a = a.substr(8);
  auto ends = [&](const std::string& s) {
    return a.size() >= s.size() && a.compare(a.size() - s.size(), s.size(),
                                             s) == 0;
  };
  if (a == "OK") {
    r->scanned = true;
    return;
  }
  if (ends(" FOUND")) {
    r->scanned = true;
    std::string name = a.substr(0, a.size() - 6);
    if (name.rfind("Heuristics.Limits.Exceeded", 0) == 0) {
      r->findings.push_back(Make("scan.limits", Severity::kReview,
                                 "clamd stopped at a limit: " + name));
    } else if (name.rfind("Heuristics.Encrypted", 0) == 0) {
      r->findings.push_back(Make("scan.encrypted", Severity::kReject,
                                 "clamd cannot scan encrypted content: " +
                                     name));
    } else if (name.rfind("Heuristics.Broken", 0) == 0) {
      r->findings.push_back(Make("scan.heuristic", Severity::kReview,
                                 "clamd heuristic: " + name));
    } else if (name.rfind("Heuristics.", 0) == 0) {
      r->findings.push_back(Make("scan.heuristic", Severity::kReject,
                                 "clamd heuristic: " + name));
    } else {
      r->findings.push_back(Make("scan.virus", Severity::kReject,
                                 "clamd found " + name));
    }
    return;
  }
  r->findings.push_back(Make("scan.error", Severity::kReview,
                             "clamd could not scan the file: " + a));
}

}  // namespace

Result<std::string> ClamdCommand(const std::filesystem::path& socket,
                                 const std::string& command,
                                 int timeout_seconds) {
  Connection c;
  DS_RETURN_IF_ERROR(
      c.Open(socket, Clock::now() + std::chrono::seconds(timeout_seconds)));
  std::string cmd = "z" + command;
  DS_RETURN_IF_ERROR(c.Send(cmd.c_str(), cmd.size() + 1));
  return c.ReadAnswer();
}

ClamdResult ScanWithClamd(const std::filesystem::path& socket,
                          const std::filesystem::path& file,
                          const Limits& limits) {
  ClamdResult r;
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) {
    r.findings.push_back(Make("scan.error", Severity::kReview,
                              "cannot read the file for clamd"));
    return r;
  }
  if (size > limits.clamd_max_bytes) {
    r.findings.push_back(Make("scan.too_large", Severity::kReview,
                              "file exceeds the clamd stream limit of " +
                                  std::to_string(limits.clamd_max_bytes) +
                                  " bytes"));
    return r;
  }

  auto unavailable = [&](const Status& s) {
    r.findings.push_back(Make("scan.unavailable", Severity::kReview,
                              "virus scan not performed: " + s.message()));
    return r;
  };
  Connection c;
  Status s = c.Open(socket, Clock::now() + std::chrono::seconds(
                                               limits.clamd_timeout_seconds));
  if (!s.ok()) return unavailable(s);
  s = c.Send("zINSTREAM", 10);
  if (!s.ok()) return unavailable(s);

  // Chunks: 4-byte big-endian length, data; a zero length ends the stream.
  std::ifstream in(file, std::ios::binary);
  std::string chunk(64 * 1024, '\0');
  while (in && s.ok()) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    auto n = static_cast<uint32_t>(in.gcount());
    if (n == 0) break;
    uint32_t be = htonl(n);
    s = c.Send(reinterpret_cast<const char*>(&be), 4);
    if (s.ok()) s = c.Send(chunk.data(), n);
  }
  if (s.ok()) {
    uint32_t end = 0;
    s = c.Send(reinterpret_cast<const char*>(&end), 4);
  }
  // clamd may close early ("size limit exceeded"); its answer still counts.
  Result<std::string> answer = c.ReadAnswer();
  if (!answer.ok()) return unavailable(s.ok() ? answer.status() : s);
  Interpret(*answer, &r);
  return r;
}

}  // namespace ds::gate
