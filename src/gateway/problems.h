// Internal: the problem types of the gateway's HTTP API (RFC 7807), under
// https://drehscheibe.invalid/problems/gateway/. docs/gateway.md lists
// them with their HTTP statuses.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::gateway {

// A status of `code` carrying the gateway problem `name`, e.g.
// Problem(Code::kPermissionDenied, "destination-not-allowed", detail).
Status GatewayProblem(Code code, std::string_view name, std::string detail,
                      std::string_view instance = "");

// The type URI of a gateway problem name.
std::string ProblemTypeUri(std::string_view name);

}  // namespace ds::gateway
