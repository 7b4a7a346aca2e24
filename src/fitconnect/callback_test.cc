#include "fitconnect/callback.h"

#include "core/testing/testing.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::StatusIs;

// Inputs from specs test-vectors/derived/README.md (self-computed value).
constexpr std::string_view kSecret = "callback-secret";
constexpr std::string_view kTimestamp = "1788343200";
constexpr std::string_view kBody = "{\n  \"type\": \"test\"\n}";
constexpr std::string_view kKnownHmac =
    "8167b407af77c61479cfbed03e23b024efa31603df46d8bbee798a2ebd6baa9c"
    "9b3e72e5035589dafc08fa7874d8851c3f4d126d4fbf62c1a681e35961688f9f";
constexpr int64_t kNow = 1788343200;

TEST(Callback, HmacMatchesKnownAnswer) {
  ASSERT_EQ(kBody.size(), 20u);
  EXPECT_EQ(CallbackHmac(kSecret, kTimestamp, kBody), kKnownHmac);
}

TEST(Callback, AcceptsKnownAnswerWithinWindow) {
  EXPECT_OK(VerifyCallback(kSecret, kKnownHmac, kTimestamp, kBody, kNow));
  EXPECT_OK(VerifyCallback(kSecret, kKnownHmac, kTimestamp, kBody, kNow + 299));
}

TEST(Callback, RejectsBodyChangedByOneByte) {
  std::string crlf = "{\r\n  \"type\": \"test\"\r\n}";
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, kTimestamp, crlf, kNow),
              StatusIs(Code::kUnauthenticated, "does not match"));
  std::string trailing = std::string(kBody) + "\n";
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, kTimestamp, trailing, kNow),
              StatusIs(Code::kUnauthenticated, "does not match"));
}

TEST(Callback, RejectsWrongSecret) {
  EXPECT_THAT(VerifyCallback("other", kKnownHmac, kTimestamp, kBody, kNow),
              StatusIs(Code::kUnauthenticated, "does not match"));
}

TEST(Callback, RejectsStaleAndFutureTimestamps) {
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, kTimestamp, kBody, kNow + 301),
              StatusIs(Code::kUnauthenticated, "older"));
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, kTimestamp, kBody, kNow - 301),
              StatusIs(Code::kUnauthenticated, "future"));
}

TEST(Callback, MissingOrMalformedHeadersAreUnauthenticated) {
  EXPECT_THAT(VerifyCallback(kSecret, std::nullopt, kTimestamp, kBody, kNow),
              StatusIs(Code::kUnauthenticated, "missing callback-authentication"));
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, std::nullopt, kBody, kNow),
              StatusIs(Code::kUnauthenticated, "missing callback-timestamp"));
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, "17883432OO", kBody, kNow),
              StatusIs(Code::kUnauthenticated, "malformed callback-timestamp"));
  EXPECT_THAT(VerifyCallback(kSecret, kKnownHmac, "", kBody, kNow),
              StatusIs(Code::kUnauthenticated, "malformed callback-timestamp"));
  EXPECT_THAT(VerifyCallback(kSecret, "abc", kTimestamp, kBody, kNow),
              StatusIs(Code::kUnauthenticated, "malformed callback-auth"));
  EXPECT_THAT(VerifyCallback("", kKnownHmac, kTimestamp, kBody, kNow),
              StatusIs(Code::kInvalidInput));
}

TEST(Callback, UpperCaseHexIsAccepted) {
  std::string upper(kKnownHmac);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_OK(VerifyCallback(kSecret, upper, kTimestamp, kBody, kNow));
}

TEST(Callback, SignerOutputVerifies) {
  std::string body = NewSubmissionsCallbackBody(
      {{"d12caea8-0000-4000-8000-000000000001",
        "f39ab143-0000-4000-8000-000000000002",
        "9eec7d3e-0000-4000-8000-000000000003"}});

  CallbackHeaders h = SignCallback("s3cret", body, kNow);

  EXPECT_EQ(h.timestamp, "1788343200");
  EXPECT_OK(VerifyCallback("s3cret", h.authentication, h.timestamp, body, kNow));
  Result<CallbackNotification> n = ParseCallbackBody(body);
  ASSERT_OK(n);
  EXPECT_EQ(n->type, kCallbackNewSubmissions);
  ASSERT_EQ(n->submissions.size(), 1u);
  EXPECT_EQ(n->submissions[0].case_id, "9eec7d3e-0000-4000-8000-000000000003");
}

TEST(Callback, ParsesDeprecatedSubmissionIdsAndRejectsBadIds) {
  Result<CallbackNotification> old = ParseCallbackBody(
      R"({"type":"x","submissionIds":["f39ab143-0000-4000-8000-000000000002"]})");
  ASSERT_OK(old);
  EXPECT_EQ(old->submissions[0].submission_id,
            "f39ab143-0000-4000-8000-000000000002");

  EXPECT_THAT(ParseCallbackBody(R"({"type":"x","submissions":[
                {"submissionId":"../../etc"}]})"),
              StatusIs(Code::kInvalidInput, "not a UUID"));
  EXPECT_THAT(ParseCallbackBody("[]"), StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::fitconnect
