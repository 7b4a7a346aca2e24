// Operator pages: health (Zustelldienst, clamd, intake queue, dead letters
// of the router), the
// tenant's destinations and their keys with expiry warnings, and the audit
// trail search.
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "gate/clamd.h"
#include "intake/journal.h"
#include "web/pages.h"

namespace ds::web {

std::optional<int64_t> CertificateNotAfter(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!cert) return std::nullopt;
  std::optional<int64_t> out;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    out = static_cast<int64_t>(timegm(&tm));
  }
  X509_free(cert);
  return out;
}

namespace internal {
namespace {

constexpr int64_t kWarnDays = 30;

std::string Row(const std::string& what, const std::string& state_html,
                const std::string& detail) {
  return "<tr><th scope=\"row\">" + Esc(what) + "</th><td>" + state_html +
         "</td><td>" + detail + "</td></tr>";
}

std::string Ok(const Ctx& c, std::string_view text) {
  return "<span class=\"badge v-clean\"><span class=\"icon\" "
         "aria-hidden=\"true\">✓</span>" +
         Esc(c.t(text)) + "</span>";
}
std::string Warn(const Ctx& c, std::string_view text) {
  return "<span class=\"badge v-quarantined\"><span class=\"icon\" "
         "aria-hidden=\"true\">⚠</span>" +
         Esc(c.t(text)) + "</span>";
}
std::string Bad(const Ctx& c, std::string_view text) {
  return "<span class=\"badge v-rejected\"><span class=\"icon\" "
         "aria-hidden=\"true\">✕</span>" +
         Esc(c.t(text)) + "</span>";
}

std::string Health(const Ctx& c) {
  const WebOptions& o = c.options;
  std::string h =
      "<section aria-labelledby=\"h-health\"><h2 id=\"h-health\">" +
      Esc(c.t("Zustand")) + "</h2><table><caption>" +
      Esc(c.t("Zustand der Verbindungen und der Eingangswarteschlange")) +
      "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Prüfung")) +
      "</th><th scope=\"col\">" + Esc(c.t("Zustand")) +
      "</th><th scope=\"col\">" + Esc(c.t("Einzelheiten")) +
      "</th></tr></thead><tbody>";
  // Virus scanner.
  if (o.clamd_socket.empty()) {
    h += Row(c.t("Virenscanner (clamd)"), Warn(c, "nicht eingerichtet"),
             Esc(c.t("Ohne Virenscan landen Dateien in Quarantäne oder gelten "
                     "nur als ungeprüft.")));
  } else {
    Result<std::string> pong = gate::ClamdCommand(o.clamd_socket, "PING", 2);
    bool up = pong.ok() && pong->find("PONG") != std::string::npos;
    h += Row(c.t("Virenscanner (clamd)"),
             up ? Ok(c, "erreichbar") : Bad(c, "nicht erreichbar"),
             "<code>" + Esc(o.clamd_socket) + "</code>");
  }
  // Intake queue and the Zustelldienst, per destination of this tenant.
  std::vector<intake::DestinationStatus> statuses;
  if (o.journal) {
    Result<std::vector<intake::DestinationStatus>> s =
        o.journal->Destinations();
    if (s.ok()) statuses = std::move(*s);
  }
  for (const DestinationView& d : o.destinations) {
    if (d.tenant != c.who().tenant) continue;
    std::string label = c.t("Zustelldienst für") + " " + d.id;
    net::ClientRequest req;
    req.url = d.zustelldienst_url;
    req.timeout_seconds = 3;
    Result<net::ClientResponse> r = net::Fetch(req);
    h += Row(label, r.ok() ? Ok(c, "erreichbar") : Bad(c, "nicht erreichbar"),
             "<code>" + Esc(d.zustelldienst_url) + "</code>");
    if (!o.journal) continue;
    Result<std::vector<intake::JournalEntry>> open =
        o.journal->List(d.id, true);
    int64_t depth = open.ok() ? static_cast<int64_t>(open->size()) : -1;
    std::string detail;
    for (const auto& s : statuses) {
      if (s.destination_id != d.id) continue;
      detail =
          Esc(c.t("letzter Abruf:")) + " " +
          Esc(s.last_poll_at ? DateTime(c.lang, s.last_poll_at) : "–") + "; " +
          Esc(c.t("letzter Callback:")) + " " +
          Esc(s.last_callback_at ? DateTime(c.lang, s.last_callback_at) : "–");
      if (!s.last_error.empty()) {
        detail += "<br>" + Esc(c.t("letzter Fehler:")) + " " +
                  Esc(s.last_error) + " (" +
                  Esc(DateTime(c.lang, s.last_error_at)) + ")";
      }
    }
    std::string state = depth < 0    ? Bad(c, "nicht lesbar")
                        : depth == 0 ? Ok(c, "leer")
                                     : "<span>" + Esc(Number(c.lang, depth)) +
                                           " " + Esc(c.t("offen")) + "</span>";
    h += Row(c.t("Eingangswarteschlange"), state, detail);
  }
  h += DeadLetterRow(c);
  return h + "</tbody></table></section>";
}

std::string Destinations(const Ctx& c) {
  int64_t now = c.accounts.Now();
  std::string h = "<section aria-labelledby=\"h-dest\"><h2 id=\"h-dest\">" +
                  Esc(c.t("Zustellpunkte und Schlüssel")) + "</h2>";
  std::string rows;
  for (const DestinationView& d : c.options.destinations) {
    if (d.tenant != c.who().tenant) continue;
    for (const KeyView& k : d.keys) {
      std::string state = "–", until = "–";
      if (k.not_after) {
        until = Date(c.lang, *k.not_after);
        int64_t days = (*k.not_after - now) / 86400;
        state = *k.not_after <= now ? Bad(c, "abgelaufen")
                : days < kWarnDays
                    ? Warn(c, "läuft bald ab") + " " +
                          Esc(Number(c.lang, days) + " " + c.t("Tage"))
                    : Ok(c, "gültig");
      }
      std::string purpose = k.purpose == "signing"   ? c.t("Signatur")
                            : k.purpose == "retired" ? c.t("ausgemustert")
                                                     : c.t("Entschlüsselung");
      rows += "<tr><td><code>" + Esc(d.id) + "</code></td><td>" + Esc(purpose) +
              "</td><td><code>" + Esc(k.kid) + "</code></td><td>" + Esc(until) +
              "</td><td>" + state + "</td></tr>";
    }
  }
  if (rows.empty()) {
    return h + "<p>" +
           Esc(c.t("Für diesen Mandanten sind hier keine "
                   "Zustellpunkte eingerichtet.")) +
           "</p></section>";
  }
  return h + "<table><caption>" +
         Esc(c.t("Schlüssel je Zustellpunkt mit Ablaufdatum des Zertifikats")) +
         "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Zustellpunkt")) +
         "</th><th scope=\"col\">" + Esc(c.t("Zweck")) +
         "</th><th scope=\"col\">" + Esc(c.t("Schlüssel-ID")) +
         "</th><th scope=\"col\">" + Esc(c.t("gültig bis")) +
         "</th><th scope=\"col\">" + Esc(c.t("Zustand")) +
         "</th></tr></thead><tbody>" + rows + "</tbody></table></section>";
}

// The audit verb in words, with the verb itself for searching.
std::string ActionLabel(const Ctx& c, const std::string& action) {
  static const std::pair<const char*, const char*> kVerbs[] = {
      {"create", "angelegt"},          {"read-content", "Inhalt gelesen"},
      {"change-metadata", "geändert"}, {"route", "weitergeleitet"},
      {"export", "exportiert"},        {"delete", "gelöscht"},
      {"assign", "Akte zugeordnet"},   {"close", "zu den Akten"},
      {"legal-hold", "Löschsperre"},   {"configure", "Einstellung"},
  };
  for (const auto& [verb, german] : kVerbs) {
    if (action == verb) {
      return Esc(c.t(german)) + "<br><code class=\"muted\">" + Esc(action) +
             "</code>";
    }
  }
  return "<code>" + Esc(action) + "</code>";
}

// The newest audit entry's number in the tenant (0 if none), found with
// single-entry reads by doubling and bisection.
int64_t HeadSeq(const Ctx& c) {
  auto exists = [&](int64_t seq) {
    auto r = c.store.ReadAudit(c.who().tenant, seq, 1);
    return r.ok() && !r->empty();
  };
  if (!exists(1)) return 0;
  int64_t lo = 1, hi = 2;
  while (exists(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (exists(mid) ? lo : hi) = mid;
  }
  return lo;
}

// An entry's details as a person reads them: the row seals (digests that
// `audit verify` checks) are left out.
std::string DetailsForPeople(const std::string& details) {
  auto j = nlohmann::json::parse(details, nullptr, false);
  if (!j.is_object() || !j.contains("seals")) return details;
  j.erase("seals");
  return j.dump();
}

std::string Query(const Ctx& c, const char* name) {
  auto it = c.request.query.find(name);
  return it == c.request.query.end() ? std::string() : it->second;
}

}  // namespace

net::Response OperatorPage(Ctx& c) {
  std::string m =
      "<h1>" + Esc(c.t("Betrieb")) + "</h1>" + Health(c) + Destinations(c);
  m += RoutingSummary(c);
  return Html(200, Frame(c, c.t("Betrieb"), m, "betrieb"));
}

net::Response AuditPage(Ctx& c) {
  if (!c.may(api::Permission::kReadAudit)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Nur die Mandanten-Administration darf das "
                       "Protokoll lesen."));
  }
  std::string action = Query(c, "aktion"), object = Query(c, "objekt"),
              actor = Query(c, "wer");
  constexpr int kLimit = 500;
  // Default: the newest entries.
  int64_t from = 0;
  try {
    if (!Query(c, "ab").empty()) from = std::stoll(Query(c, "ab"));
  } catch (...) {
    from = 0;
  }
  if (from < 1) from = std::max<int64_t>(1, HeadSeq(c) - kLimit + 1);
  Result<std::vector<records::AuditEntry>> entries =
      c.store.ReadAudit(c.who().tenant, from, kLimit);
  if (!entries.ok()) {
    return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                   c.t("Das Protokoll kann gerade nicht gelesen werden."));
  }
  auto field = [&](const char* id, const char* name, std::string_view label,
                   const std::string& value) {
    return "<div class=\"field\"><label for=\"" + std::string(id) + "\">" +
           Esc(c.t(label)) + "</label><input id=\"" + id + "\" name=\"" + name +
           "\" value=\"" + Esc(value) + "\"></div>";
  };
  std::string m = "<h1>" + Esc(c.t("Protokoll")) + "</h1>";
  m += "<form class=\"filters\" method=\"get\" action=\"/betrieb/protokoll\" "
       "role=\"search\" aria-label=\"" +
       Esc(c.t("Protokoll durchsuchen")) + "\">";
  m += field("a-ab", "ab", "ab Eintrag Nr.", std::to_string(from));
  m += field("a-aktion", "aktion", "Aktion", action);
  m += field("a-wer", "wer", "Wer", actor);
  m += field("a-objekt", "objekt", "Objekt-ID", object);
  m += "<button type=\"submit\">" + Esc(c.t("Suchen")) + "</button></form>";

  std::string rows;
  int shown = 0;
  int64_t last = entries->empty() ? from - 1 : entries->back().seq;
  // Newest first on the page.
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    const records::AuditEntry& e = *it;
    if (!action.empty() && e.action != action) continue;
    if (!actor.empty() && e.actor != actor) continue;
    bool has = object.empty();
    for (const auto& id : e.object_ids) has = has || id == object;
    if (!has) continue;
    ++shown;
    std::string ids;
    for (const auto& id : e.object_ids) ids += "<code>" + Esc(id) + "</code> ";
    rows += "<tr><td class=\"num\">" + Esc(Number(c.lang, e.seq)) +
            "</td><td class=\"nowrap\">" + Esc(DateTime(c.lang, e.time)) +
            "</td><td>" + Esc(e.actor) + "</td><td>" +
            ActionLabel(c, e.action) + "</td><td>" + ids + "</td><td><code>" +
            Esc(DetailsForPeople(e.details)) + "</code></td></tr>";
  }
  m += "<p role=\"status\">" +
       Esc(Number(c.lang, shown) + " " + c.t("Einträge gefunden")) + "</p>";
  if (!rows.empty()) {
    m += "<table><caption>" + Esc(c.t("Einträge des Protokolls")) +
         "</caption><thead><tr><th scope=\"col\" class=\"num\">" +
         Esc(c.t("Nr.")) + "</th><th scope=\"col\">" + Esc(c.t("Zeit")) +
         "</th><th scope=\"col\">" + Esc(c.t("Wer")) +
         "</th><th scope=\"col\">" + Esc(c.t("Aktion")) +
         "</th><th scope=\"col\">" + Esc(c.t("Objekte")) +
         "</th><th scope=\"col\">" + Esc(c.t("Einzelheiten")) +
         "</th></tr></thead><tbody>" + rows + "</tbody></table>";
  }
  auto link = [&](int64_t at, std::string_view label, const char* rel) {
    return "<a rel=\"" + std::string(rel) +
           "\" href=\"/betrieb/protokoll?ab=" + std::to_string(at) +
           "&amp;aktion=" + UrlPart(action) + "&amp;wer=" + UrlPart(actor) +
           "&amp;objekt=" + UrlPart(object) + "\">" + Esc(c.t(label)) + "</a>";
  };
  m += "<nav class=\"pager\" aria-label=\"" + Esc(c.t("Seiten")) + "\">";
  if (from > 1) {
    m += link(std::max<int64_t>(1, from - kLimit), "Ältere Einträge", "prev");
  }
  if (entries->size() == static_cast<size_t>(kLimit)) {
    m += link(last + 1, "Neuere Einträge", "next");
  }
  m += "</nav>";
  return Html(200, Frame(c, c.t("Protokoll"), m, "protokoll"));
}

}  // namespace internal
}  // namespace ds::web
