// Internal to ds_web: what every page handler gets, the page frame and
// the handlers themselves.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "net/http.h"
#include "records/store.h"
#include "web/accounts.h"
#include "web/html.h"
#include "web/web.h"

namespace ds::web::internal {

struct Ctx {
  records::Store& store;
  Accounts& accounts;
  const WebOptions& options;
  const net::Request& request;
  Lang lang = Lang::kDe;
  std::optional<Session> session;           // set on pages that need a login
  std::map<std::string, std::string> form;  // parsed POST body
  // Why a form on the case page was refused: the case page shows it at the
  // top and keeps what was typed in the forms.
  std::string refusal;
  std::string t(std::string_view german) const {
    return std::string(T(lang, german));
  }
  const api::Principal& who() const { return session->who; }
  bool may(api::Permission p) const {
    return session && api::RoleAllows(session->who.role, p);
  }
};

// The whole HTML document around `main_html`; `nav` names the current
// navigation entry ("posteingang", "betrieb", "protokoll", "").
std::string Frame(const Ctx& c, std::string_view title,
                  std::string_view main_html, std::string_view nav);
// A text/html response with the security headers of every page.
net::Response Html(int status, std::string body);
// 303 to `location` (a path of this site).
net::Response Redirect(const std::string& location);
// A page with one message (errors, 403, 404).
net::Response Message(const Ctx& c, int status, std::string_view title,
                      std::string_view text);
// The hidden CSRF field of a form.
std::string CsrfField(const Ctx& c);

// The verdict as icon and text (never colour alone).
std::string VerdictBadge(const Ctx& c, records::Verdict v);
std::string StateLabel(const Ctx& c, const std::string& state);
std::string RoleLabel(const Ctx& c, api::Role role);

net::Response LoginPage(Ctx& c, std::string_view error = "");
net::Response InboxPage(Ctx& c);
net::Response CasePage(Ctx& c);
net::Response CaseAssign(Ctx& c);
net::Response CaseChange(Ctx& c);
net::Response Download(Ctx& c);
net::Response PreviewPage(Ctx& c);
net::Response PreviewImage(Ctx& c);

// Shared by documents.cc and preview.cc.
bool IsImage(const std::string& mime);
net::Response Binary(std::string bytes, const std::string& type);
// The format named by the route's {id}, if this clerk may open it (its
// Dokument is neither quarantined nor rejected; of a neutralised one only
// the cleaned copy). kNotFound, kPermissionDenied.
Result<records::FormatInfo> OpenableFormat(const Ctx& c);
// The page for a refusal of OpenableFormat or a failed read.
net::Response RefuseOpen(const Ctx& c, const Status& st);
net::Response OperatorPage(Ctx& c);

// Routing (routing.cc, routing_ops.cc), through options.router. Who may
// do what follows the router API: everyone reads deliveries and dead
// letters (kReadMetadata); rules, dry runs and redelivery need kConfigure.
// The case view's delivery history (id "router-verlauf").
std::string RoutingHistory(const Ctx& c, const records::Vorgang& v);
// The case view's redelivery action (id "router-aktionen").
std::string RoutingActions(const Ctx& c, const records::Vorgang& v);
// The health table's row with the tenant's number of dead letters.
std::string DeadLetterRow(const Ctx& c);
// The Betrieb page's routing section (id "router-betrieb").
std::string RoutingSummary(const Ctx& c);
// A delivery's state as icon and text; its last error, shortened (transport
// messages and HTTP status codes only, never a response body).
std::string DeliveryBadge(const Ctx& c, const std::string& state);
std::string DeliveryError(const std::string& error);
net::Response CaseRedeliver(Ctx& c);  // POST /vorgaenge/{id}/erneut-senden
net::Response RoutingPage(Ctx& c);    // GET /betrieb/weiterleitung
net::Response RoutingDryRun(Ctx& c);  // POST /betrieb/weiterleitung/probe
net::Response DeadLetterRedeliver(
    Ctx& c);  // POST /betrieb/zustellungen/{id}/erneut
net::Response AuditPage(Ctx& c);

// The form data of a case as readable HTML: JSON objects as definition
// lists with labels (the titles of the schema `schema_uri`, or of a
// configured schema that fits, where it knows the key; else the key
// humanised), XML as an escaped element tree.
std::string RenderFormData(const Ctx& c, const std::string& mime,
                           const std::string& content,
                           const std::string& schema_uri);

}  // namespace ds::web::internal
