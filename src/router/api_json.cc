// JSON of the router's model and the input helpers of its handlers.
#include <charconv>
#include <ctime>

#include "core/text.h"
#include "core/time.h"
#include "router/api_internal.h"

namespace ds::router::internal {
namespace {

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

}  // namespace

nlohmann::json DeliveryJson(const Delivery& d) {
  return {{"id", d.id},
          {"vorgang_id", d.vorgang_id},
          {"target", d.target},
          {"state", d.state},
          {"attempts", d.attempts},
          {"next_attempt_at",
           d.state == "pending"
               ? nlohmann::json(Rfc3339Utc(d.next_attempt_ms / 1000))
               : nlohmann::json()},
          {"last_error", OrNull(d.last_error)},
          {"created_at", Rfc3339Utc(d.created_ms / 1000)},
          {"delivered_at",
           d.delivered_ms ? nlohmann::json(Rfc3339Utc(*d.delivered_ms / 1000))
                          : nlohmann::json()},
          {"cursor", std::to_string(d.seq)}};
}

nlohmann::json StatusJson(const StatusReport& s) {
  return {
      {"id", s.id},         {"vorgang_id", s.vorgang_id},
      {"source", s.source}, {"status", s.status},
      {"note", s.note},     {"created_at", Rfc3339Utc(s.created_ms / 1000)}};
}

nlohmann::json OutgoingJson(const OutgoingAnswer& a) {
  return {{"id", a.id},
          {"vorgang_id", a.vorgang_id},
          {"kind", a.kind},
          {"reference", a.reference},
          {"channel", a.channel},
          {"state", a.state},
          {"created_at", Rfc3339Utc(a.created_ms / 1000)},
          {"cursor", std::to_string(a.seq)}};
}

nlohmann::json PlanJson(const RoutePlan& p) {
  return {{"matched", p.decision.matched},
          {"rule", OrNull(p.decision.rule)},
          {"targets", p.decision.targets},
          {"form_read", p.form_read}};
}

Status OnlyParams(const net::Request& r,
                  const std::vector<std::string_view>& allowed) {
  for (const auto& [key, value] : r.query) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) return InvalidInput("unknown query parameter " + key);
  }
  return Status::Ok();
}

std::optional<std::string> Param(const net::Request& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> CursorParam(const net::Request& r, const char* name) {
  std::optional<std::string> v = Param(r, name);
  if (!v || v->empty()) return int64_t{0};
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < 0) {
    return InvalidInput(std::string(name) + ": malformed cursor");
  }
  return out;
}

Result<int> LimitParam(const net::Request& r, int def, int max) {
  std::optional<std::string> v = Param(r, "limit");
  if (!v) return def;
  int out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < 1 ||
      out > max) {
    return InvalidInput("limit: an integer in 1.." + std::to_string(max));
  }
  return out;
}

Result<nlohmann::json> JsonBody(const net::Request& r, size_t max) {
  if (r.body_size > max) return TooLarge("body too large");
  DS_ASSIGN_OR_RETURN(std::string text, r.ReadBody(max));
  if (!JsonNestingWithin(text)) {
    return InvalidInput("body nests deeper than " +
                        std::to_string(kMaxJsonNesting) + " levels");
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidInput("body is not JSON");
  return j;
}

}  // namespace ds::router::internal
