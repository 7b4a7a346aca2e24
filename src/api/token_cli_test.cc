// `drehscheibe records token ...` as operators run it: the real binary on a
// data directory, and the printed token checked by the API's own check.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::api {
namespace {

using CliRun = ds::testing::CommandRun;

CliRun Drehscheibe(const std::string& args) {
  return ds::testing::RunShell(std::string(DS_DREHSCHEIBE_BIN) + " " + args +
                               " 2>/dev/null");
}

net::Request WithToken(const std::string& token) {
  net::Request r;
  r.headers["Authorization"] = "Bearer " + token;
  return r;
}

class TokenCliTest : public ::testing::Test {
 protected:
  std::string Data() { return "--data " + tmp_.path().string() + " "; }
  ds::testing::TempDir tmp_;
};

TEST_F(TokenCliTest, CreatePrintsATokenTheApiAccepts) {
  CliRun run = Drehscheibe(Data() +
                           "records token create --tenant kreis-a "
                           "--user m.muster --role tenant-admin");
  ASSERT_EQ(run.exit_code, 0);
  ASSERT_FALSE(run.out.empty());
  std::string token = run.out.substr(0, run.out.find('\n'));

  auto store = records::Store::OpenSqlite(tmp_.path());
  ASSERT_OK(store);
  auto who = Authenticate(**store, WithToken(token));
  ASSERT_OK(who);
  EXPECT_EQ(who->tenant, "kreis-a");
  EXPECT_EQ(who->user, "m.muster");
  EXPECT_EQ(who->role, Role::kTenantAdmin);
  // Only the hash is kept.
  auto row = (*store)->GetApiToken(who->token_id);
  ASSERT_OK(row);
  EXPECT_EQ(token.find(row->secret_hash), std::string::npos);
}

TEST_F(TokenCliTest, ListShowsNoSecretAndRevokeEndsTheToken) {
  CliRun made = Drehscheibe(Data() +
                            "records token create --json "
                            "--tenant kreis-a --user a --role clerk");
  ASSERT_EQ(made.exit_code, 0);
  auto j = nlohmann::json::parse(made.out);
  std::string token = j["token"], id = j["id"];

  CliRun list = Drehscheibe(Data() + "records token list --tenant kreis-a");
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find(id), std::string::npos);
  EXPECT_EQ(list.out.find(token.substr(4 + 33)), std::string::npos);
  // Creation times read as dates, not as seconds since 1970.
  EXPECT_THAT(list.out,
              ::testing::ContainsRegex("  20[0-9][0-9]-[01][0-9]-[0-3][0-9]T"));
  CliRun listed =
      Drehscheibe(Data() + "records token list --json --tenant kreis-a");
  ASSERT_EQ(listed.exit_code, 0);
  auto rows = nlohmann::json::parse(listed.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0]["created_at"].is_string());
  EXPECT_EQ(rows[0]["id"], id);

  EXPECT_EQ(Drehscheibe(Data() + "records token revoke --tenant kreis-b " + id)
                .exit_code,
            1);
  CliRun revoked =
      Drehscheibe(Data() + "records token revoke --tenant kreis-a " + id);
  ASSERT_EQ(revoked.exit_code, 0);
  EXPECT_EQ(revoked.out, "token " + id + " revoked\n");
  CliRun again = Drehscheibe(
      Data() + "records token revoke --json --tenant kreis-a " + id);
  EXPECT_EQ(again.exit_code, 0);
  auto again_json = nlohmann::json::parse(again.out);
  EXPECT_EQ(again_json["already_revoked"], true);
  auto store = records::Store::OpenSqlite(tmp_.path());
  ASSERT_OK(store);
  EXPECT_THAT(Authenticate(**store, WithToken(token)),
              ds::testing::StatusIs(Code::kUnauthenticated));
}

TEST_F(TokenCliTest, AMistypedDataDirectoryIsNotCreated) {
  std::string typo = (tmp_.path() / "drehscheibe-dtaa").string();
  CliRun list =
      Drehscheibe("--data " + typo + " records token list --tenant kreis-a");
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(typo));
}

TEST_F(TokenCliTest, NamesWithControlCharactersAreRefused) {
  // An escape sequence in a user name would reach terminals through the
  // audit trail and logs; a right-to-left override would disguise it.
  for (std::string user : {"'a\\033[2Jb'", "'a\\342\\200\\256b'"}) {
    CliRun run = Drehscheibe(Data() +
                             "records token create --tenant kreis-a "
                             "--user \"$(printf " +
                             user + ")\" --role clerk");
    EXPECT_EQ(run.exit_code, 1) << user;
    EXPECT_EQ(run.out, "") << user;
  }
  auto store = records::Store::OpenSqlite(tmp_.path());
  ASSERT_OK(store);
  auto made = CreateApiToken(**store, "kreis-a", std::string(200, 'x'),
                             Role::kClerk, "test");
  EXPECT_THAT(made, ds::testing::StatusIs(Code::kInvalidInput));
  // An ordinary name with umlauts and a dot is fine.
  EXPECT_OK(
      CreateApiToken(**store, "kreis-a", "jörg.müller", Role::kClerk, "test"));
}

TEST_F(TokenCliTest, UnknownRoleIsAUsageError) {
  CliRun run = Drehscheibe(Data() +
                           "records token create --tenant kreis-a "
                           "--user a --role root");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace ds::api
