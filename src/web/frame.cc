// The page frame (skip link, navigation, account, language) and the small
// pieces every page uses.
#include "web/assets.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

// htmx settings: no eval, no inline indicator styles (the CSP forbids
// them), no history snapshots in localStorage (they would keep personal
// data in the browser), requests only to this origin.
constexpr char kHtmxConfig[] =
    "{&quot;allowEval&quot;:false,&quot;allowScriptTags&quot;:false,"
    "&quot;includeIndicatorStyles&quot;:false,&quot;historyCacheSize&quot;:0,"
    "&quot;refreshOnHistoryMiss&quot;:true,&quot;selfRequestsOnly&quot;:true}";

std::string NavItem(const Ctx& c, std::string_view href, std::string_view label,
                    bool current) {
  return "<li><a href=\"" + std::string(href) + "\"" +
         (current ? " aria-current=\"page\"" : "") + ">" + Esc(c.t(label)) +
         "</a></li>";
}

}  // namespace

std::string Frame(const Ctx& c, std::string_view title,
                  std::string_view main_html, std::string_view nav) {
  bool en = c.lang == Lang::kEn;
  std::string h;
  h.reserve(main_html.size() + 4096);
  h += "<!DOCTYPE html>\n<html lang=\"";
  h += en ? "en" : "de";
  h +=
      "\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"htmx-config\" content=\"";
  h += kHtmxConfig;
  h += "\"><title>" + Esc(title) +
       " – Drehscheibe</title>"
       "<link rel=\"stylesheet\" href=\"" +
       AssetUrl("ui.css") +
       "\">"
       "<script src=\"" +
       AssetUrl("htmx.min.js") +
       "\" defer></script>"
       "</head><body>";
  h += "<a class=\"skip\" href=\"#inhalt\">" + Esc(c.t("Zum Inhalt springen")) +
       "</a>";
  h += "<header class=\"top\"><span class=\"brand\">Drehscheibe</span>";
  if (c.session) {
    h += "<nav aria-label=\"" + Esc(c.t("Hauptnavigation")) + "\"><ul>";
    h += NavItem(c, "/posteingang", "Posteingang", nav == "posteingang");
    h += NavItem(c, "/betrieb", "Betrieb", nav == "betrieb");
    if (c.options.router) {
      h += NavItem(c, "/betrieb/weiterleitung", "Weiterleitung",
                   nav == "weiterleitung");
    }
    if (c.may(api::Permission::kReadAudit)) {
      h += NavItem(c, "/betrieb/protokoll", "Protokoll", nav == "protokoll");
    }
    h += "</ul></nav><div class=\"who\"><span>" + Esc(c.who().user) + " (" +
         Esc(RoleLabel(c, c.who().role)) + ", " + Esc(c.who().tenant) +
         ")</span><form method=\"post\" action=\"/abmelden\">" + CsrfField(c) +
         "<button class=\"link\" type=\"submit\">" + Esc(c.t("Abmelden")) +
         "</button></form>";
  } else {
    h += "<div class=\"who\">";
  }
  // The switch comes back to this page (a GET; after a POST, to the
  // Posteingang: the form would not be sent again).
  const std::string back =
      "?zurueck=" +
      UrlPart(c.request.method == "GET" && !c.request.target.empty()
                  ? c.request.target
                  : "/posteingang");
  h += en ? "<a href=\"/sprache/de" + back +
                "\" lang=\"de\" hreflang=\"de\">Deutsch</a>"
          : "<a href=\"/sprache/en" + back +
                "\" lang=\"en\" hreflang=\"en\">English</a>";
  h += "</div></header><main id=\"inhalt\" tabindex=\"-1\">";
  h += main_html;
  h += "</main><footer>Drehscheibe · " +
       Esc(c.t("Eingangsplattform für FIT-Connect-Anträge")) +
       "</footer></body></html>\n";
  return h;
}

net::Response Message(const Ctx& c, int status, std::string_view title,
                      std::string_view text) {
  std::string main = "<h1>" + Esc(title) + "</h1><div class=\"notice " +
                     (status >= 500 ? "bad" : "warn") +
                     "\" role=\"status\"><p>" + Esc(text) + "</p></div>";
  if (c.session) {
    main += "<p><a href=\"/posteingang\">" + Esc(c.t("Zum Posteingang")) +
            "</a></p>";
  }
  return Html(status, Frame(c, title, main, ""));
}

std::string VerdictBadge(const Ctx& c, records::Verdict v) {
  const char* cls = "v-clean";
  const char* icon = "✓";
  std::string_view text = "unauffällig";
  switch (v) {
    case records::Verdict::kClean:
      break;
    case records::Verdict::kNeutralised:
      cls = "v-neutralised", icon = "✎", text = "bereinigt";
      break;
    case records::Verdict::kQuarantined:
      cls = "v-quarantined", icon = "⚠", text = "in Quarantäne";
      break;
    case records::Verdict::kRejected:
      cls = "v-rejected", icon = "✕", text = "abgewiesen";
      break;
  }
  return std::string("<span class=\"badge ") + cls +
         "\"><span class=\"icon\" aria-hidden=\"true\">" + icon + "</span>" +
         Esc(c.t(text)) + "</span>";
}

std::string StateLabel(const Ctx& c, const std::string& state) {
  static const std::pair<const char*, const char*> kStates[] = {
      {"new", "neu"},
      {"manual", "ohne Regel, im Posteingang"},
      {"routing", "wird weitergeleitet"},
      {"delivered", "zugestellt"},
      {"failed", "Weiterleitung fehlgeschlagen"},
      {"dead", "nicht zustellbar"},
      {"closed", "abgeschlossen"},
  };
  for (const auto& [key, german] : kStates) {
    if (state == key) return c.t(german);
  }
  return state;
}

std::string RoleLabel(const Ctx& c, api::Role role) {
  switch (role) {
    case api::Role::kClerk:
      return c.t("Sachbearbeitung");
    case api::Role::kTenantAdmin:
      return c.t("Mandanten-Administration");
    case api::Role::kOperator:
      return c.t("IT-Betrieb");
  }
  return "";
}

}  // namespace ds::web::internal
