// The router's part of the REST API under /api/v1 (docs/openapi.json,
// docs/router.md): routing rules and dry runs, deliveries and dead letters,
// the pull feed for Fachverfahren, and the way back (status reports,
// documents, outgoing answers).
//
//   ds::net::Router http;
//   ds::api::AddApiRoutes(http, store);
//   ds::router::AddRouterRoutes(http, *router);
//
// Every route authorises with api::Authorize (tokens, roles, one tenant)
// before it reads anything; ids of another tenant answer 404.
#pragma once

#include <vector>

#include "api/api.h"
#include "core/log.h"
#include "net/http.h"
#include "router/router.h"

namespace ds::router {

// Every route AddRouterRoutes registers, in registration order.
const std::vector<api::RouteSpec>& RouterApiRoutes();

// Registers the routes; `router` and `logger` must outlive the server.
void AddRouterRoutes(net::Router& http, Router& router,
                     Logger& logger = DefaultLogger());

}  // namespace ds::router
