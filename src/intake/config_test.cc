#include "intake/config.h"

#include <fstream>

#include "core/testing/testing.h"

namespace ds::intake {
namespace {

ConfigReader::EnvLookup NoEnv() {
  return [](const char*) -> const char* { return nullptr; };
}

TEST(HubConfig, LoadsACompleteConfiguration) {
  testing::TempDir dir;
  auto file = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.path() / name) << content;
    return (dir.path() / name).string();
  };
  std::string secret = file("secret", "s3cr3t\n");
  std::string enc = file("enc.jwk", "{}");
  std::string schema = file("schema.json", "{}");
  std::string toml =
      "[hub]\ntest_mode = true\n"
      "[zustelldienst]\nsubmission_api = \"http://127.0.0.1:1\"\ntoken_url = \"http://127.0.0.1:1/token\"\n"
      "[[destination]]\nid = \"879ee109-a690-4db8-ab32-424284184d7d\"\ntenant = \"t\"\n"
      "client_id = \"c\"\nclient_secret_file = \"" + secret + "\"\n"
      "decryption_keys = [\"" + enc + "\"]\nsigning_key = \"" + enc + "\"\n"
      "[[data_schema]]\nuri = \"urn:x\"\nfile = \"" + schema + "\"\n";
  auto reader = ConfigReader::FromString(toml, NoEnv());
  ASSERT_OK(reader);

  Result<HubConfig> c = LoadHubConfig(*reader);

  ASSERT_OK(c);
  ASSERT_EQ(c->destinations.size(), 1u);
  // The same destination twice is refused.
  std::string destination = toml.substr(toml.find("[[destination]]"));
  destination = destination.substr(0, destination.find("[[data_schema]]"));
  auto twice = ConfigReader::FromString(toml + destination, NoEnv());
  ASSERT_OK(twice);
  EXPECT_THAT(LoadHubConfig(*twice).status(),
              testing::StatusIs(Code::kEnvironment,
                                "destination[1].id: configured twice"));
  EXPECT_EQ(c->destinations[0].client_secret, "s3cr3t");
  EXPECT_EQ(c->destinations[0].retired_key_policy, "reject");
  ASSERT_EQ(c->data_schemas.size(), 1u);
  EXPECT_EQ(c->poll_seconds, 30);
}

TEST(HubConfig, ReportsEveryProblemWithItsKey) {
  std::string toml =
      "[hub]\ntest_mode = false\n[intake]\nmax_parallel = 0\n"
      "[[destination]]\nid = \"not-a-uuid\"\nretired_key_policy = \"maybe\"\n";
  auto reader = ConfigReader::FromString(toml, NoEnv());
  ASSERT_OK(reader);

  Status s = LoadHubConfig(*reader).status();

  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "zustelldienst.submission_api: missing"));
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "intake.max_parallel: must be between 1 and 64"));
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "hub.trust_anchors: needed outside test mode"));
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "destination[0].id: must be a destinationId"));
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "destination[0].retired_key_policy"));
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment, "destination[0].signing_key: missing"));
}

}  // namespace
}  // namespace ds::intake
