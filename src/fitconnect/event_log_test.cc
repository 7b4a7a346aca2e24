#include "fitconnect/event_log.h"

#include "fitconnect/test_keys.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::StatusIs;
using namespace ::ds::fitconnect::testing;

constexpr char kOtherSubmission[] = "7c2f4a10-1b2c-4d3e-8f90-a1b2c3d4e5f6";

AuthenticationTags Tags() {
  return {"XFBoMYUZodetZdvTiFvSkQ", "UCGiqJxhBI3IFVdPalHHvA", {}};
}

StaticKeyResolver Resolver() {
  StaticKeyResolver r;
  r.AddDeliveryService(kDeliveryServiceUrl,
                       jose::Jwks({DeliveryServiceKey().PublicOnly()}));
  r.AddDestination(kDestinationId, jose::Jwks({DestinationKey().PublicOnly()}));
  return r;
}

std::string Sign(const jose::Jwk& key, const SetRequest& request) {
  Result<std::string> set = SignSet(key, request);
  EXPECT_OK(set);
  return *set;
}

std::string Create(const char* submission = kSubmissionId) {
  return Sign(DeliveryServiceKey(),
              CreateSubmission(kDeliveryServiceUrl, submission, kCaseId));
}
std::string Submit(const char* submission = kSubmissionId) {
  return Sign(DeliveryServiceKey(),
              SubmitSubmission(kDeliveryServiceUrl, submission, kCaseId, Tags()));
}
std::string Accept() {
  return Sign(DestinationKey(),
              AcceptSubmission(kDestinationId, kSubmissionId, kCaseId, Tags()));
}
std::string RejectEvent() {
  return Sign(DestinationKey(),
              RejectSubmission(kDestinationId, kSubmissionId, kCaseId,
                               {MakeProblem(ProblemKind::kHashMismatch, "data")}));
}

void ExpectInvalidLog(const Status& s, const std::string& text) {
  EXPECT_THAT(s, StatusIs(Code::kCheckFailed, text));
  ASSERT_TRUE(s.problem().has_value());
  EXPECT_EQ(s.problem()->type, ProblemType(ProblemKind::kInvalidEventLog));
  EXPECT_EQ(s.problem()->instance, "submission");
}

TEST(EventLog, SubmittedLogYieldsTagsAndState) {
  Result<SubmissionLog> log = CheckSubmissionLog(
      {Create(), Submit()}, kCaseId, kSubmissionId, Resolver());

  ASSERT_OK(log);
  EXPECT_EQ(log->state, SubmissionState::kSubmitted);
  EXPECT_EQ(log->authentication_tags, Tags());
  EXPECT_EQ(log->events.size(), 2u);
}

TEST(EventLog, AcceptedAndRejectedStates) {
  Result<SubmissionLog> accepted = CheckSubmissionLog(
      {Create(), Submit(), Accept()}, kCaseId, kSubmissionId, Resolver(),
      {.destination_id = kDestinationId});
  ASSERT_OK(accepted);
  EXPECT_EQ(StateName(accepted->state), "accepted");

  Result<SubmissionLog> rejected = CheckSubmissionLog(
      {Create(), Submit(), RejectEvent()}, kCaseId, kSubmissionId, Resolver());
  ASSERT_OK(rejected);
  EXPECT_EQ(rejected->state, SubmissionState::kRejected);
  ASSERT_EQ(rejected->problems.size(), 1u);
  EXPECT_EQ(rejected->problems[0].type, ProblemType(ProblemKind::kHashMismatch));
}

TEST(EventLog, OtherSubmissionsInTheCaseAreVerifiedButNotCounted) {
  Result<SubmissionLog> log = CheckSubmissionLog(
      {Create(), Submit(), Create(kOtherSubmission), Submit(kOtherSubmission)},
      kCaseId, kSubmissionId, Resolver());

  ASSERT_OK(log);
  EXPECT_EQ(log->events.size(), 2u);
}

TEST(EventLog, RequiresExactlyOneSubmit) {
  ExpectInvalidLog(CheckSubmissionLog({Create()}, kCaseId, kSubmissionId,
                                      Resolver()).status(),
                   "found 0");
  ExpectInvalidLog(CheckSubmissionLog({Create(), Submit(), Submit()}, kCaseId,
                                      kSubmissionId, Resolver()).status(),
                   "found 2");
}

TEST(EventLog, SubmitMustComeFromTheZustelldienst) {
  std::string forged = Sign(
      DestinationKey(),
      SubmitSubmission(kDestinationId, kSubmissionId, kCaseId, Tags()));

  ExpectInvalidLog(CheckSubmissionLog({Create(), forged}, kCaseId,
                                      kSubmissionId, Resolver()).status(),
                   "not issued by a Zustelldienst");
}

TEST(EventLog, RejectsTokenSignedWithTheWrongKey) {
  SetRequest request = SubmitSubmission(kDeliveryServiceUrl, kSubmissionId,
                                        kCaseId, Tags());
  jose::Jwk wrong = *jose::Jwk::FromPkey(DestinationKey().pkey(), "zd-test-1",
                                         "PS512");
  std::string forged = Sign(wrong, request);

  ExpectInvalidLog(CheckSubmissionLog({Create(), forged}, kCaseId,
                                      kSubmissionId, Resolver()).status(),
                   "event 1: SET: verify: signature invalid");
}

TEST(EventLog, RejectsUnknownIssuerKidOrDestination) {
  std::string unknown_service = Sign(
      DeliveryServiceKey(),
      CreateSubmission("https://evil.example", kSubmissionId, kCaseId));
  ExpectInvalidLog(VerifyCaseEvents({unknown_service}, kCaseId, Resolver())
                       .status(),
                   "unknown Zustelldienst");

  std::string other_destination = Sign(
      DestinationKey(),
      AcceptSubmission(kOtherSubmission, kSubmissionId, kCaseId, Tags()));
  ExpectInvalidLog(VerifyCaseEvents({other_destination}, kCaseId, Resolver(),
                                    {.destination_id = kDestinationId})
                       .status(),
                   "another destination");
  ExpectInvalidLog(VerifyCaseEvents({other_destination}, kCaseId, Resolver())
                       .status(),
                   "unknown destination");

  std::string not_url = Sign(DeliveryServiceKey(),
                             CreateSubmission("http://zustelldienst.test",
                                              kSubmissionId, kCaseId));
  ExpectInvalidLog(VerifyCaseEvents({not_url}, kCaseId, Resolver()).status(),
                   "neither https URL nor UUID");
}

TEST(EventLog, RejectsEventOfAnotherCase) {
  std::string other_case = Sign(
      DeliveryServiceKey(),
      CreateSubmission(kDeliveryServiceUrl, kSubmissionId, kOtherSubmission));

  ExpectInvalidLog(VerifyCaseEvents({Create(), other_case}, kCaseId, Resolver())
                       .status(),
                   "event 1: SET: txn");
}

TEST(EventLog, ResolverOutageIsNotARejection) {
  FunctionKeyResolver down(
      [](std::string_view, std::string_view) -> Result<jose::Jwk> {
        return Unavailable("jwks fetch timed out");
      },
      [](std::string_view, std::string_view) -> Result<jose::Jwk> {
        return Unavailable("destination key fetch timed out");
      });

  Status s = VerifyCaseEvents({Create()}, kCaseId, down).status();

  EXPECT_THAT(s, StatusIs(Code::kUnavailable, "timed out"));
  EXPECT_FALSE(s.problem().has_value());
}

TEST(EventLog, RealTestingTokenVerifiesThroughResolver) {
  StaticKeyResolver r;
  r.AddDeliveryService("https://submission-api-testing.fit-connect.fitko.dev",
                       *jose::Jwks::Parse(ReadVector("jose-utils/jwks.json")));
  std::string set = ReadVector("derived/set-testing-create-submission.jwt");

  Result<std::vector<VerifiedSet>> events =
      VerifyCaseEvents({set}, "c9f0db91-9355-451a-b2a5-7a9be10ce765", r);

  ASSERT_OK(events);
  EXPECT_EQ(DeriveState(*events, "5e82c135-a3b7-4eb0-bd83-6df337331170"),
            SubmissionState::kIncomplete);
  ExpectInvalidLog(CheckSubmissionLog({set}, "c9f0db91-9355-451a-b2a5-7a9be10ce765",
                                      "5e82c135-a3b7-4eb0-bd83-6df337331170", r)
                       .status(),
                   "found 0");
}

TEST(EventLog, DocsExampleTokenFailsInALog) {
  StaticKeyResolver r;
  r.AddDeliveryService("https://submission-api-testing.fit-connect.fitko.dev",
                       *jose::Jwks::Parse(ReadVector("jose-utils/jwks.json")));
  std::string docs = ReadVector("derived/set-docs-example-submit-submission.jwt");

  EXPECT_THAT(VerifyCaseEvents({docs}, "", r), StatusIs(Code::kCheckFailed));
}

}  // namespace
}  // namespace ds::fitconnect
