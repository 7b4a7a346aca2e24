// Test support: docs/openapi.json, parsed once, and a check of real answers
// against its response schemas (valijson, draft-7 keywords; the file uses
// only keywords with the same meaning in 2020-12).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/api.h"
#include "net/http.h"

namespace ds::api::testing {

// Every route the hub's API serves: the E-Akte's (ApiRoutes) and the
// router's (router::RouterApiRoutes), which docs/openapi.json describes
// together.
const std::vector<RouteSpec>& DescribedRoutes();

// The parsed OpenAPI document (fails the test binary if unreadable).
const nlohmann::json& OpenApiSpec();

// The route pattern of ApiRoutes() that `path` matches, or "".
std::string MatchRoute(const std::string& method, const std::string& path);

// Checks one answer: the status is documented for the operation (or
// covered by `default`), the content type is one the operation declares,
// and a JSON body matches the schema. Returns "" or what is wrong.
std::string CheckAnswer(const std::string& method, const std::string& path,
                        const net::ClientResponse& answer);

}  // namespace ds::api::testing
