// FIT-Connect Security Event Tokens (SET, RFC 8417): the signed entries of
// a case's event log.
//
// A SET is a compact JWS with header {typ: "secevent+jwt", alg: "PS512",
// kid} and the claims $schema, jti, iss, iat, sub ("submission:{id}" or
// "reply:{id}"), txn ("case:{id}") and `events` with exactly one event URI
// under https://schema.fitko.de/fit-connect/events/.
//
//   DS_ASSIGN_OR_RETURN(std::string set, SignSet(destination_signing_key,
//       AcceptSubmission(destination_id, submission_id, case_id, tags)));
//   DS_ASSIGN_OR_RETURN(VerifiedSet v, VerifySet(set, key,
//       {.submission_id = submission_id, .case_id = case_id}));
//
// The set-payload JSON schema is NOT available offline (neither 1.0.0 nor
// 1.2.2), so claims are checked in code against the shape the docs
// describe, not validated against the schema. Tokens we issue declare
// set-payload 1.2.2: the v2 TEST Zustelldienst refuses 1.0.0 ("Payload
// Schema not supported") and issues 1.2.2 itself [observed: klarbau]. On
// input any 1.x.y is accepted (the docs examples and 2022 tokens use
// 1.0.0), and so is a missing $schema.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "fitconnect/integrity.h"
#include "fitconnect/problems.h"
#include "jose/jwk.h"

namespace ds::fitconnect {

inline constexpr std::string_view kSetType = "secevent+jwt";
inline constexpr std::string_view kEventBase =
    "https://schema.fitko.de/fit-connect/events/";
inline constexpr std::string_view kSetPayloadSchema122 =
    "https://schema.fitko.de/fit-connect/set-payload/1.2.2/"
    "set-payload.schema.json";
inline constexpr std::string_view kSetPayloadSchema100 =
    "https://schema.fitko.de/fit-connect/set-payload/1.0.0/"
    "set-payload.schema.json";

// Event types (URI = kEventBase + name). The reply events are listed as the
// docs name them; their payloads are not checked [unverified].
enum class EventType {
  kCreateSubmission,   // create-submission: Zustelldienst
  kSubmitSubmission,   // submit-submission: Zustelldienst, authenticationTags
  kNotifySubmission,   // notify-submission
  kForwardSubmission,  // forward-submission
  kAcceptSubmission,   // accept-submission: subscriber, authenticationTags
  kRejectSubmission,   // reject-submission: subscriber or Zustelldienst
  kDeleteSubmission,   // delete-submission: Zustelldienst
  kCreateReply,
  kSubmitReply,
  kAcceptReply,
  kRejectReply,
  kDeleteReply,
};

std::string_view EventName(EventType type);
std::string EventUri(EventType type);
// nullopt for URIs outside the list (kept, but they do not change state).
std::optional<EventType> EventTypeFromUri(std::string_view uri);

// What to sign.
struct SetRequest {
  EventType type = EventType::kAcceptSubmission;
  std::string issuer;         // destinationId, or the Zustelldienst's URL
  std::string subject;        // "submission:{id}" or "reply:{id}"
  std::string case_id;        // becomes txn "case:{id}"
  std::optional<AuthenticationTags> authentication_tags;
  std::vector<RejectProblem> problems;  // reject events
  int64_t issued_at = 0;      // 0: now
  std::string jti;            // empty: a fresh UUID
  std::string payload_schema = std::string(kSetPayloadSchema122);
};

// Requests for the common events (issued now, fresh jti).
SetRequest CreateSubmission(std::string_view delivery_service_url,
                            std::string_view submission_id,
                            std::string_view case_id);
SetRequest SubmitSubmission(std::string_view delivery_service_url,
                            std::string_view submission_id,
                            std::string_view case_id, AuthenticationTags tags);
SetRequest AcceptSubmission(std::string_view destination_id,
                            std::string_view submission_id,
                            std::string_view case_id, AuthenticationTags tags);
SetRequest RejectSubmission(std::string_view issuer,
                            std::string_view submission_id,
                            std::string_view case_id,
                            std::vector<RejectProblem> problems);

// Signs a SET with a private PS512 key whose kid becomes the header kid.
// kInvalidInput if the request is incomplete: ids must be UUIDs, submit and
// accept need authenticationTags, reject needs at least one problem.
Result<std::string> SignSet(const jose::Jwk& private_key,
                            const SetRequest& request);

// The claims of a SET.
struct SetClaims {
  std::string schema;   // $schema, empty if absent
  std::string jti;
  std::string issuer;
  int64_t issued_at = 0;
  std::string subject;  // as sent, e.g. "submission:5e82..."
  std::string txn;      // as sent, e.g. "case:c9f0..."
  std::string event_uri;
  std::optional<EventType> event_type;
  nlohmann::json event;  // the event's object ({} if empty)
  // Parsed from `event` where the type carries them.
  std::optional<AuthenticationTags> authentication_tags;
  std::vector<RejectProblem> problems;
};

// A SET read without checking its signature: for choosing the key.
struct UnverifiedSet {
  std::string kid;
  SetClaims claims;
};

// Checks header (typ, alg PS512, kid) and claims shape without verifying
// the signature. kCheckFailed "SET: ..." naming what is wrong.
Result<UnverifiedSet> InspectSet(std::string_view compact);

struct SetExpectations {
  std::string submission_id;  // empty: do not check sub
  std::string case_id;        // empty: do not check txn
  int64_t now = 0;            // 0: the clock
  // iat may be at most this far in the future (clock skew). Old tokens are
  // fine: an event log is a record of the past.
  int64_t max_future_seconds = 300;
  int min_rsa_bits = 4096;
};

struct VerifiedSet {
  std::string kid;
  SetClaims claims;
};

// Verifies a SET against `public_key`: header, key (kid equal, key_ops
// allowing verify), PS512 signature, claims shape, exactly one event,
// sub/txn as expected (UUIDs compared case-insensitively), iat not in the
// far future. kCheckFailed naming the failed step. Thread-safe.
Result<VerifiedSet> VerifySet(std::string_view compact,
                              const jose::Jwk& public_key,
                              const SetExpectations& expectations);

}  // namespace ds::fitconnect
