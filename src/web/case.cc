// The case view (a Vorgang with its form data, documents, event log and
// routing) and its actions: assign to an Akte, change metadata, send a
// dead letter to its Fachverfahren again (routing.cc).
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "core/encoding.h"
#include "web/pages.h"

namespace ds::web::internal {

std::string DocumentsSection(const Ctx& c, const records::Vorgang& v);

namespace {

std::string Dt(const std::string& term, const std::string& html) {
  return "<dt>" + Esc(term) + "</dt><dd>" + html + "</dd>";
}

std::string EventLabel(const Ctx& c, const std::string& uri) {
  std::string name = uri.substr(uri.rfind('/') + 1);
  static const std::pair<const char*, const char*> kNames[] = {
      {"create-submission", "Einreichung angelegt"},
      {"submit-submission", "Einreichung abgeschickt"},
      {"notify-submission", "Einreichung nachgereicht"},
      {"forward-submission", "Einreichung weitergeleitet"},
      {"accept-submission", "Einreichung angenommen"},
      {"reject-submission", "Einreichung zurückgewiesen"},
      {"delete-submission", "Einreichung gelöscht"},
  };
  for (const auto& [key, german] : kNames) {
    if (name == key) return c.t(german);
  }
  return name;
}

// The event log as the intake verified it on arrival; shown from the
// tokens' payloads (not verified again here).
std::string EventLog(const Ctx& c, const records::Vorgang& v) {
  std::string h = "<section aria-labelledby=\"h-log\"><h2 id=\"h-log\">" +
                  Esc(c.t("FIT-Connect-Ereignisprotokoll")) + "</h2>";
  if (v.event_log.empty()) {
    return h + "<p>" + Esc(c.t("Keine Ereignisse gespeichert.")) +
           "</p></section>";
  }
  h += "<table><caption>" +
       Esc(c.t("Ereignisse der Einreichung, bei Eingang geprüft")) +
       "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Zeit")) +
       "</th><th scope=\"col\">" + Esc(c.t("Ereignis")) +
       "</th><th scope=\"col\">" + Esc(c.t("Aussteller")) +
       "</th></tr></thead><tbody>";
  for (const std::string& token : v.event_log) {
    size_t a = token.find('.'), b = token.rfind('.');
    std::string when = "–", what = "?", issuer = "–";
    if (a != std::string::npos && b > a) {
      Result<std::string> payload =
          Base64UrlDecode(token.substr(a + 1, b - a - 1));
      nlohmann::json j = payload.ok()
                             ? nlohmann::json::parse(*payload, nullptr, false)
                             : nlohmann::json();
      if (j.is_object()) {
        if (j.contains("iat") && j["iat"].is_number_integer()) {
          when = DateTime(c.lang, j["iat"].get<int64_t>());
        }
        if (j.contains("iss") && j["iss"].is_string()) {
          issuer = j["iss"].get<std::string>();
        }
        if (j.contains("events") && j["events"].is_object() &&
            !j["events"].empty()) {
          what = EventLabel(c, j["events"].begin().key());
        }
      }
    }
    h += "<tr><td>" + Esc(when) + "</td><td>" + Esc(what) + "</td><td>" +
         Esc(issuer) + "</td></tr>";
  }
  return h + "</tbody></table></section>";
}

std::string FormData(Ctx& c, const records::Vorgang& v) {
  std::string h = "<section aria-labelledby=\"h-form\"><h2 id=\"h-form\">" +
                  Esc(c.t("Antragsdaten")) + "</h2>";
  const records::Dokument* form = nullptr;
  for (const auto& d : v.dokumente) {
    if (d.position == 0 && !d.deleted_at) form = &d;
  }
  if (!form || form->formats.empty()) {
    return h + "<p>" + Esc(c.t("Dieser Vorgang hat keine Antragsdaten.")) +
           "</p></section>";
  }
  if (!c.may(api::Permission::kReadContent)) {
    return h + "<p>" +
           Esc(c.t("Ihre Rolle darf Inhalte von Vorgängen nicht sehen.")) +
           "</p></section>";
  }
  const records::Format& f = form->formats.front();
  // An audited read, as the API's download.
  Result<std::string> content =
      c.store.ReadContent(c.who().tenant, f.id, c.who().user);
  if (!content.ok()) {
    return h + "<div class=\"notice bad\"><p>" +
           Esc(c.t("Die Antragsdaten können nicht gelesen werden.")) +
           "</p></div></section>";
  }
  if (form->verdict == records::Verdict::kQuarantined) {
    h += "<p class=\"muted\">" +
         Esc(c.t("Die Antragsdaten sind in Quarantäne: hier nur als Text "
                 "gezeigt, die Datei selbst bleibt gesperrt.")) +
         "</p>";
  } else if (form->verdict == records::Verdict::kRejected) {
    h += "<p class=\"muted\">" +
         Esc(c.t("Die Antragsdaten wurden bei der Prüfung abgewiesen: hier "
                 "nur als Text gezeigt, die Datei selbst bleibt gesperrt.")) +
         "</p>";
  }
  return h + RenderFormData(c, f.mime_type, *content, v.data_schema) +
         "</section>";
}

// What a field of a refused form holds: the typed value, else `stored`.
std::string Typed(const Ctx& c, const std::string& field,
                  const std::string& stored) {
  if (c.refusal.empty()) return stored;
  auto it = c.form.find(field);
  return it == c.form.end() ? stored : it->second;
}

std::string Actions(const Ctx& c, const records::Vorgang& v) {
  std::string h = "<section aria-labelledby=\"h-act\"><h2 id=\"h-act\">" +
                  Esc(c.t("Bearbeiten")) + "</h2>";
  if (!c.may(api::Permission::kEdit)) {
    return h + "<p>" + Esc(c.t("Ihre Rolle darf Vorgänge nicht ändern.")) +
           "</p>" + RoutingActions(c, v) + "</section>";
  }
  std::string id = UrlPart(v.id);
  h += "<div class=\"cols\"><form class=\"panel\" method=\"post\" "
       "action=\"/vorgaenge/" +
       id + "/akte\">" + CsrfField(c) + "<h3>" +
       Esc(c.t("Einer Akte zuordnen")) + "</h3>";
  records::AktenFilter af;
  af.tenant = c.who().tenant;
  af.closed = false;
  af.limit = 100;
  Result<records::AktenPage> akten = c.store.ListAkten(af);
  h += "<div class=\"field\"><label for=\"akte\">" + Esc(c.t("Akte")) +
       "</label><select id=\"akte\" name=\"akte\"><option value=\"neu\">" +
       Esc(c.t("Neue Akte anlegen")) + "</option>";
  if (akten.ok()) {
    for (const records::Akte& a : akten->items) {
      h += "<option value=\"" + Esc(a.id) + "\"" +
           (a.id == v.akte_id ? " selected" : "") + ">" +
           Esc(a.meta.kennzeichen.empty()
                   ? a.meta.betreff
                   : a.meta.kennzeichen + " – " + a.meta.betreff) +
           "</option>";
    }
  }
  h += "</select></div><div class=\"field\"><label for=\"neue-akte\">" +
       Esc(c.t("Betreff einer neuen Akte")) +
       "</label><input id=\"neue-akte\" name=\"betreff\" maxlength=\"1000\" "
       "value=\"" +
       Esc(Typed(c, "betreff", "")) + "\"></div><p><button type=\"submit\">" +
       Esc(c.t("Zuordnen")) + "</button></p></form>";

  h += "<form class=\"panel\" method=\"post\" action=\"/vorgaenge/" + id +
       "/metadaten\">" + CsrfField(c) + "<h3>" + Esc(c.t("Metadaten ändern")) +
       "</h3><div class=\"field\"><label for=\"betreff\">" +
       Esc(c.t("Betreff")) +
       "</label><input id=\"betreff\" name=\"subject\" "
       "required maxlength=\"1000\" value=\"" +
       Esc(Typed(c, "subject", v.subject)) +
       "\"></div><div class=\"field\"><label for=\"leistung\">" +
       Esc(c.t("Name der Leistung")) +
       "</label><input id=\"leistung\" "
       "name=\"service_name\" required maxlength=\"1000\" value=\"" +
       Esc(Typed(c, "service_name", v.service_name)) +
       "\"></div><p><button type=\"submit\">" + Esc(c.t("Speichern")) +
       "</button></p></form>" + RoutingActions(c, v) + "</div>";
  return h + "</section>";
}

// The router's note on a Vorgang ("<target> <state>, ...", or that no
// rule matched) in the page's language; other notes (a Fachverfahren's
// status text) as they are.
std::string RoutingDetail(const Ctx& c, const std::string& detail) {
  if (detail.empty()) return "–";
  if (detail == "no rule matched; stays in the Posteingang") {
    return Esc(
        c.t("Keine Regel trifft zu: der Vorgang bleibt im Posteingang."));
  }
  static const std::pair<std::string_view, const char*> kStates[] = {
      {" delivered", "zugestellt"},
      {" dead", "unzustellbar"},
      {" pending", "ausstehend"}};
  std::string out;
  size_t from = 0;
  while (from <= detail.size()) {
    size_t end = detail.find(", ", from);
    std::string part = detail.substr(
        from, end == std::string::npos ? std::string::npos : end - from);
    bool known = false;
    for (const auto& [suffix, label] : kStates) {
      if (part.size() > suffix.size() && part.ends_with(suffix)) {
        out += (out.empty() ? "" : ", ") + std::string("<code>") +
               Esc(part.substr(0, part.size() - suffix.size())) + "</code> " +
               Esc(c.t(label));
        known = true;
        break;
      }
    }
    if (!known) return Esc(detail);  // not the router's note
    if (end == std::string::npos) break;
    from = end + 2;
  }
  return out;
}

std::string Routing(const Ctx& c, const records::Vorgang& v) {
  std::string h = "<section aria-labelledby=\"h-route\"><h2 id=\"h-route\">" +
                  Esc(c.t("Weiterleitung")) + "</h2><dl class=\"meta\">";
  h += Dt(c.t("Status"), Esc(StateLabel(c, v.state)));
  h += Dt(c.t("Letzte Meldung"), RoutingDetail(c, v.routing_detail));
  h += "</dl>";
  h += RoutingHistory(c, v);
  return h + "</section>";
}

std::string Done(const Ctx& c) {
  auto it = c.request.query.find("ok");
  if (it == c.request.query.end()) return "";
  std::string text =
      it->second == "akte" ? c.t("Der Vorgang wurde der Akte zugeordnet.")
      : it->second == "erneut"
          ? c.t("Die Zustellung ist wieder in der Warteschlange.")
          : c.t("Die Änderungen wurden gespeichert.");
  return "<div class=\"notice ok\" role=\"status\"><p>" + Esc(text) +
         "</p></div>";
}

}  // namespace

net::Response CasePage(Ctx& c) {
  Result<records::Vorgang> v =
      c.store.GetVorgang(c.who().tenant, c.request.param("id"));
  if (!v.ok()) {
    if (v.status().code() == Code::kNotFound) {
      return Message(c, 404, c.t("Nicht gefunden"),
                     c.t("Diesen Vorgang gibt es nicht."));
    }
    return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                   c.t("Der Vorgang kann gerade nicht gelesen werden."));
  }
  std::string subject = v->subject.empty() ? c.t("(ohne Betreff)") : v->subject;
  std::string m = "<p><a href=\"/posteingang\">← " +
                  Esc(c.t("Zum Posteingang")) + "</a></p><h1>" + Esc(subject) +
                  "</h1>" + Done(c);
  if (!c.refusal.empty()) {
    m += "<div class=\"notice warn\" role=\"alert\"><p><strong>" +
         Esc(c.t("Nicht gespeichert:")) + "</strong> " + Esc(c.refusal) +
         "</p></div>";
  }

  int flagged = 0;
  for (const auto& d : v->dokumente) {
    flagged += d.verdict == records::Verdict::kQuarantined ||
               d.verdict == records::Verdict::kRejected;
  }
  if (flagged > 0) {
    m += "<div class=\"notice warn\"><p><strong><span aria-hidden=\"true\">⚠ "
         "</span>" +
         Esc(c.t("Achtung:")) + "</strong> " +
         Esc(Number(c.lang, flagged) + " " +
             c.t(flagged == 1
                     ? "Dokument ist in Quarantäne oder abgewiesen."
                     : "Dokumente sind in Quarantäne oder abgewiesen.")) +
         " " + Esc(c.t("Öffnen Sie diese nicht ohne Rücksprache mit der IT.")) +
         "</p></div>";
  }

  m += "<section aria-labelledby=\"h-meta\"><h2 id=\"h-meta\" class=\"sr\">" +
       Esc(c.t("Angaben zum Vorgang")) + "</h2><dl class=\"meta\">";
  m += Dt(c.t("Eingang"), Esc(DateTime(c.lang, v->received_at)));
  m += Dt(c.t("Leistung"), Esc(v->service_name) + " <code>" +
                               Esc(v->service_identifier) + "</code>");
  m += Dt(c.t("Prüfergebnis"), VerdictBadge(c, v->worst_verdict));
  m += Dt(c.t("Ablage"), v->akte_id.empty() ? Esc(c.t("im Posteingang"))
                                            : Esc(c.t("Akte")) + " <code>" +
                                                  Esc(v->akte_id) + "</code>");
  m += Dt(c.t("Einreichung"), "<code>" + Esc(v->submission_id) + "</code>");
  m += Dt(c.t("Vorgangsnummer (FIT-Connect)"),
          "<code>" + Esc(v->case_id) + "</code>");
  m += Dt(c.t("Zustellpunkt"), "<code>" + Esc(v->destination_id) + "</code>");
  if (!v->data_schema.empty()) {
    m += Dt(c.t("Datenschema"), "<code>" + Esc(v->data_schema) + "</code>");
  }
  m += "</dl></section>";

  // Documents first: their check results matter before anything else.
  m += DocumentsSection(c, *v);
  m += FormData(c, *v);
  m += Routing(c, *v);
  m += EventLog(c, *v);
  m += Actions(c, *v);
  return Html(c.refusal.empty() ? 200 : 400,
              Frame(c, subject, m, "posteingang"));
}

// What the store asks of typed metadata, as the clerk reads it.
constexpr const char* kTypedTextRule =
    "Betreff und Leistung dürfen nicht leer sein, höchstens 1000 Zeichen "
    "haben und keine Steuer- oder Richtungszeichen enthalten.";
constexpr const char* kAkteTextRule =
    "Der Betreff der Akte darf nicht leer sein, höchstens 1000 Zeichen haben "
    "und keine Steuer- oder Richtungszeichen enthalten.";

namespace {

// A refused case form: the case page again (status 400), with the reason
// at the top and what was typed still in the forms.
net::Response RefuseOnCase(Ctx& c, std::string_view why) {
  c.refusal = std::string(why);
  return CasePage(c);
}

}  // namespace

net::Response CaseAssign(Ctx& c) {
  if (!c.may(api::Permission::kEdit)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Ihre Rolle darf Vorgänge nicht ändern."));
  }
  std::string id = c.request.param("id");
  // The form always names the Akte ("neu" for a new one); a request without
  // it is not a choice to make one.
  std::string akte = c.form["akte"];
  if (akte.empty()) {
    return RefuseOnCase(
        c, c.t("Bitte wählen Sie eine Akte oder „Neue Akte anlegen“."));
  }
  if (akte == "neu") {
    std::string betreff = c.form["betreff"];
    if (betreff.empty()) {
      return RefuseOnCase(
          c, c.t("Bitte geben Sie einen Betreff für die neue Akte an."));
    }
    // The Vorgang must exist in the tenant before an Akte is made for it.
    if (!c.store.GetVorgang(c.who().tenant, id).ok()) {
      return Message(c, 404, c.t("Nicht gefunden"),
                     c.t("Diesen Vorgang gibt es nicht."));
    }
    records::AkteInput in;
    in.betreff = betreff;
    Result<std::string> made =
        c.store.CreateAkte(c.who().tenant, in, c.who().user);
    if (made.status().code() == Code::kInvalidInput) {
      return RefuseOnCase(c, c.t(kAkteTextRule));
    }
    if (!made.ok()) {
      return RefuseOnCase(c, c.t("Die Akte konnte nicht angelegt werden."));
    }
    akte = *made;
  }
  Status st = c.store.AssignToAkte(c.who().tenant, id, akte, c.who().user);
  if (st.code() == Code::kNotFound) {
    return Message(c, 404, c.t("Nicht gefunden"),
                   c.t("Vorgang oder Akte gibt es nicht."));
  }
  if (!st.ok()) {
    return RefuseOnCase(c, c.t("Der Vorgang konnte nicht zugeordnet werden."));
  }
  return Redirect("/vorgaenge/" + UrlPart(id) + "?ok=akte");
}

net::Response CaseChange(Ctx& c) {
  if (!c.may(api::Permission::kEdit)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Ihre Rolle darf Vorgänge nicht ändern."));
  }
  std::string id = c.request.param("id");
  // Only the fields the form sends change; the store checks their text.
  records::VorgangChange change;
  if (auto it = c.form.find("subject"); it != c.form.end()) {
    change.subject = it->second;
  }
  if (auto it = c.form.find("service_name"); it != c.form.end()) {
    change.service_name = it->second;
  }
  if (!change.subject && !change.service_name) {
    return RefuseOnCase(c, c.t("Die Anfrage enthält weder Betreff noch "
                               "Leistung; nichts wurde geändert."));
  }
  // A field left as the page showed it is no change: the page shows a
  // sender's hidden characters as U+FFFD and drops controls, and saving
  // another field must not store that rendering in place of the original.
  if (Result<records::Vorgang> now = c.store.GetVorgang(c.who().tenant, id);
      now.ok()) {
    if (change.subject && *change.subject == ShownLine(now->subject)) {
      change.subject.reset();
    }
    if (change.service_name &&
        *change.service_name == ShownLine(now->service_name)) {
      change.service_name.reset();
    }
    if (!change.subject && !change.service_name) {
      return Redirect("/vorgaenge/" + UrlPart(id) + "?ok=meta");
    }
  }
  Status st = c.store.ChangeVorgang(c.who().tenant, id, change, c.who().user);
  if (st.code() == Code::kNotFound) {
    return Message(c, 404, c.t("Nicht gefunden"),
                   c.t("Diesen Vorgang gibt es nicht."));
  }
  if (st.code() == Code::kInvalidInput) {
    return RefuseOnCase(c, c.t(kTypedTextRule));
  }
  if (!st.ok()) {
    return RefuseOnCase(
        c, c.t("Die Änderungen konnten nicht gespeichert werden."));
  }
  return Redirect("/vorgaenge/" + UrlPart(id) + "?ok=meta");
}

}  // namespace ds::web::internal
