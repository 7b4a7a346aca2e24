#include "router/transport.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "net/http.h"

namespace ds::router {
namespace {

class WebhookTransport : public Transport {
 public:
  explicit WebhookTransport(TargetConfig target) : target_(std::move(target)) {}

  Result<Attempt> Deliver(const Outgoing& d) override {
    return PostSigned(target_, d, "application/json", d.body);
  }

 private:
  TargetConfig target_;
};

}  // namespace

std::string WebhookSignature(std::string_view secret,
                             std::string_view timestamp,
                             std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &len);
  return "v1=" +
         HexEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

Status VerifyWebhook(std::string_view secret, std::string_view timestamp,
                     std::string_view signature, std::string_view body,
                     int64_t now) {
  int64_t ts = 0;
  if (timestamp.empty() || timestamp.size() > 12) {
    return Status(Code::kUnauthenticated, "webhook: timestamp missing");
  }
  for (char c : timestamp) {
    if (c < '0' || c > '9') {
      return Status(Code::kUnauthenticated, "webhook: timestamp malformed");
    }
    ts = ts * 10 + (c - '0');
  }
  if (ts < now - kReplayWindowSeconds || ts > now + kReplayWindowSeconds) {
    return Status(Code::kUnauthenticated,
                  "webhook: timestamp outside the replay window");
  }
  if (!ConstantTimeEquals(WebhookSignature(secret, timestamp, body),
                          signature)) {
    return Status(Code::kUnauthenticated, "webhook: signature mismatch");
  }
  return Status::Ok();
}

Attempt PostSigned(const TargetConfig& target, const Outgoing& d,
                   std::string_view content_type, const std::string& body,
                   HttpAnswer* answer, size_t max_answer) {
  std::string ts = std::to_string(UnixNow());
  net::ClientRequest req{.method = "POST", .url = target.url};
  req.body = body;
  req.headers["Content-Type"] = std::string(content_type);
  req.headers[kTimestampHeader] = ts;
  req.headers[kSignatureHeader] = WebhookSignature(target.secret, ts, body);
  req.headers[kDeliveryHeader] = d.delivery_id;
  req.headers[kIdempotencyHeader] = d.idempotency_key;
  req.timeout_seconds = target.timeout_seconds;
  req.max_response = max_answer;
  req.ca_file = target.ca_file;

  Result<net::ClientResponse> r = net::Fetch(req);
  if (!r.ok()) {
    // The message names the URL and curl's reason, not the payload.
    return Attempt{.delivered = false, .detail = r.status().message()};
  }
  bool ok = r->status >= 200 && r->status < 300;
  if (answer != nullptr) {
    answer->status = r->status;
    auto type = r->headers.find("Content-Type");
    answer->content_type = type == r->headers.end() ? "" : type->second;
    answer->body = std::move(r->body);
  }
  return Attempt{.delivered = ok,
                 .permanent = !ok && PermanentHttpFailure(r->status),
                 .detail = "http " + std::to_string(r->status)};
}

bool PermanentHttpFailure(int status) {
  return status >= 400 && status < 500 && status != 408 && status != 425 &&
         status != 429;
}

std::unique_ptr<Transport> MakeWebhookTransport(const TargetConfig& target) {
  return std::make_unique<WebhookTransport>(target);
}

TransportRegistry TransportRegistry::WithDefaults() {
  TransportRegistry r;
  r.Register("webhook",
             [](const TargetConfig& t) -> Result<std::unique_ptr<Transport>> {
               return MakeWebhookTransport(t);
             });
  return r;
}

void TransportRegistry::Register(const std::string& kind,
                                 TransportFactory factory) {
  factories_[kind] = std::move(factory);
}

Result<std::unique_ptr<Transport>> TransportRegistry::Make(
    const TargetConfig& target) const {
  auto it = factories_.find(target.kind);
  if (it == factories_.end()) {
    return InvalidInput("router: no transport of kind " + target.kind);
  }
  return it->second(target);
}

}  // namespace ds::router
