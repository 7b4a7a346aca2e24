// Internal to ds_router: the handlers behind router/api.h and their JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "net/http.h"
#include "router/router.h"

namespace ds::router::internal {

struct Call {
  Router& router;
  const api::Principal& who;
  const net::Request& request;
};
using Reply = Result<net::Response>;

Reply GetRules(const Call& c);
Reply PutRules(const Call& c);
Reply DryRunFacts(const Call& c);
Reply DryRunVorgang(const Call& c);
Reply GetVorgangRouting(const Call& c);
Reply ListDeliveries(const Call& c);
Reply Redeliver(const Call& c);
Reply ReadFeed(const Call& c);
Reply AckFeed(const Call& c);
Reply PostStatus(const Call& c);
Reply PostDokument(const Call& c);
Reply ListOutgoing(const Call& c);

// ---- JSON (schemas in docs/openapi.json) --------------------------------
nlohmann::json DeliveryJson(const Delivery& d);
nlohmann::json StatusJson(const StatusReport& s);
nlohmann::json OutgoingJson(const OutgoingAnswer& a);
nlohmann::json PlanJson(const RoutePlan& p);

// ---- input --------------------------------------------------------------
// kInvalidInput if the query has a parameter not in `allowed`.
Status OnlyParams(const net::Request& r,
                  const std::vector<std::string_view>& allowed);
std::optional<std::string> Param(const net::Request& r, const char* name);
// `limit` in 1..max (default def).
Result<int> LimitParam(const net::Request& r, int def, int max);
// A non-negative integer cursor ("" = 0).
Result<int64_t> CursorParam(const net::Request& r, const char* name);
// The body as a JSON value (at most `max` bytes).
Result<nlohmann::json> JsonBody(const net::Request& r, size_t max = 256 << 10);

}  // namespace ds::router::internal
