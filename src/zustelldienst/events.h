// Internal: Security Event Tokens of the stand-in (notes §4).
//
// The service signs create-submission, submit-submission and its own
// reject-submission with a PS512 key kept in <data>/service-signing-key.jwk
// and published at /.well-known/jwks.json. Subscribers' accept/reject SETs
// are verified against the destination's registered signature keys.
//
// Not yet: these should switch to ds_fitconnect's SET building and
// verification (fitconnect/set.h) once that part is merged; until then the
// claims are built and checked here with ds::jose directly.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "jose/jwk.h"

namespace ds::zustelldienst {

inline constexpr std::string_view kEventBase =
    "https://schema.fitko.de/fit-connect/events/";
// The v1 docs examples use set-payload 1.0.0 (notes §4); the v2 service uses
// 1.2.2. The stand-in signs with 1.0.0 and accepts both from subscribers.
inline constexpr std::string_view kSetPayloadSchema =
    "https://schema.fitko.de/fit-connect/set-payload/1.0.0/"
    "set-payload.schema.json";

std::string EventUri(std::string_view name);  // kEventBase + name

class ServiceSigner {
 public:
  // Loads the key from `file`, or generates an RSA-4096 PS512 key and
  // stores it there (mode 0600).
  static Result<ServiceSigner> LoadOrCreate(const std::filesystem::path& file);

  struct Signed {
    std::string jti;
    std::string token;
  };
  // A SET issued by `iss` for one event on a submission of a case.
  Result<Signed> Sign(std::string_view iss, std::string_view submission_id,
                      std::string_view case_id, std::string_view event_name,
                      const nlohmann::json& event_body) const;
  nlohmann::json Jwks() const;

 private:
  explicit ServiceSigner(jose::Jwk key) : key_(std::move(key)) {}
  jose::Jwk key_;
};

// A verified subscriber event.
struct SubscriberEvent {
  std::string jti;
  std::string event_name;  // "accept-submission" or "reject-submission"
  std::string submission_id;
  nlohmann::json body;     // the event's object
};

// Looks up a destination's signature key (public JWK) by kid.
using KeyLookup =
    std::function<Result<std::optional<nlohmann::json>>(std::string_view kid)>;

// Checks a SET posted by the subscriber of `destination_id` to `case_id`:
// header (typ secevent+jwt, alg PS512, kid), the PS512 signature with the
// destination's key, the claims ($schema, jti, iss = destination, iat,
// sub, txn = case:{caseId}) and exactly one event of accept-submission or
// reject-submission. kCheckFailed with the reason otherwise.
Result<SubscriberEvent> VerifySubscriberEvent(std::string_view compact,
                                              std::string_view destination_id,
                                              std::string_view case_id,
                                              const KeyLookup& keys);

}  // namespace ds::zustelldienst
