// The REST API of the E-Akte under /api/v1, described in docs/openapi.json
// (docs/api.md for people).
//
//   ds::net::Router router;
//   ds::api::AddApiRoutes(router, store);
//   auto server = ds::net::HttpServer::Start({}, std::move(router));
//   // GET /api/v1/vorgaenge with "Authorization: Bearer ds1_..."
//
// Every route authorises the caller (api/auth.h) before it reads anything;
// data is always taken from the principal's tenant, so ids of another
// tenant answer 404 exactly like ids that do not exist. Errors are RFC 7807
// problems (application/problem+json); 401 answers carry
// `WWW-Authenticate: Bearer`. Handlers are thread-safe as far as the Store
// is (it serialises its calls).
#pragma once

#include <string>
#include <vector>

#include "api/auth.h"
#include "core/log.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::api {

// One route of the API: what the OpenAPI file must describe.
struct RouteSpec {
  std::string method;   // "GET", "POST", "PUT", "PATCH"
  std::string pattern;  // e.g. "/api/v1/vorgaenge/{id}"
  Permission needed;
};

// Every route AddApiRoutes registers, in registration order.
const std::vector<RouteSpec>& ApiRoutes();

// Registers the API on `router`. `store` and `logger` must outlive the
// router and the server that uses it.
void AddApiRoutes(net::Router& router, records::Store& store,
                  Logger& logger = DefaultLogger());

}  // namespace ds::api
