#include "net/listen.h"

namespace ds::net {

Result<ListenAddress> ParseListen(std::string_view listen) {
  std::string quoted = "listen address \"" + std::string(listen) + "\"";
  ListenAddress out{std::string(listen), "0"};
  std::string& host = out.host;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return InvalidInput("bad " + quoted);
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return InvalidInput("bad " + quoted);
      out.port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    out.port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) {
    return InvalidInput(quoted +
                        " has no host; write 127.0.0.1:PORT, or "
                        "0.0.0.0:PORT for every interface");
  }
  if (host.find_first_not_of("0123456789") == std::string::npos) {
    return InvalidInput(quoted +
                        " has no host (a port alone); write 127.0.0.1:" + host);
  }
  const std::string& port = out.port;
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    return InvalidInput(quoted + " has no valid port (0 to 65535)");
  }
  return out;
}

}  // namespace ds::net
