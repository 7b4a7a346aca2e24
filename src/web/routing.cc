// Routing on the case view: the Vorgang's deliveries to Fachverfahren
// (target, state, attempts, last error, times) and "Erneut an Fachverfahren
// senden" for its dead letters, through the router's C++ API.
#include "router/router.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

std::string Ms(const Ctx& c, int64_t ms) {
  return ms > 0 ? DateTime(c.lang, ms / 1000) : "–";
}

net::Response NoRouter(const Ctx& c) {
  return Message(c, 404, c.t("Nicht eingerichtet"),
                 c.t("Die Weiterleitung an Fachverfahren ist auf diesem "
                     "Server nicht eingerichtet."));
}

}  // namespace

std::string DeliveryBadge(const Ctx& c, const std::string& state) {
  if (state == "delivered") {
    return "<span class=\"badge v-clean\"><span class=\"icon\" "
           "aria-hidden=\"true\">✓</span>" +
           Esc(c.t("zugestellt")) + "</span>";
  }
  if (state == "dead") {
    return "<span class=\"badge v-rejected\"><span class=\"icon\" "
           "aria-hidden=\"true\">✕</span>" +
           Esc(c.t("unzustellbar")) + "</span>";
  }
  if (state == "pending") {
    return "<span class=\"badge v-quarantined\"><span class=\"icon\" "
           "aria-hidden=\"true\">…</span>" +
           Esc(c.t("ausstehend")) + "</span>";
  }
  return "<code>" + Esc(state) + "</code>";
}

std::string DeliveryError(const std::string& error) {
  if (error.empty()) return "–";
  constexpr size_t kMax = 200;
  if (error.size() <= kMax) return Esc(error);
  size_t cut = kMax;  // not inside a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(error[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return Esc(error.substr(0, cut)) + "…";
}

// What the Fachverfahren reported back (status codes, notes, a filed
// Bescheid), newest last. Notes are free text from the Fachverfahren and
// may name the applicant: only roles that may read content see them.
std::string StatusReports(const Ctx& c, const records::Vorgang& v) {
  Result<std::vector<router::StatusReport>> reports =
      c.options.router->outbox().StatusOf(c.who().tenant, v.id);
  if (!reports.ok()) {
    return "<div class=\"notice bad\"><p>" +
           Esc(c.t("Die Rückmeldungen können gerade nicht gelesen werden.")) +
           "</p></div>";
  }
  if (reports->empty()) return "";
  const bool notes = c.may(api::Permission::kReadContent);
  std::string h =
      "<table><caption>" + Esc(c.t("Rückmeldungen der Fachverfahren")) +
      "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Zeit")) +
      "</th><th scope=\"col\">" + Esc(c.t("Von")) + "</th><th scope=\"col\">" +
      Esc(c.t("Status")) + "</th>" +
      (notes ? "<th scope=\"col\">" + Esc(c.t("Hinweis")) + "</th>"
             : std::string()) +
      "<th scope=\"col\">" + Esc(c.t("Bescheid")) + "</th></tr></thead><tbody>";
  for (const router::StatusReport& r : *reports) {
    h += "<tr><td class=\"nowrap\">" + Esc(Ms(c, r.created_ms)) +
         "</td><td><code>" + Esc(r.source) + "</code></td><td><code>" +
         Esc(r.status) + "</code></td>" +
         (notes ? "<td>" + (r.note.empty() ? "–" : Esc(r.note)) + "</td>"
                : std::string()) +
         "<td>" + Esc(r.dokument_id.empty() ? "–" : c.t("abgelegt")) +
         "</td></tr>";
  }
  return h + "</tbody></table>";
}

std::string RoutingHistory(const Ctx& c, const records::Vorgang& v) {
  std::string h = "<div id=\"router-verlauf\">";
  if (!c.options.router) {
    return h + "<p>" +
           Esc(c.t("Die Weiterleitung an Fachverfahren ist auf diesem "
                   "Server nicht eingerichtet.")) +
           "</p></div>";
  }
  Result<std::vector<router::Delivery>> list =
      c.options.router->outbox().ForVorgang(c.who().tenant, v.id);
  if (!list.ok()) {
    return h + "<div class=\"notice bad\"><p>" +
           Esc(c.t("Der Verlauf der Zustellungen kann gerade nicht gelesen "
                   "werden.")) +
           "</p></div></div>";
  }
  if (list->empty()) {
    return h + "<p>" + Esc(c.t("Noch keine Zustellung an ein Fachverfahren.")) +
           "</p>" + StatusReports(c, v) + "</div>";
  }
  h += "<table><caption>" +
       Esc(c.t("Zustellungen dieses Vorgangs an Fachverfahren")) +
       "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Fachverfahren")) +
       "</th><th scope=\"col\">" + Esc(c.t("Zustand")) +
       "</th><th scope=\"col\" class=\"num\">" + Esc(c.t("Versuche")) +
       "</th><th scope=\"col\">" + Esc(c.t("Letzter Fehler")) +
       "</th><th scope=\"col\">" + Esc(c.t("Angelegt")) +
       "</th><th scope=\"col\">" + Esc(c.t("Zugestellt / nächster Versuch")) +
       "</th></tr></thead><tbody>";
  for (const router::Delivery& d : *list) {
    std::string when = d.delivered_ms         ? Ms(c, *d.delivered_ms)
                       : d.state == "pending" ? Ms(c, d.next_attempt_ms)
                                              : "–";
    h += "<tr><td><code>" + Esc(d.target) + "</code></td><td>" +
         DeliveryBadge(c, d.state) + "</td><td class=\"num\">" +
         Esc(Number(c.lang, d.attempts)) + "</td><td>" +
         DeliveryError(d.last_error) + "</td><td class=\"nowrap\">" +
         Esc(Ms(c, d.created_ms)) + "</td><td class=\"nowrap\">" + Esc(when) +
         "</td></tr>";
  }
  return h + "</tbody></table>" + StatusReports(c, v) + "</div>";
}

std::string RoutingActions(const Ctx& c, const records::Vorgang& v) {
  std::string h = "<div class=\"panel\" id=\"router-aktionen\"><h3>" +
                  Esc(c.t("Erneut an Fachverfahren senden")) + "</h3>";
  if (!c.options.router) {
    return h + "<p>" +
           Esc(c.t("Die Weiterleitung an Fachverfahren ist auf diesem "
                   "Server nicht eingerichtet.")) +
           "</p></div>";
  }
  if (!c.may(api::Permission::kConfigure)) {
    return h + "<p>" +
           Esc(c.t("Nur die Mandanten-Administration darf Vorgänge erneut "
                   "an Fachverfahren senden.")) +
           "</p></div>";
  }
  Result<std::vector<router::Delivery>> list =
      c.options.router->outbox().ForVorgang(c.who().tenant, v.id);
  std::string forms;
  if (list.ok()) {
    for (const router::Delivery& d : *list) {
      if (d.state != "dead") continue;
      forms += "<form method=\"post\" action=\"/vorgaenge/" + UrlPart(v.id) +
               "/erneut-senden\">" + CsrfField(c) +
               "<input type=\"hidden\" name=\"zustellung\" value=\"" +
               Esc(d.id) + "\"><p><button type=\"submit\">" +
               Esc(c.t("Erneut an Fachverfahren senden")) + ": " +
               Esc(d.target) + "</button></p></form>";
    }
  }
  if (forms.empty()) {
    return h + "<p>" +
           Esc(c.t("Keine unzustellbare Zustellung: es gibt nichts erneut "
                   "zu senden.")) +
           "</p></div>";
  }
  return h + "<p>" +
         Esc(c.t("Unzustellbare Zustellungen gehen zurück in die "
                 "Warteschlange; der Router versucht sie erneut.")) +
         "</p>" + forms + "</div>";
}

net::Response CaseRedeliver(Ctx& c) {
  if (!c.may(api::Permission::kConfigure)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Nur die Mandanten-Administration darf Vorgänge erneut "
                       "an Fachverfahren senden."));
  }
  if (!c.options.router) return NoRouter(c);
  router::Router& r = *c.options.router;
  const std::string vorgang = c.request.param("id");
  const std::string id = c.form["zustellung"];
  // The delivery must belong to this Vorgang of the principal's tenant.
  Result<router::Delivery> d = r.outbox().Get(c.who().tenant, id);
  if (!d.ok() || d->vorgang_id != vorgang) {
    return Message(c, 404, c.t("Nicht gefunden"),
                   c.t("Diese Zustellung gibt es nicht."));
  }
  Status st = r.Redeliver(c.who().tenant, id, c.who().user);
  if (st.code() == Code::kConflict) {
    return Message(c, 409, c.t("Nicht möglich"),
                   c.t("Diese Zustellung ist nicht unzustellbar; sie wird "
                       "schon zugestellt oder ist zugestellt."));
  }
  if (!st.ok()) {
    return Message(c, st.code() == Code::kNotFound ? 404 : 503,
                   c.t("Nicht gespeichert"),
                   c.t("Die Zustellung konnte nicht erneut angestoßen "
                       "werden."));
  }
  return Redirect("/vorgaenge/" + UrlPart(vorgang) + "?ok=erneut");
}

}  // namespace ds::web::internal
