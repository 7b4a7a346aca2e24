// Listen addresses ("host:port", "[v6]:port", "host") as the servers and
// their configuration take them.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::net {

struct ListenAddress {
  std::string host;  // without brackets
  std::string port;  // "0" picks a free port
};

// kInvalidInput for an address without a host (it would listen on every
// interface unnoticed; "0.0.0.0" must be written), a port alone, or a port
// that is not 0 to 65535 (it would wrap around to another one).
Result<ListenAddress> ParseListen(std::string_view listen);

}  // namespace ds::net
