// Two hub processes share one PostgreSQL database: the real `drehscheibe
// serve`, twice, with the same configuration apart from the listen address,
// polling the same destination of the real `drehscheibe zustelldienst`.
// Both take part in the work (claims with FOR UPDATE SKIP LOCKED), and when
// one is killed with SIGKILL in the middle, the other takes over what the
// dead one had claimed once its lease runs out. Afterwards every submission
// is accepted and filed exactly once in the shared E-Akte.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "sql/testing/postgres_server.h"
#include "submission_api/client.h"
#include "support/operator_install.h"

namespace ds {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::CountState;
using testing::MetricValue;
using testing::Process;
using testing::WaitForHttp;

sql::testing::PostgresServer* const pg = sql::testing::AddPostgresServer();

constexpr int kSubmissions = 60;

// Accepts counted by a running hub since its start.
double Accepted(const testing::OperatorInstall& inst, int port) {
  auto metrics = net::Fetch({.url = inst.hub_url(port) + "/metrics"});
  if (!metrics.ok() || metrics->status != 200) return -1;
  return MetricValue(metrics->body,
                     "drehscheibe_intake_submissions_total{destination=\"" +
                         inst.destination +
                         "\",outcome=\"accepted\",problem=\"\"}");
}

TEST(IntakeSharedPostgres,
     TwoServeProcessesShareTheWorkAndSurviveTheDeathOfOne) {
  testing::TempDir dir;
  auto db = pg->NewDatabase();
  ASSERT_OK(db);
  testing::OperatorInstall inst{.root = dir.path(),
                                .database_url = pg->Conninfo(*db)};
  const int second_port = testing::FreePort();
  ASSERT_NE(second_port, 0);
  ASSERT_OK(inst.Write(testing::CachedKey("encryption-new", "RSA-OAEP-256"),
                       testing::CachedKey("signing", "PS512")));
  ASSERT_OK(inst.WriteHubConfig("hub-b.toml", second_port));

  // One data directory for the file store, as a shared volume would be.
  fs::path hub_data = dir.path() / "hub";
  Process zd(inst.ZustelldienstArgs(dir.path() / "zd"),
             dir.path() / "zustelldienst.log");
  Process hub_a(inst.ServeArgs(hub_data), dir.path() / "hub-a.log");
  Process hub_b(inst.ServeArgs(hub_data, "hub-b.toml"),
                dir.path() / "hub-b.log");
  zd.Start();
  ASSERT_TRUE(WaitForHttp(inst.zd_url() + "/.well-known/jwks.json", 30))
      << zd.log();
  hub_a.Start();
  hub_b.Start();
  ASSERT_TRUE(WaitForHttp(inst.hub_url() + "/metrics", 30)) << hub_a.log();
  ASSERT_TRUE(WaitForHttp(inst.hub_url(second_port) + "/metrics", 30))
      << hub_b.log();

  submission_api::SenderClient sender(inst.SenderEndpoint());
  auto jwks = sender.GetServiceJwks();
  ASSERT_OK(jwks);
  auto refs = testing::SendDemoApplications(sender, inst, kSubmissions);
  ASSERT_OK(refs);

  // Wait until both hubs have accepted something and some work is left,
  // then kill one of them in the middle of its work.
  auto deadline = Clock::now() + std::chrono::seconds(120);
  double a = 0, b = 0;
  while (Clock::now() < deadline) {
    a = Accepted(inst, inst.hub_port);
    b = Accepted(inst, second_port);
    if ((a > 0 && b > 0) || a + b >= kSubmissions / 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cout << "before the kill: hub a accepted " << a << ", hub b " << b
            << "\n";
  EXPECT_GT(a, 0) << "hub a took no part; see " << hub_a.log();
  EXPECT_GT(b, 0) << "hub b took no part; see " << hub_b.log();
  int status = hub_a.Kill(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status))
      << "hub a exited by itself; see " << hub_a.log();

  std::map<std::string, std::string> states;
  deadline = Clock::now() + std::chrono::seconds(300);
  for (;;) {
    states = testing::SenderStates(sender, *jwks, *refs);
    if (CountState(states, "accepted") + CountState(states, "rejected") ==
        kSubmissions)
      break;
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (const auto& ref : *refs) {
    EXPECT_EQ(states[ref.submission_id], "accepted") << ref.submission_id;
  }
  // One create, one submit and one accept per case: no submission was
  // answered twice by the two hubs.
  for (const auto& ref : *refs) {
    auto events = sender.GetEvents(ref.case_id);
    ASSERT_OK(events);
    EXPECT_EQ(events->events.size(), 3u) << ref.case_id;
  }
  double b_total = Accepted(inst, second_port);
  std::cout << "hub b accepted " << b_total << " in all\n";
  EXPECT_GT(b_total, b) << "hub b did not go on after hub a died";
  EXPECT_LE(b_total, kSubmissions);
  EXPECT_EQ(hub_b.Kill(SIGTERM), 0) << hub_b.log();
  (void)zd.Kill(SIGTERM);

  auto store = records::Store::OpenPostgres(inst.database_url, hub_data);
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
  for (const auto& ref : *refs)
    EXPECT_EQ(filed[ref.submission_id], 1) << ref.submission_id;
  auto audit = (*store)->VerifyAudit();
  ASSERT_OK(audit);
  EXPECT_TRUE(audit->ok());
}

}  // namespace
}  // namespace ds
