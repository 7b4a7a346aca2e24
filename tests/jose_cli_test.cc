// `drehscheibe keys|jwe|set` as an operator runs them: keys are used only
// for the purpose they were made for, and `set sign` signs only SETs.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/testing/command.h"
#include "core/testing/testing.h"

namespace {

using ds::testing::CommandRun;
using ds::testing::RunShell;

class JoseCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ds::testing::TempDir();
    // 2048 bits keeps the suite fast; the purpose checks do not depend on it.
    CommandRun made =
        RunShell(std::string(DS_BINARY) + " keys generate --bits 2048 --out " +
                 dir_->path().string() + " 2>&1");
    ASSERT_EQ(made.exit_code, 0) << made.out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Key(const std::string& name) {
    return (dir_->path() / name).string();
  }

  // Runs `drehscheibe ARGS` with `input` on stdin; stderr is discarded.
  static CommandRun Run(const std::string& args, const std::string& input) {
    std::string in = (dir_->path() / "stdin").string();
    std::ofstream(in, std::ios::binary) << input;
    return RunShell(std::string(DS_BINARY) + " " + args + " < " + in +
                    " 2>/dev/null");
  }

  static ds::testing::TempDir* dir_;
};
ds::testing::TempDir* JoseCli::dir_ = nullptr;

constexpr char kSet[] =
    R"({"iss":"https://zustelldienst.example","iat":1796376600,"jti":"a",)"
    R"("events":{"https://schema.fitko.de/fit-connect/events/accept-submission":{}}})";

TEST_F(JoseCli, EncryptionKeysEncryptAndDecrypt) {
  CommandRun jwe =
      Run("jwe encrypt --key " + Key("encryption.public.jwk"), "Antrag");
  ASSERT_EQ(jwe.exit_code, 0);
  CommandRun plain =
      Run("jwe decrypt --min-bits 2048 --key " + Key("encryption.private.jwk"),
          jwe.out);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "Antrag");
}

TEST_F(JoseCli, SigningKeysAreRefusedForEncryption) {
  CommandRun jwe =
      Run("jwe encrypt --key " + Key("signing.public.jwk"), "Antrag");
  EXPECT_EQ(jwe.exit_code, 1);
  EXPECT_EQ(jwe.out, "");
  CommandRun good =
      Run("jwe encrypt --key " + Key("encryption.public.jwk"), "Antrag");
  ASSERT_EQ(good.exit_code, 0);
  CommandRun plain =
      Run("jwe decrypt --min-bits 2048 --key " + Key("signing.private.jwk"),
          good.out);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(plain.out, "");
}

TEST_F(JoseCli, SetsAreSignedAndVerifiedWithSigningKeysOnly) {
  CommandRun jws = Run("set sign --key " + Key("signing.private.jwk"), kSet);
  ASSERT_EQ(jws.exit_code, 0);
  CommandRun payload = Run(
      "set verify --min-bits 2048 --key " + Key("signing.public.jwk"), jws.out);
  EXPECT_EQ(payload.exit_code, 0);
  EXPECT_EQ(payload.out, std::string(kSet) + "\n");

  EXPECT_EQ(
      Run("set sign --key " + Key("encryption.private.jwk"), kSet).exit_code,
      1);
  EXPECT_EQ(
      Run("set verify --min-bits 2048 --key " + Key("encryption.public.jwk"),
          jws.out)
          .exit_code,
      1);
}

TEST_F(JoseCli, SetSignRefusesWhatIsNotASet) {
  for (const char* payload :
       {"hello", "[]", R"({"iss":"x"})", R"({"events":[]})",
        R"({"iss":"x","iat":1,"jti":"a","events":{}})",
        R"({"iss":"x","iat":"now","jti":"a","events":{"e":{}}})",
        R"({"iss":"x","iat":1,"jti":"a","events":{"e":{},"f":{}}})"}) {
    CommandRun run =
        Run("set sign --key " + Key("signing.private.jwk"), payload);
    EXPECT_EQ(run.exit_code, 1) << payload;
    EXPECT_EQ(run.out, "") << payload;
  }
}

}  // namespace
