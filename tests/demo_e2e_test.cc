// End to end over loopback: the local Zustelldienst and the hub in one
// process, sample applications sent as a portal sends them, picked up,
// checked, filed and accepted; a second run files nothing twice.
#include <atomic>
#include <nlohmann/json.hpp>

#include "core/testing/testing.h"
#include "demo/run.h"
#include "records/store.h"

namespace ds {
namespace {

demo::DemoOptions Options(const std::filesystem::path& data) {
  demo::DemoOptions o;
  o.data_dir = data;
  o.specs_dir = testing::SpecsDir();
  o.count = 4;
  o.once = true;
  o.timeout_seconds = 120;
  return o;
}

TEST(DemoEndToEnd, AcceptsAndFilesEverySampleExactlyOnce) {
  testing::TempDir dir;

  Result<demo::DemoSummary> first = demo::RunDemo(Options(dir.path()));
  ASSERT_OK(first);
  EXPECT_EQ(first->sent, 4);
  EXPECT_EQ(first->accepted, 4);
  EXPECT_EQ(first->rejected, 0);
  EXPECT_EQ(first->filed_total, 4);
  // Each case also went to the demo DMS as one xdomea package.
  EXPECT_EQ(first->dms_packages, 4);
  for (const auto& c : first->cases) {
    EXPECT_EQ(c.state, "accepted") << c.label << " " << c.problems;
    EXPECT_FALSE(c.vorgang_id.empty());
  }

  Result<demo::DemoSummary> second = demo::RunDemo(Options(dir.path()));
  ASSERT_OK(second);
  EXPECT_EQ(second->accepted, 4);
  EXPECT_EQ(second->filed_total, 8);  // four new ones, none of the first again
  EXPECT_EQ(second->dms_packages, 8);
}

TEST(DemoEndToEnd, FiledVorgangCarriesDocumentsVerdictsAndEventLog) {
  testing::TempDir dir;
  demo::DemoOptions o = Options(dir.path());
  o.count = 2;
  Result<demo::DemoSummary> run = demo::RunDemo(o);
  ASSERT_OK(run);
  ASSERT_EQ(run->accepted, 2);

  auto store = records::Store::OpenSqlite(dir.path());
  ASSERT_OK(store);
  // The second sample has two PDF attachments.
  auto v = (*store)->GetVorgang("demo-musterstadt", run->cases[1].vorgang_id);
  ASSERT_OK(v);

  EXPECT_EQ(v->submission_id, run->cases[1].submission_id);
  ASSERT_EQ(v->dokumente.size(), 3u);  // form data + two attachments
  EXPECT_EQ(v->dokumente[0].purpose, "form");
  for (const auto& d : v->dokumente) {
    ASSERT_FALSE(d.formats.empty());
    EXPECT_FALSE(d.formats[0].content_address.empty());
  }
  // Without clamd the virus scan is missing: the gate must not call that
  // clean, but the demo runs without the scan requirement; the PDFs are
  // plain, so they are clean.
  EXPECT_EQ(v->dokumente[1].verdict, records::Verdict::kClean) << v->dokumente[1].findings_json;
  // The event log holds the Zustelldienst's create and submit events.
  EXPECT_GE(v->event_log.size(), 2u);

  auto audit = (*store)->VerifyAudit();
  ASSERT_OK(audit);
  EXPECT_TRUE(audit->ok());
}

// Without --once the demo serves until stopped and prints a fresh API
// token (tenant-admin, as the demo account); the tokens of earlier runs
// stop working.
TEST(DemoEndToEnd, OnlyTheLatestRunsApiTokenIsValid) {
  testing::TempDir dir;
  std::atomic<bool> stop{true};  // serve, then stop at once
  for (int run = 0; run < 2; ++run) {
    demo::DemoOptions o = Options(dir.path());
    o.once = false;
    o.count = 1;
    o.hub_listen = "127.0.0.1:0";
    o.stop = &stop;
    ASSERT_OK(demo::RunDemo(o));
  }
  auto store = records::Store::OpenSqlite(dir.path());
  ASSERT_OK(store);
  auto valid = (*store)->ListApiTokens("demo-musterstadt", false);
  ASSERT_OK(valid);
  auto all = (*store)->ListApiTokens("demo-musterstadt", true);
  ASSERT_OK(all);
  EXPECT_EQ(valid->size(), 1u);
  EXPECT_EQ(all->size(), 2u);
  // The demo account's role, so that the documented dry runs work with it.
  ASSERT_FALSE(valid->empty());
  EXPECT_EQ((*valid)[0].role, "tenant-admin");
}

}  // namespace
}  // namespace ds
