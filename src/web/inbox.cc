// The Posteingang: a tenant's new cases, filtered and paged by keyset
// (Store::ListInbox), newest first.
#include <ctime>
#include <vector>

#include "records/vorgang_state.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

constexpr int kPageSize = 50;

std::string Query(const Ctx& c, const char* name) {
  auto it = c.request.query.find(name);
  return it == c.request.query.end() ? std::string() : it->second;
}

// "2026-12-03" as unix seconds at midnight UTC; nullopt if malformed.
// The filters turn it into the German day (BerlinMidnight), as the list
// shows German time.
std::optional<int64_t> ParseDate(const std::string& s) {
  std::tm tm{};
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  // Nothing was received before 1970 (unix time 0); "0000-01-01" is a
  // mistake to name, not a filter that silently lets everything through.
  if (tm.tm_year < 70) return std::nullopt;
  tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(8, 2));
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) {
    return std::nullopt;
  }
  // timegm rolls 2026-02-30 over into March; such a day does not exist.
  int year = tm.tm_year, month = tm.tm_mon, day = tm.tm_mday;
  time_t t = timegm(&tm);
  if (tm.tm_year != year || tm.tm_mon != month || tm.tm_mday != day) {
    return std::nullopt;
  }
  return static_cast<int64_t>(t);
}

std::string Option(const std::string& value, const std::string& label,
                   const std::string& selected) {
  return "<option value=\"" + Esc(value) + "\"" +
         (value == selected ? " selected" : "") + ">" + Esc(label) +
         "</option>";
}

std::string Field(const std::string& id, const std::string& label,
                  const std::string& control) {
  return "<div class=\"field\"><label for=\"" + id + "\">" + Esc(label) +
         "</label>" + control + "</div>";
}

std::string Filters(const Ctx& c) {
  std::string verdict = Query(c, "verdict"), state = Query(c, "state");
  std::string f =
      "<form class=\"filters\" method=\"get\" action=\"/posteingang\" "
      "role=\"search\" aria-label=\"" +
      Esc(c.t("Posteingang filtern")) +
      "\" hx-get=\"/posteingang\" hx-target=\"#treffer\" "
      "hx-select=\"#treffer\" hx-swap=\"outerHTML\" hx-push-url=\"true\" "
      "hx-trigger=\"change, submit\">";
  f += Field("f-service", c.t("Leistung (Kennung)"),
             "<input id=\"f-service\" name=\"service\" size=\"28\" value=\"" +
                 Esc(Query(c, "service")) + "\">");
  std::string states = Option("", c.t("alle"), state);
  for (std::string_view s : records::kVorgangStates) {
    states += Option(std::string(s), StateLabel(c, std::string(s)), state);
  }
  f += Field("f-state", c.t("Status"),
             "<select id=\"f-state\" name=\"state\">" + states + "</select>");
  std::string verdicts = Option("", c.t("alle"), verdict);
  verdicts += Option("clean", c.t("unauffällig"), verdict);
  verdicts += Option("neutralised", c.t("bereinigt"), verdict);
  verdicts += Option("quarantined", c.t("in Quarantäne"), verdict);
  verdicts += Option("rejected", c.t("abgewiesen"), verdict);
  f += Field(
      "f-verdict", c.t("Prüfergebnis"),
      "<select id=\"f-verdict\" name=\"verdict\">" + verdicts + "</select>");
  f += Field("f-from", c.t("Eingang ab"),
             "<input id=\"f-from\" name=\"from\" type=\"date\" value=\"" +
                 Esc(Query(c, "from")) + "\">");
  f += Field("f-until", c.t("Eingang bis"),
             "<input id=\"f-until\" name=\"until\" type=\"date\" value=\"" +
                 Esc(Query(c, "until")) + "\">");
  f += "<button type=\"submit\">" + Esc(c.t("Filtern")) + "</button>";
  f += "<a class=\"button secondary\" href=\"/posteingang\">" +
       Esc(c.t("Zurücksetzen")) + "</a></form>";
  return f;
}

// The query string of the current filters (for the paging links).
std::string FilterQuery(const Ctx& c) {
  std::string q;
  for (const char* name : {"service", "state", "verdict", "from", "until"}) {
    std::string v = Query(c, name);
    if (!v.empty()) q += std::string("&") + name + "=" + UrlPart(v);
  }
  return q;
}

}  // namespace

net::Response InboxPage(Ctx& c) {
  records::InboxFilter f;
  f.tenant = c.who().tenant;
  f.limit = kPageSize;
  f.after = Query(c, "cursor");
  std::vector<std::string> errors;  // each unusable filter, named
  if (std::string s = Query(c, "service"); !s.empty()) f.service_identifier = s;
  // An unknown filter value is named, not silently turned into an empty list.
  if (std::string s = Query(c, "state"); !s.empty()) {
    if (records::IsVorgangState(s))
      f.state = s;
    else
      errors.push_back(
          c.t("Der Status ist unbekannt; der Filter wurde nicht angewandt."));
  }
  if (std::string s = Query(c, "verdict"); !s.empty()) {
    Result<records::Verdict> v = records::ParseVerdict(s);
    if (v.ok())
      f.worst_verdict = *v;
    else
      errors.push_back(c.t(
          "Das Prüfergebnis ist unbekannt; der Filter wurde nicht angewandt."));
  }
  if (std::string s = Query(c, "from"); !s.empty()) {
    f.received_from = ParseDate(s);
    if (f.received_from) f.received_from = BerlinMidnight(*f.received_from);
    if (!f.received_from) {
      errors.push_back(
          c.t("Das Datum „Eingang ab“ ist ungültig; der Filter "
              "wurde nicht angewandt."));
    }
  }
  if (std::string s = Query(c, "until"); !s.empty()) {
    std::optional<int64_t> until = ParseDate(s);
    if (until)
      f.received_until = BerlinMidnight(*until + 86400);  // the whole day
    else
      errors.push_back(
          c.t("Das Datum „Eingang bis“ ist ungültig; der Filter "
              "wurde nicht angewandt."));
  }

  if (f.received_from && f.received_until &&
      *f.received_from >= *f.received_until) {
    errors.push_back(
        c.t("„Eingang ab“ liegt nach „Eingang bis“; kein "
            "Vorgang kann in diesem Zeitraum eingegangen sein."));
  }

  Result<records::InboxPage> page = c.store.ListInbox(f);
  if (!page.ok() && page.status().code() == Code::kInvalidInput) {
    errors.push_back(
        c.t("Die Seitenangabe ist ungültig; angezeigt wird die erste Seite."));
    f.after.clear();
    page = c.store.ListInbox(f);
  }
  if (!page.ok()) {
    return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                   c.t("Der Posteingang kann gerade nicht gelesen werden."));
  }

  std::string m = "<h1>" + Esc(c.t("Posteingang")) + "</h1>" + Filters(c);
  m += "<div id=\"treffer\">";
  if (!errors.empty()) {
    m += "<div class=\"notice warn\" role=\"alert\">";
    for (const std::string& e : errors) m += "<p>" + Esc(e) + "</p>";
    m += "</div>";
  }
  size_t n = page->items.size();
  m += "<p role=\"status\" id=\"anzahl\">" +
       Esc(n == 0 ? c.t("Keine Vorgänge gefunden.")
                  : Number(c.lang, static_cast<int64_t>(n)) + " " +
                        c.t(n == 1 ? "Vorgang auf dieser Seite"
                                   : "Vorgänge auf dieser Seite")) +
       "</p>";
  if (n > 0) {
    m += "<table><caption>" +
         Esc(c.t("Eingegangene Vorgänge, neueste zuerst")) +
         "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Eingang")) +
         "</th><th scope=\"col\">" + Esc(c.t("Betreff")) +
         "</th><th scope=\"col\">" + Esc(c.t("Leistung")) +
         "</th><th scope=\"col\">" + Esc(c.t("Status")) +
         "</th><th scope=\"col\">" + Esc(c.t("Prüfergebnis")) +
         "</th></tr></thead><tbody>";
    for (const records::Vorgang& v : page->items) {
      std::string flag(records::VerdictName(v.worst_verdict));
      std::string subject =
          v.subject.empty() ? c.t("(ohne Betreff)") : v.subject;
      m += "<tr class=\"flag-" + flag + "\"><td>" +
           Esc(DateTime(c.lang, v.received_at)) +
           "</td><td><a href=\"/vorgaenge/" + UrlPart(v.id) + "\">" +
           Esc(subject) + "</a></td><td>" +
           Esc(v.service_name.empty() ? v.service_identifier : v.service_name) +
           "</td><td>" + Esc(StateLabel(c, v.state)) + "</td><td>" +
           VerdictBadge(c, v.worst_verdict) + "</td></tr>";
    }
    m += "</tbody></table>";
  }
  m += "<nav class=\"pager\" aria-label=\"" + Esc(c.t("Seiten")) + "\">";
  if (!f.after.empty()) {
    std::string q = FilterQuery(c);
    m += "<a href=\"/posteingang" + (q.empty() ? "" : "?" + q.substr(1)) +
         "\">" + Esc(c.t("Zur ersten Seite")) + "</a>";
  }
  if (!page->next_cursor.empty()) {
    m += "<a href=\"/posteingang?cursor=" + UrlPart(page->next_cursor) +
         FilterQuery(c) + "\" rel=\"next\">" + Esc(c.t("Nächste Seite")) +
         "</a>";
  }
  m += "</nav></div>";
  return Html(200, Frame(c, c.t("Posteingang"), m, "posteingang"));
}

}  // namespace ds::web::internal
