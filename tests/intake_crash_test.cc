// The hub and the Zustelldienst survive being killed. The real binaries run
// as separate processes, set up as an operator would set them up (a
// Zustelldienst setup file, a hub configuration with key and secret
// files): `drehscheibe zustelldienst` and `drehscheibe serve`. While 200
// submissions flow, the hub is killed with SIGKILL at random points and
// restarted; then the Zustelldienst is killed and restarted while the hub
// works through the backlog. After an undisturbed last run every submission
// is accepted and filed exactly once, the audit trail verifies, /metrics
// counts the accepts and `intake status` shows a verified event log.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "jose/jwk.h"
#include "net/http.h"
#include "records/store.h"
#include "submission_api/client.h"
#include "submission_api/send.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kSubmissions = 200;
constexpr char kTenant[] = "crash";
constexpr char kSenderId[] = "6f1d7c52-9a0e-4c47-8f53-2b7d0c1e9a01";
constexpr char kSenderSecret[] = "crash-test-portal-secret";
constexpr char kHubId[] = "0c9b4e1a-5d2f-4a86-b7e3-91f4a6d2c802";
constexpr char kHubSecret[] = "crash-test-hub-secret-0123";

// RSA-4096 keygen is slow: the keys are generated once per build tree and
// kept beside the binary (intake_e2e_test shares the directory).
jose::Jwk CachedKey(const std::string& name, const std::string& alg) {
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path() / "intake_e2e_keys";
  fs::path file = dir / (name + ".private.jwk");
  if (fs::exists(file)) {
    Result<std::string> text = ReadFile(file, 1 << 20);
    if (text.ok()) {
      Result<jose::Jwk> key = jose::Jwk::Parse(*text);
      if (key.ok()) return *key;
    }
  }
  Result<jose::Jwk> key = jose::Jwk::Generate(4096, NewUuid(), alg);
  if (!key.ok()) throw std::runtime_error(key.status().message());
  Result<std::string> cert = jose::SelfSignedCertificate(*key, "intake e2e " + name, 3650);
  if (!cert.ok()) throw std::runtime_error(cert.status().message());
  jose::Jwk out = key->WithX5c({*cert});
  (void)EnsureDir(dir);
  (void)WriteFileAtomic(file, out.PrivateJson().dump());
  return out;
}

// A free loopback port. The services are restarted on the same port, so
// the test picks it instead of letting each start choose.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One `drehscheibe` process with its output appended to a log file.
class Process {
 public:
  Process(std::vector<std::string> args, fs::path log)
      : args_(std::move(args)), log_(std::move(log)) {}
  ~Process() { Kill(SIGKILL); }

  void Start() {
    std::vector<std::string> env = {"DREHSCHEIBE_SPECS=" + testing::SpecsDir().string(),
                                    "PATH=/usr/bin:/bin"};
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(DS_BINARY));
      for (auto& a : args_) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::vector<char*> envp;
      for (auto& e : env) envp.push_back(e.data());
      envp.push_back(nullptr);
      ::execve(DS_BINARY, argv.data(), envp.data());
      ::_exit(127);
    }
  }
  // Sends `sig` and reaps the process; returns its wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  // The end of the process's output, for failure messages (the test's
  // temporary directory is removed afterwards).
  std::string log() const {
    Result<std::string> text = ReadFile(log_, 64 << 20);
    if (!text.ok()) return "(no log)";
    return "log " + log_.string() + ":\n" +
           (text->size() > 4000 ? text->substr(text->size() - 4000) : *text);
  }

 private:
  std::vector<std::string> args_;
  fs::path log_;
  pid_t pid_ = -1;
};

// Runs `drehscheibe ARGS` to completion; returns exit code and stdout.
std::pair<int, std::string> RunCli(const std::string& args) {
  std::string cmd = std::string(DS_BINARY) + " " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool WaitForHttp(const std::string& url, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    auto r = net::Fetch({.url = url, .timeout_seconds = 2});
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The files an operator writes: keys, secrets, the Zustelldienst's setup
// and the hub's configuration.
struct Installation {
  fs::path root;
  std::string destination = NewUuid();
  int zd_port = FreePort();
  int hub_port = FreePort();

  std::string zd_url() const { return "http://127.0.0.1:" + std::to_string(zd_port); }
  std::string hub_url() const { return "http://127.0.0.1:" + std::to_string(hub_port); }
  fs::path etc() const { return root / "etc"; }

  Status Write(const jose::Jwk& enc, const jose::Jwk& sig) const {
    fs::path e = etc();
    DS_RETURN_IF_ERROR(EnsureDir(e));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "enc.private.jwk", enc.PrivateJson().dump()));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "sig.private.jwk", sig.PrivateJson().dump()));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "enc.pub.jwk", enc.PublicOnly().PublicJson().dump()));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "sig.pub.jwk", sig.PublicOnly().PublicJson().dump()));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "hub.secret", kHubSecret));
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "data.schema.json", demo::DataSchema()));

    std::string setup =
        "[[destination]]\n"
        "id = \"" + destination + "\"\n"
        "encryption_key = \"enc.pub.jwk\"\n"
        "signature_keys = [\"sig.pub.jwk\"]\n"
        "  [[destination.service]]\n"
        "  identifier = \"" + std::string(demo::kServiceIdentifier) + "\"\n"
        "  name = \"" + std::string(demo::kServiceName) + "\"\n"
        "  schemas = [\"" + std::string(demo::kDataSchemaUri) + "\"]\n"
        "[[client]]\nrole = \"sender\"\nid = \"" + kSenderId + "\"\nsecret = \"" +
        kSenderSecret + "\"\n"
        "[[client]]\nrole = \"subscriber\"\ndestinations = [\"" + destination +
        "\"]\nid = \"" + kHubId + "\"\nsecret = \"" + kHubSecret + "\"\n";
    DS_RETURN_IF_ERROR(WriteFileAtomic(e / "zustelldienst.toml", setup));

    std::string hub =
        "[hub]\nlisten = \"127.0.0.1:" + std::to_string(hub_port) + "\"\ntest_mode = true\n"
        "[zustelldienst]\nsubmission_api = \"" + zd_url() + "/v1\"\n"
        "token_url = \"" + zd_url() + "/token\"\n"
        "[intake]\npoll_seconds = 1\nmax_parallel = 4\n"
        "[[destination]]\nid = \"" + destination + "\"\ntenant = \"" + kTenant + "\"\n"
        "client_id = \"" + kHubId + "\"\n"
        "client_secret_file = \"" + (e / "hub.secret").string() + "\"\n"
        "decryption_keys = [\"" + (e / "enc.private.jwk").string() + "\"]\n"
        "signing_key = \"" + (e / "sig.private.jwk").string() + "\"\n"
        "[[data_schema]]\nuri = \"" + std::string(demo::kDataSchemaUri) + "\"\n"
        "file = \"" + (e / "data.schema.json").string() + "\"\n";
    return WriteFileAtomic(e / "hub.toml", hub);
  }
};

// The FIT-Connect state of each submission as the sender sees it in the
// verified event log: "accepted", "rejected", "submitted", or an error.
std::map<std::string, std::string> SenderStates(
    submission_api::SenderClient& sender, const json& jwks,
    const std::vector<submission_api::SubmissionRef>& refs) {
  std::map<std::string, std::string> out;
  for (const auto& ref : refs) {
    auto events = sender.GetEvents(ref.case_id);
    if (!events.ok()) {
      out[ref.submission_id] = "error: " + events.status().message();
      continue;
    }
    json problems;
    auto st = submission_api::StateFromEventLog(sender, *events, ref, jwks, &problems);
    out[ref.submission_id] = st.ok() ? *st : "error: " + st.status().message();
  }
  return out;
}

int Count(const std::map<std::string, std::string>& states, const std::string& state) {
  int n = 0;
  for (const auto& [id, s] : states) n += s == state;
  return n;
}

double MetricValue(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

TEST(IntakeCrash, EverySubmissionFiledExactlyOnceAcrossKillsOfHubAndZustelldienst) {
  testing::TempDir dir;
  Installation inst{.root = dir.path()};
  ASSERT_NE(inst.zd_port, 0);
  ASSERT_NE(inst.hub_port, 0);
  ASSERT_OK(inst.Write(CachedKey("encryption-new", "RSA-OAEP-256"),
                       CachedKey("signing", "PS512")));
  fs::path hub_data = dir.path() / "hub";
  Process zd({"--data", (dir.path() / "zd").string(), "zustelldienst", "--listen",
              "127.0.0.1:" + std::to_string(inst.zd_port), "--public-url", inst.zd_url(),
              "--setup", (inst.etc() / "zustelldienst.toml").string()},
             dir.path() / "zustelldienst.log");
  Process hub({"--data", hub_data.string(), "serve", "--config",
               (inst.etc() / "hub.toml").string()},
              dir.path() / "hub.log");
  zd.Start();
  ASSERT_TRUE(WaitForHttp(inst.zd_url() + "/.well-known/jwks.json", 30))
      << "zustelldienst did not start; see " << zd.log();

  submission_api::SenderClient sender(submission_api::Endpoint{
      .api_url = inst.zd_url(), .token_url = inst.zd_url() + "/token",
      .client_id = kSenderId, .client_secret = kSenderSecret});
  auto jwks = sender.GetServiceJwks();
  ASSERT_OK(jwks);

  // Phase 1: a portal sends while the hub is started and killed at random.
  std::vector<demo::SampleApplication> samples = demo::BuildSamples(kSubmissions);
  std::vector<submission_api::SubmissionRef> refs;
  Status send_status;
  std::atomic<bool> sending{true};
  std::thread portal([&] {
    for (int i = 0; i < kSubmissions; ++i) {
      const demo::SampleApplication& sample = samples[static_cast<size_t>(i)];
      submission_api::Application app;
      app.destination_id = inst.destination;
      app.service_identifier = demo::kServiceIdentifier;
      app.service_name = demo::kServiceName;
      app.data = sample.form_json;
      app.data_schema_uri = demo::kDataSchemaUri;
      for (const demo::SampleAttachment& a : sample.attachments) {
        app.attachments.push_back(
          {.filename = a.filename, .mime_type = a.mime_type, .content = a.bytes, .purpose = a.purpose});
      }
      submission_api::SendOptions options;
      options.key_policy.test_mode = true;
      auto sent = submission_api::SendApplication(sender, app, options);
      if (!sent.ok()) {
        send_status = sent.status();
        break;
      }
      refs.push_back(sent->ref);
    }
    sending = false;
  });
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> alive_ms(300, 1500);
  int hub_kills = 0;
  while (sending || hub_kills < 5) {
    hub.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(alive_ms(rng)));
    int status = hub.Kill(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status)) << "hub exited by itself; see " << hub.log();
    ++hub_kills;
  }
  portal.join();
  ASSERT_TRUE(send_status.ok()) << send_status.message();
  ASSERT_EQ(refs.size(), static_cast<size_t>(kSubmissions));
  int accepted_phase1 = Count(SenderStates(sender, *jwks, refs), "accepted");
  std::cout << "hub killed " << hub_kills << " times; accepted meanwhile: " << accepted_phase1
            << "\n";

  // Phase 2: the hub works through the backlog while the Zustelldienst is
  // killed under it and restarted on the same port.
  hub.Start();
  std::uniform_int_distribution<int> zd_alive_ms(500, 2000);
  int zd_kills = 0;
  for (; zd_kills < 3; ++zd_kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(zd_alive_ms(rng)));
    int status = zd.Kill(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status)) << "zustelldienst exited by itself; see " << zd.log();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    zd.Start();
    ASSERT_TRUE(WaitForHttp(inst.zd_url() + "/.well-known/jwks.json", 30)) << zd.log();
  }

  // Phase 3: undisturbed until every submission is answered.
  std::map<std::string, std::string> states;
  auto deadline = Clock::now() + std::chrono::seconds(300);
  for (;;) {
    states = SenderStates(sender, *jwks, refs);
    if (Count(states, "accepted") + Count(states, "rejected") == kSubmissions) break;
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  int not_accepted = 0;
  for (const auto& ref : refs) {
    if (states[ref.submission_id] == "accepted") continue;
    ++not_accepted;
    ADD_FAILURE() << ref.submission_id << " is " << states[ref.submission_id];
  }
  if (not_accepted > 0) ADD_FAILURE() << hub.log();

  // The running hub reports what it did since its last start.
  auto metrics = net::Fetch({.url = inst.hub_url() + "/metrics"});
  ASSERT_OK(metrics);
  EXPECT_EQ(metrics->status, 200);
  std::cout << "accepted by the last hub process: "
            << MetricValue(metrics->body, "drehscheibe_intake_submissions_total{destination=\"" +
                                              inst.destination +
                                              "\",outcome=\"accepted\",problem=\"\"}")
            << "\n";
  EXPECT_EQ(MetricValue(metrics->body, "drehscheibe_intake_queue_depth{destination=\"" +
                                           inst.destination + "\",state=\"received\"}"),
            0);

  // The production hub shows no Posteingang without a login.
  auto page = net::Fetch({.url = inst.hub_url() + "/posteingang"});
  ASSERT_OK(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->headers["Location"], "/anmelden");
  EXPECT_EQ(page->body.find(refs.front().submission_id), std::string::npos);

  // Diagnosis of one submission: its journal state and verified event log.
  const std::string config = (inst.etc() / "hub.toml").string();
  auto [code, out] = RunCli("--data " + hub_data.string() + " intake status --json --config " +
                            config + " " + refs.front().submission_id);
  ASSERT_EQ(code, 0) << out;
  json status = json::parse(out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_EQ(status["state"], "accepted");
  EXPECT_EQ(status["event_log"]["verified"], true) << out;
  std::vector<std::string> events;
  for (const auto& e : status["event_log"]["events"]) events.push_back(e["event"]);
  EXPECT_EQ(events, (std::vector<std::string>{"create-submission", "submit-submission",
                                              "accept-submission"}))
      << out;

  EXPECT_EQ(hub.Kill(SIGTERM), 0) << "hub did not stop cleanly on SIGTERM; see " << hub.log();
  (void)zd.Kill(SIGTERM);

  auto store = records::Store::OpenSqlite(hub_data);
  ASSERT_OK(store);
  std::map<std::string, int> filed;
  records::InboxFilter f;
  f.tenant = kTenant;
  f.limit = 500;
  for (;;) {
    auto page = (*store)->ListInbox(f);
    ASSERT_OK(page);
    for (const auto& v : page->items) ++filed[v.submission_id];
    if (page->next_cursor.empty()) break;
    f.after = page->next_cursor;
  }
  EXPECT_EQ(filed.size(), static_cast<size_t>(kSubmissions));
  for (const auto& ref : refs) EXPECT_EQ(filed[ref.submission_id], 1) << ref.submission_id;
  auto audit = (*store)->VerifyAudit();
  ASSERT_OK(audit);
  EXPECT_TRUE(audit->ok());
}

}  // namespace
}  // namespace ds
