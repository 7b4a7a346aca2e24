#include "zustelldienst/callbacks.h"

#include "core/encoding.h"
#include "fitconnect/callback.h"
#include "net/http.h"

namespace ds::zustelldienst {

CallbackAttempt DeliverCallback(std::string_view url, std::string_view secret,
                                std::string_view body, int timeout_seconds) {
  fitconnect::CallbackHeaders auth =
      fitconnect::SignCallback(secret, body, UnixNow());
  net::ClientRequest req;
  req.method = "POST";
  req.url = std::string(url);
  req.headers["Content-Type"] = "application/json";
  req.headers[std::string(fitconnect::kCallbackTimestampHeader)] = auth.timestamp;
  req.headers[std::string(fitconnect::kCallbackAuthenticationHeader)] =
      auth.authentication;
  req.body = std::string(body);
  req.timeout_seconds = timeout_seconds;
  req.max_response = 64 * 1024;

  CallbackAttempt attempt;
  auto resp = net::Fetch(req);
  if (!resp.ok()) {
    attempt.error = resp.status().message();
    return attempt;
  }
  attempt.http_status = resp->status;
  if (resp->status < 200 || resp->status >= 300) {
    attempt.error = "HTTP " + std::to_string(resp->status);
  }
  return attempt;
}

}  // namespace ds::zustelldienst
