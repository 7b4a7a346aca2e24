#include "demo/page.h"

#include <ctime>

namespace ds::demo {
namespace {

std::string Date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%d.%m.%Y %H:%M UTC", &tm);
  return buf;
}

std::string VerdictLabel(records::Verdict v) {
  switch (v) {
    case records::Verdict::kClean: return "unauffällig";
    case records::Verdict::kNeutralised: return "bereinigt";
    case records::Verdict::kQuarantined: return "in Quarantäne";
    case records::Verdict::kRejected: return "abgewiesen";
  }
  return "unbekannt";
}

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.5rem;border-bottom:1px solid #767676}"
    "th{background:#f0f0f0}caption{text-align:left;margin-bottom:.5rem}";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void AddPage(net::Router& router, records::Store& store, const std::string& tenant) {
  router.Add("GET", "/", [&store, tenant](const net::Request&) {
    records::InboxFilter filter;
    filter.tenant = tenant;
    filter.limit = 100;
    Result<records::InboxPage> page = store.ListInbox(filter);
    if (!page.ok()) return net::Response::Problem(page.status(), "/");

    std::string rows;
    for (const records::Vorgang& v : page->items) {
      rows += "<tr><td>" + HtmlEscape(Date(v.received_at)) + "</td><td>" +
              HtmlEscape(v.subject) + "</td><td><code>" + HtmlEscape(v.submission_id) +
              "</code></td><td>" + HtmlEscape(VerdictLabel(v.worst_verdict)) + "</td></tr>\n";
    }
    if (rows.empty()) rows = "<tr><td colspan=\"4\">Noch keine Vorgänge eingegangen.</td></tr>";

    std::string html =
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Posteingang – Drehscheibe (Demo)</title>"
        "<link rel=\"stylesheet\" href=\"/static/demo.css\"></head><body><main><h1>Posteingang (Demo)</h1>"
        "<table><caption>Eingegangene Vorgänge, neueste zuerst</caption>"
        "<thead><tr><th scope=\"col\">Eingang</th><th scope=\"col\">Betreff</th>"
        "<th scope=\"col\">Einreichung</th><th scope=\"col\">Prüfergebnis</th></tr></thead>"
        "<tbody>\n" + rows + "</tbody></table></main></body></html>\n";
    net::Response r = net::Response::Text(200, std::move(html), "text/html; charset=utf-8");
    r.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'self'";
    r.headers["X-Content-Type-Options"] = "nosniff";
    return r;
  });
  router.Add("GET", "/static/demo.css", [](const net::Request&) {
    net::Response r = net::Response::Text(200, kStyle, "text/css; charset=utf-8");
    r.headers["X-Content-Type-Options"] = "nosniff";
    return r;
  });
}

}  // namespace ds::demo
