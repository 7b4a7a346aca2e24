// The hub survives being killed: a hub built like src/demo/run.cc builds
// it runs as a separate process (this binary re-executed as the child test
// IntakeCrash.HubChildProcess) against the in-process Zustelldienst and is
// killed with SIGKILL at random points while 50 submissions flow; after the
// last restart every submission is accepted and filed exactly once.
//
// Not yet: the real `drehscheibe serve` as the child. It registers no data
// schemas (every submission with Fachdaten is rejected as
// unsupported-schema), and submissions without Fachdaten cannot be filed
// (records::Store requires form data; intake retries them forever).
// `drehscheibe zustelldienst` has no commands yet, so only the hub is killed.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "intake/hub.h"
#include "jose/jwk.h"
#include "records/store.h"
#include "submission_api/client.h"
#include "submission_api/send.h"
#include "zustelldienst/service.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kSubmissions = 50;
constexpr char kTenant[] = "crash";

// As in intake_e2e_test: keys kept beside the binary (keygen is slow).
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

// The hub as a child process: this binary, running HubChildProcess with the
// configuration file in $DS_CRASH_HUB.
class HubProcess {
 public:
  HubProcess(fs::path config, fs::path log) : config_(std::move(config)), log_(std::move(log)) {}
  ~HubProcess() { Kill(SIGKILL); }

  void Start() {
    std::string env = "DS_CRASH_HUB=" + config_.string();
    std::string specs = "DREHSCHEIBE_SPECS=" + testing::SpecsDir().string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      char* const argv[] = {const_cast<char*>("intake_crash_test"),
                            const_cast<char*>("--gtest_filter=IntakeCrash.HubChildProcess"),
                            nullptr};
      char* const envp[] = {env.data(), specs.data(), nullptr};
      ::execve("/proc/self/exe", argv, envp);
      ::_exit(127);
    }
  }
  // Sends `sig` and reaps the child; returns its wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  fs::path config_, log_;
  pid_t pid_ = -1;
};

TEST(IntakeCrash, EverySubmissionFiledExactlyOnceAcrossKills) {
  testing::TempDir dir;
  jose::Jwk enc = CachedKey("encryption-new", "RSA-OAEP-256");
  jose::Jwk sig = CachedKey("signing", "PS512");

  zustelldienst::Options zo;
  zo.listen = "127.0.0.1:0";
  zo.data_dir = dir.path() / "zustelldienst";
  auto zd = zustelldienst::Service::Start(zo);
  ASSERT_OK(zd);
  zustelldienst::DestinationSpec spec;
  zustelldienst::ServiceSpec service;
  service.identifier = demo::kServiceIdentifier;
  service.name = demo::kServiceName;
  service.submission_schemas.push_back({demo::kDataSchemaUri, "application/json"});
  spec.services.push_back(service);
  spec.encryption_key = enc.PublicOnly();
  spec.signature_keys.push_back(sig.PublicOnly());
  auto destination = (*zd)->admin().CreateDestination(spec);
  ASSERT_OK(destination);
  auto sender_creds = (*zd)->admin().CreateClient(zustelldienst::Role::kSender, {}, "portal");
  ASSERT_OK(sender_creds);
  auto hub_creds = (*zd)->admin().CreateClient(zustelldienst::Role::kSubscriber,
                                               {*destination}, "hub");
  ASSERT_OK(hub_creds);

  // The hub's configuration, keys and secret as files.
  fs::path etc = dir.path() / "etc";
  ASSERT_OK(EnsureDir(etc));
  ASSERT_OK(WriteFileAtomic(etc / "enc.jwk", enc.PrivateJson().dump()));
  ASSERT_OK(WriteFileAtomic(etc / "sig.jwk", sig.PrivateJson().dump()));
  fs::path data = dir.path() / "hub";
  fs::path log = dir.path() / "hub.log";
  json child = {{"api", (*zd)->base_url()}, {"token", (*zd)->token_url()},
                {"destination", *destination}, {"client_id", hub_creds->client_id},
                {"client_secret", hub_creds->client_secret},
                {"encryption_key", (etc / "enc.jwk").string()},
                {"signing_key", (etc / "sig.jwk").string()}, {"data", data.string()}};
  ASSERT_OK(WriteFileAtomic(etc / "hub.json", child.dump()));
  HubProcess hub(etc / "hub.json", log);

  // Submissions with Fachdaten and one attachment, as portals send them.
  submission_api::SenderClient sender(submission_api::Endpoint{
      .api_url = (*zd)->base_url(), .token_url = (*zd)->token_url(),
      .client_id = sender_creds->client_id, .client_secret = sender_creds->client_secret});
  std::vector<demo::SampleApplication> samples = demo::BuildSamples(kSubmissions);
  auto send_one = [&](int i) -> Result<submission_api::SubmissionRef> {
    const demo::SampleApplication& sample = samples[static_cast<size_t>(i)];
    submission_api::Application app;
    app.destination_id = *destination;
    app.service_identifier = demo::kServiceIdentifier;
    app.service_name = demo::kServiceName;
    app.data = sample.form_json;
    app.data_schema_uri = demo::kDataSchemaUri;
    for (const demo::SampleAttachment& a : sample.attachments) {
      app.attachments.push_back({a.filename, a.mime_type, a.bytes, a.purpose, ""});
    }
    submission_api::SendOptions options;
    options.key_policy.test_mode = true;
    DS_ASSIGN_OR_RETURN(auto sent, submission_api::SendApplication(sender, app, options));
    return sent.ref;
  };

  // Send in the background while the hub is started and killed.
  std::vector<submission_api::SubmissionRef> refs;
  Status send_status;
  std::thread portal([&] {
    for (int i = 0; i < kSubmissions; ++i) {
      auto ref = send_one(i);
      if (!ref.ok()) {
        send_status = ref.status();
        return;
      }
      refs.push_back(*ref);
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
  });
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> alive_ms(100, 900);
  int kills = 0;
  auto kill_until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < kill_until) {
    hub.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(alive_ms(rng)));
    int status = hub.Kill(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status)) << "hub exited by itself; see " << log;
    ++kills;
  }
  portal.join();
  ASSERT_TRUE(send_status.ok()) << send_status.message();
  ASSERT_EQ(refs.size(), static_cast<size_t>(kSubmissions));

  // The kills hit a working hub: some submissions got through already.
  auto jwks = sender.GetServiceJwks();
  ASSERT_OK(jwks);
  int accepted_while_killing = 0;
  for (const auto& ref : refs) {
    auto events = sender.GetEvents(ref.case_id);
    json problems;
    if (events.ok()) {
      auto st = submission_api::StateFromEventLog(sender, *events, ref, *jwks, &problems);
      accepted_while_killing += st.ok() && *st == "accepted";
    }
  }
  std::cout << "accepted while the hub was being killed: " << accepted_while_killing << "\n";
  // How often the kills fell between filing and the journal's write: a
  // filing repeated after a restart is logged with new=false.
  auto log_text = ReadFile(log, 64 << 20);
  if (log_text.ok()) {
    size_t refiled = 0;
    for (size_t at = 0; (at = log_text->find("event=intake.filed", at)) != std::string::npos; ++at) {
      size_t eol = log_text->find('\n', at);
      refiled += log_text->substr(at, eol - at).find("new=false") != std::string::npos;
    }
    std::cout << "filings repeated after a kill (no new Vorgang): " << refiled << "\n";
  }
  EXPECT_GT(accepted_while_killing, 0);

  // The last run, undisturbed, until every submission is answered.
  hub.Start();
  std::map<std::string, std::string> states;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (;;) {
    int done = 0;
    for (const auto& ref : refs) {
      std::string& s = states[ref.submission_id];
      if (s == "accepted" || s == "rejected") {
        ++done;
        continue;
      }
      auto events = sender.GetEvents(ref.case_id);
      if (!events.ok()) continue;
      json problems;
      auto st = submission_api::StateFromEventLog(sender, *events, ref, *jwks, &problems);
      s = st.ok() ? *st : "error: " + st.status().message();
      if (s == "accepted" || s == "rejected") ++done;
    }
    if (done == kSubmissions || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  (void)hub.Kill(SIGTERM);
  (*zd)->Stop();

  std::cout << "hub killed " << kills << " times\n";
  EXPECT_GE(kills, 5);
  for (const auto& ref : refs) {
    EXPECT_EQ(states[ref.submission_id], "accepted") << ref.submission_id << "; see " << log;
  }

  auto store = records::Store::OpenSqlite(data);
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
  for (const auto& ref : refs) {
    EXPECT_EQ(filed[ref.submission_id], 1) << ref.submission_id;
  }
  auto audit = (*store)->VerifyAudit();
  ASSERT_OK(audit);
  EXPECT_TRUE(audit->ok());
}

// The hub in the child process: polls and processes until killed.
TEST(IntakeCrash, HubChildProcess) {
  const char* config = std::getenv("DS_CRASH_HUB");
  if (!config) GTEST_SKIP() << "runs only as the child of the crash test";
  auto text = ReadFile(config, 1 << 20);
  ASSERT_OK(text);
  json c = json::parse(*text);
  auto enc = ReadFile(c["encryption_key"].get<std::string>(), 1 << 20);
  auto sig = ReadFile(c["signing_key"].get<std::string>(), 1 << 20);
  ASSERT_OK(enc);
  ASSERT_OK(sig);

  intake::HubSetup hs;
  hs.data_dir = c["data"].get<std::string>();
  hs.specs_dir = testing::SpecsDir();
  hs.processor.key_policy.test_mode = true;
  ASSERT_OK(hs.data_schemas.AddJson(demo::kDataSchemaUri, demo::DataSchema()));
  intake::Destination d;
  d.id = c["destination"];
  d.tenant = kTenant;
  auto enc_key = jose::Jwk::Parse(*enc);
  auto sig_key = jose::Jwk::Parse(*sig);
  ASSERT_OK(enc_key);
  ASSERT_OK(sig_key);
  d.decryption_keys.Add(*enc_key);
  d.signing_key = *sig_key;
  d.trusted_issuer = c["api"];
  d.api = std::make_shared<submission_api::SubscriberClient>(submission_api::Endpoint{
      .api_url = c["api"], .token_url = c["token"],
      .client_id = c["client_id"], .client_secret = c["client_secret"]});
  hs.destinations.push_back(d);
  auto hub = intake::Hub::Create(std::move(hs));
  ASSERT_OK(hub);
  for (;;) {
    (void)(*hub)->PollOnce();
    (*hub)->ProcessDue();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace
}  // namespace ds
