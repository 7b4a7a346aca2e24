// Test support for the web UI tests (web_test.cc, web_text_test.cc): one
// hub per test suite, served over real HTTP on loopback against a real
// SQLite store, with accounts of three roles in two tenants, a filed case
// with hostile text, and the UI's log kept for the tests that read it.
// Only for those two files: it defines its fixture in an unnamed
// namespace, so each includes its own copy.
#pragma once

#include "web/web.h"


#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <regex>
#include <sstream>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "demo/samples.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::atomic<int64_t> g_now{1'800'000'000};
constexpr char kPassword[] = "richtig-langes-passwort";
constexpr char kHostileSubject[] = "<script>alert('betreff')</script> & \"Co\"";
constexpr char kHostileFile[] = "\"><img src=x onerror=alert(1)>.pdf";
constexpr char kSecondSchema[] = "urn:example:schema:wohngeld-zwei";

struct Reply {
  int status = 0;
  net::Headers headers;
  std::string body;
};

class WebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new ds::testing::TempDir();
    // The UI's log, kept for the tests that check what it says.
    log_ = new std::ostringstream();
    quiet_ = new Logger(std::make_shared<spdlog::logger>(
        "web_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_)));
    auto store = records::Store::OpenSqlite(tmp_->path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = store->release();
    auto db = OpenDb(tmp_->path(), "");
    ASSERT_TRUE(db.ok());
    WebOptions o;
    o.store = store_;
    o.secure_cookies = false;
    o.sessions.now = [] { return g_now.load(); };
    o.data_schemas.push_back(
        {"urn:example:schema:wohngeld",
         R"({"type":"object","required":["antragsteller"],"properties":{)"
         R"("antragsteller":{"title":"Antragstellende Person","properties":{)"
         R"("familienname":{"title":"Familienname"}}}}})"});
    // Fits the same data; only a case that names it gets its labels.
    o.data_schemas.push_back(
        {kSecondSchema,
         R"({"type":"object","properties":{)"
         R"("antragsteller":{"title":"Person nach Schema zwei"}}})"});
    o.logger = quiet_;
    auto ui = Ui::Create(std::move(o), std::move(*db));
    ASSERT_TRUE(ui.ok()) << ui.status().message();
    ui_ = ui->release();
    for (auto [tenant, user, role] :
         {std::tuple{"kreis-a", "a.clerk", api::Role::kClerk},
          std::tuple{"kreis-a", "a.ops", api::Role::kOperator},
          std::tuple{"kreis-a", "a.admin", api::Role::kTenantAdmin},
          std::tuple{"kreis-a", "a.locked", api::Role::kClerk},
          std::tuple{"kreis-b", "b.clerk", api::Role::kClerk}}) {
      ASSERT_TRUE(ui_->accounts().AddUser(tenant, user, role, kPassword).ok());
    }
    net::Router router;
    ui_->AddRoutes(router);
    auto server = net::HttpServer::Start({}, std::move(router));
    ASSERT_TRUE(server.ok());
    server_ = server->release();
    case_a_ = FileCase("kreis-a", kHostileSubject);
  }

  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    delete ui_;
    delete store_;
    delete quiet_;
    delete log_;
    delete tmp_;
  }

  // Files a case with JSON form data, a clean PDF and a quarantined file
  // with a hostile name.
  static std::string FileCase(const std::string& tenant,
                              const std::string& subject,
                              const std::string& data_schema = "") {
    auto put = [&](const std::string& bytes, const std::string& name,
                   const std::string& mime) {
      auto blob = store_->files().PutBytes(bytes);
      records::IncomingDocument d;
      d.filename = name;
      d.mime_type = mime;
      d.content_address = blob.ok() ? blob->address : "";
      d.size = static_cast<int64_t>(bytes.size());
      return d;
    };
    records::IncomingSubmission in;
    in.tenant = tenant;
    in.submission_id = NewUuid();
    in.case_id = NewUuid();
    in.destination_id = NewUuid();
    in.service_identifier = "urn:de:fim:leika:leistung:99001001000000";
    in.service_name = "Wohngeld";
    in.received_at = g_now.load();
    in.subject = subject;
    in.data_schema = data_schema;
    in.form_data = put(R"({"antragsteller":{"familienname":"<b>Muster</b>",)"
                       R"("wohnflaeche_qm":54}})",
                       "fachdaten.json", "application/json");
    records::IncomingDocument clean =
        put("%PDF-1.4 clean", "Mietvertrag.pdf", "application/pdf");
    clean.attachment_id = NewUuid();
    records::IncomingDocument bad =
        put("MZ not really a pdf", kHostileFile, "application/pdf");
    bad.attachment_id = NewUuid();
    bad.verdict = records::Verdict::kQuarantined;
    bad.findings_json = R"([{"code":"type.mime_mismatch","message":"<x>"}])";
    records::IncomingDocument scan =
        put(demo::MinimalPdf("Seite eins"), "Scan.pdf", "application/pdf");
    scan.attachment_id = NewUuid();
    in.attachments = {clean, bad, scan};
    auto receipt = store_->FileSubmission(in);
    EXPECT_TRUE(receipt.ok());
    return receipt.ok() ? receipt->vorgang_id : "";
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
    EXPECT_TRUE(out.ok());
    if (!out.ok()) return {};
    return {out->status, out->headers, out->body};
  }

  static std::string Match(const std::string& text, const std::string& re) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(re)) ? m[1].str() : "";
  }

  // Logs in and returns the "ds_session=..." cookie ("" if refused).
  static std::string LogIn(const std::string& tenant, const std::string& user,
                           const std::string& password, int* status = nullptr) {
    Reply form = Call("GET", "/anmelden");
    std::string pre = Match(form.headers["Set-Cookie"], "ds_login=([^;]+)");
    std::string token = Match(form.body, "name=\"_login\" value=\"([^\"]+)\"");
    Reply r = Call("POST", "/anmelden", "ds_login=" + pre,
                   "_login=" + token + "&mandant=" + net::UrlEncode(tenant) +
                       "&benutzer=" + net::UrlEncode(user) +
                       "&passwort=" + net::UrlEncode(password));
    if (status) *status = r.status;
    if (r.status != 303) return "";
    return "ds_session=" + Match(r.headers["Set-Cookie"], "ds_session=([^;]+)");
  }

  static std::string Csrf(const std::string& body) {
    return Match(body, "name=\"_csrf\" value=\"([^\"]+)\"");
  }

  static ds::testing::TempDir* tmp_;
  static Logger* quiet_;
  static std::ostringstream* log_;
  static records::Store* store_;
  static Ui* ui_;
  static net::HttpServer* server_;
  static std::string case_a_;
};

ds::testing::TempDir* WebTest::tmp_ = nullptr;
Logger* WebTest::quiet_ = nullptr;
std::ostringstream* WebTest::log_ = nullptr;
records::Store* WebTest::store_ = nullptr;
Ui* WebTest::ui_ = nullptr;
net::HttpServer* WebTest::server_ = nullptr;
std::string WebTest::case_a_;

}  // namespace
}  // namespace ds::web
