// Test support: a real clamd on a private socket, with a signature
// database written at run time (one body signature for EICAR, nothing
// downloaded). Used by gate_clamd_test and bench/gate_clamd_bench.
//
//   auto clamd = ds::gate::testsupport::ClamdDaemon::Start(dir);
//   if (!clamd.ok()) ...;           // clamd missing or did not answer
//   policy.clamd_socket = (*clamd)->socket();
//
// The configuration is the test one: heuristics for macros, encryption,
// broken media and exceeded limits on, stream and file limits of 50 MiB.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>

#include "core/status.h"

namespace ds::gate::testsupport {

class ClamdDaemon {
 public:
  // Writes clamd.conf, db/ and the socket into `dir` (which must exist and
  // outlive the daemon), starts /usr/sbin/clamd in the foreground and waits
  // up to 30 s for PING. kEnvironment if it cannot be started,
  // kUnavailable if it never answers.
  static Result<std::unique_ptr<ClamdDaemon>> Start(
      const std::filesystem::path& dir);

  // Stops clamd (SIGTERM) and waits for it.
  ~ClamdDaemon();
  ClamdDaemon(const ClamdDaemon&) = delete;
  ClamdDaemon& operator=(const ClamdDaemon&) = delete;

  const std::filesystem::path& socket() const { return socket_; }
  pid_t pid() const { return pid_; }

 private:
  ClamdDaemon(std::filesystem::path socket, pid_t pid)
      : socket_(std::move(socket)), pid_(pid) {}

  std::filesystem::path socket_;
  pid_t pid_ = -1;
};

}  // namespace ds::gate::testsupport
