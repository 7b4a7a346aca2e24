// Routing on the operator pages: the dead-letter count in the health
// table, the Betrieb page's summary, and /betrieb/weiterleitung with the
// tenant's targets and rules, a dry run (a Vorgang or facts: where it would
// go, nothing is delivered) and the dead letters with "Erneut zustellen".
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "router/router.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

// Dead letters counted up to this; more show as "1.000+".
constexpr int kDeadLimit = 1000;

std::string NotSetUp(const Ctx& c) {
  return "<p>" +
         Esc(c.t("Die Weiterleitung an Fachverfahren ist auf diesem Server "
                 "nicht eingerichtet.")) +
         "</p>";
}

Result<std::vector<router::Delivery>> DeadLetters(const Ctx& c) {
  return c.options.router->outbox().List(c.who().tenant, "dead", 0, kDeadLimit);
}

std::string Count(const Ctx& c, size_t n) {
  return Number(c.lang, static_cast<int64_t>(n)) +
         (n >= static_cast<size_t>(kDeadLimit) ? "+" : "");
}

std::string List(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    out += (out.empty() ? "" : ", ") + ("<code>" + Esc(s) + "</code>");
  }
  return out;
}

// The conditions of a rule in words; "alle Vorgänge" if it has none.
std::string Conditions(const Ctx& c, const router::Rule& r) {
  std::string out;
  auto add = [&](std::string_view label, const std::vector<std::string>& v) {
    if (v.empty()) return;
    out += "<li>" + Esc(c.t(label)) + ": " + List(v) + "</li>";
  };
  add("LeiKa-Schlüssel", r.leika);
  add("Leistungen", r.services);
  add("Zustellpunkte", r.destinations);
  add("Datenschemata", r.data_schemas);
  if (!r.regions.empty()) {
    out += "<li>" + Esc(c.t("Region")) + " (<code>" + Esc(r.region_field) +
           "</code>): " + List(r.regions) + "</li>";
  }
  for (const router::FieldCondition& f : r.fields) {
    out += "<li><code>" + Esc(f.pointer) + "</code> = <code>" + Esc(f.equals) +
           "</code></li>";
  }
  if (out.empty()) return Esc(c.t("alle Vorgänge"));
  return "<ul class=\"plain\">" + out + "</ul>";
}

std::string RulesSection(const Ctx& c) {
  router::Router& r = *c.options.router;
  std::string h = "<section aria-labelledby=\"h-rules\"><h2 id=\"h-rules\">" +
                  Esc(c.t("Weiterleitungsregeln")) + "</h2>";
  bool from_api = false;
  Result<std::vector<router::Rule>> rules = r.Rules(c.who().tenant, &from_api);
  if (!rules.ok()) {
    return h + "<div class=\"notice bad\"><p>" +
           Esc(c.t("Die Regeln können gerade nicht gelesen werden.")) +
           "</p></div></section>";
  }
  h += "<p>" +
       Esc(from_api ? c.t("Quelle: über die REST-API gesetzt.")
                    : c.t("Quelle: Konfigurationsdatei des Servers.")) +
       " " +
       Esc(c.t("Die erste zutreffende Regel entscheidet; trifft keine zu, "
               "bleibt der Vorgang im Posteingang.")) +
       "</p>";
  if (rules->empty()) {
    h +=
        "<p>" + Esc(c.t("Für diesen Mandanten gibt es keine Regeln.")) + "</p>";
  } else {
    h += "<table><caption>" +
         Esc(c.t("Regeln in der Reihenfolge der Prüfung")) +
         "</caption><thead><tr><th scope=\"col\" class=\"num\">" +
         Esc(c.t("Nr.")) + "</th><th scope=\"col\">" + Esc(c.t("Name")) +
         "</th><th scope=\"col\">" + Esc(c.t("Bedingungen")) +
         "</th><th scope=\"col\">" + Esc(c.t("Fachverfahren")) +
         "</th></tr></thead><tbody>";
    int n = 0;
    for (const router::Rule& rule : *rules) {
      h += "<tr><td class=\"num\">" + Esc(Number(c.lang, ++n)) + "</td><td>" +
           Esc(rule.name) + "</td><td>" + Conditions(c, rule) + "</td><td>" +
           List(rule.targets) + "</td></tr>";
    }
    h += "</tbody></table>";
  }
  std::string targets;
  for (const router::TargetConfig& t : r.config().targets) {
    if (t.tenant != c.who().tenant) continue;
    targets += "<tr><td><code>" + Esc(t.id) + "</code></td><td>" + Esc(t.kind) +
               "</td><td class=\"num\">" + Esc(Number(c.lang, t.max_attempts)) +
               "</td></tr>";
  }
  if (!targets.empty()) {
    h += "<table><caption>" + Esc(c.t("Fachverfahren dieses Mandanten")) +
         "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Kennung")) +
         "</th><th scope=\"col\">" + Esc(c.t("Übertragung")) +
         "</th><th scope=\"col\" class=\"num\">" +
         Esc(c.t("Versuche bis unzustellbar")) + "</th></tr></thead><tbody>" +
         targets + "</tbody></table>";
  }
  return h + "</section>";
}

std::string Field(const Ctx& c, const char* id, std::string_view label,
                  const std::string& value, std::string_view hint = "") {
  std::string h = "<div class=\"field\"><label for=\"" + std::string(id) +
                  "\">" + Esc(c.t(label)) + "</label>";
  if (!hint.empty()) {
    h += "<span class=\"hint\" id=\"" + std::string(id) + "-hinweis\">" +
         Esc(c.t(hint)) + "</span>";
  }
  return h + "<input id=\"" + id + "\" name=\"" + id + "\"" +
         (hint.empty()
              ? ""
              : " aria-describedby=\"" + std::string(id) + "-hinweis\"") +
         " maxlength=\"1000\" value=\"" + Esc(value) + "\"></div>";
}

std::string DryRunSection(Ctx& c, const std::string& result) {
  std::string h = "<section aria-labelledby=\"h-probe\"><h2 id=\"h-probe\">" +
                  Esc(c.t("Probelauf")) + "</h2><p>" +
                  Esc(c.t("Zeigt, an welche Fachverfahren ein Vorgang ginge. "
                          "Es wird nichts zugestellt.")) +
                  "</p>";
  h += "<form class=\"panel\" method=\"post\" "
       "action=\"/betrieb/weiterleitung/probe\">" +
       CsrfField(c);
  h += Field(c, "vorgang", "Vorgangs-ID", c.form["vorgang"],
             "Ein vorhandener Vorgang; sonst gelten die Angaben darunter.");
  h += Field(c, "leistung", "Leistungskennung", c.form["leistung"],
             "z. B. urn:de:fim:leika:leistung:99108008000000");
  h += Field(c, "zustellpunkt", "Zustellpunkt-ID", c.form["zustellpunkt"]);
  h += Field(c, "datenschema", "Datenschema (URI)", c.form["datenschema"],
             "Das Schema der Antragsdaten laut Metadaten, für Regeln mit "
             "Datenschemata.");
  h += "<div class=\"field\"><label for=\"antragsdaten\">" +
       Esc(c.t("Antragsdaten (JSON, optional)")) +
       "</label><textarea id=\"antragsdaten\" name=\"antragsdaten\" rows=\"4\" "
       "maxlength=\"32000\">" +
       Esc(c.form["antragsdaten"]) + "</textarea></div>";
  h += "<p><button type=\"submit\">" + Esc(c.t("Probelauf starten")) +
       "</button></p></form>";
  return h + result + "</section>";
}

std::string DeadSection(const Ctx& c) {
  std::string h = "<section aria-labelledby=\"h-dead\"><h2 id=\"h-dead\">" +
                  Esc(c.t("Unzustellbare Zustellungen")) + "</h2>";
  Result<std::vector<router::Delivery>> dead = DeadLetters(c);
  if (!dead.ok()) {
    return h + "<div class=\"notice bad\"><p>" +
           Esc(c.t("Die unzustellbaren Zustellungen können gerade nicht "
                   "gelesen werden.")) +
           "</p></div></section>";
  }
  if (dead->empty()) {
    return h + "<p>" + Esc(c.t("Keine unzustellbaren Zustellungen.")) +
           "</p></section>";
  }
  bool may = c.may(api::Permission::kConfigure);
  if (!may) {
    h += "<p>" +
         Esc(c.t("Nur die Mandanten-Administration darf erneut zustellen.")) +
         "</p>";
  }
  h += "<table><caption>" +
       Esc(Count(c, dead->size()) + " " +
           c.t("unzustellbare Zustellungen, älteste zuerst")) +
       "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Vorgang")) +
       "</th><th scope=\"col\">" + Esc(c.t("Fachverfahren")) +
       "</th><th scope=\"col\" class=\"num\">" + Esc(c.t("Versuche")) +
       "</th><th scope=\"col\">" + Esc(c.t("Letzter Fehler")) +
       "</th><th scope=\"col\">" + Esc(c.t("Angelegt")) + "</th>" +
       (may ? "<th scope=\"col\">" + Esc(c.t("Aktion")) + "</th>" : "") +
       "</tr></thead><tbody>";
  for (const router::Delivery& d : *dead) {
    h += "<tr><td><a href=\"/vorgaenge/" + UrlPart(d.vorgang_id) + "\"><code>" +
         Esc(d.vorgang_id) + "</code></a></td><td><code>" + Esc(d.target) +
         "</code></td><td class=\"num\">" + Esc(Number(c.lang, d.attempts)) +
         "</td><td>" + DeliveryError(d.last_error) +
         "</td><td class=\"nowrap\">" +
         Esc(DateTime(c.lang, d.created_ms / 1000)) + "</td>";
    if (may) {
      h += "<td><form method=\"post\" action=\"/betrieb/zustellungen/" +
           UrlPart(d.id) + "/erneut\">" + CsrfField(c) +
           "<button type=\"submit\" aria-label=\"" +
           Esc(c.t("Erneut zustellen") + ": " + d.target + ", " +
               c.t("Vorgang") + " " + d.vorgang_id) +
           "\">" + Esc(c.t("Erneut zustellen")) + "</button></form></td>";
    }
    h += "</tr>";
  }
  return h + "</tbody></table></section>";
}

net::Response Page(Ctx& c, int status, const std::string& dry_run_result) {
  std::string m = "<p><a href=\"/betrieb\">← " + Esc(c.t("Zum Betrieb")) +
                  "</a></p><h1>" + Esc(c.t("Weiterleitung")) + "</h1>";
  auto ok = c.request.query.find("ok");
  if (ok != c.request.query.end() && ok->second == "erneut") {
    m += "<div class=\"notice ok\" role=\"status\"><p>" +
         Esc(c.t("Die Zustellung ist wieder in der Warteschlange.")) +
         "</p></div>";
  }
  if (!c.options.router) {
    m += NotSetUp(c);
  } else {
    m += DeadSection(c);
    if (c.may(api::Permission::kConfigure)) {
      m += RulesSection(c) + DryRunSection(c, dry_run_result);
    } else {
      m += "<p>" +
           Esc(c.t("Regeln und Probeläufe sieht nur die "
                   "Mandanten-Administration.")) +
           "</p>";
    }
  }
  return Html(status, Frame(c, c.t("Weiterleitung"), m, "weiterleitung"));
}

std::string Notice(const Ctx& c, const char* kind, std::string_view text) {
  return "<div class=\"notice " + std::string(kind) +
         "\" role=\"status\" id=\"probe-ergebnis\"><p>" + Esc(c.t(text)) +
         "</p></div>";
}

}  // namespace

std::string DeadLetterRow(const Ctx& c) {
  if (!c.options.router) return "";
  Result<std::vector<router::Delivery>> dead = DeadLetters(c);
  std::string state =
      !dead.ok() ? "<span class=\"badge v-rejected\"><span class=\"icon\" "
                   "aria-hidden=\"true\">✕</span>" +
                       Esc(c.t("nicht lesbar")) + "</span>"
      : dead->empty()
          ? "<span class=\"badge v-clean\"><span class=\"icon\" "
            "aria-hidden=\"true\">✓</span>" +
                Esc(c.t("keine")) + "</span>"
          : "<span class=\"badge v-rejected\" id=\"unzustellbar-anzahl\">"
            "<span class=\"icon\" aria-hidden=\"true\">✕</span>" +
                Esc(Count(c, dead->size()) + " " + c.t("unzustellbar")) +
                "</span>";
  return "<tr><th scope=\"row\">" +
         Esc(c.t("Unzustellbare Zustellungen an Fachverfahren")) + "</th><td>" +
         state + "</td><td><a href=\"/betrieb/weiterleitung\">" +
         Esc(c.t("Weiterleitung öffnen")) + "</a></td></tr>";
}

std::string RoutingSummary(const Ctx& c) {
  std::string h =
      "<section aria-labelledby=\"h-router\" id=\"router-betrieb\"><h2 "
      "id=\"h-router\">" +
      Esc(c.t("Weiterleitung an Fachverfahren")) + "</h2>";
  if (!c.options.router) return h + NotSetUp(c) + "</section>";
  return h + "<p>" +
         Esc(c.t("Regeln, Probeläufe und unzustellbare Zustellungen:")) +
         " <a href=\"/betrieb/weiterleitung\">" + Esc(c.t("Weiterleitung")) +
         "</a></p></section>";
}

net::Response RoutingPage(Ctx& c) { return Page(c, 200, ""); }

net::Response RoutingDryRun(Ctx& c) {
  if (!c.may(api::Permission::kConfigure)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Regeln und Probeläufe sieht nur die "
                       "Mandanten-Administration."));
  }
  if (!c.options.router) return Page(c, 404, "");
  router::Router& r = *c.options.router;
  const std::string tenant = c.who().tenant;
  Result<router::RoutePlan> plan = InvalidInput("");
  if (!c.form["vorgang"].empty()) {
    // Reads the form data if a rule needs it: audited like the API's.
    plan = r.DryRunVorgang(tenant, c.form["vorgang"], c.who().user);
    if (plan.status().code() == Code::kNotFound) {
      return Page(c, 404, Notice(c, "warn", "Diesen Vorgang gibt es nicht."));
    }
  } else {
    router::CaseFacts facts{.service_identifier = c.form["leistung"],
                            .destination_id = c.form["zustellpunkt"],
                            .data_schema = c.form["datenschema"]};
    if (!c.form["antragsdaten"].empty()) {
      if (!JsonNestingWithin(c.form["antragsdaten"])) {
        return Page(
            c, 400,
            Notice(c, "warn", "Die Antragsdaten sind zu tief verschachtelt."));
      }
      nlohmann::json form =
          nlohmann::json::parse(c.form["antragsdaten"], nullptr, false);
      if (form.is_discarded()) {
        return Page(c, 400,
                    Notice(c, "warn", "Die Antragsdaten sind kein JSON."));
      }
      facts.form = std::move(form);
    }
    if (facts.service_identifier.empty() && facts.destination_id.empty() &&
        facts.data_schema.empty() && !facts.form) {
      return Page(c, 400,
                  Notice(c, "warn",
                         "Bitte geben Sie eine Vorgangs-ID oder Angaben zum "
                         "Vorgang an."));
    }
    plan = r.DryRun(tenant, facts);
  }
  if (!plan.ok()) {
    return Page(c, 503, Notice(c, "bad", "Der Probelauf ist fehlgeschlagen."));
  }
  std::string out =
      "<div class=\"notice info\" role=\"status\" id=\"probe-ergebnis\">";
  if (plan->decision.matched && !plan->decision.targets.empty()) {
    out += "<p>" + Esc(c.t("Regel")) + " <strong>" + Esc(plan->decision.rule) +
           "</strong>: " + Esc(c.t("der Vorgang ginge an")) + "</p><ul>";
    for (const std::string& t : plan->decision.targets) {
      out += "<li><code>" + Esc(t) + "</code></li>";
    }
    out += "</ul>";
  } else {
    out += "<p>" +
           Esc(c.t("Keine Regel trifft zu: der Vorgang bliebe im "
                   "Posteingang.")) +
           "</p>";
  }
  out += "<p>" + Esc(c.t("Es wurde nichts zugestellt.")) +
         (plan->form_read ? " " + Esc(c.t("Die Antragsdaten wurden gelesen."))
                          : "") +
         "</p></div>";
  return Page(c, 200, out);
}

net::Response DeadLetterRedeliver(Ctx& c) {
  if (!c.may(api::Permission::kConfigure)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Nur die Mandanten-Administration darf erneut "
                       "zustellen."));
  }
  if (!c.options.router) return Page(c, 404, "");
  // Audited by the router as the API's redelivery; another tenant's id is
  // not found.
  Status st = c.options.router->Redeliver(c.who().tenant, c.request.param("id"),
                                          c.who().user);
  if (st.code() == Code::kNotFound) {
    return Message(c, 404, c.t("Nicht gefunden"),
                   c.t("Diese Zustellung gibt es nicht."));
  }
  if (st.code() == Code::kConflict) {
    return Message(c, 409, c.t("Nicht möglich"),
                   c.t("Diese Zustellung ist nicht unzustellbar; sie wird "
                       "schon zugestellt oder ist zugestellt."));
  }
  if (!st.ok()) {
    return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                   c.t("Die Zustellung konnte nicht erneut angestoßen "
                       "werden."));
  }
  return Redirect("/betrieb/weiterleitung?ok=erneut");
}

}  // namespace ds::web::internal
