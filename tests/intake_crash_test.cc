// The hub and the Zustelldienst survive being killed. The real binaries run
// as separate processes, set up as an operator would set them up (a
// Zustelldienst setup file, a hub configuration with key and secret
// files): `drehscheibe zustelldienst` and `drehscheibe serve`. While 200
// submissions flow, the hub is killed with SIGKILL at random points and
// restarted; then the Zustelldienst is killed and restarted while the hub
// works through the backlog. After an undisturbed last run every submission
// is accepted and filed exactly once, the audit trail verifies, /metrics
// counts the accepts and `intake status` shows a verified event log.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "submission_api/client.h"
#include "support/operator_install.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::CachedKey;
using testing::CountState;
using testing::MetricValue;
using testing::Process;
using testing::RunCli;
using testing::SenderStates;
using testing::WaitForHttp;

constexpr int kSubmissions = 200;

TEST(IntakeCrash,
     EverySubmissionFiledExactlyOnceAcrossKillsOfHubAndZustelldienst) {
  testing::TempDir dir;
  testing::OperatorInstall inst{.root = dir.path()};
  ASSERT_NE(inst.zd_port, 0);
  ASSERT_NE(inst.hub_port, 0);
  ASSERT_OK(inst.Write(CachedKey("encryption-new", "RSA-OAEP-256"),
                       CachedKey("signing", "PS512")));
  fs::path hub_data = dir.path() / "hub";
  Process zd(inst.ZustelldienstArgs(dir.path() / "zd"),
             dir.path() / "zustelldienst.log");
  Process hub(inst.ServeArgs(hub_data), dir.path() / "hub.log");
  zd.Start();
  ASSERT_TRUE(WaitForHttp(inst.zd_url() + "/.well-known/jwks.json", 30))
      << "zustelldienst did not start; see " << zd.log();

  submission_api::SenderClient sender(inst.SenderEndpoint());
  auto jwks = sender.GetServiceJwks();
  ASSERT_OK(jwks);

  // Phase 1: a portal sends while the hub is started and killed at random.
  std::vector<submission_api::SubmissionRef> refs;
  Status send_status;
  std::atomic<bool> sending{true};
  std::thread portal([&] {
    auto sent = testing::SendDemoApplications(sender, inst, kSubmissions);
    if (sent.ok()) {
      refs = std::move(*sent);
    } else {
      send_status = sent.status();
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
    ASSERT_TRUE(WIFSIGNALED(status))
        << "hub exited by itself; see " << hub.log();
    ++hub_kills;
  }
  portal.join();
  ASSERT_TRUE(send_status.ok()) << send_status.message();
  ASSERT_EQ(refs.size(), static_cast<size_t>(kSubmissions));
  int accepted_phase1 =
      CountState(SenderStates(sender, *jwks, refs), "accepted");
  std::cout << "hub killed " << hub_kills
            << " times; accepted meanwhile: " << accepted_phase1 << "\n";

  // Phase 2: the hub works through the backlog while the Zustelldienst is
  // killed under it and restarted on the same port.
  hub.Start();
  std::uniform_int_distribution<int> zd_alive_ms(500, 2000);
  int zd_kills = 0;
  for (; zd_kills < 3; ++zd_kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(zd_alive_ms(rng)));
    int status = zd.Kill(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "zustelldienst exited by itself; see " << zd.log();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    zd.Start();
    ASSERT_TRUE(WaitForHttp(inst.zd_url() + "/.well-known/jwks.json", 30))
        << zd.log();
  }

  // Phase 3: undisturbed until every submission is answered.
  std::map<std::string, std::string> states;
  auto deadline = Clock::now() + std::chrono::seconds(300);
  for (;;) {
    states = SenderStates(sender, *jwks, refs);
    if (CountState(states, "accepted") + CountState(states, "rejected") ==
        kSubmissions)
      break;
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
            << MetricValue(
                   metrics->body,
                   "drehscheibe_intake_submissions_total{destination=\"" +
                       inst.destination +
                       "\",outcome=\"accepted\",problem=\"\"}")
            << "\n";
  EXPECT_EQ(MetricValue(metrics->body,
                        "drehscheibe_intake_queue_depth{destination=\"" +
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
  auto [code, out] =
      RunCli("--data " + hub_data.string() + " intake status --json --config " +
             config + " " + refs.front().submission_id);
  ASSERT_EQ(code, 0) << out;
  json status = json::parse(out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_EQ(status["state"], "accepted");
  EXPECT_EQ(status["event_log"]["verified"], true) << out;
  std::vector<std::string> events;
  for (const auto& e : status["event_log"]["events"])
    events.push_back(e["event"]);
  EXPECT_EQ(events,
            (std::vector<std::string>{"create-submission", "submit-submission",
                                      "accept-submission"}))
      << out;

  EXPECT_EQ(hub.Kill(SIGTERM), 0)
      << "hub did not stop cleanly on SIGTERM; see " << hub.log();
  (void)zd.Kill(SIGTERM);

  auto store = records::Store::OpenSqlite(hub_data);
  ASSERT_OK(store);
  std::map<std::string, int> filed;
  records::InboxFilter f;
  f.tenant = inst.tenant;
  f.limit = 500;
  for (;;) {
    auto page = (*store)->ListInbox(f);
    ASSERT_OK(page);
    for (const auto& v : page->items) ++filed[v.submission_id];
    if (page->next_cursor.empty()) break;
    f.after = page->next_cursor;
  }
  EXPECT_EQ(filed.size(), static_cast<size_t>(kSubmissions));
  for (const auto& ref : refs)
    EXPECT_EQ(filed[ref.submission_id], 1) << ref.submission_id;
  auto audit = (*store)->VerifyAudit();
  ASSERT_OK(audit);
  EXPECT_TRUE(audit->ok());
}

}  // namespace
}  // namespace ds
