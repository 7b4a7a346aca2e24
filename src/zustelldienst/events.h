// Internal: Security Event Tokens of the stand-in (notes §4), built and
// checked with ds_fitconnect (fitconnect/set.h).
//
// The service signs create-submission, submit-submission and its own
// reject-submission with a PS512 key kept in <data>/service-signing-key.jwk
// and published at /.well-known/jwks.json. Subscribers' accept/reject SETs
// are verified against the destination's registered signature keys.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "fitconnect/set.h"
#include "jose/jwk.h"

namespace ds::zustelldienst {

class ServiceSigner {
 public:
  // Loads the key from `file`, or generates an RSA-4096 PS512 key and
  // stores it there (mode 0600).
  static Result<ServiceSigner> LoadOrCreate(const std::filesystem::path& file);

  struct Signed {
    std::string jti;
    std::string token;
  };
  // Signs `request` (a fresh jti is set if it has none).
  Result<Signed> Sign(fitconnect::SetRequest request) const;
  nlohmann::json Jwks() const;

 private:
  explicit ServiceSigner(jose::Jwk key) : key_(std::move(key)) {}
  jose::Jwk key_;
};

// A verified subscriber event.
struct SubscriberEvent {
  std::string jti;
  fitconnect::EventType type = fitconnect::EventType::kAcceptSubmission;
  std::string event_name;  // "accept-submission" or "reject-submission"
  std::string submission_id;
  fitconnect::SetClaims claims;
};

// Looks up a destination's signature key (public JWK) by kid.
using KeyLookup =
    std::function<Result<std::optional<nlohmann::json>>(std::string_view kid)>;

// Checks a SET posted by the subscriber of `destination_id` to `case_id`:
// header (typ secevent+jwt, alg PS512, kid), iss = the destination, the
// PS512 signature with the destination's registered key of that kid, the
// claims (txn = case:{caseId}, sub = submission:{id}, iat) and exactly one
// event, which must be accept-submission or reject-submission. kCheckFailed
// with the invalid-event API problem otherwise.
Result<SubscriberEvent> VerifySubscriberEvent(std::string_view compact,
                                              std::string_view destination_id,
                                              std::string_view case_id,
                                              const KeyLookup& keys);

}  // namespace ds::zustelldienst
