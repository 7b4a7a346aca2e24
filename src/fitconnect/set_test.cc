#include "fitconnect/set.h"

#include "core/encoding.h"
#include "fitconnect/test_keys.h"
#include "jose/jws.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::StatusIs;
using namespace ::ds::fitconnect::testing;
using nlohmann::json;

constexpr char kVectorSubmission[] = "5e82c135-a3b7-4eb0-bd83-6df337331170";
constexpr char kVectorCase[] = "c9f0db91-9355-451a-b2a5-7a9be10ce765";

const jose::Jwk& VectorZustelldienstKey() {
  static const jose::Jwk* key = [] {
    auto jwks = jose::Jwks::Parse(ReadVector("jose-utils/jwks.json"));
    EXPECT_OK(jwks);
    return new jose::Jwk(jwks->keys().at(0));
  }();
  return *key;
}

AuthenticationTags Tags() {
  return {"XFBoMYUZodetZdvTiFvSkQ", "UCGiqJxhBI3IFVdPalHHvA",
          {{"654bf3b3-787d-4606-8913-efd769f69db7", "gZGx1fiD_gmTXJ2f_Esh_A"}}};
}

// Signs an arbitrary payload/header with the destination key.
std::string SignRaw(const json& payload, json header = {{"typ", "secevent+jwt"}}) {
  auto jws = jose::SignPs512(DestinationKey(), header, payload.dump());
  EXPECT_OK(jws);
  return *jws;
}

json ValidPayload() {
  return {{"$schema", kSetPayloadSchema122},
          {"jti", NewUuid()},
          {"iss", kDestinationId},
          {"iat", UnixNow()},
          {"sub", std::string("submission:") + kSubmissionId},
          {"txn", std::string("case:") + kCaseId},
          {"events", {{EventUri(EventType::kAcceptSubmission),
                       {{"authenticationTags", Tags().ToJson()}}}}}};
}

SetExpectations Expect() { return {.submission_id = kSubmissionId, .case_id = kCaseId}; }

TEST(Set, RealTestingEnvironmentTokenVerifies) {
  std::string set = ReadVector("derived/set-testing-create-submission.jwt");

  Result<VerifiedSet> v = VerifySet(
      set, VectorZustelldienstKey(),
      {.submission_id = kVectorSubmission, .case_id = kVectorCase});

  ASSERT_OK(v);
  EXPECT_EQ(v->kid, "32858147-f090-43a9-b2fd-d26ae5b41c03");
  EXPECT_EQ(v->claims.issuer, "https://submission-api-testing.fit-connect.fitko.dev");
  EXPECT_EQ(v->claims.issued_at, 1651656151);
  EXPECT_EQ(v->claims.event_type, EventType::kCreateSubmission);
  EXPECT_EQ(v->claims.schema, kSetPayloadSchema100);
}

TEST(Set, RealTokenFailsForAnotherSubmissionOrCase) {
  std::string set = ReadVector("derived/set-testing-create-submission.jwt");

  EXPECT_THAT(VerifySet(set, VectorZustelldienstKey(),
                        {.submission_id = kSubmissionId}),
              StatusIs(Code::kCheckFailed, "sub is not"));
  EXPECT_THAT(VerifySet(set, VectorZustelldienstKey(), {.case_id = kCaseId}),
              StatusIs(Code::kCheckFailed, "txn is not"));
}

TEST(Set, DocsExampleTokenDoesNotVerify) {
  std::string set = ReadVector("derived/set-docs-example-submit-submission.jwt");
  Result<UnverifiedSet> inspected = InspectSet(set);
  ASSERT_OK(inspected);
  EXPECT_EQ(inspected->kid, "dd0409e5-410e-4d98-85b6-f81a40b8d980");

  EXPECT_THAT(VerifySet(set, VectorZustelldienstKey(), {}),
              StatusIs(Code::kCheckFailed, "does not match header kid"));
  // Even with the kid check out of the way, the signature is wrong.
  jose::Jwk anonymous = *jose::Jwk::FromPkey(VectorZustelldienstKey().pkey(),
                                             "", "PS512");
  EXPECT_THAT(VerifySet(set, anonymous, {}),
              StatusIs(Code::kCheckFailed, "signature"));
}

TEST(Set, SignedAcceptVerifiesWithClaims) {
  Result<std::string> set = SignSet(
      DestinationKey(),
      AcceptSubmission(kDestinationId, kSubmissionId, kCaseId, Tags()));
  ASSERT_OK(set);

  Result<VerifiedSet> v = VerifySet(*set, DestinationKey().PublicOnly(), Expect());

  ASSERT_OK(v);
  EXPECT_EQ(v->claims.schema, kSetPayloadSchema122);
  EXPECT_EQ(v->claims.issuer, kDestinationId);
  EXPECT_EQ(v->claims.event_type, EventType::kAcceptSubmission);
  EXPECT_EQ(v->claims.authentication_tags, Tags());
  EXPECT_TRUE(IsUuid(v->claims.jti));
  auto header = jose::ParseJws(*set)->header;
  EXPECT_EQ(header["typ"], "secevent+jwt");
  EXPECT_EQ(header["alg"], "PS512");
  EXPECT_EQ(header["kid"], "dest-test-1");
}

TEST(Set, SignedRejectCarriesProblems) {
  std::vector<RejectProblem> problems = {
      MakeProblem(ProblemKind::kHashMismatch, "data")};
  Result<std::string> set = SignSet(
      DestinationKey(),
      RejectSubmission(kDestinationId, kSubmissionId, kCaseId, problems));
  ASSERT_OK(set);

  Result<VerifiedSet> v = VerifySet(*set, DestinationKey().PublicOnly(), Expect());

  ASSERT_OK(v);
  EXPECT_EQ(v->claims.problems, problems);
}

TEST(Set, SignRefusesIncompleteRequests) {
  SetRequest accept = AcceptSubmission(kDestinationId, kSubmissionId, kCaseId, Tags());
  accept.authentication_tags.reset();
  EXPECT_THAT(SignSet(DestinationKey(), accept),
              StatusIs(Code::kInvalidInput, "authenticationTags"));
  EXPECT_THAT(SignSet(DestinationKey(),
                      RejectSubmission(kDestinationId, kSubmissionId, kCaseId, {})),
              StatusIs(Code::kInvalidInput, "problem"));
  EXPECT_THAT(SignSet(DestinationKey(),
                      CreateSubmission(kDeliveryServiceUrl, "42", kCaseId)),
              StatusIs(Code::kInvalidInput, "subject"));
  EXPECT_THAT(SignSet(DestinationKey().PublicOnly(),
                      CreateSubmission(kDeliveryServiceUrl, kSubmissionId, kCaseId)),
              StatusIs(Code::kInvalidInput));
}

TEST(Set, RejectsTamperedPayload) {
  std::string set = *SignSet(DestinationKey(),
                             CreateSubmission(kDeliveryServiceUrl, kSubmissionId, kCaseId));
  json payload = ValidPayload();
  payload["iss"] = "https://evil.example";
  std::string forged_payload = Base64UrlEncode(payload.dump());
  size_t a = set.find('.'), b = set.rfind('.');
  std::string forged = set.substr(0, a + 1) + forged_payload + set.substr(b);

  EXPECT_THAT(VerifySet(forged, DestinationKey().PublicOnly(), {}),
              StatusIs(Code::kCheckFailed, "signature"));
}

TEST(Set, RejectsWrongHeader) {
  EXPECT_THAT(VerifySet(SignRaw(ValidPayload(), {{"typ", "JWT"}}),
                        DestinationKey().PublicOnly(), {}),
              StatusIs(Code::kCheckFailed, "typ"));
  EXPECT_THAT(VerifySet(SignRaw(ValidPayload(), json::object()),
                        DestinationKey().PublicOnly(), {}),
              StatusIs(Code::kCheckFailed, "typ"));
}

TEST(Set, RejectsMalformedClaims) {
  struct Case {
    std::function<void(json&)> mutate;
    const char* message;
  };
  std::vector<Case> cases = {
      {[](json& p) { p["events"][EventUri(EventType::kCreateSubmission)] = json::object(); },
       "exactly one event"},
      {[](json& p) { p["events"] = json::object(); }, "exactly one event"},
      {[](json& p) { p["events"] = {{"https://example.org/ev", json::object()}}; },
       "not a FIT-Connect event"},
      {[](json& p) { p.erase("sub"); }, "claim sub"},
      {[](json& p) { p["sub"] = "submission:not-a-uuid"; }, "claim sub"},
      {[](json& p) { p["txn"] = std::string("submission:") + kCaseId; }, "claim txn"},
      {[](json& p) { p["iat"] = "yesterday"; }, "claim iat"},
      {[](json& p) { p["jti"] = 5; }, "claim jti"},
      {[](json& p) { p.erase("iss"); }, "claim iss"},
      {[](json& p) {
         p["$schema"] = "https://schema.fitko.de/fit-connect/set-payload/2.0.0/"
                        "set-payload.schema.json";
       },
       "$schema"},
      {[](json& p) {
         p["events"][EventUri(EventType::kAcceptSubmission)]["authenticationTags"]
          ["metadata"] = 1;
       },
       "authenticationTags"},
  };
  for (const Case& c : cases) {
    json payload = ValidPayload();
    c.mutate(payload);
    EXPECT_THAT(VerifySet(SignRaw(payload), DestinationKey().PublicOnly(), {}),
                StatusIs(Code::kCheckFailed, c.message))
        << payload.dump();
  }
}

TEST(Set, AcceptsOldTokensButNotFarFutureOnes) {
  json old = ValidPayload();
  old["iat"] = 1622796532;  // 2021
  EXPECT_OK(VerifySet(SignRaw(old), DestinationKey().PublicOnly(), Expect()));

  json future = ValidPayload();
  future["iat"] = UnixNow() + 3600;
  EXPECT_THAT(VerifySet(SignRaw(future), DestinationKey().PublicOnly(), Expect()),
              StatusIs(Code::kCheckFailed, "future"));
}

TEST(Set, UpperCaseUuidsMatchExpectations) {
  json payload = ValidPayload();
  std::string upper_case = kCaseId;
  for (char& c : upper_case) c = static_cast<char>(std::toupper(c));
  payload["txn"] = "case:" + upper_case;

  EXPECT_OK(VerifySet(SignRaw(payload), DestinationKey().PublicOnly(), Expect()));
}

TEST(Set, RejectsKeyNotForVerifyingOrWrongKey) {
  std::string set = SignRaw(ValidPayload());

  EXPECT_THAT(VerifySet(set, DeliveryServiceKey().PublicOnly(), {}),
              StatusIs(Code::kCheckFailed, "does not match header kid"));
  jose::Jwk impostor = *jose::Jwk::FromPkey(DeliveryServiceKey().pkey(),
                                            "dest-test-1", "PS512");
  EXPECT_THAT(VerifySet(set, impostor, {}),
              StatusIs(Code::kCheckFailed, "signature"));
}

TEST(Set, RejectsKeyWhoseKeyOpsExcludeVerify) {
  // The private key's key_ops are ["sign"].
  EXPECT_THAT(VerifySet(SignRaw(ValidPayload()), DestinationKey(), {}),
              StatusIs(Code::kCheckFailed, "not for verify"));
}

TEST(Set, EventUrisRoundTrip) {
  EXPECT_EQ(EventUri(EventType::kSubmitSubmission),
            "https://schema.fitko.de/fit-connect/events/submit-submission");
  EXPECT_EQ(EventTypeFromUri(EventUri(EventType::kRejectSubmission)),
            EventType::kRejectSubmission);
  EXPECT_EQ(EventTypeFromUri("https://schema.fitko.de/fit-connect/events/x"),
            std::nullopt);
}

}  // namespace
}  // namespace ds::fitconnect
