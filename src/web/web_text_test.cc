// How the web UI shows what senders and clerks wrote: hostile markup
// escaped, direction controls and invisible characters made visible and
// left as written when a form is saved, form data with the labels of its
// schema, German days in the date filters, pages in the browser's language
// for unknown addresses, and the language switch.
#include "web/web_test_support.h"

namespace ds::web {
namespace {

// The shared fixture under its own suite name (gtest wants one fixture
// class per suite, and web_test.cc has its own copy of WebTest).
class WebTextTest : public WebTest {};

// The labels come from the schema that the case's metadata names, not from
// the first configured schema that happens to fit the data.
TEST_F(WebTextTest, FormDataLabelsComeFromTheSchemaTheCaseNames) {
  std::string id = FileCase("kreis-a", "Schema zwei", kSecondSchema);
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply r = Call("GET", "/vorgaenge/" + id, cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<h3>Person nach Schema zwei</h3>"));
  EXPECT_THAT(r.body, Not(HasSubstr("Antragstellende Person")));
  EXPECT_THAT(r.body,
              HasSubstr("<code>" + std::string(kSecondSchema) + "</code>"));
}

// A sender's bidi override must not reorder the page: it is shown as a
// visible replacement character, in the Posteingang and on the case (also
// in the metadata form, where the clerk can see and remove it).
TEST_F(WebTextTest, BidiControlsFromSendersAreShownNotObeyed) {
  const std::string subject =
      "Wohngeld \u202eRLO-Test\u2066x\u200f \u200bzero\xef\xbb\xbf<&>";
  std::string id = FileCase("kreis-a", subject);
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  for (const std::string& path :
       {std::string("/posteingang"), "/vorgaenge/" + id}) {
    Reply r = Call("GET", path, cookie);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.body, HasSubstr("Wohngeld \uFFFDRLO-Test\uFFFDx\uFFFD "
                                  "\uFFFDzero\uFFFD&lt;&amp;&gt;"))
        << path;
    for (const char* hidden :
         {"\u202e", "\u2066", "\u200f", "\u200b", "\xef\xbb\xbf"}) {
      EXPECT_THAT(r.body, Not(HasSubstr(hidden))) << path;
    }
  }

  // Saving the other field sends the subject back as shown: it is left as
  // the sender wrote it, not replaced by what the page showed.
  Reply page = Call("GET", "/vorgaenge/" + id, cookie);
  std::string shown =
      "Wohngeld \uFFFDRLO-Test\uFFFDx\uFFFD \uFFFDzero\uFFFD<&>";
  Reply saved =
      Call("POST", "/vorgaenge/" + id + "/metadaten", cookie,
           "subject=" + net::UrlEncode(shown) +
               "&service_name=Wohngeld%20neu&_csrf=" + Csrf(page.body));
  EXPECT_EQ(saved.status, 303);
  auto v = store_->GetVorgang("kreis-a", id);
  ASSERT_OK(v);
  EXPECT_EQ(v->subject, subject);
  EXPECT_EQ(v->service_name, "Wohngeld neu");
}

// A browser gets pages for addresses that do not exist or do not take its
// method; API clients keep the problem JSON.
TEST_F(WebTextTest, UnknownAddressesAnswerBrowsersWithAPage) {
  auto fetch = [&](const std::string& method, const std::string& path,
                   const std::string& accept) {
    net::ClientRequest r{.method = method, .url = server_->base_url() + path};
    if (!accept.empty()) r.headers["Accept"] = accept;
    auto out = net::Fetch(r);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : net::ClientResponse{};
  };
  const std::string html = "text/html,application/xhtml+xml,*/*;q=0.8";
  net::ClientResponse missing = fetch("GET", "/nichtda", html);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.headers["Content-Type"], HasSubstr("text/html"));
  EXPECT_THAT(missing.body, HasSubstr("Seite nicht gefunden"));
  EXPECT_THAT(missing.headers["Content-Security-Policy"],
              HasSubstr("default-src 'self'"));

  net::ClientResponse wrong = fetch("GET", "/abmelden", html);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers["Allow"], "POST");
  EXPECT_THAT(wrong.body, HasSubstr("Nicht möglich"));

  net::ClientResponse api = fetch("GET", "/nichtda", "");
  EXPECT_EQ(api.status, 404);
  EXPECT_THAT(api.headers["Content-Type"], HasSubstr("problem+json"));
  net::ClientResponse api_html = fetch("GET", "/api/v1/nichtda", html);
  EXPECT_EQ(api_html.status, 404);
  EXPECT_THAT(api_html.headers["Content-Type"], HasSubstr("problem+json"));
}

// The language switch comes back to the page it was on, and only to a
// page of this site.
TEST_F(WebTextTest, TheLanguageSwitchKeepsThePlace) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply page = Call("GET", "/vorgaenge/" + case_a_, cookie);
  const std::string back = "%2Fvorgaenge%2F" + case_a_;
  EXPECT_THAT(page.body, HasSubstr("href=\"/sprache/en?zurueck=" + back));
  Reply to_case = Call("GET", "/sprache/en?zurueck=" + back, cookie);
  EXPECT_EQ(to_case.status, 303);
  EXPECT_EQ(to_case.headers["Location"], "/vorgaenge/" + case_a_);
  for (const char* away :
       {"%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example", "%2Fa%0D%0ASet-Cookie%3Ax"}) {
    Reply r = Call("GET", std::string("/sprache/en?zurueck=") + away, cookie);
    EXPECT_EQ(r.headers["Location"], "/posteingang") << away;
  }
}

// The date filters mean German days, as the list shows German time: a case
// received at 23:30 UTC on 4 December is one of 5 December (00:30 CET).
TEST_F(WebTextTest, DateFiltersMeanGermanDays) {
  records::IncomingSubmission in;
  in.tenant = "kreis-a";
  in.submission_id = NewUuid();
  in.subject = "Kurz nach Mitternacht";
  in.received_at = 1'796'427'000;  // 2026-12-04T23:30:00Z
  ASSERT_OK(store_->FileSubmission(in));
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply fifth =
      Call("GET", "/posteingang?from=2026-12-05&until=2026-12-05", cookie);
  EXPECT_THAT(fifth.body, HasSubstr("Kurz nach Mitternacht"));
  EXPECT_THAT(fifth.body, HasSubstr("05.12.2026, 00:30"));
  Reply fourth =
      Call("GET", "/posteingang?from=2026-12-04&until=2026-12-04", cookie);
  EXPECT_THAT(fourth.body, Not(HasSubstr("Kurz nach Mitternacht")));
  // Summer time: 22:30 UTC on 30 June is 00:30 CEST on 1 July.
  in.submission_id = NewUuid();
  in.subject = "Sommernacht";
  in.received_at = 1'782'858'600;  // 2026-06-30T22:30:00Z
  ASSERT_OK(store_->FileSubmission(in));
  EXPECT_THAT(
      Call("GET", "/posteingang?from=2026-07-01&until=2026-07-01", cookie).body,
      HasSubstr("Sommernacht"));
  EXPECT_THAT(
      Call("GET", "/posteingang?from=2026-06-30&until=2026-06-30", cookie).body,
      Not(HasSubstr("Sommernacht")));
}

TEST_F(WebTextTest, HostileSubjectsFilenamesAndFormDataAreEscaped) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  for (const std::string& path :
       {std::string("/posteingang"), "/vorgaenge/" + case_a_}) {
    Reply r = Call("GET", path, cookie);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.body, Not(HasSubstr("<script>alert")));
    EXPECT_THAT(r.body, HasSubstr("&lt;script&gt;alert(&#39;betreff&#39;)"));
    EXPECT_THAT(r.body, Not(HasSubstr("<img")));
    EXPECT_THAT(r.body, Not(HasSubstr("<b>Muster")));
  }
  Reply r = Call("GET", "/vorgaenge/" + case_a_, cookie);
  EXPECT_THAT(r.body,
              HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.pdf"));
  EXPECT_THAT(r.body, HasSubstr("&lt;b&gt;Muster&lt;/b&gt;"));
  // Labels: the schema's titles, else the key humanised.
  EXPECT_THAT(r.body, HasSubstr("<h3>Antragstellende Person</h3>"));
  EXPECT_THAT(r.body, HasSubstr("<dt>Familienname</dt>"));
  EXPECT_THAT(r.body, HasSubstr("<dt>Wohnflaeche qm</dt>"));
  // No script or style in the page itself: only the embedded assets.
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(r.body, Not(HasSubstr("style=")));
}

TEST_F(WebTextTest, XmlFormDataIsAnEscapedTreeWithoutEntities) {
  auto blob = store_->files().PutBytes(
      "<?xml version=\"1.0\"?><!DOCTYPE antrag [<!ENTITY x SYSTEM "
      "\"file:///etc/passwd\">]><antrag><person><name>&lt;script&gt;"
      "</name><ort typ=\"a&quot;b\">Jena</ort></person><geheim>&x;"
      "</geheim></antrag>");
  ASSERT_TRUE(blob.ok());
  records::IncomingSubmission in;
  in.tenant = "kreis-a";
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = "urn:leika:xml";
  in.subject = "XML-Antrag";
  in.form_data.filename = "antrag.xml";
  in.form_data.mime_type = "application/xml";
  in.form_data.content_address = blob->address;
  in.form_data.size = blob->size;
  auto filed = store_->FileSubmission(in);
  ASSERT_TRUE(filed.ok());

  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply r = Call("GET", "/vorgaenge/" + filed->vorgang_id, cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<strong>Name</strong>: &lt;script&gt;"));
  EXPECT_THAT(r.body, HasSubstr("typ=„a&quot;b“"));
  EXPECT_THAT(r.body, HasSubstr("<strong>Ort</strong>"));
  EXPECT_THAT(r.body, Not(HasSubstr("root:")));
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
}

TEST_F(WebTextTest, EnglishOnRequest) {
  std::string cookie = LogIn("kreis-a", "a.clerk", kPassword);
  Reply de = Call("GET", "/posteingang", cookie);
  EXPECT_THAT(de.body, HasSubstr("lang=\"de\""));
  Reply en = Call("GET", "/posteingang", cookie + "; ds_lang=en");
  EXPECT_THAT(en.body, HasSubstr("lang=\"en\""));
  EXPECT_THAT(en.body, HasSubstr("Inbox"));
}

}  // namespace
}  // namespace ds::web
