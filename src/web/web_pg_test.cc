// The web UI's accounts and sessions on a real PostgreSQL server (the
// E-Akte's database of a multi-process installation): idempotent migration,
// login, lockout, expiry, and a page over loopback on a PostgreSQL store.
#include <gtest/gtest.h>

#include <atomic>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "sql/testing/postgres_server.h"
#include "web/web.h"

namespace ds::web {
namespace {

sql::testing::PostgresServer* const g_pg = sql::testing::AddPostgresServer();
std::atomic<int64_t> g_now{1'800'000'000};
constexpr char kPassword[] = "postgres-test-passwort";

TEST(WebPostgres, AccountsLockoutAndSessions) {
  auto name = g_pg->NewDatabase();
  ASSERT_TRUE(name.ok());
  ds::testing::TempDir dir;
  auto db = OpenDb(dir.path(), g_pg->Conninfo(*name));
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(Migrate(**db).ok());
  ASSERT_TRUE(Migrate(**db).ok());  // idempotent

  SessionPolicy policy;
  policy.now = [] { return g_now.load(); };
  Accounts accounts(**db, policy);
  ASSERT_TRUE(
      accounts.AddUser("kreis-a", "m.muster", api::Role::kClerk, kPassword)
          .ok());
  EXPECT_EQ(
      accounts.AddUser("kreis-a", "kurz", api::Role::kClerk, "zu-kurz").code(),
      Code::kInvalidInput);

  auto in = accounts.LogIn("kreis-a", "m.muster", kPassword);
  ASSERT_TRUE(in.ok()) << in.status().message();
  auto s = accounts.FindSession(in->session_id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->who.tenant, "kreis-a");
  EXPECT_EQ(s->who.role, api::Role::kClerk);
  EXPECT_EQ(s->csrf.size(), 43u);

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts.LogIn("kreis-a", "m.muster", "falsch-falsch-falsch")
                  .status()
                  .code(),
              Code::kUnauthenticated);
  }
  EXPECT_FALSE(
      accounts.LogIn("kreis-a", "m.muster", kPassword).ok());  // locked
  g_now += 16 * 60;
  EXPECT_TRUE(accounts.LogIn("kreis-a", "m.muster", kPassword).ok());

  g_now += 8 * 60 * 60;  // past the absolute limit
  EXPECT_EQ(accounts.FindSession(in->session_id).status().code(),
            Code::kUnauthenticated);
}

TEST(WebPostgres, PagesOnAPostgresStoreKeepTenantsApart) {
  auto name = g_pg->NewDatabase();
  ASSERT_TRUE(name.ok());
  ds::testing::TempDir dir;
  std::string conninfo = g_pg->Conninfo(*name);
  auto store = records::Store::OpenPostgres(conninfo, dir.path());
  ASSERT_TRUE(store.ok()) << store.status().message();

  records::IncomingSubmission in;
  in.tenant = "kreis-a";
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = "urn:leika:1";
  in.service_name = "Wohngeld";
  in.subject = "Antrag <b>fett</b>";
  auto filed = (*store)->FileSubmission(in);
  ASSERT_TRUE(filed.ok()) << filed.status().message();

  auto db = OpenDb(dir.path(), conninfo);
  ASSERT_TRUE(db.ok());
  Logger quiet;
  quiet.set_level(LogLevel::kOff);
  WebOptions o;
  o.store = store->get();
  o.secure_cookies = false;
  o.logger = &quiet;
  auto ui = Ui::Create(std::move(o), std::move(*db));
  ASSERT_TRUE(ui.ok()) << ui.status().message();
  ASSERT_TRUE((*ui)
                  ->accounts()
                  .AddUser("kreis-a", "a", api::Role::kClerk, kPassword)
                  .ok());
  ASSERT_TRUE((*ui)
                  ->accounts()
                  .AddUser("kreis-b", "b", api::Role::kClerk, kPassword)
                  .ok());
  net::Router router;
  (*ui)->AddRoutes(router);
  auto server = net::HttpServer::Start({}, std::move(router));
  ASSERT_TRUE(server.ok());

  auto get = [&](const std::string& user, const std::string& tenant,
                 const std::string& path) {
    auto login = (*ui)->accounts().LogIn(tenant, user, kPassword);
    EXPECT_TRUE(login.ok());
    net::ClientRequest r;
    r.url = (*server)->base_url() + path;
    r.headers["Cookie"] = "ds_session=" + (login.ok() ? login->session_id : "");
    return *net::Fetch(r);
  };
  auto mine = get("a", "kreis-a", "/vorgaenge/" + filed->vorgang_id);
  EXPECT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("Antrag &lt;b&gt;fett&lt;/b&gt;"),
            std::string::npos);
  EXPECT_EQ(get("b", "kreis-b", "/vorgaenge/" + filed->vorgang_id).status, 404);
  auto inbox = get("a", "kreis-a", "/posteingang");
  EXPECT_NE(inbox.body.find(filed->vorgang_id), std::string::npos);
  (*server)->Stop();
}

}  // namespace
}  // namespace ds::web
