// `drehscheibe records token ...` as operators run it: the real binary on a
// data directory, and the printed token checked by the API's own check.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::api {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun Drehscheibe(const std::string& args) {
  std::string cmd =
      std::string(DS_DREHSCHEIBE_BIN) + " " + args + " 2>/dev/null";
  CliRun run;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    run.out.append(buf.data(), n);
  }
  int status = ::pclose(p);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
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

  EXPECT_EQ(Drehscheibe(Data() + "records token revoke --tenant kreis-b " + id)
                .exit_code,
            1);
  ASSERT_EQ(Drehscheibe(Data() + "records token revoke --tenant kreis-a " + id)
                .exit_code,
            0);
  auto store = records::Store::OpenSqlite(tmp_.path());
  ASSERT_OK(store);
  EXPECT_THAT(Authenticate(**store, WithToken(token)),
              ds::testing::StatusIs(Code::kUnauthenticated));
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
