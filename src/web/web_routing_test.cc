// The routing pages of the web UI over real HTTP on loopback, against a
// real SQLite store and a real router whose webhook targets point at a
// closed loopback port, so that every delivery becomes a dead letter after
// its one allowed attempt: the case view's history and redelivery, the
// dead letters with "Erneut zustellen" (CSRF, roles, tenant isolation,
// audit), the dry run and the dead-letter count in the health table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "router/router.h"
#include "web/web.h"

namespace ds::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "richtig-langes-passwort";
constexpr char kLeika[] = "99001001000000";

struct Reply {
  int status = 0;
  net::Headers headers;
  std::string body;
};

class WebRoutingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new ds::testing::TempDir();
    quiet_ = new Logger();
    quiet_->set_level(LogLevel::kOff);
    auto store = records::Store::OpenSqlite(tmp_->path());
    ASSERT_OK(store);
    store_ = store->release();

    // A port that nobody listens on: a server's, after it stopped.
    std::string closed;
    {
      auto probe = net::HttpServer::Start({}, net::Router());
      ASSERT_OK(probe);
      closed = (*probe)->base_url() + "/hook";
      (*probe)->Stop();
    }
    router::RoutingConfig cfg;
    for (auto [id, tenant] :
         {std::pair{"fv-a", "kreis-a"}, std::pair{"fv-b", "kreis-b"}}) {
      cfg.targets.push_back({.id = id,
                             .tenant = tenant,
                             .kind = "webhook",
                             .url = closed,
                             .secret = "a-webhook-key-for-the-tests-0123",
                             .timeout_seconds = 5,
                             .max_attempts = 1});
    }
    cfg.rules = {{.name = "wohngeld",
                  .tenant = "kreis-a",
                  .leika = {kLeika},
                  .targets = {"fv-a"}},
                 {.name = "alles", .tenant = "kreis-b", .targets = {"fv-b"}}};
    auto r = router::Router::Open(
        *store_,
        {.data_dir = tmp_->path(), .config = std::move(cfg), .logger = quiet_});
    ASSERT_OK(r);
    router_ = r->release();

    auto db = OpenDb(tmp_->path(), "");
    ASSERT_OK(db);
    WebOptions o;
    o.store = store_;
    o.secure_cookies = false;
    o.router = router_;
    o.logger = quiet_;
    auto ui = Ui::Create(std::move(o), std::move(*db));
    ASSERT_OK(ui);
    ui_ = ui->release();
    for (auto [tenant, user, role] :
         {std::tuple{"kreis-a", "a.clerk", api::Role::kClerk},
          std::tuple{"kreis-a", "a.ops", api::Role::kOperator},
          std::tuple{"kreis-a", "a.admin", api::Role::kTenantAdmin},
          std::tuple{"kreis-b", "b.admin", api::Role::kTenantAdmin}}) {
      ASSERT_OK(ui_->accounts().AddUser(tenant, user, role, kPassword));
    }
    net::Router http;
    ui_->AddRoutes(http);
    auto server = net::HttpServer::Start({}, std::move(http));
    ASSERT_OK(server);
    server_ = server->release();
  }

  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    delete ui_;
    delete router_;
    delete store_;
    delete quiet_;
    delete tmp_;
  }

  // Files a case of `tenant`, lets the router route and attempt it, and
  // returns its delivery (a dead letter by then).
  static router::Delivery DeadLetter(const std::string& tenant,
                                     std::string* vorgang_id = nullptr) {
    auto blob = store_->files().PutBytes(R"({"antrag":"x"})");
    EXPECT_OK(blob);
    records::IncomingSubmission in;
    in.tenant = tenant;
    in.submission_id = NewUuid();
    in.case_id = NewUuid();
    in.destination_id = NewUuid();
    in.service_identifier = std::string("urn:de:fim:leika:leistung:") + kLeika;
    in.service_name = "Wohngeld";
    in.received_at = 1'800'000'000;
    in.subject = "Antrag";
    in.form_data.filename = "fachdaten.json";
    in.form_data.mime_type = "application/json";
    in.form_data.content_address = blob.ok() ? blob->address : "";
    in.form_data.size = 14;
    auto receipt = store_->FileSubmission(in);
    EXPECT_OK(receipt);
    if (!receipt.ok()) return {};
    if (vorgang_id) *vorgang_id = receipt->vorgang_id;
    for (int i = 0; i < 50; ++i) {
      EXPECT_OK(router_->RouteNew());
      EXPECT_OK(router_->DeliverDue());
      auto ds = router_->outbox().ForVorgang(tenant, receipt->vorgang_id);
      EXPECT_OK(ds);
      if (ds.ok() && ds->size() == 1 && ds->front().state == "dead") {
        return ds->front();
      }
    }
    ADD_FAILURE() << "no dead letter for " << receipt->vorgang_id;
    return {};
  }

  static Reply Call(const std::string& method, const std::string& target,
                    const std::string& cookie = "",
                    const std::string& form = "") {
    net::ClientRequest r;
    r.method = method;
    r.url = server_->base_url() + target;
    if (!cookie.empty()) r.headers["Cookie"] = cookie;
    if (method == "POST") {
      r.headers["Content-Type"] = "application/x-www-form-urlencoded";
      r.body = form;
    }
    auto out = net::Fetch(r);
    EXPECT_OK(out);
    if (!out.ok()) return {};
    return {out->status, out->headers, out->body};
  }

  static std::string Match(const std::string& text, const std::string& re) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(re)) ? m[1].str() : "";
  }

  static std::string LogIn(const std::string& tenant, const std::string& user) {
    Reply form = Call("GET", "/anmelden");
    std::string pre = Match(form.headers["Set-Cookie"], "ds_login=([^;]+)");
    std::string token = Match(form.body, "name=\"_login\" value=\"([^\"]+)\"");
    Reply r = Call("POST", "/anmelden", "ds_login=" + pre,
                   "_login=" + token + "&mandant=" + net::UrlEncode(tenant) +
                       "&benutzer=" + net::UrlEncode(user) +
                       "&passwort=" + net::UrlEncode(kPassword));
    EXPECT_EQ(r.status, 303);
    return "ds_session=" + Match(r.headers["Set-Cookie"], "ds_session=([^;]+)");
  }

  static std::string Csrf(const std::string& cookie) {
    return Match(Call("GET", "/betrieb/weiterleitung", cookie).body,
                 "name=\"_csrf\" value=\"([^\"]+)\"");
  }

  static std::string State(const std::string& tenant, const std::string& id) {
    auto d = router_->outbox().Get(tenant, id);
    return d.ok() ? d->state : d.status().message();
  }

  static ds::testing::TempDir* tmp_;
  static Logger* quiet_;
  static records::Store* store_;
  static router::Router* router_;
  static Ui* ui_;
  static net::HttpServer* server_;
};

ds::testing::TempDir* WebRoutingTest::tmp_ = nullptr;
Logger* WebRoutingTest::quiet_ = nullptr;
records::Store* WebRoutingTest::store_ = nullptr;
router::Router* WebRoutingTest::router_ = nullptr;
Ui* WebRoutingTest::ui_ = nullptr;
net::HttpServer* WebRoutingTest::server_ = nullptr;

TEST_F(WebRoutingTest, RedeliveryWithoutTheCsrfTokenIsRefused) {
  router::Delivery d = DeadLetter("kreis-a");
  std::string admin = LogIn("kreis-a", "a.admin");
  std::string target = "/betrieb/zustellungen/" + d.id + "/erneut";
  EXPECT_EQ(Call("POST", target, admin, "").status, 403);
  EXPECT_EQ(Call("POST", target, admin, "_csrf=" + std::string(43, 'A')).status,
            403);
  EXPECT_EQ(State("kreis-a", d.id), "dead");
}

TEST_F(WebRoutingTest, AnotherTenantsDeadLetterIsNotFound) {
  router::Delivery theirs = DeadLetter("kreis-b");
  std::string admin = LogIn("kreis-a", "a.admin");
  std::string csrf = Csrf(admin);
  ASSERT_EQ(csrf.size(), 43u);
  Reply r = Call("POST", "/betrieb/zustellungen/" + theirs.id + "/erneut",
                 admin, "_csrf=" + csrf);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(State("kreis-b", theirs.id), "dead");
  // Nor is it listed, nor its Vorgang's history shown.
  EXPECT_THAT(Call("GET", "/betrieb/weiterleitung", admin).body,
              Not(HasSubstr(theirs.id)));
  EXPECT_EQ(Call("GET", "/vorgaenge/" + theirs.vorgang_id, admin).status, 404);
}

TEST_F(WebRoutingTest, RedeliveryMovesTheDeadLetterBackToPendingAndAudits) {
  router::Delivery d = DeadLetter("kreis-a");
  std::string admin = LogIn("kreis-a", "a.admin");
  Reply page = Call("GET", "/betrieb/weiterleitung", admin);
  EXPECT_THAT(page.body,
              HasSubstr("/betrieb/zustellungen/" + d.id + "/erneut"));
  EXPECT_THAT(page.body, HasSubstr("Erneut zustellen"));
  std::string csrf = Csrf(admin);
  Reply r = Call("POST", "/betrieb/zustellungen/" + d.id + "/erneut", admin,
                 "_csrf=" + csrf);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/betrieb/weiterleitung?ok=erneut");
  auto now = router_->outbox().Get("kreis-a", d.id);
  ASSERT_OK(now);
  EXPECT_EQ(now->state, "pending");
  EXPECT_EQ(now->attempts, 0);
  // The router's audit entry, with the session's user as actor.
  auto audit = store_->ReadAudit("kreis-a");
  ASSERT_OK(audit);
  bool found = false;
  for (const records::AuditEntry& e : *audit) {
    found = found || (e.action == "route" && e.actor == "a.admin" &&
                      e.details.find(d.id) != std::string::npos);
  }
  EXPECT_TRUE(found);
  // Twice is a conflict: it is no dead letter any more.
  EXPECT_EQ(Call("POST", "/betrieb/zustellungen/" + d.id + "/erneut", admin,
                 "_csrf=" + csrf)
                .status,
            409);
  // The router tries again (and it dies again at the closed port).
  ASSERT_OK(router_->DeliverDue());
  EXPECT_EQ(State("kreis-a", d.id), "dead");
}

TEST_F(WebRoutingTest, OnlyTheTenantAdminMayRedeliver) {
  router::Delivery d = DeadLetter("kreis-a");
  for (const char* user : {"a.clerk", "a.ops"}) {
    std::string cookie = LogIn("kreis-a", user);
    Reply page = Call("GET", "/betrieb/weiterleitung", cookie);
    EXPECT_EQ(page.status, 200);
    EXPECT_THAT(page.body, HasSubstr(d.vorgang_id));  // listed for everyone
    EXPECT_THAT(page.body, Not(HasSubstr("/erneut\"")));
    EXPECT_THAT(page.body, Not(HasSubstr("Probelauf starten")));
    std::string csrf = Csrf(cookie);
    EXPECT_EQ(Call("POST", "/betrieb/zustellungen/" + d.id + "/erneut", cookie,
                   "_csrf=" + csrf)
                  .status,
              403);
    EXPECT_EQ(Call("POST", "/vorgaenge/" + d.vorgang_id + "/erneut-senden",
                   cookie, "_csrf=" + csrf + "&zustellung=" + d.id)
                  .status,
              403);
  }
  EXPECT_EQ(State("kreis-a", d.id), "dead");
}

TEST_F(WebRoutingTest, TheCaseViewShowsTheHistoryAndSendsAgain) {
  std::string vorgang;
  router::Delivery d = DeadLetter("kreis-a", &vorgang);
  std::string admin = LogIn("kreis-a", "a.admin");
  Reply page = Call("GET", "/vorgaenge/" + vorgang, admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("id=\"router-verlauf\""));
  EXPECT_THAT(page.body, HasSubstr("<code>fv-a</code>"));
  EXPECT_THAT(page.body, HasSubstr("unzustellbar"));
  EXPECT_THAT(page.body, HasSubstr("Erneut an Fachverfahren senden: fv-a"));
  // The router's note in German, not its internal state names.
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("fv-a dead")));
  EXPECT_THAT(page.body, Not(HasSubstr("Rückmeldungen der Fachverfahren")));

  // A Fachverfahren's status report shows on the case, its note only to
  // roles that may read content.
  ASSERT_OK(router_->ReportStatus(
      "kreis-a", vorgang,
      {.status = "in-bearbeitung", .note = "Unterlagen nachgefordert"},
      "fv-a-token"));
  Reply with_report = Call("GET", "/vorgaenge/" + vorgang, admin);
  EXPECT_THAT(with_report.body, HasSubstr("Rückmeldungen der Fachverfahren"));
  EXPECT_THAT(with_report.body, HasSubstr("<code>in-bearbeitung</code>"));
  EXPECT_THAT(with_report.body, HasSubstr("Unterlagen nachgefordert"));
  Reply as_operator =
      Call("GET", "/vorgaenge/" + vorgang, LogIn("kreis-a", "a.ops"));
  EXPECT_THAT(as_operator.body, HasSubstr("<code>in-bearbeitung</code>"));
  EXPECT_THAT(as_operator.body, Not(HasSubstr("Unterlagen nachgefordert")));
  std::string csrf = Match(page.body, "name=\"_csrf\" value=\"([^\"]+)\"");

  // A delivery of another Vorgang is not this one's.
  router::Delivery other = DeadLetter("kreis-a");
  EXPECT_EQ(Call("POST", "/vorgaenge/" + vorgang + "/erneut-senden", admin,
                 "_csrf=" + csrf + "&zustellung=" + other.id)
                .status,
            404);
  EXPECT_EQ(State("kreis-a", other.id), "dead");

  Reply r = Call("POST", "/vorgaenge/" + vorgang + "/erneut-senden", admin,
                 "_csrf=" + csrf + "&zustellung=" + d.id);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/vorgaenge/" + vorgang + "?ok=erneut");
  EXPECT_EQ(State("kreis-a", d.id), "pending");
  Reply after = Call("GET", r.headers["Location"], admin);
  EXPECT_THAT(after.body, HasSubstr("wieder in der Warteschlange"));
  EXPECT_THAT(after.body, HasSubstr("ausstehend"));

  // A clerk sees the history but not the action.
  Reply clerk = Call("GET", "/vorgaenge/" + other.vorgang_id,
                     LogIn("kreis-a", "a.clerk"));
  EXPECT_THAT(clerk.body, HasSubstr("<code>fv-a</code>"));
  EXPECT_THAT(clerk.body, Not(HasSubstr("/erneut-senden")));
}

TEST_F(WebRoutingTest, DryRunShowsTargetsAndDeliversNothing) {
  std::string vorgang;
  DeadLetter("kreis-a", &vorgang);
  std::string admin = LogIn("kreis-a", "a.admin");
  std::string csrf = Csrf(admin);
  auto before = router_->outbox().List("kreis-a", "", 0, 1000);
  ASSERT_OK(before);

  Reply facts = Call("POST", "/betrieb/weiterleitung/probe", admin,
                     "_csrf=" + csrf + "&leistung=" +
                         net::UrlEncode(std::string("urn:de:fim:leika:"
                                                    "leistung:") +
                                        kLeika));
  EXPECT_EQ(facts.status, 200);
  EXPECT_THAT(facts.body, HasSubstr("<strong>wohngeld</strong>"));
  EXPECT_THAT(facts.body, HasSubstr("<li><code>fv-a</code></li>"));
  EXPECT_THAT(facts.body, HasSubstr("Es wurde nichts zugestellt."));

  Reply none = Call("POST", "/betrieb/weiterleitung/probe", admin,
                    "_csrf=" + csrf + "&leistung=urn%3Aandere");
  EXPECT_THAT(none.body, HasSubstr("Keine Regel trifft zu"));

  Reply by_id = Call("POST", "/betrieb/weiterleitung/probe", admin,
                     "_csrf=" + csrf + "&vorgang=" + vorgang);
  EXPECT_THAT(by_id.body, HasSubstr("<li><code>fv-a</code></li>"));

  std::string theirs;
  DeadLetter("kreis-b", &theirs);
  EXPECT_EQ(Call("POST", "/betrieb/weiterleitung/probe", admin,
                 "_csrf=" + csrf + "&vorgang=" + theirs)
                .status,
            404);
  EXPECT_EQ(Call("POST", "/betrieb/weiterleitung/probe", admin,
                 "_csrf=" + csrf + "&antragsdaten=%7Bkaputt")
                .status,
            400);
  // Nested beyond any form: refused before it is parsed.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "%5B";
  Reply too_deep = Call("POST", "/betrieb/weiterleitung/probe", admin,
                        "_csrf=" + csrf + "&antragsdaten=" + deep);
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_THAT(too_deep.body, HasSubstr("zu tief verschachtelt"));
  EXPECT_THAT(facts.body, HasSubstr("name=\"datenschema\""));
  // A data schema alone is enough to try (no rule here names one).
  Reply schema_only = Call("POST", "/betrieb/weiterleitung/probe", admin,
                           "_csrf=" + csrf + "&datenschema=urn%3Aschema%3Ax");
  EXPECT_EQ(schema_only.status, 200);
  EXPECT_THAT(schema_only.body, HasSubstr("Keine Regel trifft zu"));
  EXPECT_EQ(Call("POST", "/betrieb/weiterleitung/probe", admin,
                 "leistung=urn%3Aandere")
                .status,
            403);

  auto after = router_->outbox().List("kreis-a", "", 0, 1000);
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), before->size());
}

TEST_F(WebRoutingTest, TheHealthTableCountsDeadLettersAndRulesAreListed) {
  DeadLetter("kreis-a");
  std::string admin = LogIn("kreis-a", "a.admin");
  auto dead = router_->outbox().List("kreis-a", "dead", 0, 1000);
  ASSERT_OK(dead);
  Reply ops = Call("GET", "/betrieb", admin);
  EXPECT_THAT(ops.body,
              HasSubstr("Unzustellbare Zustellungen an Fachverfahren"));
  EXPECT_THAT(ops.body,
              HasSubstr(std::to_string(dead->size()) + " unzustellbar"));
  EXPECT_THAT(ops.body, HasSubstr("id=\"router-betrieb\""));
  Reply page = Call("GET", "/betrieb/weiterleitung", admin);
  EXPECT_THAT(page.body, HasSubstr("Weiterleitungsregeln"));
  EXPECT_THAT(page.body, HasSubstr(kLeika));
  EXPECT_THAT(page.body, Not(HasSubstr("<code>fv-b</code>")));
}

}  // namespace
}  // namespace ds::web
