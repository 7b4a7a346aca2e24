#include "fitconnect/integrity.h"

#include <fstream>
#include <sstream>

#include "core/testing/testing.h"
#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::SpecsDir;
using ::ds::testing::StatusIs;
using nlohmann::json;

constexpr char kA[] = "654bf3b3-787d-4606-8913-efd769f69db7";
constexpr char kB[] = "3a6fb5c4-3d5b-4a2f-9a7e-2d4d2c9f0b11";
constexpr char kC[] = "0f1e2d3c-4b5a-4697-8877-665544332211";

void ExpectProblem(const Status& s, ProblemKind kind,
                   const std::string& instance) {
  ASSERT_FALSE(s.ok());
  ASSERT_TRUE(s.problem().has_value()) << s.ToString();
  EXPECT_EQ(s.problem()->type, ProblemType(kind)) << s.ToString();
  EXPECT_EQ(s.problem()->instance, instance) << s.ToString();
}

TEST(Integrity, Sha512HexIsLowerCase128) {
  std::string hex = Sha512Hex("abc");
  EXPECT_EQ(hex.size(), 128u);
  EXPECT_EQ(hex.substr(0, 16), "ddaf35a193617aba");
}

TEST(Integrity, HashOfPlaintextMatches) {
  EXPECT_OK(CheckHash("Fachdaten", HashOf("Fachdaten"), kInstanceData));
}

TEST(Integrity, HashMismatchNamesInstance) {
  ExpectProblem(CheckHash("Fachdaten!", HashOf("Fachdaten"), kInstanceData),
                ProblemKind::kHashMismatch, "data");
  ExpectProblem(CheckHash("x", HashOf("y"), AttachmentInstance(kA)),
                ProblemKind::kHashMismatch, std::string("attachment:") + kA);

  Hash upper = HashOf("x");
  for (char& c : upper.content) c = static_cast<char>(std::toupper(c));
  ExpectProblem(CheckHash("x", upper, kInstanceData), ProblemKind::kHashMismatch,
                "data");

  Hash md5{"md5", HashOf("x").content};
  ExpectProblem(CheckHash("x", md5, kInstanceData), ProblemKind::kHashMismatch,
                "data");
}

TEST(Integrity, RealJweTagMatchesExpected) {
  std::ifstream in(SpecsDir() / "fit-connect" / "test-vectors" / "jose-utils" /
                   "encodedString.txt");
  std::stringstream s;
  s << in.rdbuf();
  std::string jwe = s.str();
  while (!jwe.empty() && std::isspace(static_cast<unsigned char>(jwe.back()))) {
    jwe.pop_back();
  }

  EXPECT_OK(CheckJweAuthenticationTag(jwe, "gZGx1fiD_gmTXJ2f_Esh_A",
                                      kInstanceMetadata));
  ExpectProblem(CheckJweAuthenticationTag(jwe, "gZGx1fiD_gmTXJ2f_Esh_B",
                                          kInstanceMetadata),
                ProblemKind::kIncorrectAuthenticationTag, "metadata");
}

TEST(Integrity, MissingOrMalformedTagsFail) {
  ExpectProblem(CheckAuthenticationTag("abc", "", kInstanceData),
                ProblemKind::kIncorrectAuthenticationTag, "data");
  ExpectProblem(CheckJweAuthenticationTag("a.b.c", "abc", kInstanceData),
                ProblemKind::kEncryptionIssue, "data");
}

TEST(Integrity, AuthenticationTagsJsonRoundTrip) {
  AuthenticationTags tags{"XFBoMYUZodetZdvTiFvSkQ", "UCGiqJxhBI3IFVdPalHHvA",
                          {{kA, "tagA"}}};

  Result<AuthenticationTags> back = AuthenticationTags::FromJson(tags.ToJson());

  ASSERT_OK(back);
  EXPECT_EQ(*back, tags);
  EXPECT_THAT(AuthenticationTags::FromJson({{"metadata", 1}}),
              StatusIs(Code::kInvalidInput, "metadata"));
  EXPECT_THAT(AuthenticationTags::FromJson({{"attachments", {{kA, 2}}}}),
              StatusIs(Code::kInvalidInput, kA));
}

TEST(Integrity, SubmissionTagsMatch) {
  AuthenticationTags expected{"m", "d", {{kA, "a"}, {kB, "b"}}};
  EXPECT_OK(CheckSubmissionTags({"m", "d", {{kA, "a"}, {kB, "b"}}}, expected));
  EXPECT_OK(CheckSubmissionTags({"m", std::nullopt, {}}, {"m", "", {}}));
}

TEST(Integrity, SubmissionTagMismatchNamesTheJwe) {
  AuthenticationTags expected{"m", "d", {{kA, "a"}}};

  ExpectProblem(CheckSubmissionTags({"M", "d", {{kA, "a"}}}, expected),
                ProblemKind::kIncorrectAuthenticationTag, "metadata");
  ExpectProblem(CheckSubmissionTags({"m", "D", {{kA, "a"}}}, expected),
                ProblemKind::kIncorrectAuthenticationTag, "data");
  ExpectProblem(CheckSubmissionTags({"m", "d", {{kA, "A"}}}, expected),
                ProblemKind::kIncorrectAuthenticationTag,
                std::string("attachment:") + kA);
  ExpectProblem(CheckSubmissionTags({"m", std::nullopt, {{kA, "a"}}}, expected),
                ProblemKind::kMissingData, "data");
  ExpectProblem(CheckSubmissionTags({"m", "d", {}}, expected),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kA);
  ExpectProblem(CheckSubmissionTags({"m", "d", {{kA, "a"}, {kB, "b"}}}, expected),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kB);
}

TEST(Integrity, EqualAttachmentListsPass) {
  AttachmentLists lists{std::vector<std::string>{kB, kA}, {kA, kB}, {kB, kA},
                        {kA, kB}};
  EXPECT_OK(CheckAttachmentLists(lists));
  EXPECT_OK(CheckAttachmentLists({}));
}

TEST(Integrity, AttachmentInMetadataButNotSubmissionIsMissing) {
  AttachmentLists lists{std::nullopt, {kA}, {kA, kB}, {kA}};
  ExpectProblem(CheckAttachmentLists(lists), ProblemKind::kMissingAttachment,
                std::string("attachment:") + kB);
}

TEST(Integrity, OtherListDifferencesAreMismatches) {
  ExpectProblem(CheckAttachmentLists({std::nullopt, {kA, kB}, {kA}, {kA, kB}}),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kB);
  ExpectProblem(CheckAttachmentLists({std::nullopt, {kA}, {kA}, {kA, kC}}),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kC);
  ExpectProblem(CheckAttachmentLists({std::vector<std::string>{kA, kC}, {kA},
                                      {kA}, {kA}}),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kC);
}

TEST(Integrity, DuplicateOrNonUuidIdsAreMismatches) {
  ExpectProblem(CheckAttachmentLists({std::nullopt, {kA, kA}, {kA}, {kA}}),
                ProblemKind::kAttachmentsMismatch,
                std::string("attachment:") + kA);
  ExpectProblem(CheckAttachmentLists({std::nullopt, {"../x"}, {}, {}}),
                ProblemKind::kAttachmentsMismatch, "attachment:../x");
}

}  // namespace
}  // namespace ds::fitconnect
