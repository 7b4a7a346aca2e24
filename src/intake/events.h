// The event-log side of the intake: verifying a case's Security Event Tokens
// before trusting a submission, and issuing the subscriber's answer.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "fitconnect/integrity.h"
#include "fitconnect/problems.h"
#include "fitconnect/set.h"
#include "jose/jwk.h"
#include "submission_api/client.h"

namespace ds::intake {

// What a verified event log says about one submission.
struct VerifiedLog {
  fitconnect::AuthenticationTags tags;  // of the one submit-submission event
  bool answered = false;  // an accept- or reject-submission exists already
  bool accepted = false;
  // The submission's verified events in log order (for `intake status`).
  std::vector<fitconnect::VerifiedSet> events;
};

// Verifies every token of the case's log (signature with the issuer's key:
// the delivery service's JWKS for https issuers, the destination's published
// keys for destination issuers; claims; one event each) and extracts the one
// submit-submission event of `submission_id`. kCheckFailed with the
// invalid-event-log problem on any failure; kUnavailable when keys cannot be
// fetched. The delivery service's JWKS is fetched once per call, so that a
// rolled-over service key is picked up by the next submission.
// `trusted_issuer` is the only delivery-service `iss` accepted (the
// Zustelldienst the destination is registered with).
Result<VerifiedLog> VerifyLog(submission_api::SubscriberClient& api,
                              const std::string& trusted_issuer,
                              const std::vector<std::string>& tokens,
                              const std::string& destination_id,
                              const std::string& submission_id,
                              const std::string& case_id,
                              const jose::KeyPolicy& policy);

// accept-submission / reject-submission tokens issued by the destination.
Result<std::string> AcceptEvent(const jose::Jwk& signing_key,
                                const std::string& destination_id,
                                const std::string& submission_id,
                                const std::string& case_id,
                                const fitconnect::AuthenticationTags& tags);
Result<std::string> RejectEvent(const jose::Jwk& signing_key,
                                const std::string& destination_id,
                                const std::string& submission_id,
                                const std::string& case_id,
                                const std::vector<fitconnect::RejectProblem>& problems);

}  // namespace ds::intake
