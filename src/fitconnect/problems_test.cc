#include "fitconnect/problems.h"

#include "core/testing/testing.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::StatusIs;

TEST(Problems, TypeUrisLiveUnderTheFitConnectProblemBase) {
  EXPECT_EQ(ProblemType(ProblemKind::kHashMismatch),
            "https://schema.fitko.de/fit-connect/events/problems/"
            "hash-mismatch");
  EXPECT_EQ(ProblemName(ProblemKind::kAttachmentsMismatch),
            "attachments-mismatch");
}

TEST(Problems, KindRoundTripsThroughTypeUri) {
  for (ProblemKind kind :
       {ProblemKind::kEncryptionIssue, ProblemKind::kSchemaViolation,
        ProblemKind::kIncorrectAuthenticationTag,
        ProblemKind::kInvalidEventLog, ProblemKind::kTechnicalError}) {
    EXPECT_EQ(ProblemKindFromType(ProblemType(kind)), kind);
  }
}

TEST(Problems, UnknownTypeHasNoKind) {
  EXPECT_EQ(ProblemKindFromType(
                "https://schema.fitko.de/fit-connect/events/problems/nope"),
            std::nullopt);
  EXPECT_EQ(ProblemKindFromType("https://example.org/hash-mismatch"),
            std::nullopt);
}

TEST(Problems, RejectCarriesProblemAndDetail) {
  Status s = Reject(ProblemKind::kHashMismatch,
                    AttachmentInstance("654bf3b3-787d-4606-8913-efd769f69db7"),
                    "hash of attachment differs");

  EXPECT_THAT(s, StatusIs(Code::kCheckFailed, "hash of attachment differs"));
  ASSERT_TRUE(s.problem().has_value());
  EXPECT_EQ(s.problem()->instance,
            "attachment:654bf3b3-787d-4606-8913-efd769f69db7");

  RejectProblem p = ProblemFromStatus(s);
  EXPECT_EQ(p.type, ProblemType(ProblemKind::kHashMismatch));
  EXPECT_EQ(p.title, "Prüfsumme stimmt nicht");
  EXPECT_EQ(p.detail, "hash of attachment differs");
}

TEST(Problems, StatusWithoutProblemBecomesTechnicalError) {
  RejectProblem p = ProblemFromStatus(Unavailable("clamd down"));

  EXPECT_EQ(p.type, ProblemType(ProblemKind::kTechnicalError));
  EXPECT_EQ(p.instance, "submission");
}

TEST(Problems, JsonRoundTrip) {
  RejectProblem p = MakeProblem(ProblemKind::kSchemaViolation, "metadata");

  Result<RejectProblem> back = RejectProblem::FromJson(p.ToJson());

  ASSERT_OK(back);
  EXPECT_EQ(*back, p);
}

TEST(Problems, FromJsonRejectsMissingTypeAndNonStrings) {
  EXPECT_THAT(RejectProblem::FromJson({{"title", "x"}}),
              StatusIs(Code::kInvalidInput, "no type"));
  EXPECT_THAT(RejectProblem::FromJson({{"type", "x"}, {"title", 3}}),
              StatusIs(Code::kInvalidInput, "title"));
  EXPECT_THAT(RejectProblem::FromJson(nlohmann::json::array()),
              StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::fitconnect
