#include "intake/events.h"

#include <memory>
#include <optional>

#include "fitconnect/event_log.h"
#include "fitconnect/set.h"

namespace ds::intake {
namespace {

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Resolves SET keys through the Submission API: the delivery service's JWKS
// (only for the trusted issuer) and the destination's published keys. Each
// key is checked against the key policy before it is trusted.
fitconnect::FunctionKeyResolver ApiResolver(submission_api::SubscriberClient& api,
                                            const std::string& trusted_issuer,
                                            const jose::KeyPolicy& policy) {
  // One log holds several service tokens; their keys come from one fetch.
  auto cache = std::make_shared<std::optional<jose::Jwks>>();
  auto service = [&api, issuer = TrimSlash(trusted_issuer), &policy, cache](
                     std::string_view iss, std::string_view kid) -> Result<jose::Jwk> {
    if (TrimSlash(std::string(iss)) != issuer) {
      return NotFound("SET issuer is not the configured Zustelldienst");
    }
    if (!cache->has_value()) {
      DS_ASSIGN_OR_RETURN(nlohmann::json jwks_json, api.GetServiceJwks());
      DS_ASSIGN_OR_RETURN(jose::Jwks jwks, jose::Jwks::FromJson(jwks_json));
      *cache = std::move(jwks);
    }
    const jose::Jwk* key = (*cache)->FindByKid(kid);
    if (!key) return NotFound("no delivery-service key with the SET's kid");
    DS_RETURN_IF_ERROR(jose::CheckPublicKey(*key, "PS512", policy));
    return *key;
  };
  auto destination = [&api, &policy](std::string_view id,
                                     std::string_view kid) -> Result<jose::Jwk> {
    DS_ASSIGN_OR_RETURN(nlohmann::json jwk_json, api.GetKey(id, kid));
    DS_ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::FromJson(jwk_json));
    DS_RETURN_IF_ERROR(jose::CheckPublicKey(key, "PS512", policy));
    return key;
  };
  return fitconnect::FunctionKeyResolver(service, destination);
}

}  // namespace

Result<VerifiedLog> VerifyLog(submission_api::SubscriberClient& api,
                              const std::string& trusted_issuer,
                              const std::vector<std::string>& tokens,
                              const std::string& destination_id,
                              const std::string& submission_id,
                              const std::string& case_id,
                              const jose::KeyPolicy& policy) {
  fitconnect::FunctionKeyResolver keys = ApiResolver(api, trusted_issuer, policy);
  fitconnect::EventLogOptions options;
  options.destination_id = destination_id;
  options.min_rsa_bits = policy.min_rsa_bits;
  DS_ASSIGN_OR_RETURN(fitconnect::SubmissionLog log,
                      fitconnect::CheckSubmissionLog(tokens, case_id, submission_id, keys, options));
  VerifiedLog out;
  out.tags = log.authentication_tags;
  out.answered = log.state == fitconnect::SubmissionState::kAccepted ||
                 log.state == fitconnect::SubmissionState::kRejected;
  out.accepted = log.state == fitconnect::SubmissionState::kAccepted;
  out.events = std::move(log.events);
  return out;
}

Result<std::string> AcceptEvent(const jose::Jwk& signing_key, const std::string& destination_id,
                                const std::string& submission_id, const std::string& case_id,
                                const fitconnect::AuthenticationTags& tags) {
  return fitconnect::SignSet(signing_key, fitconnect::AcceptSubmission(destination_id, submission_id,
                                                                       case_id, tags));
}

Result<std::string> RejectEvent(const jose::Jwk& signing_key, const std::string& destination_id,
                                const std::string& submission_id, const std::string& case_id,
                                const std::vector<fitconnect::RejectProblem>& problems) {
  return fitconnect::SignSet(signing_key, fitconnect::RejectSubmission(destination_id, submission_id,
                                                                       case_id, problems));
}

}  // namespace ds::intake
