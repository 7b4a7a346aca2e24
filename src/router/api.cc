// The route table of the router's API, its guard (authorise, call,
// translate errors into RFC 7807 problems, log) and thin handlers.
#include "router/api.h"

#include <chrono>

#include "core/text.h"
#include "router/api_internal.h"

namespace ds::router {
namespace internal {
namespace {

net::Response Ok(int status, const nlohmann::json& body) {
  return net::Response::Json(status, body);
}

nlohmann::json Page(const nlohmann::json& items, size_t limit,
                    const std::string& last_cursor) {
  return {{"items", items},
          {"next_cursor", items.size() == limit ? nlohmann::json(last_cursor)
                                                : nlohmann::json()}};
}

}  // namespace

Reply GetRules(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  bool from_api = false;
  DS_ASSIGN_OR_RETURN(auto rules, c.router.Rules(c.who.tenant, &from_api));
  nlohmann::json out = nlohmann::json::array();
  for (const Rule& r : rules) out.push_back(RuleToJson(r));
  return Ok(200, {{"source", from_api ? "api" : "config"}, {"rules", out}});
}

Reply PutRules(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(nlohmann::json body, JsonBody(c.request));
  if (!body.is_object() || body.size() != 1 || !body.contains("rules") ||
      !body["rules"].is_array() || body["rules"].size() > 500) {
    return InvalidInput("body: {\"rules\": [...]} with at most 500 rules");
  }
  std::vector<Rule> rules;
  for (const auto& j : body["rules"]) {
    DS_ASSIGN_OR_RETURN(Rule r, RuleFromJson(j));
    rules.push_back(std::move(r));
  }
  DS_RETURN_IF_ERROR(c.router.SetRules(c.who.tenant, rules, c.who.user));
  return GetRules(c);
}

Reply DryRunFacts(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(nlohmann::json body, JsonBody(c.request));
  if (!body.is_object()) return InvalidInput("body must be an object");
  CaseFacts facts;
  for (const auto& [key, value] : body.items()) {
    std::string* text = key == "service_identifier" ? &facts.service_identifier
                        : key == "destination_id"   ? &facts.destination_id
                        : key == "data_schema"      ? &facts.data_schema
                                                    : nullptr;
    if (text != nullptr) {
      if (!value.is_string()) {
        return InvalidInput("body: " + key + " must be a string");
      }
      *text = value.get<std::string>();
    } else if (key == "form_data") {
      facts.form = value;
    } else {
      return InvalidInput("body: unexpected member " + key);
    }
  }
  DS_ASSIGN_OR_RETURN(RoutePlan plan, c.router.DryRun(c.who.tenant, facts));
  return Ok(200, PlanJson(plan));
}

Reply DryRunVorgang(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(
      RoutePlan plan,
      c.router.DryRunVorgang(c.who.tenant, c.request.param("id"), c.who.user));
  return Ok(200, PlanJson(plan));
}

Reply GetVorgangRouting(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  const std::string id = c.request.param("id");
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      c.router.store().GetVorgang(c.who.tenant, id));
  DS_ASSIGN_OR_RETURN(auto deliveries,
                      c.router.outbox().ForVorgang(c.who.tenant, v.id));
  DS_ASSIGN_OR_RETURN(auto reports,
                      c.router.outbox().StatusOf(c.who.tenant, v.id));
  DS_ASSIGN_OR_RETURN(auto answers, c.router.outbox().ListOutgoing(
                                        c.who.tenant, v.id, "", 0, 500));
  nlohmann::json d = nlohmann::json::array(), s = nlohmann::json::array(),
                 o = nlohmann::json::array();
  for (const Delivery& x : deliveries) d.push_back(DeliveryJson(x));
  for (const StatusReport& x : reports) s.push_back(StatusJson(x));
  for (const OutgoingAnswer& x : answers) o.push_back(OutgoingJson(x));
  return Ok(200, {{"vorgang_id", v.id},
                  {"state", v.state},
                  {"routing_detail", v.routing_detail},
                  {"deliveries", d},
                  {"status", s},
                  {"outgoing", o}});
}

Reply ListDeliveries(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {"state", "cursor", "limit"}));
  std::string state = Param(c.request, "state").value_or("");
  if (!state.empty() && state != "pending" && state != "delivered" &&
      state != "dead") {
    return InvalidInput("state: pending, delivered or dead");
  }
  DS_ASSIGN_OR_RETURN(int64_t after, CursorParam(c.request, "cursor"));
  DS_ASSIGN_OR_RETURN(int limit, LimitParam(c.request, 50, 500));
  DS_ASSIGN_OR_RETURN(
      auto list, c.router.outbox().List(c.who.tenant, state, after, limit));
  nlohmann::json items = nlohmann::json::array();
  for (const Delivery& d : list) items.push_back(DeliveryJson(d));
  return Ok(200, Page(items, static_cast<size_t>(limit),
                      list.empty() ? "" : std::to_string(list.back().seq)));
}

Reply Redeliver(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  const std::string id = c.request.param("id");
  DS_RETURN_IF_ERROR(c.router.Redeliver(c.who.tenant, id, c.who.user));
  DS_ASSIGN_OR_RETURN(Delivery d, c.router.outbox().Get(c.who.tenant, id));
  return Ok(202, DeliveryJson(d));
}

Reply ReadFeed(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {"cursor", "limit"}));
  DS_ASSIGN_OR_RETURN(int64_t cursor, CursorParam(c.request, "cursor"));
  DS_ASSIGN_OR_RETURN(int limit, LimitParam(c.request, 50, 500));
  DS_ASSIGN_OR_RETURN(
      auto items, c.router.ReadFeed(c.who.tenant, c.request.param("id"), cursor,
                                    limit, c.who.user));
  nlohmann::json out = nlohmann::json::array();
  for (const Router::FeedItem& item : items) {
    out.push_back({{"delivery_id", item.delivery.id},
                   {"idempotency_key", item.delivery.id},
                   {"vorgang_id", item.delivery.vorgang_id},
                   {"cursor", std::to_string(item.delivery.seq)},
                   {"payload", nlohmann::json::parse(item.body)}});
  }
  std::string next = items.empty() ? std::to_string(cursor)
                                   : std::to_string(items.back().delivery.seq);
  return Ok(200, {{"items", out}, {"next_cursor", next}});
}

Reply AckFeed(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(nlohmann::json body, JsonBody(c.request));
  if (!body.is_object() || body.size() != 1 || !body.contains("delivery_ids") ||
      !body["delivery_ids"].is_array() || body["delivery_ids"].empty() ||
      body["delivery_ids"].size() > 500) {
    return InvalidInput("body: {\"delivery_ids\": [1..500 ids]}");
  }
  std::vector<std::string> ids;
  for (const auto& j : body["delivery_ids"]) {
    if (!j.is_string()) return InvalidInput("delivery_ids: strings");
    ids.push_back(j.get<std::string>());
  }
  DS_ASSIGN_OR_RETURN(int n, c.router.Ack(c.who.tenant, c.request.param("id"),
                                          ids, c.who.user));
  return Ok(200, {{"acknowledged", n}});
}

Reply PostStatus(const Call& c) {
  DS_RETURN_IF_ERROR(OnlyParams(c.request, {}));
  DS_ASSIGN_OR_RETURN(nlohmann::json body, JsonBody(c.request, 16 << 10));
  if (!body.is_object()) return InvalidInput("body must be an object");
  StatusInput in;
  for (const auto& [key, value] : body.items()) {
    if (key == "status" && value.is_string()) {
      in.status = value.get<std::string>();
    } else if (key == "note" && value.is_string()) {
      in.note = value.get<std::string>();
      // Shown to clerks: as for the API's other texts, nothing that renders
      // differently from what it is (line breaks are fine in a note).
      if (!IsPlainText(in.note, /*allow_line_breaks=*/true)) {
        return InvalidInput(
            "note contains control, bidirectional or invisible characters");
      }
    } else if (key == "notify" && value.is_boolean()) {
      in.notify = value.get<bool>();
    } else {
      return InvalidInput("body: unexpected or mistyped member " + key);
    }
  }
  DS_ASSIGN_OR_RETURN(StatusReport r,
                      c.router.ReportStatus(c.who.tenant, c.request.param("id"),
                                            in, c.who.user));
  return Ok(201, StatusJson(r));
}

Reply PostDokument(const Call& c) {
  DS_RETURN_IF_ERROR(
      OnlyParams(c.request, {"filename", "bescheid", "doc_class"}));
  DocumentInput in;
  in.filename = Param(c.request, "filename").value_or("");
  std::string bescheid = Param(c.request, "bescheid").value_or("true");
  if (bescheid != "true" && bescheid != "false") {
    return InvalidInput("bescheid: true or false");
  }
  in.bescheid = bescheid == "true";
  in.doc_class = Param(c.request, "doc_class").value_or("");
  in.mime_type = c.request.header("Content-Type");
  if (c.request.body_size > static_cast<uint64_t>(Router::kMaxDocumentBytes)) {
    return TooLarge("document too large");
  }
  DS_ASSIGN_OR_RETURN(in.content,
                      c.request.ReadBody(Router::kMaxDocumentBytes));
  DS_ASSIGN_OR_RETURN(DocumentReceipt r,
                      c.router.FileDocument(c.who.tenant, c.request.param("id"),
                                            in, c.who.user));
  return Ok(201, {{"dokument_id", r.dokument_id},
                  {"outgoing_id", r.outgoing_id.empty()
                                      ? nlohmann::json()
                                      : nlohmann::json(r.outgoing_id)}});
}

Reply ListOutgoing(const Call& c) {
  DS_RETURN_IF_ERROR(
      OnlyParams(c.request, {"state", "vorgang_id", "cursor", "limit"}));
  DS_ASSIGN_OR_RETURN(int64_t after, CursorParam(c.request, "cursor"));
  DS_ASSIGN_OR_RETURN(int limit, LimitParam(c.request, 50, 500));
  // "pending" is the only state an answer has today (recorded, not sent).
  if (std::optional<std::string> state = Param(c.request, "state");
      state && *state != "pending") {
    return InvalidInput("state: unknown value (known: pending)");
  }
  DS_ASSIGN_OR_RETURN(
      auto list, c.router.outbox().ListOutgoing(
                     c.who.tenant, Param(c.request, "vorgang_id").value_or(""),
                     Param(c.request, "state").value_or(""), after, limit));
  nlohmann::json items = nlohmann::json::array();
  for (const OutgoingAnswer& a : list) items.push_back(OutgoingJson(a));
  return Ok(200, Page(items, static_cast<size_t>(limit),
                      list.empty() ? "" : std::to_string(list.back().seq)));
}

}  // namespace internal

namespace {

using HandlerFn = internal::Reply (*)(const internal::Call&);
struct Route {
  api::RouteSpec spec;
  HandlerFn handler;
};

const std::vector<Route>& Table() {
  using P = api::Permission;
  namespace h = internal;
  static const std::vector<Route> kRoutes = {
      {{"GET", "/api/v1/routing/rules", P::kConfigure}, h::GetRules},
      {{"PUT", "/api/v1/routing/rules", P::kConfigure}, h::PutRules},
      {{"POST", "/api/v1/routing/dry-run", P::kConfigure}, h::DryRunFacts},
      {{"GET", "/api/v1/routing/deliveries", P::kReadMetadata},
       h::ListDeliveries},
      {{"POST", "/api/v1/routing/deliveries/{id}/redeliver", P::kConfigure},
       h::Redeliver},
      {{"GET", "/api/v1/vorgaenge/{id}/routing", P::kReadMetadata},
       h::GetVorgangRouting},
      {{"POST", "/api/v1/vorgaenge/{id}/dry-run", P::kConfigure},
       h::DryRunVorgang},
      {{"POST", "/api/v1/vorgaenge/{id}/status", P::kEdit}, h::PostStatus},
      {{"POST", "/api/v1/vorgaenge/{id}/dokumente", P::kEdit}, h::PostDokument},
      {{"GET", "/api/v1/feeds/{id}", P::kReadContent}, h::ReadFeed},
      {{"POST", "/api/v1/feeds/{id}/ack", P::kEdit}, h::AckFeed},
      {{"GET", "/api/v1/outgoing", P::kReadMetadata}, h::ListOutgoing},
  };
  return kRoutes;
}

net::Response ProblemFor(const Status& st, const net::Request& request) {
  net::Response r = net::Response::Problem(st, request.path);
  if (st.code() == Code::kUnauthenticated) {
    r.headers["WWW-Authenticate"] =
        request.header("Authorization").empty()
            ? "Bearer realm=\"drehscheibe\""
            : "Bearer realm=\"drehscheibe\", error=\"invalid_token\"";
  }
  return r;
}

net::Handler Guarded(Router& router, Logger& logger, const Route& route) {
  return [&router, &logger, route](const net::Request& request) {
    auto start = std::chrono::steady_clock::now();
    std::string token_id = "-";
    net::Response response;
    Result<api::Principal> who =
        api::Authorize(router.store(), request, route.spec.needed);
    if (!who.ok()) {
      response = ProblemFor(who.status(), request);
    } else {
      token_id = who->token_id;
      Result<net::Response> r =
          route.handler(internal::Call{router, *who, request});
      response = r.ok() ? std::move(*r) : ProblemFor(r.status(), request);
    }
    response.headers["Cache-Control"] = "no-store";
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    logger.Info("api.request", {{"method", route.spec.method},
                                {"route", route.spec.pattern},
                                {"status", response.status},
                                {"token_id", token_id},
                                {"ms", static_cast<int64_t>(ms)}});
    return response;
  };
}

}  // namespace

const std::vector<api::RouteSpec>& RouterApiRoutes() {
  static const std::vector<api::RouteSpec> kSpecs = [] {
    std::vector<api::RouteSpec> out;
    for (const Route& r : Table()) out.push_back(r.spec);
    return out;
  }();
  return kSpecs;
}

void AddRouterRoutes(net::Router& http, Router& router, Logger& logger) {
  for (const Route& route : Table()) {
    http.Add(route.spec.method, route.spec.pattern,
             Guarded(router, logger, route));
  }
}

}  // namespace ds::router
