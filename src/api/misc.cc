// Handlers for the caller itself, full-text search and the audit trail.
#include <charconv>

#include "api/handlers.h"

namespace ds::api::internal {

Reply GetMe(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  return net::Response::Json(200, {{"user", c.who.user},
                                   {"tenant", c.who.tenant},
                                   {"role", RoleName(c.who.role)}});
}

Reply Search(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {"q", "limit"}));
  auto q = Param(c.request, "q");
  if (!q || q->empty()) return InvalidInput("q required");
  if (q->size() > 500) return InvalidInput("q too long");
  DS_ASSIGN_OR_RETURN(int limit, LimitParam(c.request, 50, 500));
  DS_ASSIGN_OR_RETURN(auto hits, c.store.Search(c.who.tenant, *q, limit));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& h : hits) {
    items.push_back({{"vorgang_id", h.vorgang_id}, {"subject", h.subject}});
  }
  return net::Response::Json(200, {{"items", items}});
}

Reply ReadAudit(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {"from_seq", "limit"}));
  int64_t from = 1;
  if (auto text = Param(c.request, "from_seq")) {
    auto [ptr, ec] =
        std::from_chars(text->data(), text->data() + text->size(), from);
    if (ec != std::errc() || ptr != text->data() + text->size() || from < 1) {
      return InvalidInput("from_seq must be an integer >= 1");
    }
  }
  DS_ASSIGN_OR_RETURN(int limit, LimitParam(c.request, 100, 1000));
  DS_ASSIGN_OR_RETURN(auto entries,
                      c.store.ReadAudit(c.who.tenant, from, limit + 1));
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < entries.size() && i < static_cast<size_t>(limit);
       ++i) {
    items.push_back(AuditJson(entries[i]));
  }
  nlohmann::json next;
  if (entries.size() > static_cast<size_t>(limit)) next = entries.back().seq;
  return net::Response::Json(200, {{"items", items}, {"next_from_seq", next}});
}

}  // namespace ds::api::internal
