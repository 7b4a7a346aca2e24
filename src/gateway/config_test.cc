#include "gateway/config.h"

#include "core/files.h"
#include "core/testing/testing.h"

namespace ds::gateway {
namespace {

using ::ds::testing::StatusIs;
using ::ds::testing::TempDir;

std::string Toml(const std::string& secret_file, const std::string& hash) {
  return "[gateway]\nlisten = \"127.0.0.1:0\"\n"
         "[fitconnect]\napi_url = \"http://127.0.0.1:1\"\n"
         "token_url = \"http://127.0.0.1:1/token\"\nclient_id = \"c\"\n"
         "client_secret_file = \"" +
         secret_file +
         "\"\n"
         "[limits]\nmax_attachment_bytes = 1000\n"
         "[[portal]]\nid = \"p\"\ntoken_sha256 = \"" +
         hash +
         "\"\n"
         "  [[portal.destination]]\n"
         "  id = \"0b6a0c7e-3f4e-4a0a-9a53-0e7f9f6c1d21\"\n"
         "  services = [\"urn:de:fim:leika:leistung:1\"]\n";
}

TEST(GatewayConfig, ReadsPortalsAndLimits) {
  TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.path() / "secret", "s3cret-of-sixteen\n"));
  NewToken token = GenerateToken();

  auto c = ParseConfig(Toml((dir.path() / "secret").string(), token.sha256));

  ASSERT_OK(c);
  EXPECT_EQ(c->fitconnect.client_secret, "s3cret-of-sixteen");
  EXPECT_EQ(c->limits.max_attachment_bytes, 1000u);
  ASSERT_EQ(c->portals.size(), 1u);
  EXPECT_TRUE(c->portals[0].Allows("0b6a0c7e-3f4e-4a0a-9a53-0e7f9f6c1d21",
                                   "urn:de:fim:leika:leistung:1"));
  EXPECT_FALSE(c->portals[0].Allows("0b6a0c7e-3f4e-4a0a-9a53-0e7f9f6c1d21",
                                    "urn:de:fim:leika:leistung:2"));
  EXPECT_EQ(TokenHash(token.token), token.sha256);
}

TEST(GatewayConfig, RejectsATokenThatIsNotAHash) {
  TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.path() / "secret", "s"));
  EXPECT_THAT(
      ParseConfig(Toml((dir.path() / "secret").string(), "plain-token")),
      StatusIs(Code::kEnvironment, "portal[0].token_sha256"));
}

TEST(GatewayConfig, RejectsAMissingSecretFile) {
  EXPECT_THAT(ParseConfig(Toml("/nonexistent/secret", GenerateToken().sha256)),
              StatusIs(Code::kEnvironment, "fitconnect.client_secret_file"));
}

TEST(GatewayConfig, RejectsLimitsAboveFitConnect) {
  TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.path() / "secret", "s"));
  std::string toml =
      Toml((dir.path() / "secret").string(), GenerateToken().sha256);
  toml.replace(toml.find("1000"), 4, "999999999999");
  EXPECT_THAT(ParseConfig(toml),
              StatusIs(Code::kEnvironment, "limits.max_attachment_bytes"));
}

}  // namespace
}  // namespace ds::gateway
