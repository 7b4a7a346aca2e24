// A real clamd for integration tests: started on a local socket in a
// temporary directory with a signature database written at run time (an
// EICAR body signature at offset 0, see notes/manipulated-files.md) and the
// heuristics and limits of deploy/clamd.conf. Used by the gate's and the
// Prüfstand's integration tests.
//
//   auto clamd = ds::gate::testutil::TestClamd::Start();
//   ASSERT_OK(clamd);
//   policy.clamd_socket = (*clamd)->socket();
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>

#include "core/status.h"
#include "core/testing/testing.h"

namespace ds::gate::testutil {

class TestClamd {
 public:
  // Forks /usr/sbin/clamd and waits (up to 30 s) until it answers PING.
  // kEnvironment if clamd is missing or does not come up.
  static Result<std::unique_ptr<TestClamd>> Start();
  // Stops clamd (SIGTERM) and removes its directory.
  ~TestClamd();
  TestClamd(const TestClamd&) = delete;
  TestClamd& operator=(const TestClamd&) = delete;

  const std::filesystem::path& socket() const { return socket_; }

 private:
  TestClamd() = default;
  testing::TempDir dir_;
  std::filesystem::path socket_;
  pid_t pid_ = -1;
};

}  // namespace ds::gate::testutil
