// Handlers for Vorgänge: the Posteingang and an Akte's Vorgänge, a case
// with its documents, metadata changes, assignment to an Akte, and the
// download of a document's content.
#include "api/handlers.h"
#include "core/text.h"
#include "records/vorgang_state.h"

namespace ds::api::internal {
namespace {

Result<records::InboxFilter> InboxFilterFrom(const Call& c) {
  const net::Request& r = c.request;
  DS_RETURN_IF_ERROR(
      OnlyParams(r, {"service", "state", "verdict", "akte", "received_from",
                     "received_until", "limit", "cursor"}));
  records::InboxFilter f;
  f.tenant = c.who.tenant;
  f.service_identifier = Param(r, "service");
  f.state = Param(r, "state");
  if (f.state && !records::IsVorgangState(*f.state)) {
    return InvalidInput(
        "state must be new, manual, routing, delivered or failed");
  }
  if (auto v = Param(r, "verdict")) {
    Result<records::Verdict> verdict = records::ParseVerdict(*v);
    if (!verdict.ok()) {
      return InvalidInput(
          "verdict must be clean, neutralised, quarantined or rejected");
    }
    f.worst_verdict = *verdict;
  }
  if (auto t = Param(r, "received_from")) {
    DS_ASSIGN_OR_RETURN(f.received_from, ParseTime(*t));
  }
  if (auto t = Param(r, "received_until")) {
    DS_ASSIGN_OR_RETURN(f.received_until, ParseTime(*t));
  }
  DS_ASSIGN_OR_RETURN(f.limit, LimitParam(r, 50, 500));
  f.after = Param(r, "cursor").value_or("");
  f.akte_id = Param(r, "akte");
  return f;
}

nlohmann::json NextCursor(const std::string& cursor) {
  return cursor.empty() ? nlohmann::json() : nlohmann::json(cursor);
}

// Content-Disposition for a download: always "attachment" (never rendered
// inline by a browser), the name as RFC 5987 UTF-8 plus an ASCII fallback.
std::string Disposition(const std::string& sent_name) {
  // Shown by the browser's download dialog: no bidi overrides that
  // disguise the extension, no controls, no separators.
  const std::string filename = DisplayFileName(sent_name);
  std::string ascii, encoded;
  for (unsigned char ch : filename) {
    bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
                 ch == '_';
    ascii += plain ? static_cast<char>(ch) : '_';
    if (plain) {
      encoded += static_cast<char>(ch);
    } else {
      static const char* kHex = "0123456789ABCDEF";
      encoded += '%';
      encoded += kHex[ch >> 4];
      encoded += kHex[ch & 15];
    }
  }
  if (ascii.empty()) ascii = encoded = "dokument";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

// The stored MIME type if it is a plain "type/subtype[; param=value]",
// else application/octet-stream (it came from the sender).
std::string SafeContentType(const std::string& mime) {
  bool ok =
      !mime.empty() && mime.size() < 200 && mime.find('/') != std::string::npos;
  constexpr std::string_view kPunctuation = "!#$&^_.+-/;= ";
  for (char ch : mime) {
    bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9');
    ok = ok && (alnum || kPunctuation.find(ch) != std::string_view::npos);
  }
  return ok ? mime : "application/octet-stream";
}

}  // namespace

Reply ListVorgaenge(const Call& c) {
  DS_ASSIGN_OR_RETURN(records::InboxFilter f, InboxFilterFrom(c));
  if (f.akte_id) {
    // An Akte of another tenant is "not found", as for every other id.
    Result<records::Akte> akte = c.store.GetAkte(c.who.tenant, *f.akte_id);
    if (!akte.ok()) return akte.status();
  }
  DS_ASSIGN_OR_RETURN(records::InboxPage page, c.store.ListInbox(f));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& v : page.items) items.push_back(VorgangJson(v));
  return net::Response::Json(
      200, {{"items", items}, {"next_cursor", NextCursor(page.next_cursor)}});
}

Reply GetVorgang(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      c.store.GetVorgang(c.who.tenant, c.request.param("id")));
  return net::Response::Json(200, CaseJson(v));
}

Reply PatchVorgang(const Call& c) {
  DS_ASSIGN_OR_RETURN(nlohmann::json body,
                      ObjectBody(c.request, {"subject", "service_name"}));
  records::VorgangChange change;
  DS_ASSIGN_OR_RETURN(change.subject, TextField(body, "subject"));
  DS_ASSIGN_OR_RETURN(change.service_name, StringField(body, "service_name"));
  if (!change.subject && !change.service_name) {
    return InvalidInput("nothing to change");
  }
  std::string id = c.request.param("id");
  DS_RETURN_IF_ERROR(
      c.store.ChangeVorgang(c.who.tenant, id, change, c.who.user));
  DS_ASSIGN_OR_RETURN(records::Vorgang v, c.store.GetVorgang(c.who.tenant, id));
  return net::Response::Json(200, VorgangJson(v));
}

Reply AssignVorgang(const Call& c) {
  DS_ASSIGN_OR_RETURN(nlohmann::json body, ObjectBody(c.request, {"akte_id"}));
  DS_ASSIGN_OR_RETURN(auto akte_id, StringField(body, "akte_id"));
  if (!akte_id || akte_id->empty()) return InvalidInput("akte_id required");
  std::string id = c.request.param("id");
  DS_RETURN_IF_ERROR(
      c.store.AssignToAkte(c.who.tenant, id, *akte_id, c.who.user));
  DS_ASSIGN_OR_RETURN(records::Vorgang v, c.store.GetVorgang(c.who.tenant, id));
  return net::Response::Json(200, VorgangJson(v));
}

Reply GetContent(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  std::string id = c.request.param("id");
  DS_ASSIGN_OR_RETURN(records::FormatInfo info,
                      c.store.GetFormat(c.who.tenant, id));
  // ReadContent verifies the hash and records the read in the audit trail
  // before anything is returned. Not yet: streaming (whole file in memory,
  // at most the store's 64 MiB read limit).
  DS_ASSIGN_OR_RETURN(std::string bytes,
                      c.store.ReadContent(c.who.tenant, id, c.who.user));
  net::Response r = net::Response::Text(200, std::move(bytes),
                                        SafeContentType(info.format.mime_type));
  r.headers["Content-Disposition"] = Disposition(info.format.filename);
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Content-Security-Policy"] = "sandbox; default-src 'none'";
  r.headers["X-Drehscheibe-Verdict"] =
      std::string(records::VerdictName(info.verdict));
  return r;
}

}  // namespace ds::api::internal
