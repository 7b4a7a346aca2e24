// Server time of the web UI's pages with 100,000 Vorgänge in the tenant
// (plus 50,000 in another), on SQLite: the Posteingang (first page, a
// filter, a page deep in the list) and the case view (with form data and
// documents). Requests go over loopback with a logged-in session; the
// times include the loopback round trip, so they bound the server time
// from above. Target: < 200 ms per page (docs/benchmarks.md).
//
//   build/release/bench/web_bench [requests per page, default 200]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "net/http.h"
#include "records/store.h"
#include "web/web.h"

namespace {

using namespace ds;

constexpr int kCases = 100'000;
constexpr int64_t kStart = 1'700'000'000;
constexpr char kPassword[] = "benchmark-passwort-1";

void Seed(const std::filesystem::path& dir, const std::string& tenant, int n) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "records.sqlite").c_str(), &db);
  char sql[2048];
  std::snprintf(
      sql, sizeof sql,
      "INSERT INTO tenant VALUES ('%s', 0);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
      "WHERE i < %d) "
      "INSERT INTO vorgang (id, tenant, akte_id, submission_id, case_id, "
      "destination_id, service_identifier, service_name, subject, "
      "reply_channel, form_text, received_at, state, worst_verdict) "
      "SELECT printf('%s-%%08d', i), '%s', NULL, 'sub-' || i, 'case-' || i, "
      "'dest', 'urn:leika:' || (i %% 20), 'Wohngeld', 'Antrag ' || i, NULL, "
      "'', %lld + i * 60, CASE i %% 4 WHEN 0 THEN 'new' WHEN 1 THEN "
      "'routing' WHEN 2 THEN 'delivered' ELSE 'failed' END, "
      "CASE WHEN i %% 100 = 0 THEN 3 ELSE i %% 3 END FROM n;",
      tenant.c_str(), n, tenant.c_str(), tenant.c_str(),
      static_cast<long long>(kStart));
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "seed failed: %s\n", err);
    std::exit(2);
  }
  sqlite3_close(db);
}

// One real case with form data and two attachments, filed the usual way.
std::string FileCase(records::Store& store) {
  auto put = [&](const std::string& bytes, const std::string& name,
                 const std::string& mime) {
    records::IncomingDocument d;
    d.filename = name;
    d.mime_type = mime;
    d.content_address = store.files().PutBytes(bytes)->address;
    d.size = static_cast<int64_t>(bytes.size());
    return d;
  };
  records::IncomingSubmission in;
  in.tenant = "bench";
  in.submission_id = NewUuid();
  in.case_id = NewUuid();
  in.destination_id = NewUuid();
  in.service_identifier = "urn:leika:1";
  in.service_name = "Wohngeld";
  in.received_at = kStart + kCases * 60 + 60;
  in.subject = "Wohngeld Antrag";
  in.form_data = put(
      R"({"antragsteller":{"vorname":"Erika","familienname":"Mustermann",)"
      R"("anschrift":{"strasse":"Musterweg 1","plz":"07743","ort":"Jena"}},)"
      R"("wohnung":{"wohnflaeche_qm":54,"miete_euro":480}})",
      "fachdaten.json", "application/json");
  records::IncomingDocument a =
      put("%PDF-1.4 a", "Mietvertrag.pdf", "application/pdf");
  a.attachment_id = NewUuid();
  records::IncomingDocument b =
      put("%PDF-1.4 b", "Nachweis.pdf", "application/pdf");
  b.attachment_id = NewUuid();
  b.verdict = records::Verdict::kQuarantined;
  b.findings_json = R"([{"code":"scan.unavailable","message":"no clamd"}])";
  in.attachments = {a, b};
  return store.FileSubmission(in)->vorgang_id;
}

std::string Match(const std::string& text, const std::string& re) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(re)) ? m[1].str() : "";
}

net::ClientResponse Get(const std::string& url, const std::string& cookie) {
  net::ClientRequest r;
  r.url = url;
  r.headers["Cookie"] = cookie;
  auto out = net::Fetch(r);
  if (!out.ok()) {
    std::fprintf(stderr, "request failed: %s\n",
                 out.status().ToString().c_str());
    std::exit(2);
  }
  return *out;
}

void Measure(const char* name, const std::string& url,
             const std::string& cookie, int n) {
  std::vector<double> ms;
  size_t rows = 0;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    net::ClientResponse r = Get(url, cookie);
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - start)
                     .count());
    if (i == 0) {
      for (size_t p = r.body.find("<tr class="); p != std::string::npos;
           p = r.body.find("<tr class=", p + 1)) {
        ++rows;
      }
    }
    if (r.status != 200) {
      std::fprintf(stderr, "%s: status %d\n", name, r.status);
      std::exit(2);
    }
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s %3zu rows  median %6.2f ms  p95 %6.2f ms  max %6.2f ms\n",
              name, rows, ms[ms.size() / 2], ms[ms.size() * 95 / 100],
              ms.back());
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200;
  ds::testing::TempDir dir;
  Logger quiet;
  quiet.set_level(LogLevel::kOff);
  auto store = std::move(*records::Store::OpenSqlite(dir.path()));
  std::printf("seeding %d Vorgänge (+%d in another tenant) ...\n", kCases,
              kCases / 2);
  Seed(dir.path(), "bench", kCases);
  Seed(dir.path(), "other", kCases / 2);
  std::string case_id = FileCase(*store);

  web::WebOptions o;
  o.store = store.get();
  o.secure_cookies = false;
  o.logger = &quiet;
  auto ui = std::move(
      *web::Ui::Create(std::move(o), std::move(*web::OpenDb(dir.path(), ""))));
  if (!ui->accounts()
           .AddUser("bench", "clerk", api::Role::kClerk, kPassword)
           .ok())
    return 2;
  auto login = ui->accounts().LogIn("bench", "clerk", kPassword);
  if (!login.ok()) return 2;
  std::string cookie = "ds_session=" + login->session_id;
  net::Router router;
  ui->AddRoutes(router);
  auto server = std::move(*net::HttpServer::Start({}, std::move(router)));
  std::string base = server->base_url();

  // A cursor 1,000 pages deep: follow "next" links from the first page.
  std::string deep = base + "/posteingang";
  for (int i = 0; i < 20; ++i) {
    std::string body = Get(deep, cookie).body;
    std::string next =
        Match(body, "href=\"(/posteingang\\?cursor=[^\"]+)\" rel=\"next\"");
    deep = base + std::regex_replace(next, std::regex("&amp;"), "&");
  }

  std::printf("%d requests per page over loopback, 50 rows per inbox page\n",
              n);
  Measure("Posteingang, first page", base + "/posteingang", cookie, n);
  Measure("Posteingang, verdict=rejected",
          base + "/posteingang?verdict=rejected", cookie, n);
  Measure("Posteingang, state+service",
          base + "/posteingang?state=new&service=urn%3Aleika%3A4", cookie, n);
  Measure("Posteingang, 21st page (cursor)", deep, cookie, n);
  Measure("Posteingang, date range",
          base + "/posteingang?from=2023-11-20&until=2023-11-30", cookie, n);
  Measure("Vorgang with form data, 3 docs", base + "/vorgaenge/" + case_id,
          cookie, n);
  Measure("Vorgang (seeded, no documents)", base + "/vorgaenge/bench-00050000",
          cookie, n);
  server->Stop();
  return 0;
}
