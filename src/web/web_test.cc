// The web UI over real HTTP on loopback against a real SQLite store:
// login and lockout, CSRF, session expiry and logout, tenant isolation,
// roles, blocked downloads and security headers. How text is shown:
// web_text_test.cc.
#include "web/web_test_support.h"

namespace ds::web {
namespace {

TEST_F(WebTest, PagesNeedALoginAndLoginSetsAHardenedCookie) {
  Reply anon = Call("GET", "/posteingang");
  EXPECT_EQ(anon.status, 303);
  EXPECT_EQ(anon.headers["Location"], "/anmelden");

  Reply form = Call("GET", "/anmelden");
  std::string pre = Match(form.headers["Set-Cookie"], "ds_login=([^;]+)");
  std::string token = Match(form.body, "name=\"_login\" value=\"([^\"]+)\"");
  Reply r = Call("POST", "/anmelden", "ds_login=" + pre,
                 "_login=" + token +
                     "&mandant=kreis-a&benutzer=a.clerk&passwort=" + kPassword);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/posteingang");
  std::string cookie = r.headers["Set-Cookie"];
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // loopback configuration
  // The session id is 256 random bits; the database keeps only its hash.
  std::string id = Match(cookie, "ds_session=([^;]+)");
  EXPECT_EQ(id.size(), 43u);

  Reply inbox = Call("GET", "/posteingang", "ds_session=" + id);
  EXPECT_EQ(inbox.status, 200);
  EXPECT_THAT(inbox.body, HasSubstr("Posteingang"));
  EXPECT_THAT(inbox.body, HasSubstr("/vorgaenge/" + case_a_));
}

TEST_F(WebTest, LoginWithoutTheFormTokenIsRefused) {
  Reply r = Call(
      "POST", "/anmelden", "",
      std::string("mandant=kreis-a&benutzer=a.clerk&passwort=") + kPassword);
  EXPECT_EQ(r.status, 200);  // the form again, with a message
  EXPECT_EQ(r.headers.count("Location"), 0u);
  EXPECT_THAT(r.body, HasSubstr("abgelaufen"));
}

TEST_F(WebTest, WrongPasswordsLockTheAccountForAWhile) {
  int status = 0;
  EXPECT_EQ(LogIn("kreis-a", "a.locked", "falsch-falsch-falsch", &status), "");
  EXPECT_EQ(status, 401);
  for (int i = 0; i < 4; ++i) LogIn("kreis-a", "a.locked", "falsch-123456789");
  // Five failures: now even the right password is refused ...
  EXPECT_EQ(LogIn("kreis-a", "a.locked", kPassword, &status), "");
  EXPECT_EQ(status, 401);
  // ... an unknown account answers the same ...
  EXPECT_EQ(LogIn("kreis-a", "niemand", kPassword, &status), "");
  EXPECT_EQ(status, 401);
  // ... and after the lockout time the account works again.
  g_now += 16 * 60;
  EXPECT_NE(LogIn("kreis-a", "a.locked", kPassword), "");

  // The operator's log tells the reasons apart; it names the tenant of a
  // known account, never a user name or anything typed as a password.
  std::string log = log_->str();
  EXPECT_THAT(log, HasSubstr("reason=wrong-password tenant=kreis-a"));
  EXPECT_THAT(log, HasSubstr("reason=locked tenant=kreis-a"));
  EXPECT_THAT(log, HasSubstr("reason=unknown-account tenant="));
  EXPECT_THAT(log, Not(HasSubstr("a.locked")));
  EXPECT_THAT(log, Not(HasSubstr("niemand")));
  EXPECT_THAT(log, Not(HasSubstr("falsch")));
  EXPECT_THAT(log, Not(HasSubstr(kPassword)));
}

TEST_F(WebTest, PostsWithoutTheSessionsCsrfTokenChangeNothing) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  ASSERT_NE(cookie, "");
  Reply page = Call("GET", "/vorgaenge/" + case_a_, cookie);
  std::string csrf = Csrf(page.body);
  ASSERT_EQ(csrf.size(), 43u);

  std::string target = "/vorgaenge/" + case_a_ + "/metadaten";
  EXPECT_EQ(Call("POST", target, cookie, "subject=Neu&service_name=X").status,
            403);
  EXPECT_EQ(Call("POST", target, cookie,
                 "subject=Neu&service_name=X&_csrf=" + std::string(43, 'A'))
                .status,
            403);
  // Another session's token does not fit either.
  std::string other = LogIn("kreis-a", "a.admin", kPassword);
  std::string other_csrf = Csrf(Call("GET", "/posteingang", other).body);
  EXPECT_EQ(Call("POST", target, cookie,
                 "subject=Neu&service_name=X&_csrf=" + other_csrf)
                .status,
            403);
  EXPECT_EQ(store_->GetVorgang("kreis-a", case_a_)->subject, kHostileSubject);

  // With the token the change goes through (and is undone for the others).
  Reply ok = Call("POST", target, cookie,
                  "subject=Ge%C3%A4ndert&service_name=Wohngeld&_csrf=" + csrf);
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(store_->GetVorgang("kreis-a", case_a_)->subject, "Geändert");
  // Controls and bidi overrides are refused here as in the REST API.
  for (const char* bad :
       {"A%1B%5B31mRED", "Kosten%E2%80%AE%20fdp.exe", "%20"}) {
    Reply refused = Call(
        "POST", target, cookie,
        std::string("subject=") + bad + "&service_name=Wohngeld&_csrf=" + csrf);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_THAT(refused.body, HasSubstr("keine Steuer- oder Richtungszeichen"));
    // The refusal is shown on the case page, with what was typed kept.
    EXPECT_THAT(refused.body, HasSubstr("role=\"alert\"><p><strong>Nicht "
                                        "gespeichert:</strong>"));
    EXPECT_THAT(refused.body, HasSubstr("<h2 id=\"h-act\">"));
  }
  // 1000 characters with umlauts (2000 bytes) are within the form's limit.
  std::string umlauts;
  for (int i = 0; i < 1000; ++i) umlauts += "%C3%A4";
  EXPECT_EQ(Call("POST", target, cookie,
                 "subject=" + umlauts + "&service_name=Wohngeld&_csrf=" + csrf)
                .status,
            303);
  // What was typed stays in the form after a refusal (here: a subject
  // with an escape sequence, whose control character the page drops).
  Reply kept =
      Call("POST", target, cookie,
           "subject=A%1B%5B31mRED&service_name=Neue%20Leistung&_csrf=" + csrf);
  EXPECT_EQ(kept.status, 400);
  EXPECT_THAT(kept.body, HasSubstr("value=\"A[31mRED\""));
  EXPECT_THAT(kept.body, HasSubstr("value=\"Neue Leistung\""));
  // A request with neither field is not "saved".
  EXPECT_EQ(Call("POST", target, cookie, "_csrf=" + csrf).status, 400);
  // A form that sends only the subject leaves the service's name alone.
  EXPECT_EQ(Call("POST", target, cookie, "subject=Nur%20Betreff&_csrf=" + csrf)
                .status,
            303);
  auto changed = store_->GetVorgang("kreis-a", case_a_);
  ASSERT_OK(changed);
  EXPECT_EQ(changed->subject, "Nur Betreff");
  EXPECT_EQ(changed->service_name, "Wohngeld");
  records::VorgangChange back;
  back.subject = kHostileSubject;
  ASSERT_TRUE(store_->ChangeVorgang("kreis-a", case_a_, back, "test").ok());
}

TEST_F(WebTest, AClerkAssignsACaseToANewAkte) {
  std::string id = FileCase("kreis-a", "Zuordnen");
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  std::string csrf = Csrf(Call("GET", "/vorgaenge/" + id, cookie).body);
  std::string target = "/vorgaenge/" + id + "/akte";
  // A new Akte needs a subject.
  EXPECT_EQ(
      Call("POST", target, cookie, "akte=neu&betreff=&_csrf=" + csrf).status,
      400);
  // Without the choice of an Akte nothing is made.
  EXPECT_EQ(
      Call("POST", target, cookie, "betreff=Ohne+Wahl&_csrf=" + csrf).status,
      400);
  EXPECT_EQ(store_->GetVorgang("kreis-a", id)->akte_id, "");
  Reply r = Call("POST", target, cookie,
                 "akte=neu&betreff=Wohngeld+M%C3%BCller&_csrf=" + csrf);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/vorgaenge/" + id + "?ok=akte");
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_TRUE(v.ok());
  ASSERT_NE(v->akte_id, "");
  EXPECT_EQ(store_->GetAkte("kreis-a", v->akte_id)->meta.betreff,
            "Wohngeld Müller");
  Reply page = Call("GET", "/vorgaenge/" + id + "?ok=akte", cookie);
  EXPECT_THAT(
      page.body,
      HasSubstr("role=\"status\"><p>Der Vorgang wurde der Akte zugeordnet."));
  // The case left the Posteingang.
  EXPECT_THAT(Call("GET", "/posteingang", cookie).body, Not(HasSubstr(id)));
  // An Akte of another tenant is "not found".
  records::AkteInput in;
  in.betreff = "fremd";
  auto foreign = store_->CreateAkte("kreis-b", in, "test");
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(Call("POST", target, cookie, "akte=" + *foreign + "&_csrf=" + csrf)
                .status,
            404);
}

TEST_F(WebTest, SessionsExpireWhenIdleAndEndAtLogout) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  ASSERT_NE(cookie, "");
  g_now += 29 * 60;
  EXPECT_EQ(Call("GET", "/posteingang", cookie).status, 200);  // extends
  g_now += 29 * 60;
  EXPECT_EQ(Call("GET", "/posteingang", cookie).status, 200);
  g_now += 31 * 60;
  Reply expired = Call("GET", "/posteingang", cookie);
  EXPECT_EQ(expired.status, 303);
  EXPECT_EQ(expired.headers["Location"], "/anmelden");

  cookie = LogIn("kreis-a", "a.clerk", kPassword);
  std::string csrf = Csrf(Call("GET", "/posteingang", cookie).body);
  Reply out = Call("POST", "/abmelden", cookie, "_csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_THAT(out.headers["Set-Cookie"], HasSubstr("Max-Age=0"));
  EXPECT_EQ(Call("GET", "/posteingang", cookie).status, 303);
}

TEST_F(WebTest, AccountNamesArePlainText) {
  auto& accounts = ui_->accounts();
  EXPECT_EQ(
      accounts
          .AddUser("kreis-a", "a\x1b[31mclerk", api::Role::kClerk, kPassword)
          .code(),
      Code::kInvalidInput);
  EXPECT_EQ(accounts.AddUser("kreis\u202e-a", "x", api::Role::kClerk, kPassword)
                .code(),
            Code::kInvalidInput);
  EXPECT_EQ(LogIn("kreis-a", "a\x1b[31mclerk", kPassword), "");
  // Passwords are counted in characters (six umlauts are six, not twelve).
  EXPECT_EQ(accounts
                .AddUser("kreis-a", "kurz", api::Role::kClerk,
                         "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4")
                .code(),
            Code::kInvalidInput);
  EXPECT_EQ(
      accounts
          .AddUser("kreis-a", "leer", api::Role::kClerk, std::string(12, ' '))
          .code(),
      Code::kInvalidInput);
  EXPECT_EQ(
      accounts
          .AddUser("kreis-a", "lang", api::Role::kClerk, std::string(1025, 'x'))
          .code(),
      Code::kInvalidInput);
}

TEST_F(WebTest, AnotherTenantsClerkGetsNotFound) {
  std::string cookie = LogIn("kreis-b", "b.clerk", kPassword);
  ASSERT_NE(cookie, "");
  Reply r = Call("GET", "/vorgaenge/" + case_a_, cookie);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, Not(HasSubstr("Wohngeld")));
  Reply inbox = Call("GET", "/posteingang", cookie);
  EXPECT_THAT(inbox.body, Not(HasSubstr(case_a_)));

  auto v = store_->GetVorgang("kreis-a", case_a_);
  ASSERT_TRUE(v.ok());
  std::string format = v->dokumente.at(1).formats.at(0).id;
  EXPECT_EQ(Call("GET", "/formate/" + format + "/inhalt", cookie).status, 404);
  std::string csrf = Csrf(inbox.body);
  EXPECT_EQ(Call("POST", "/vorgaenge/" + case_a_ + "/metadaten", cookie,
                 "subject=x&service_name=y&_csrf=" + csrf)
                .status,
            404);
}

TEST_F(WebTest, InboxFiltersNameUnknownValuesAndKnowCasesWithoutARule) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  ASSERT_NE(cookie, "");
  // A case that no rule matched is filtered and labelled in German.
  std::string id = FileCase("kreis-a", "Ohne Regel");
  ASSERT_OK(store_->RecordRouting("kreis-a", id, "manual",
                                  "no rule matched; stays in the Posteingang",
                                  "router"));
  Reply manual = Call("GET", "/posteingang?state=manual", cookie);
  EXPECT_EQ(manual.status, 200);
  EXPECT_THAT(manual.body, HasSubstr("/vorgaenge/" + id));
  EXPECT_THAT(manual.body, Not(HasSubstr("/vorgaenge/" + case_a_)));
  EXPECT_THAT(manual.body, HasSubstr("ohne Regel, im Posteingang"));
  EXPECT_THAT(manual.body, HasSubstr("<option value=\"manual\" selected>"));

  // A made-up state or verdict is named and not applied, so the clerk still
  // sees the cases instead of an empty list that looks like "nothing came".
  Reply bogus = Call("GET", "/posteingang?state=bogus", cookie);
  EXPECT_EQ(bogus.status, 200);
  EXPECT_THAT(bogus.body, HasSubstr("Der Status ist unbekannt"));
  EXPECT_THAT(bogus.body, HasSubstr("/vorgaenge/" + case_a_));
  Reply verdict = Call("GET", "/posteingang?verdict=harmless", cookie);
  EXPECT_THAT(verdict.body, HasSubstr("Das Prüfergebnis ist unbekannt"));
  EXPECT_THAT(verdict.body, HasSubstr("/vorgaenge/" + case_a_));
  // Every unusable value is named, also several at once; a day that does not
  // exist is one of them.
  Reply all = Call("GET",
                   "/posteingang?state=bogus&verdict=x&from=2026-02-30"
                   "&until=2027-02-29",
                   cookie);
  EXPECT_THAT(all.body, HasSubstr("Der Status ist unbekannt"));
  EXPECT_THAT(all.body, HasSubstr("Das Prüfergebnis ist unbekannt"));
  EXPECT_THAT(all.body, HasSubstr("„Eingang ab“ ist ungültig; der Filter "
                                  "wurde nicht angewandt"));
  EXPECT_THAT(all.body, HasSubstr("„Eingang bis“ ist ungültig"));
  EXPECT_THAT(Call("GET", "/posteingang?from=2028-02-29", cookie).body,
              Not(HasSubstr("ist ungültig")));
  EXPECT_THAT(Call("GET", "/posteingang?from=0000-01-01", cookie).body,
              HasSubstr("„Eingang ab“ ist ungültig"));
  EXPECT_THAT(
      Call("GET", "/posteingang?from=2027-01-01&until=2026-01-01", cookie).body,
      HasSubstr("„Eingang ab“ liegt nach „Eingang bis“"));
}

TEST_F(WebTest, QuarantinedFilesAreMarkedAndCannotBeDownloaded) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply page = Call("GET", "/vorgaenge/" + case_a_, cookie);
  EXPECT_THAT(page.body, HasSubstr("in Quarantäne"));
  EXPECT_THAT(page.body, HasSubstr("gesperrt"));
  EXPECT_THAT(page.body,
              HasSubstr("Angegebener Dateityp passt nicht zum Inhalt"));

  auto v = store_->GetVorgang("kreis-a", case_a_);
  ASSERT_TRUE(v.ok());
  std::string clean = v->dokumente.at(1).formats.at(0).id;
  std::string bad = v->dokumente.at(2).formats.at(0).id;
  EXPECT_EQ(Call("GET", "/formate/" + bad + "/inhalt", cookie).status, 403);

  auto before = store_->ReadAudit("kreis-a");
  Reply dl = Call("GET", "/formate/" + clean + "/inhalt", cookie);
  EXPECT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body, "%PDF-1.4 clean");
  EXPECT_THAT(dl.headers["Content-Disposition"], HasSubstr("attachment"));
  auto after = store_->ReadAudit("kreis-a");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->back().action, "read-content");
  EXPECT_EQ(after->back().actor, "a.clerk");
  EXPECT_GT(after->size(), before->size());
}

TEST_F(WebTest, PdfPreviewIsAPngRenderedInTheWorker) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  auto v = store_->GetVorgang("kreis-a", case_a_);
  ASSERT_TRUE(v.ok());
  std::string scan = v->dokumente.at(3).formats.at(0).id;
  Reply page = Call("GET", "/formate/" + scan + "/vorschau", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("Seite 1 von 1"));
  EXPECT_THAT(page.body, HasSubstr("<img src=\"/formate/" + scan +
                                   "/bild?seite=1\" alt=\"Seite 1 von 1"));
  Reply r = Call("GET", "/formate/" + scan + "/bild?seite=1", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["Content-Type"], "image/png");
  EXPECT_EQ(r.body.substr(0, 4), "\x89PNG");
  EXPECT_THAT(r.headers["Content-Security-Policy"], HasSubstr("default-src"));
  EXPECT_EQ(Call("GET", "/formate/" + scan + "/bild?seite=2", cookie).status,
            422);
  // A page number too long for an int is beyond the last page, not page 1.
  EXPECT_EQ(Call("GET", "/formate/" + scan + "/bild?seite=99999999999999999999",
                 cookie)
                .status,
            422);
  // Not really a PDF: no preview; a quarantined file: blocked.
  std::string clean = v->dokumente.at(1).formats.at(0).id;
  EXPECT_EQ(Call("GET", "/formate/" + clean + "/vorschau", cookie).status, 422);
  EXPECT_EQ(Call("GET", "/formate/" + clean + "/bild", cookie).status, 422);
  std::string bad = v->dokumente.at(2).formats.at(0).id;
  EXPECT_EQ(Call("GET", "/formate/" + bad + "/vorschau", cookie).status, 403);
  EXPECT_EQ(Call("GET", "/formate/" + bad + "/bild", cookie).status, 403);
}

TEST_F(WebTest, OperatorsSeeMetadataButNoContent) {
  std::string cookie = LogIn("kreis-a", "a.ops", kPassword);
  Reply page = Call("GET", "/vorgaenge/" + case_a_, cookie);
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("Muster")));
  auto v = store_->GetVorgang("kreis-a", case_a_);
  std::string clean = v->dokumente.at(1).formats.at(0).id;
  EXPECT_EQ(Call("GET", "/formate/" + clean + "/inhalt", cookie).status, 403);
  EXPECT_EQ(Call("GET", "/betrieb/protokoll", cookie).status, 403);
  EXPECT_EQ(Call("GET", "/betrieb", cookie).status, 200);

  std::string admin = LogIn("kreis-a", "a.admin", kPassword);
  // Viewing the case reads its form data: an audited read.
  EXPECT_EQ(Call("GET", "/vorgaenge/" + case_a_, admin).status, 200);
  Reply audit = Call("GET", "/betrieb/protokoll", admin);
  EXPECT_EQ(audit.status, 200);
  EXPECT_THAT(audit.body, HasSubstr("read-content"));
  // Details as people read them: the filing's, without the row seals.
  EXPECT_THAT(audit.body, HasSubstr("worst_verdict"));
  EXPECT_THAT(audit.body, Not(HasSubstr("seals")));
}

TEST_F(WebTest, TheBrowsersIconRequestIsAnsweredWithoutContent) {
  Reply icon = Call("GET", "/favicon.ico");
  EXPECT_EQ(icon.status, 204);
  EXPECT_EQ(icon.body, "");
}

TEST_F(WebTest, EveryResponseCarriesTheSecurityHeaders) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  for (const std::string& path :
       {std::string("/anmelden"), std::string("/posteingang"),
        "/vorgaenge/" + case_a_, std::string("/vorgaenge/unbekannt")}) {
    Reply r = Call("GET", path, cookie);
    std::string csp = r.headers["Content-Security-Policy"];
    EXPECT_THAT(csp, HasSubstr("default-src 'self'")) << path;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(csp, Not(HasSubstr("unsafe")));
    EXPECT_EQ(r.headers["X-Frame-Options"], "DENY");
    EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(r.headers["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  }
  // The assets: content-hashed URLs, cached for a year; others are 404.
  Reply page = Call("GET", "/posteingang", cookie);
  std::string css = Match(page.body, "href=\"(/static/[0-9a-f]{16}/ui.css)\"");
  ASSERT_NE(css, "");
  Reply r = Call("GET", css);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["Cache-Control"], HasSubstr("max-age=31536000"));
  EXPECT_THAT(r.headers["Content-Type"], HasSubstr("text/css"));
  std::string js =
      Match(page.body, "src=\"(/static/[0-9a-f]{16}/htmx.min.js)\"");
  EXPECT_EQ(Call("GET", js).status, 200);
  EXPECT_EQ(Call("GET", "/static/0000000000000000/ui.css").status, 404);
}

TEST_F(WebTest, OffLoopbackTheCookieIsSecureWithHostPrefix) {
  auto db = OpenDb(tmp_->path(), "");
  ASSERT_TRUE(db.ok());
  WebOptions o;
  o.store = store_;
  o.secure_cookies = true;
  o.logger = quiet_;
  auto ui = Ui::Create(std::move(o), std::move(*db));
  ASSERT_TRUE(ui.ok());
  net::Router router;
  (*ui)->AddRoutes(router);
  auto server = net::HttpServer::Start({}, std::move(router));
  ASSERT_TRUE(server.ok());
  std::string base = (*server)->base_url();

  auto fetch = [&](const std::string& method, const std::string& path,
                   const std::string& cookie, const std::string& body) {
    net::ClientRequest r;
    r.method = method;
    r.url = base + path;
    if (!cookie.empty()) r.headers["Cookie"] = cookie;
    if (method == "POST") {
      r.headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    r.body = body;
    return *net::Fetch(r);
  };
  auto form = fetch("GET", "/anmelden", "", "");
  EXPECT_THAT(form.headers["Set-Cookie"], HasSubstr("; Secure"));
  std::string pre = Match(form.headers["Set-Cookie"], "ds_login=([^;]+)");
  std::string token = Match(form.body, "name=\"_login\" value=\"([^\"]+)\"");
  auto r = fetch("POST", "/anmelden", "ds_login=" + pre,
                 "_login=" + token +
                     "&mandant=kreis-a&benutzer=a.clerk&passwort=" + kPassword);
  ASSERT_EQ(r.status, 303);
  std::string cookie = r.headers["Set-Cookie"];
  EXPECT_EQ(cookie.rfind("__Host-ds_session=", 0), 0u);
  EXPECT_THAT(cookie, HasSubstr("; Secure"));
  EXPECT_THAT(cookie, HasSubstr("Path=/;"));
  std::string id = Match(cookie, "__Host-ds_session=([^;]+)");
  EXPECT_EQ(fetch("GET", "/posteingang", "__Host-ds_session=" + id, "").status,
            200);
  // The plain name is not accepted in this configuration.
  EXPECT_EQ(fetch("GET", "/posteingang", "ds_session=" + id, "").status, 303);
  (*server)->Stop();
}

TEST(WebListen, LoopbackAddressesAreRecognised) {
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:8470"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:80"));
  EXPECT_TRUE(IsLoopbackListen("localhost:1"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:8470"));
  EXPECT_FALSE(IsLoopbackListen("10.1.2.3:443"));
}

}  // namespace
}  // namespace ds::web
