#include "zustelldienst/callbacks.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "net/http.h"

namespace ds::zustelldienst {

std::string CallbackHmac(std::string_view secret, std::string_view timestamp,
                         std::string_view body) {
  std::string message = std::string(timestamp) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &len);
  return HexEncode(std::string_view(reinterpret_cast<char*>(mac), len));
}

CallbackAttempt DeliverCallback(std::string_view url, std::string_view secret,
                                std::string_view body, int timeout_seconds) {
  std::string timestamp = std::to_string(UnixNow());
  net::ClientRequest req;
  req.method = "POST";
  req.url = std::string(url);
  req.headers["Content-Type"] = "application/json";
  req.headers["callback-timestamp"] = timestamp;
  req.headers["callback-authentication"] =
      CallbackHmac(secret, timestamp, body);
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
