// The xdomea face of the hub's REST API (docs/openapi.json, docs/xdomea.md):
//
//   POST /api/v1/xdomea/messages   body: a 0605 package (application/zip)
//     200 + the positive 0630 package, 422 + the negative 0630 package,
//     401/403/413/500/503 as RFC 7807 problems.
//
//   ds::net::Router router;
//   ds::api::AddApiRoutes(router, store);
//   ds::xdomea::AddXdomeaRoutes(router, store, {.specs_dir = specs});
//
// The caller needs an API token with the role clerk or tenant-admin
// (permission "edit"); the message is filed in the token's tenant.
#pragma once

#include <filesystem>
#include <vector>

#include "api/api.h"
#include "core/log.h"
#include "net/http.h"
#include "records/store.h"
#include "xdomea/inspect.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {

struct RouteOptions {
  std::filesystem::path specs_dir;  // "" = ResolveSpecsDir("")
  Inspector inspect;  // empty: the gate without clamd, files quarantined
                      // as "not scanned" (fail closed)
  std::string institution = "drehscheibe";  // Absender of the 0630
  Limits limits;
};

// The routes AddXdomeaRoutes registers (for the OpenAPI check).
const std::vector<api::RouteSpec>& XdomeaRoutes();

// Registers the routes. `store` and `logger` must outlive the router.
void AddXdomeaRoutes(net::Router& router, records::Store& store,
                     const RouteOptions& options = {},
                     Logger& logger = DefaultLogger());

}  // namespace ds::xdomea
