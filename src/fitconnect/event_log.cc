#include "fitconnect/event_log.h"

#include "core/encoding.h"
#include "fitconnect/problems.h"

namespace ds::fitconnect {
namespace {

Status InvalidLog(std::string detail) {
  return Reject(ProblemKind::kInvalidEventLog, kInstanceSubmission,
                "event log: " + detail);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A delivery service issues as its https URL. Plain http is accepted only
// for loopback hosts, where the local stand-in runs in tests and demos;
// either way only the configured issuer's keys are trusted (the resolver).
bool IsServiceIssuer(std::string_view iss) {
  if (iss.rfind("https://", 0) == 0) return true;
  for (std::string_view loopback : {"http://127.", "http://localhost:", "http://localhost/",
                                    "http://[::1]"}) {
    if (iss.rfind(loopback, 0) == 0) return true;
  }
  return false;
}

bool IsForSubmission(const VerifiedSet& set, std::string_view submission_id) {
  return Lower(set.claims.subject) == "submission:" + Lower(submission_id);
}

// A resolver failure that means "this token cannot be trusted" becomes a
// log problem; anything else (outage) passes through for a retry.
Status ResolverFailure(Status s, size_t index) {
  if (s.code() == Code::kNotFound || s.code() == Code::kCheckFailed) {
    return InvalidLog("event " + std::to_string(index) + ": " + s.message());
  }
  return s.Prepend("event log: key for event " + std::to_string(index));
}

Result<jose::Jwk> KeyFor(const UnverifiedSet& set, const SetKeyResolver& keys,
                         const EventLogOptions& options, size_t index) {
  const std::string& iss = set.claims.issuer;
  Result<jose::Jwk> key = Status(Code::kInternal, "unset");
  if (IsServiceIssuer(iss)) {
    key = keys.DeliveryServiceKey(iss, set.kid);
  } else if (IsUuid(iss)) {
    if (!options.destination_id.empty() &&
        Lower(iss) != Lower(options.destination_id)) {
      return InvalidLog("event " + std::to_string(index) +
                        " is issued by another destination");
    }
    key = keys.DestinationKey(iss, set.kid);
  } else {
    return InvalidLog("event " + std::to_string(index) +
                      " has an issuer that is neither https URL nor UUID");
  }
  if (!key.ok()) return ResolverFailure(key.status(), index);
  return key;
}

Result<jose::Jwk> FindKid(const std::map<std::string, jose::Jwks, std::less<>>& map,
                          std::string_view owner, std::string_view kid,
                          std::string_view what) {
  auto it = map.find(owner);
  if (it == map.end()) {
    return NotFound("unknown " + std::string(what) + " " + std::string(owner));
  }
  const jose::Jwk* key = it->second.FindByKid(kid);
  if (key == nullptr) {
    return NotFound("no key " + std::string(kid) + " for " + std::string(what) +
                    " " + std::string(owner));
  }
  return *key;
}

}  // namespace

void StaticKeyResolver::AddDeliveryService(std::string issuer, jose::Jwks keys) {
  services_[std::move(issuer)] = std::move(keys);
}

void StaticKeyResolver::AddDestination(std::string destination_id,
                                       jose::Jwks keys) {
  destinations_[Lower(destination_id)] = std::move(keys);
}

Result<jose::Jwk> StaticKeyResolver::DeliveryServiceKey(std::string_view issuer,
                                                        std::string_view kid) const {
  return FindKid(services_, issuer, kid, "Zustelldienst");
}

Result<jose::Jwk> StaticKeyResolver::DestinationKey(std::string_view destination_id,
                                                    std::string_view kid) const {
  return FindKid(destinations_, Lower(destination_id), kid, "destination");
}

std::string_view StateName(SubmissionState state) {
  switch (state) {
    case SubmissionState::kIncomplete: return "incomplete";
    case SubmissionState::kSubmitted: return "submitted";
    case SubmissionState::kForwarded: return "forwarded";
    case SubmissionState::kAccepted: return "accepted";
    case SubmissionState::kRejected: return "rejected";
    case SubmissionState::kDeleted: return "deleted";
  }
  return "unknown";
}

Result<std::vector<VerifiedSet>> VerifyCaseEvents(
    const std::vector<std::string>& event_log, std::string_view case_id,
    const SetKeyResolver& keys, const EventLogOptions& options) {
  std::vector<VerifiedSet> out;
  SetExpectations expect{.case_id = std::string(case_id),
                         .now = options.now,
                         .max_future_seconds = options.max_future_seconds,
                         .min_rsa_bits = options.min_rsa_bits};
  for (size_t i = 0; i < event_log.size(); ++i) {
    // Structure first, to learn issuer and kid; then the key; then verify.
    Result<UnverifiedSet> inspected = InspectSet(event_log[i]);
    if (!inspected.ok()) {
      return InvalidLog("event " + std::to_string(i) + ": " +
                        inspected.status().message());
    }
    DS_ASSIGN_OR_RETURN(jose::Jwk key, KeyFor(*inspected, keys, options, i));
    Result<VerifiedSet> verified = VerifySet(event_log[i], key, expect);
    if (!verified.ok()) {
      return InvalidLog("event " + std::to_string(i) + ": " +
                        verified.status().message());
    }
    out.push_back(std::move(verified).value());
  }
  return out;
}

SubmissionState DeriveState(const std::vector<VerifiedSet>& events,
                            std::string_view submission_id) {
  SubmissionState state = SubmissionState::kIncomplete;
  for (const VerifiedSet& set : events) {
    if (!IsForSubmission(set, submission_id) || !set.claims.event_type) continue;
    switch (*set.claims.event_type) {
      case EventType::kCreateSubmission: state = SubmissionState::kIncomplete; break;
      case EventType::kSubmitSubmission: state = SubmissionState::kSubmitted; break;
      case EventType::kForwardSubmission: state = SubmissionState::kForwarded; break;
      case EventType::kAcceptSubmission: state = SubmissionState::kAccepted; break;
      case EventType::kRejectSubmission: state = SubmissionState::kRejected; break;
      case EventType::kDeleteSubmission: state = SubmissionState::kDeleted; break;
      default: break;  // notify and reply events do not move the state
    }
  }
  return state;
}

Result<SubmissionLog> CheckSubmissionLog(
    const std::vector<std::string>& event_log, std::string_view case_id,
    std::string_view submission_id, const SetKeyResolver& keys,
    const EventLogOptions& options) {
  DS_ASSIGN_OR_RETURN(std::vector<VerifiedSet> all,
                      VerifyCaseEvents(event_log, case_id, keys, options));

  SubmissionLog log;
  log.state = DeriveState(all, submission_id);
  int submits = 0;
  for (VerifiedSet& set : all) {
    if (!IsForSubmission(set, submission_id)) continue;
    if (set.claims.event_type == EventType::kSubmitSubmission) {
      ++submits;
      if (!IsServiceIssuer(set.claims.issuer)) {
        return InvalidLog("submit-submission is not issued by a Zustelldienst");
      }
      if (!set.claims.authentication_tags) {
        return InvalidLog("submit-submission carries no authenticationTags");
      }
      log.authentication_tags = *set.claims.authentication_tags;
    }
    if (set.claims.event_type == EventType::kRejectSubmission) {
      log.problems = set.claims.problems;
    }
    log.events.push_back(std::move(set));
  }
  if (submits != 1) {
    return InvalidLog("expected exactly one submit-submission event for "
                      "submission " + std::string(submission_id) + ", found " +
                      std::to_string(submits));
  }
  return log;
}

}  // namespace ds::fitconnect
