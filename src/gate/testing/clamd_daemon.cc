#include "gate/testing/clamd_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/encoding.h"
#include "gate/clamd.h"
#include "gate/samples.h"

namespace ds::gate::testsupport {
namespace {

constexpr const char* kClamd = "/usr/sbin/clamd";

void WriteConfig(const std::filesystem::path& d,
                 const std::filesystem::path& socket) {
  std::filesystem::create_directories(d / "db");
  std::ofstream(d / "db" / "drehscheibe-test.ndb")
      << "Drehscheibe.Test.EICAR:0:0:" << HexEncode(EicarString()) << "\n";
  std::ofstream(d / "clamd.conf")
      << "LocalSocket " << socket.string() << "\n"
      << "Foreground yes\n"
      << "DatabaseDirectory " << (d / "db").string() << "\n"
      << "TemporaryDirectory " << d.string() << "\n"
      << "LogFile " << (d / "clamd.log").string() << "\n"
      << "HeuristicAlerts yes\nAlertOLE2Macros yes\nAlertEncrypted yes\n"
      << "AlertBrokenMedia yes\nAlertExceedsMax yes\n"
      << "StreamMaxLength 50M\nMaxScanSize 100M\nMaxFileSize 50M\n";
}

}  // namespace

Result<std::unique_ptr<ClamdDaemon>> ClamdDaemon::Start(
    const std::filesystem::path& dir) {
  if (access(kClamd, X_OK) != 0) {
    return EnvironmentError(std::string("clamd: ") + kClamd + " missing");
  }
  std::filesystem::path socket = dir / "clamd.sock";
  WriteConfig(dir, socket);
  pid_t pid = fork();
  if (pid < 0) {
    return EnvironmentError(std::string("clamd: fork: ") + strerror(errno));
  }
  if (pid == 0) {
    // clamd logs to its LogFile; keep the caller's output readable.
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::string conf = (dir / "clamd.conf").string();
    execl(kClamd, kClamd, "-c", conf.c_str(), nullptr);
    _exit(127);
  }
  std::unique_ptr<ClamdDaemon> daemon(new ClamdDaemon(socket, pid));
  for (int i = 0; i < 300; ++i) {
    if (ClamdCommand(socket, "PING").ok()) return daemon;
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      daemon->pid_ = -1;
      return EnvironmentError("clamd: exited at start (see " +
                              (dir / "clamd.log").string() + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("clamd: no answer to PING within 30 s");
}

ClamdDaemon::~ClamdDaemon() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace ds::gate::testsupport
