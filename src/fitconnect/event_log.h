// A case's event log: verify every Security Event Token, find the one
// submit-submission event of a submission, take its authenticationTags,
// and derive the submission's state.
//
// Which key verifies a SET depends on its issuer:
//   iss is an https URL  -> the Zustelldienst; its JWKS key by kid
//                           (GET {submission-api}/.well-known/jwks.json);
//   iss is a UUID        -> that destination (a subscriber's accept or
//                           reject); its signature key by kid
//                           (GET destinations/{iss}/keys/{kid}).
// A SetKeyResolver supplies those keys; the HTTP one lives with the
// Submission API client, StaticKeyResolver serves tests and the local
// Zustelldienst.
//
//   DS_ASSIGN_OR_RETURN(SubmissionLog log, CheckSubmissionLog(
//       event_log, case_id, submission_id, resolver, {}));
//   Use(log.authentication_tags);   // compare with the JWEs' 5th segments
//
// Failures are kCheckFailed with an invalid-event-log problem (instance
// "submission"), except resolver errors other than kNotFound and
// kCheckFailed (a network outage, say): those pass through unchanged, so
// that the caller retries instead of rejecting.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "fitconnect/set.h"
#include "jose/jwk.h"

namespace ds::fitconnect {

class SetKeyResolver {
 public:
  virtual ~SetKeyResolver() = default;
  // The key `kid` of the Zustelldienst at `issuer` (an https URL). Must
  // refuse issuers that are not configured as trusted: anyone can put their
  // own URL into iss. kNotFound for an unknown issuer or kid.
  virtual Result<jose::Jwk> DeliveryServiceKey(std::string_view issuer,
                                               std::string_view kid) const = 0;
  // The signature key `kid` of destination `destination_id`.
  virtual Result<jose::Jwk> DestinationKey(std::string_view destination_id,
                                           std::string_view kid) const = 0;
};

// Keys held in memory. Not thread-safe while being filled; const use is.
class StaticKeyResolver : public SetKeyResolver {
 public:
  void AddDeliveryService(std::string issuer, jose::Jwks keys);
  void AddDestination(std::string destination_id, jose::Jwks keys);

  Result<jose::Jwk> DeliveryServiceKey(std::string_view issuer,
                                       std::string_view kid) const override;
  Result<jose::Jwk> DestinationKey(std::string_view destination_id,
                                   std::string_view kid) const override;

 private:
  std::map<std::string, jose::Jwks, std::less<>> services_;
  std::map<std::string, jose::Jwks, std::less<>> destinations_;
};

// A resolver from two functions, e.g. lambdas over the Submission API
// client: service(issuer, kid) and destination(destination_id, kid).
class FunctionKeyResolver : public SetKeyResolver {
 public:
  using Lookup =
      std::function<Result<jose::Jwk>(std::string_view, std::string_view)>;
  FunctionKeyResolver(Lookup service, Lookup destination)
      : service_(std::move(service)), destination_(std::move(destination)) {}

  Result<jose::Jwk> DeliveryServiceKey(std::string_view issuer,
                                       std::string_view kid) const override {
    return service_(issuer, kid);
  }
  Result<jose::Jwk> DestinationKey(std::string_view destination_id,
                                   std::string_view kid) const override {
    return destination_(destination_id, kid);
  }

 private:
  Lookup service_;
  Lookup destination_;
};

enum class SubmissionState {
  kIncomplete,  // created, not submitted
  kSubmitted,
  kForwarded,
  kAccepted,
  kRejected,
  kDeleted,
};
std::string_view StateName(SubmissionState state);

struct EventLogOptions {
  int64_t now = 0;                 // 0: the clock
  int64_t max_future_seconds = 300;
  int min_rsa_bits = 4096;
  // If set, accept/reject events issued by a destination must come from
  // this one.
  std::string destination_id;
};

// Verifies every SET of a case's log (txn must be the case; any sub). Keeps
// log order. invalid-event-log on the first bad token, naming its index.
Result<std::vector<VerifiedSet>> VerifyCaseEvents(
    const std::vector<std::string>& event_log, std::string_view case_id,
    const SetKeyResolver& keys, const EventLogOptions& options = {});

// The state of `submission_id` from verified events, in log order: create
// -> incomplete, submit -> submitted, forward -> forwarded, accept ->
// accepted, reject -> rejected, delete -> deleted; the last one counts.
// kIncomplete if the submission has no events.
SubmissionState DeriveState(const std::vector<VerifiedSet>& events,
                            std::string_view submission_id);

// What a subscriber takes from the log before accepting.
struct SubmissionLog {
  std::vector<VerifiedSet> events;          // this submission's, log order
  AuthenticationTags authentication_tags;   // from submit-submission
  SubmissionState state = SubmissionState::kIncomplete;
  std::vector<RejectProblem> problems;      // of the last reject, if any
};

// VerifyCaseEvents, then: exactly one submit-submission for the submission,
// issued by a Zustelldienst (https iss) and carrying authenticationTags.
Result<SubmissionLog> CheckSubmissionLog(
    const std::vector<std::string>& event_log, std::string_view case_id,
    std::string_view submission_id, const SetKeyResolver& keys,
    const EventLogOptions& options = {});

}  // namespace ds::fitconnect
