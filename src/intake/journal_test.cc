#include "intake/journal_sqlite.h"

#include "core/testing/testing.h"

namespace ds::intake {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = OpenSqliteJournal(dir_.path() / "journal.sqlite");
    ASSERT_OK(j);
    journal_ = std::move(*j);
  }
  testing::TempDir dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalTest, ReceivesEachSubmissionOnce) {
  EXPECT_TRUE(*journal_->Receive("s1", "c1", "d1"));
  EXPECT_FALSE(*journal_->Receive("s1", "c1", "d1"));
}

TEST_F(JournalTest, StatesOnlyMoveForward) {
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

TEST_F(JournalTest, ClaimsSkipLeasedAndWaitingEntries) {
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

TEST_F(JournalTest, SurvivesReopening) {
  ASSERT_OK(journal_->Receive("s1", "c1", "d1").status());
  ASSERT_OK(journal_->Advance("s1", State::kRejecting, "", R"([{"type":"x"}])"));
  journal_.reset();

  auto j = OpenSqliteJournal(dir_.path() / "journal.sqlite");
  ASSERT_OK(j);
  auto e = (*j)->Get("c1");  // by case id
  ASSERT_OK(e);
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->state, State::kRejecting);
  EXPECT_EQ((*e)->problems_json, R"([{"type":"x"}])");
}

}  // namespace
}  // namespace ds::intake
