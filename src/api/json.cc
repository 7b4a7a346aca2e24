// JSON of the records model and the input helpers of the handlers.
#include <algorithm>
#include <charconv>
#include <ctime>

#include "api/handlers.h"
#include "core/encoding.h"
#include "core/text.h"
#include "core/time.h"

namespace ds::api::internal {
namespace {

// Event type and issue time of a compact SET, decoded without verification
// (the intake verified the log before filing). Nulls if undecodable.
nlohmann::json EventJson(const std::string& token) {
  nlohmann::json out = {
      {"token", token}, {"event", nullptr}, {"issued_at", nullptr}};
  size_t a = token.find('.');
  size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos) return out;
  auto payload =
      Base64UrlDecode(std::string_view(token).substr(a + 1, b - a - 1));
  if (!payload.ok()) return out;
  auto j = nlohmann::json::parse(*payload, nullptr, false);
  if (!j.is_object()) return out;
  if (j.contains("events") && j["events"].is_object() && !j["events"].empty()) {
    out["event"] = j["events"].begin().key();
  }
  if (j.contains("iat") && j["iat"].is_number_integer()) {
    out["issued_at"] = Rfc3339Utc(j["iat"].get<int64_t>());
  }
  return out;
}

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

nlohmann::json FormatJson(const records::Format& f) {
  return {{"id", f.id},
          {"kind", f.kind},
          {"rendition_of", OrNull(f.rendition_of)},
          {"mime_type", f.mime_type},
          {"size", f.size},
          {"filename", f.filename},
          {"available", !f.content_address.empty()},
          {"content_url", "/api/v1/formats/" + f.id + "/content"}};
}

nlohmann::json DokumentJson(const records::Dokument& d) {
  nlohmann::json formats = nlohmann::json::array();
  for (const auto& f : d.formats) formats.push_back(FormatJson(f));
  auto findings = nlohmann::json::parse(d.findings_json, nullptr, false);
  if (!findings.is_array()) findings = nlohmann::json::array();
  return {{"id", d.id},
          {"position", d.position},
          {"purpose", d.purpose},
          {"attachment_id", d.attachment_id},
          {"doc_class", d.doc_class},
          {"verdict", records::VerdictName(d.verdict)},
          {"findings", findings},
          {"version", d.version},
          {"created_at", Rfc3339Utc(d.created_at)},
          {"deleted_at", OptTime(d.deleted_at)},
          {"formats", formats}};
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + n, *out);
  return true;
}

}  // namespace

nlohmann::json OptTime(const std::optional<int64_t>& t) {
  return t ? nlohmann::json(Rfc3339Utc(*t)) : nlohmann::json();
}

nlohmann::json VorgangJson(const records::Vorgang& v) {
  return {{"id", v.id},
          {"akte_id", OrNull(v.akte_id)},
          {"submission_id", v.submission_id},
          {"case_id", v.case_id},
          {"destination_id", v.destination_id},
          {"service_identifier", v.service_identifier},
          {"service_name", v.service_name},
          {"data_schema", OrNull(v.data_schema)},
          {"subject", v.subject},
          {"received_at", Rfc3339Utc(v.received_at)},
          {"state", v.state},
          {"routing_detail", v.routing_detail},
          {"worst_verdict", records::VerdictName(v.worst_verdict)},
          {"closed_at", OptTime(v.closed_at)},
          {"legal_hold", v.legal_hold}};
}

nlohmann::json CaseJson(const records::Vorgang& v) {
  nlohmann::json out = VorgangJson(v);
  out["dokumente"] = nlohmann::json::array();
  for (const auto& d : v.dokumente) out["dokumente"].push_back(DokumentJson(d));
  out["event_log"] = nlohmann::json::array();
  for (const auto& t : v.event_log) out["event_log"].push_back(EventJson(t));
  return out;
}

nlohmann::json AkteJson(const records::Akte& a) {
  return {{"id", a.id},
          {"betreff", a.meta.betreff},
          {"kennzeichen", a.meta.kennzeichen},
          {"federfuehrung", a.meta.federfuehrung},
          {"vertraulichkeit", a.meta.vertraulichkeit},
          {"retention_years", a.meta.retention_years
                                  ? nlohmann::json(*a.meta.retention_years)
                                  : nlohmann::json()},
          {"created_at", Rfc3339Utc(a.created_at)},
          {"closed_at", OptTime(a.closed_at)},
          {"legal_hold", a.legal_hold}};
}

nlohmann::json AuditJson(const records::AuditEntry& e) {
  auto details = nlohmann::json::parse(e.details, nullptr, false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return {{"seq", e.seq},
          {"time", Rfc3339Utc(e.time)},
          {"actor", e.actor},
          {"action", e.action},
          {"object_ids", e.object_ids},
          {"details", details},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

Status OnlyParams(const net::Request& r,
                  const std::vector<std::string_view>& allowed) {
  for (const auto& [name, value] : r.query) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) return InvalidInput("unknown query parameter: " + name);
  }
  return Status::Ok();
}

std::optional<std::string> Param(const net::Request& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return std::nullopt;
  return it->second;
}

Result<int> LimitParam(const net::Request& r, int def, int max) {
  auto text = Param(r, "limit");
  if (!text) return def;
  int v = 0;
  auto [ptr, ec] =
      std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size() || v < 1 ||
      v > max) {
    return InvalidInput("limit must be an integer 1.." + std::to_string(max));
  }
  return v;
}

Result<int64_t> ParseTime(std::string_view s) {
  Status bad = InvalidInput("time must be RFC 3339 or YYYY-MM-DD");
  std::tm tm{};
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' ||
      !Digits(s, 0, 4, &tm.tm_year) || !Digits(s, 5, 2, &tm.tm_mon) ||
      !Digits(s, 8, 2, &tm.tm_mday) || tm.tm_mon < 1 || tm.tm_mon > 12 ||
      tm.tm_mday < 1 || tm.tm_mday > 31) {
    return bad;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  // timegm rolls 2026-02-30 over into March; such a day does not exist.
  std::tm day = tm;
  timegm(&day);
  if (day.tm_mon != tm.tm_mon || day.tm_mday != tm.tm_mday) return bad;
  int64_t offset = 0;
  if (s.size() > 10) {
    if (s.size() < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':' || !Digits(s, 11, 2, &tm.tm_hour) ||
        !Digits(s, 14, 2, &tm.tm_min) || !Digits(s, 17, 2, &tm.tm_sec) ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
      return bad;
    }
    size_t i = 19;
    if (s[i] == '.') {  // fraction: ignored (whole seconds)
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    std::string_view zone = s.substr(i);
    int hh = 0, mm = 0;
    if (zone == "Z" || zone == "z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
               zone[3] == ':' && Digits(zone, 1, 2, &hh) &&
               Digits(zone, 4, 2, &mm)) {
      offset = (zone[0] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
    } else {
      return bad;
    }
  }
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

Result<nlohmann::json> ObjectBody(
    const net::Request& r, const std::vector<std::string_view>& allowed) {
  DS_ASSIGN_OR_RETURN(std::string text, r.ReadBody(64 << 10));
  if (!JsonNestingWithin(text)) {
    return InvalidInput("body nests deeper than " +
                        std::to_string(kMaxJsonNesting) + " levels");
  }
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object()) return InvalidInput("body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) return InvalidInput("unknown field: " + key);
  }
  return body;
}

Result<std::optional<std::string>> StringField(const nlohmann::json& body,
                                               const char* name, size_t max) {
  if (!body.contains(name)) return std::optional<std::string>();
  const auto& v = body[name];
  if (!v.is_string()) {
    return InvalidInput(std::string(name) + " must be a string");
  }
  std::string s = v.get<std::string>();
  // Metadata is shown to clerks and written into xdomea messages: text
  // that renders differently from what it is (bidi overrides, controls,
  // zero-width characters) is refused rather than stored.
  if (!IsPlainText(s)) {
    return InvalidInput(
        std::string(name) +
        " contains control, bidirectional or invisible characters");
  }
  // `max` counts characters, as JSON Schema's maxLength does.
  size_t chars = std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (chars > max) return InvalidInput(std::string(name) + " too long");
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<std::string>> TextField(const nlohmann::json& body,
                                             const char* name, size_t max) {
  DS_ASSIGN_OR_RETURN(std::optional<std::string> s,
                      StringField(body, name, max));
  if (s && s->find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidInput(std::string(name) + " must not be empty");
  }
  return s;
}

}  // namespace ds::api::internal
