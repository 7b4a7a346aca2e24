#include "gate/test_clamd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/encoding.h"
#include "gate/clamd.h"
#include "gate/samples.h"

namespace ds::gate::testutil {

namespace {
constexpr const char* kClamd = "/usr/sbin/clamd";
}

Result<std::unique_ptr<TestClamd>> TestClamd::Start() {
  if (access(kClamd, X_OK) != 0) {
    return EnvironmentError("test clamd: /usr/sbin/clamd is not installed");
  }
  std::unique_ptr<TestClamd> c(new TestClamd());
  const auto& d = c->dir_.path();
  std::filesystem::create_directory(d / "db");
  std::ofstream(d / "db" / "drehscheibe-test.ndb")
      << "Drehscheibe.Test.EICAR:0:0:" << HexEncode(EicarString()) << "\n";
  c->socket_ = d / "clamd.sock";
  std::ofstream(d / "clamd.conf")
      << "LocalSocket " << c->socket_.string() << "\n"
      << "Foreground yes\n"
      << "DatabaseDirectory " << (d / "db").string() << "\n"
      << "TemporaryDirectory " << d.string() << "\n"
      << "LogFile " << (d / "clamd.log").string() << "\n"
      << "HeuristicAlerts yes\nAlertOLE2Macros yes\nAlertEncrypted yes\n"
      << "AlertBrokenMedia yes\nAlertExceedsMax yes\n"
      << "StreamMaxLength 50M\nMaxScanSize 100M\nMaxFileSize 50M\n";
  c->pid_ = fork();
  if (c->pid_ < 0) return EnvironmentError("test clamd: fork failed");
  if (c->pid_ == 0) {
    // clamd logs to its LogFile; keep the test output readable.
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(kClamd, kClamd, "-c", (d / "clamd.conf").c_str(), nullptr);
    _exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    if (ClamdCommand(c->socket_, "PING").ok()) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return EnvironmentError("test clamd: clamd did not answer within 30 s");
}

TestClamd::~TestClamd() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace ds::gate::testutil
