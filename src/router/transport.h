// Transports: how one delivery reaches a Fachverfahren.
//
// The router hands every due delivery of a target to that target's
// Transport; the transport reports whether the receiver has it. Delivery is
// at least once: a transport may be called again for the same delivery
// (after a crash, a timeout or a redelivery), always with the same
// idempotency key, and receivers drop repeats by that key.
//
// Adding a kind: implement Transport, register a factory in
// TransportRegistry::WithDefaults() (transport.cc) or, if it needs another
// library, in the program (as "xdomea", xdomea_transport.h),
// accept the kind and its settings in LoadTarget (config.cc), and describe
// it in docs/router.md. The kind "feed" has no Transport: its deliveries
// wait until the Fachverfahren pulls and acknowledges them.
//
// Thread-safety: Deliver may be called from the router's loop thread only;
// implementations need not be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "router/config.h"

namespace ds::router {

// One delivery as a transport sees it.
struct Outgoing {
  std::string delivery_id;
  std::string idempotency_key;  // stable per (Vorgang, target)
  std::string vorgang_id;
  std::string tenant;
  int attempt = 1;   // 1 for the first try
  std::string body;  // the case as JSON (docs/router.md)
};

// What came of one attempt.
struct Attempt {
  bool delivered = false;  // the receiver confirmed (e.g. HTTP 2xx)
  // The receiver refused this request for good (e.g. HTTP 400 or 403):
  // sending the same bytes again cannot succeed, so the delivery becomes a
  // dead letter at once instead of holding up its target through every
  // retry. Only meaningful when !delivered.
  bool permanent = false;
  std::string detail;  // e.g. "http 503", no personal data
  // What the receiver said about what it filed, as a JSON object without
  // personal data (a DMS's 0630: its codes and ids); "" if it said
  // nothing. The router keeps it in the case's audit trail.
  std::string receipt;
};

// The HTTP answer to PostSigned, for transports that read it.
struct HttpAnswer {
  int status = 0;  // 0 if no answer came (network error, timeout)
  std::string content_type;
  std::string body;
};

// Whether an HTTP answer refuses a request for good: 4xx except 408
// (timeout), 425 (too early) and 429 (too many requests), which ask the
// client to come back.
bool PermanentHttpFailure(int status);

class Transport {
 public:
  virtual ~Transport() = default;
  // Tries once. A failed attempt is an Attempt with delivered = false (the
  // router retries with backoff); an error Status means the same.
  virtual Result<Attempt> Deliver(const Outgoing& delivery) = 0;
};

using TransportFactory =
    std::function<Result<std::unique_ptr<Transport>>(const TargetConfig&)>;

class TransportRegistry {
 public:
  // "webhook". Kinds whose transports need more than the router has (the
  // "xdomea" packages need the E-Akte and the XSDs) are registered by the
  // program, e.g. RegisterXdomeaTransport (xdomea_transport.h).
  static TransportRegistry WithDefaults();
  void Register(const std::string& kind, TransportFactory factory);
  // kInvalidInput for an unknown kind.
  Result<std::unique_ptr<Transport>> Make(const TargetConfig& target) const;

 private:
  std::map<std::string, TransportFactory> factories_;
};

// ---- the signed webhook ------------------------------------------------

// Headers of a webhook request (docs/router.md for receivers).
inline constexpr const char* kTimestampHeader = "X-Drehscheibe-Timestamp";
inline constexpr const char* kSignatureHeader = "X-Drehscheibe-Signature";
inline constexpr const char* kDeliveryHeader = "X-Drehscheibe-Delivery";
inline constexpr const char* kIdempotencyHeader = "Idempotency-Key";
// How far a receiver should accept a timestamp from its own clock.
inline constexpr int64_t kReplayWindowSeconds = 300;

// "v1=" + lower-case hex HMAC-SHA-256(secret, timestamp + "." + body).
std::string WebhookSignature(std::string_view secret,
                             std::string_view timestamp, std::string_view body);

// Checks a received webhook as a receiver should: the timestamp is within
// kReplayWindowSeconds of `now` and the signature matches (constant time).
// kUnauthenticated with a distinct message otherwise. For receivers written
// in C++ and for the tests.
Status VerifyWebhook(std::string_view secret, std::string_view timestamp,
                     std::string_view signature, std::string_view body,
                     int64_t now);

// POSTs the body as application/json with the headers above; 2xx counts as
// delivered, a permanent 4xx (PermanentHttpFailure) ends in a dead letter.
// Uses target.url, secret, ca_file and timeout_seconds.
std::unique_ptr<Transport> MakeWebhookTransport(const TargetConfig& target);

// One signed POST of `body` as `content_type` to target.url, with the
// webhook's headers (signature over timestamp and these bytes, delivery
// id, idempotency key) and its TLS trust; 2xx counts as delivered,
// PermanentHttpFailure marks the attempt permanent. The
// webhook and other HTTP transports (xdomea packages) share it. With
// `answer`, the response (up to `max_answer` bytes, else the attempt
// fails) is handed back.
Attempt PostSigned(const TargetConfig& target, const Outgoing& delivery,
                   std::string_view content_type, const std::string& body,
                   HttpAnswer* answer = nullptr, size_t max_answer = 64 << 10);

}  // namespace ds::router
