// The journal's cases, run once per backend: SQLite in intake_test,
// PostgreSQL in intake_journal_pg_test (journal_backend_*_test.cc define
// OpenTestJournal for their backend).
#include "intake/journal_test_support.h"

#include <mutex>
#include <set>
#include <thread>

namespace ds::intake {
namespace {

class JournalTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto j = OpenTestJournal(dir_.path(), /*fresh=*/true);
    ASSERT_OK(j);
    journal_ = std::move(*j);
  }
  testing::TempDir dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_P(JournalTest, ReceivesEachSubmissionOnce) {
  EXPECT_TRUE(*journal_->Receive("s1", "c1", "d1"));
  EXPECT_FALSE(*journal_->Receive("s1", "c1", "d1"));
}

TEST_P(JournalTest, StatesOnlyMoveForward) {
  ASSERT_OK(journal_->Receive("s1", "c1", "d1").status());
  ASSERT_OK(journal_->Advance("s1", State::kFetched));
  ASSERT_OK(journal_->Advance("s1", State::kChecked));

  EXPECT_THAT(journal_->Advance("s1", State::kFetched), testing::StatusIs(Code::kConflict));
  EXPECT_THAT(journal_->Advance("s1", State::kRejecting), testing::StatusIs(Code::kConflict));
  ASSERT_OK(journal_->Advance("s1", State::kFiled, "v1"));
  ASSERT_OK(journal_->Advance("s1", State::kAccepted));
  EXPECT_THAT(journal_->Advance("s1", State::kRejected), testing::StatusIs(Code::kConflict));

  auto e = journal_->Get("s1");
  ASSERT_OK(e);
  EXPECT_EQ((*e)->state, State::kAccepted);
  EXPECT_EQ((*e)->vorgang_id, "v1");
}

TEST_P(JournalTest, ClaimsSkipLeasedAndWaitingEntries) {
  ASSERT_OK(journal_->Receive("s1", "c1", "d1").status());
  ASSERT_OK(journal_->Receive("s2", "c2", "d1").status());
  ASSERT_OK(journal_->Fail("s2", "clamd down", 1000));

  auto first = journal_->ClaimDue(10, 100, 60);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].submission_id, "s1");

  auto again = journal_->ClaimDue(10, 120, 60);  // s1 still leased
  ASSERT_OK(again);
  EXPECT_TRUE(again->empty());

  auto later = journal_->ClaimDue(10, 1000, 60);  // lease over, s2 due
  ASSERT_OK(later);
  EXPECT_EQ(later->size(), 2u);
}

TEST_P(JournalTest, RenewedClaimsStayAndExpiredOrFinishedOnesAreNotRenewed) {
  for (const char* sid : {"s1", "s2", "s3"}) {
    ASSERT_OK(journal_->Receive(sid, std::string("c") + sid, "d1").status());
  }
  auto claimed = journal_->ClaimDue(10, 100, 60);  // held until 160
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 3u);
  ASSERT_OK(journal_->Advance("s2", State::kRejecting, "", "[]"));
  ASSERT_OK(journal_->Advance("s2", State::kRejected));
  ASSERT_OK(journal_->Fail("s3", "clamd down", 0));  // gives up its claim

  ASSERT_OK(journal_->ExtendClaims({"s1", "s2", "s3"}, 150, 210));
  // s1 is still held at 200 although its first lease ended at 160; s3 was
  // given up and is not taken back by the renewal.
  auto at200 = journal_->ClaimDue(10, 200, 60);
  ASSERT_OK(at200);
  ASSERT_EQ(at200->size(), 1u);
  EXPECT_EQ((*at200)[0].submission_id, "s3");

  // A claim that has run out is not renewed: another worker may hold it.
  ASSERT_OK(journal_->ExtendClaims({"s1"}, 220, 400));
  auto at230 = journal_->ClaimDue(10, 230, 60);
  ASSERT_OK(at230);
  ASSERT_EQ(at230->size(), 1u);
  EXPECT_EQ((*at230)[0].submission_id, "s1");
}

TEST_P(JournalTest, SurvivesReopening) {
  ASSERT_OK(journal_->Receive("s1", "c1", "d1").status());
  ASSERT_OK(journal_->Advance("s1", State::kRejecting, "", R"([{"type":"x"}])"));
  journal_.reset();

  auto j = OpenTestJournal(dir_.path(), /*fresh=*/false);
  ASSERT_OK(j);
  auto e = (*j)->Get("c1");  // by case id
  ASSERT_OK(e);
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->state, State::kRejecting);
  EXPECT_EQ((*e)->problems_json, R"([{"type":"x"}])");
}

// Two journals on one database stand for two hub processes. Each takes
// one entry at a time from several threads; no entry may be handed out
// twice while its lease runs, and every entry is handed out.
TEST_P(JournalTest, TwoProcessesNeverClaimTheSameEntry) {
  constexpr int kEntries = 300;
  for (int i = 0; i < kEntries; ++i) {
    std::string id = "s" + std::to_string(i);
    ASSERT_OK(journal_->Receive(id, "c" + std::to_string(i), "d1").status());
  }
  auto second = OpenTestJournal(dir_.path(), /*fresh=*/false);
  ASSERT_OK(second);
  std::vector<Journal*> journals = {journal_.get(), second->get()};

  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::string> errors;
  std::vector<std::thread> workers;
  for (Journal* j : journals) {
    for (int t = 0; t < 3; ++t) {
      workers.emplace_back([&, j] {
        for (;;) {
          auto due = j->ClaimDue(1, 100, 3600);
          std::lock_guard<std::mutex> lock(mu);
          if (!due.ok()) {
            // SQLite reports a busy database as kUnavailable; retry.
            if (due.status().code() == Code::kUnavailable) continue;
            errors.push_back(due.status().message());
            return;
          }
          if (due->empty()) return;
          for (const auto& e : *due) claimed.insert(e.submission_id);
        }
      });
    }
  }
  for (auto& w : workers) w.join();

  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kEntries));
  std::set<std::string> distinct(claimed.begin(), claimed.end());
  EXPECT_EQ(distinct.size(), claimed.size()) << "an entry was claimed twice";
}

INSTANTIATE_TEST_SUITE_P(Backend, JournalTest, ::testing::Values(kTestBackend));

}  // namespace
}  // namespace ds::intake
