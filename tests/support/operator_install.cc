#include "support/operator_install.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/files.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "net/http.h"
#include "submission_api/send.h"

namespace ds::testing {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
constexpr char kHubId[] = "0c9b4e1a-5d2f-4a86-b7e3-91f4a6d2c802";
constexpr char kHubSecret[] = "crash-test-hub-secret-0123";
}  // namespace

jose::Jwk CachedKey(const std::string& name, const std::string& alg) {
  std::error_code ec;
  fs::path dir =
      fs::read_symlink("/proc/self/exe", ec).parent_path() / "intake_e2e_keys";
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
  Result<std::string> cert =
      jose::SelfSignedCertificate(*key, "intake e2e " + name, 3650);
  if (!cert.ok()) throw std::runtime_error(cert.status().message());
  jose::Jwk out = key->WithX5c({*cert});
  (void)EnsureDir(dir);
  (void)WriteFileAtomic(file, out.PrivateJson().dump());
  return out;
}

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

bool WaitForHttp(const std::string& url, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    auto r = net::Fetch({.url = url, .timeout_seconds = 2});
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::pair<int, std::string> RunCli(const std::string& args) {
  ds::testing::CommandRun run = ds::testing::RunShell(
      std::string(DS_BINARY) + " " + args + " 2>/dev/null");
  return {run.exit_code, run.out};
}

Process::Process(std::vector<std::string> args, fs::path log)
    : args_(std::move(args)), log_(std::move(log)) {}

Process::~Process() { Kill(SIGKILL); }

void Process::Start() {
  std::vector<std::string> env = {"DREHSCHEIBE_SPECS=" + SpecsDir().string(),
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

int Process::Kill(int sig) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string Process::log() const {
  Result<std::string> text = ReadFile(log_, 64 << 20);
  if (!text.ok()) return "(no log)";
  return "log " + log_.string() + ":\n" +
         (text->size() > 4000 ? text->substr(text->size() - 4000) : *text);
}

Status OperatorInstall::Write(const jose::Jwk& enc,
                              const jose::Jwk& sig) const {
  fs::path e = etc();
  DS_RETURN_IF_ERROR(EnsureDir(e));
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(e / "enc.private.jwk", enc.PrivateJson().dump()));
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(e / "sig.private.jwk", sig.PrivateJson().dump()));
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(e / "enc.pub.jwk", enc.PublicOnly().PublicJson().dump()));
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(e / "sig.pub.jwk", sig.PublicOnly().PublicJson().dump()));
  DS_RETURN_IF_ERROR(WriteFileAtomic(e / "hub.secret", kHubSecret));
  DS_RETURN_IF_ERROR(
      WriteFileAtomic(e / "data.schema.json", demo::DataSchema()));

  std::string setup =
      "[[destination]]\n"
      "id = \"" +
      destination +
      "\"\n"
      "encryption_key = \"enc.pub.jwk\"\n"
      "signature_keys = [\"sig.pub.jwk\"]\n"
      "  [[destination.service]]\n"
      "  identifier = \"" +
      std::string(demo::kServiceIdentifier) +
      "\"\n"
      "  name = \"" +
      std::string(demo::kServiceName) +
      "\"\n"
      "  schemas = [\"" +
      std::string(demo::kDataSchemaUri) +
      "\"]\n"
      "[[client]]\nrole = \"sender\"\nid = \"" +
      kSenderId + "\"\nsecret = \"" + kSenderSecret +
      "\"\n"
      "[[client]]\nrole = \"subscriber\"\ndestinations = [\"" +
      destination + "\"]\nid = \"" + kHubId + "\"\nsecret = \"" + kHubSecret +
      "\"\n";
  DS_RETURN_IF_ERROR(WriteFileAtomic(e / "zustelldienst.toml", setup));
  return WriteHubConfig("hub.toml", hub_port);
}

Status OperatorInstall::WriteHubConfig(const std::string& name,
                                       int port) const {
  fs::path e = etc();
  std::string hub = "[hub]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                    "\"\ntest_mode = true\n";
  if (!database_url.empty())
    hub += "[database]\nurl = \"" + database_url + "\"\n";
  hub += "[zustelldienst]\nsubmission_api = \"" + zd_url() +
         "/v1\"\n"
         "token_url = \"" +
         zd_url() +
         "/token\"\n"
         "[intake]\npoll_seconds = 1\nmax_parallel = 4\n"
         "[[destination]]\nid = \"" +
         destination + "\"\ntenant = \"" + tenant +
         "\"\n"
         "client_id = \"" +
         kHubId +
         "\"\n"
         "client_secret_file = \"" +
         (e / "hub.secret").string() +
         "\"\n"
         "decryption_keys = [\"" +
         (e / "enc.private.jwk").string() +
         "\"]\n"
         "signing_key = \"" +
         (e / "sig.private.jwk").string() +
         "\"\n"
         "[[data_schema]]\nuri = \"" +
         std::string(demo::kDataSchemaUri) +
         "\"\n"
         "file = \"" +
         (e / "data.schema.json").string() + "\"\n";
  return WriteFileAtomic(e / name, hub);
}

std::vector<std::string> OperatorInstall::ZustelldienstArgs(
    const fs::path& data) const {
  return {"--data",
          data.string(),
          "zustelldienst",
          "--listen",
          "127.0.0.1:" + std::to_string(zd_port),
          "--public-url",
          zd_url(),
          "--setup",
          (etc() / "zustelldienst.toml").string()};
}

std::vector<std::string> OperatorInstall::ServeArgs(
    const fs::path& data, const std::string& config) const {
  return {"--data", data.string(), "serve", "--config",
          (etc() / config).string()};
}

submission_api::Endpoint OperatorInstall::SenderEndpoint() const {
  return {.api_url = zd_url(),
          .token_url = zd_url() + "/token",
          .client_id = kSenderId,
          .client_secret = kSenderSecret};
}

Result<std::vector<submission_api::SubmissionRef>> SendDemoApplications(
    submission_api::SenderClient& sender, const OperatorInstall& inst, int n) {
  std::vector<demo::SampleApplication> samples = demo::BuildSamples(n);
  std::vector<submission_api::SubmissionRef> refs;
  for (const demo::SampleApplication& sample : samples) {
    submission_api::Application app;
    app.destination_id = inst.destination;
    app.service_identifier = demo::kServiceIdentifier;
    app.service_name = demo::kServiceName;
    app.data = sample.form_json;
    app.data_schema_uri = demo::kDataSchemaUri;
    for (const demo::SampleAttachment& a : sample.attachments) {
      app.attachments.push_back({.filename = a.filename,
                                 .mime_type = a.mime_type,
                                 .content = a.bytes,
                                 .purpose = a.purpose});
    }
    submission_api::SendOptions options;
    options.key_policy.test_mode = true;
    DS_ASSIGN_OR_RETURN(submission_api::SendResult sent,
                        submission_api::SendApplication(sender, app, options));
    refs.push_back(sent.ref);
  }
  return refs;
}

std::map<std::string, std::string> SenderStates(
    submission_api::SenderClient& sender, const nlohmann::json& jwks,
    const std::vector<submission_api::SubmissionRef>& refs) {
  std::map<std::string, std::string> out;
  for (const auto& ref : refs) {
    auto events = sender.GetEvents(ref.case_id);
    if (!events.ok()) {
      out[ref.submission_id] = "error: " + events.status().message();
      continue;
    }
    nlohmann::json problems;
    auto st = submission_api::StateFromEventLog(sender, *events, ref, jwks,
                                                &problems);
    out[ref.submission_id] = st.ok() ? *st : "error: " + st.status().message();
  }
  return out;
}

int CountState(const std::map<std::string, std::string>& states,
               const std::string& state) {
  int n = 0;
  for (const auto& [id, s] : states) n += s == state;
  return n;
}

double MetricValue(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0)
      return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

}  // namespace ds::testing
