// The real `drehscheibe zustelldienst` and `drehscheibe serve` as separate
// processes, set up from the files an operator writes (keys, secrets, the
// Zustelldienst's setup and the hub's configuration). Shared by the tests
// that kill, restart and double these processes.
//
//   OperatorInstall inst{.root = dir.path()};
//   ASSERT_OK(inst.Write(CachedKey("encryption-new", "RSA-OAEP-256"),
//                        CachedKey("signing", "PS512")));
//   Process zd(inst.ZustelldienstArgs(dir.path() / "zd"), dir.path() /
//   "zd.log"); zd.Start();
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/encoding.h"
#include "core/status.h"
#include "jose/jwk.h"
#include "submission_api/client.h"

namespace ds::testing {

// An RSA-4096 key with a self-signed certificate. Key generation is slow,
// so keys are kept per build tree beside the test binary, by name.
jose::Jwk CachedKey(const std::string& name, const std::string& alg);

// A loopback port that was free a moment ago. Services restarted on the
// same port need it chosen up front.
int FreePort();

// Polls `url` until it answers 200 or `seconds` pass.
bool WaitForHttp(const std::string& url, int seconds);

// Runs `drehscheibe ARGS` (the binary under test) to completion; returns
// the exit code and stdout.
std::pair<int, std::string> RunCli(const std::string& args);

// One `drehscheibe` process with its output appended to a log file.
class Process {
 public:
  Process(std::vector<std::string> args, std::filesystem::path log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void Start();
  // Sends `sig` and reaps the process; returns its wait status.
  int Kill(int sig);
  bool running() const { return pid_ > 0; }
  // The end of the process's output, for failure messages.
  std::string log() const;

 private:
  std::vector<std::string> args_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

struct OperatorInstall {
  std::filesystem::path root;
  std::string tenant = "crash";
  std::string destination = NewUuid();
  int zd_port = FreePort();
  int hub_port = FreePort();
  // Empty: the hub keeps journal and E-Akte in SQLite in its data directory.
  std::string database_url;

  static constexpr char kSenderId[] = "6f1d7c52-9a0e-4c47-8f53-2b7d0c1e9a01";
  static constexpr char kSenderSecret[] = "crash-test-portal-secret";

  std::string zd_url() const {
    return "http://127.0.0.1:" + std::to_string(zd_port);
  }
  std::string hub_url(int port = 0) const {
    return "http://127.0.0.1:" + std::to_string(port ? port : hub_port);
  }
  std::filesystem::path etc() const { return root / "etc"; }

  // Writes keys, secrets, the Zustelldienst's setup and etc/hub.toml.
  Status Write(const jose::Jwk& enc, const jose::Jwk& sig) const;
  // Writes a hub configuration listening on `port` to etc/NAME.
  Status WriteHubConfig(const std::string& name, int port) const;

  std::vector<std::string> ZustelldienstArgs(
      const std::filesystem::path& data) const;
  std::vector<std::string> ServeArgs(
      const std::filesystem::path& data,
      const std::string& config = "hub.toml") const;
  submission_api::Endpoint SenderEndpoint() const;
};

// Sends `n` demo applications to the installation's destination; stops at
// the first failure.
Result<std::vector<submission_api::SubmissionRef>> SendDemoApplications(
    submission_api::SenderClient& sender, const OperatorInstall& inst, int n);

// The FIT-Connect state of each submission as the sender sees it in the
// verified event log: "accepted", "rejected", "submitted", or an error.
std::map<std::string, std::string> SenderStates(
    submission_api::SenderClient& sender, const nlohmann::json& jwks,
    const std::vector<submission_api::SubmissionRef>& refs);

int CountState(const std::map<std::string, std::string>& states,
               const std::string& state);

// The value of one series in Prometheus text, 0 if absent.
double MetricValue(const std::string& text, const std::string& series);

}  // namespace ds::testing
