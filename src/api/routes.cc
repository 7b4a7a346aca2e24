// The route table of the API and the guard that runs before every handler:
// authorise, call, translate errors into RFC 7807 problems, log.
#include <chrono>

#include "api/api.h"
#include "api/handlers.h"

namespace ds::api {
namespace {

using internal::HandlerFn;

struct Route {
  RouteSpec spec;
  HandlerFn handler;
};

const std::vector<Route>& Table() {
  using P = Permission;
  namespace h = internal;
  static const std::vector<Route> kRoutes = {
      {{"GET", "/api/v1/me", P::kReadMetadata}, h::GetMe},
      {{"GET", "/api/v1/vorgaenge", P::kReadMetadata}, h::ListVorgaenge},
      {{"GET", "/api/v1/vorgaenge/{id}", P::kReadMetadata}, h::GetVorgang},
      {{"PATCH", "/api/v1/vorgaenge/{id}", P::kEdit}, h::PatchVorgang},
      {{"PUT", "/api/v1/vorgaenge/{id}/akte", P::kEdit}, h::AssignVorgang},
      {{"GET", "/api/v1/formats/{id}/content", P::kReadContent}, h::GetContent},
      {{"GET", "/api/v1/akten", P::kReadMetadata}, h::ListAkten},
      {{"POST", "/api/v1/akten", P::kEdit}, h::CreateAkte},
      {{"GET", "/api/v1/akten/{id}", P::kReadMetadata}, h::GetAkte},
      {{"PATCH", "/api/v1/akten/{id}", P::kEdit}, h::PatchAkte},
      {{"GET", "/api/v1/search", P::kReadContent}, h::Search},
      {{"GET", "/api/v1/audit", P::kReadAudit}, h::ReadAudit},
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

// Authorises, then runs the handler; every error becomes a problem.
net::Response Serve(records::Store& store, const Route& route,
                    const net::Request& request, std::string* token_id) {
  Result<Principal> who = Authorize(store, request, route.spec.needed);
  if (!who.ok()) return ProblemFor(who.status(), request);
  *token_id = who->token_id;
  Result<net::Response> r = route.handler(internal::Call{store, *who, request});
  if (!r.ok()) return ProblemFor(r.status(), request);
  return std::move(*r);
}

net::Handler Guarded(records::Store& store, Logger& logger,
                     const Route& route) {
  return [&store, &logger, route](const net::Request& request) {
    auto start = std::chrono::steady_clock::now();
    std::string token_id = "-";
    net::Response response = Serve(store, route, request, &token_id);
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

const std::vector<RouteSpec>& ApiRoutes() {
  static const std::vector<RouteSpec> kSpecs = [] {
    std::vector<RouteSpec> out;
    for (const Route& r : Table()) out.push_back(r.spec);
    return out;
  }();
  return kSpecs;
}

void AddApiRoutes(net::Router& router, records::Store& store, Logger& logger) {
  for (const Route& route : Table()) {
    router.Add(route.spec.method, route.spec.pattern,
               Guarded(store, logger, route));
  }
}

}  // namespace ds::api
