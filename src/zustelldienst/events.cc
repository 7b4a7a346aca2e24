#include "zustelldienst/events.h"

#include "core/encoding.h"
#include "core/files.h"
#include "zustelldienst/problems.h"

namespace ds::zustelldienst {

Result<ServiceSigner> ServiceSigner::LoadOrCreate(
    const std::filesystem::path& file) {
  auto text = ReadFile(file);
  if (text.ok()) {
    DS_ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::Parse(*text));
    if (!key.is_private()) {
      return EnvironmentError("service signing key is not a private key");
    }
    return ServiceSigner(std::move(key));
  }
  if (text.status().code() != Code::kNotFound) return text.status();

  DS_ASSIGN_OR_RETURN(jose::Jwk key,
                      jose::Jwk::Generate(4096, NewUuid(), "PS512"));
  DS_RETURN_IF_ERROR(WriteFileAtomic(file, key.PrivateJson().dump(), 0600));
  return ServiceSigner(std::move(key));
}

Result<ServiceSigner::Signed> ServiceSigner::Sign(
    fitconnect::SetRequest request) const {
  if (request.jti.empty()) request.jti = NewUuid();
  DS_ASSIGN_OR_RETURN(std::string token, fitconnect::SignSet(key_, request));
  return Signed{request.jti, std::move(token)};
}

nlohmann::json ServiceSigner::Jwks() const {
  return {{"keys", nlohmann::json::array({key_.PublicOnly().PublicJson()})}};
}

namespace {

Status Invalid(std::string detail) {
  return ApiError(Code::kCheckFailed, problem::kInvalidEvent,
                  "event: " + std::move(detail));
}

}  // namespace

Result<SubscriberEvent> VerifySubscriberEvent(std::string_view compact,
                                              std::string_view destination_id,
                                              std::string_view case_id,
                                              const KeyLookup& keys) {
  // Header and claims shape, to choose the key.
  auto inspected = fitconnect::InspectSet(compact);
  if (!inspected.ok()) return Invalid(inspected.status().message());
  if (inspected->claims.issuer != destination_id) {
    return Invalid("iss is not the destination of the case");
  }

  // Signature with the destination's registered signature key, claims.
  DS_ASSIGN_OR_RETURN(auto jwk_json, keys(inspected->kid));
  if (!jwk_json) return Invalid("no signature key with this kid");
  auto key = jose::Jwk::FromJson(*jwk_json);
  if (!key.ok()) return Invalid("registered key unusable");
  auto verified = fitconnect::VerifySet(compact, *key,
                                        {.case_id = std::string(case_id)});
  if (!verified.ok()) return Invalid(verified.status().message());

  // The one event: accept or reject of a submission.
  const fitconnect::SetClaims& c = verified->claims;
  if (c.event_type != fitconnect::EventType::kAcceptSubmission &&
      c.event_type != fitconnect::EventType::kRejectSubmission) {
    return Invalid("subscribers may post accept-submission or "
                   "reject-submission only");
  }
  if (!c.subject.starts_with("submission:")) {
    return Invalid("sub is not submission:{id}");
  }
  SubscriberEvent ev;
  ev.jti = c.jti;
  ev.type = *c.event_type;
  ev.event_name = std::string(fitconnect::EventName(*c.event_type));
  ev.submission_id = c.subject.substr(11);
  ev.claims = c;
  return ev;
}

}  // namespace ds::zustelldienst
