#include "zustelldienst/events.h"

#include "core/encoding.h"
#include "core/files.h"
#include "jose/jws.h"
#include "zustelldienst/problems.h"

namespace ds::zustelldienst {

std::string EventUri(std::string_view name) {
  return std::string(kEventBase) + std::string(name);
}

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
    std::string_view iss, std::string_view submission_id,
    std::string_view case_id, std::string_view event_name,
    const nlohmann::json& event_body) const {
  Signed out;
  out.jti = NewUuid();
  nlohmann::json payload = {
      {"$schema", kSetPayloadSchema},
      {"jti", out.jti},
      {"iss", iss},
      {"iat", UnixNow()},
      {"sub", "submission:" + std::string(submission_id)},
      {"txn", "case:" + std::string(case_id)},
      {"events", {{EventUri(event_name), event_body}}},
  };
  DS_ASSIGN_OR_RETURN(out.token,
                      jose::SignPs512(key_, {{"typ", "secevent+jwt"}},
                                      payload.dump()));
  return out;
}

nlohmann::json ServiceSigner::Jwks() const {
  return {{"keys", nlohmann::json::array({key_.PublicOnly().PublicJson()})}};
}

namespace {

Status Invalid(std::string detail) {
  return ApiError(Code::kCheckFailed, problem::kInvalidEvent,
                  "event: " + std::move(detail));
}

std::string Str(const nlohmann::json& j, const char* name) {
  return j.contains(name) && j[name].is_string() ? j[name].get<std::string>()
                                                 : std::string();
}

// The claims of notes §4, in the order a reader checks them.
Status CheckClaims(const nlohmann::json& p, std::string_view destination_id,
                   std::string_view case_id) {
  if (!p.is_object()) return Invalid("payload is not a JSON object");
  if (p.contains("$schema")) {
    std::string schema = Str(p, "$schema");
    if (!schema.starts_with(
            "https://schema.fitko.de/fit-connect/set-payload/")) {
      return Invalid("$schema is not a set-payload schema");
    }
  }
  if (!IsUuid(Str(p, "jti"))) return Invalid("jti is not a UUID");
  if (Str(p, "iss") != destination_id) {
    return Invalid("iss is not the destination of the case");
  }
  if (!p.contains("iat") || !p["iat"].is_number_integer()) {
    return Invalid("iat missing");
  }
  if (p["iat"].get<int64_t>() > UnixNow() + 300) {
    return Invalid("iat lies in the future");
  }
  if (Str(p, "txn") != "case:" + std::string(case_id)) {
    return Invalid("txn does not name this case");
  }
  std::string sub = Str(p, "sub");
  if (!sub.starts_with("submission:") || !IsUuid(sub.substr(11))) {
    return Invalid("sub is not submission:{id}");
  }
  if (!p.contains("events") || !p["events"].is_object() ||
      p["events"].size() != 1) {
    return Invalid("events must hold exactly one event");
  }
  return Status::Ok();
}

}  // namespace

Result<SubscriberEvent> VerifySubscriberEvent(std::string_view compact,
                                              std::string_view destination_id,
                                              std::string_view case_id,
                                              const KeyLookup& keys) {
  // Structure and header.
  auto parsed = jose::ParseJws(compact);
  if (!parsed.ok()) return Invalid(parsed.status().message());
  const nlohmann::json& h = parsed->header;
  if (Str(h, "typ") != "secevent+jwt") return Invalid("typ is not secevent+jwt");
  if (Str(h, "alg") != "PS512") return Invalid("alg is not PS512");
  std::string kid = Str(h, "kid");
  if (kid.empty()) return Invalid("kid missing");

  // Signature with the destination's registered signature key.
  DS_ASSIGN_OR_RETURN(auto jwk_json, keys(kid));
  if (!jwk_json) return Invalid("no signature key with this kid");
  auto key = jose::Jwk::FromJson(*jwk_json);
  if (!key.ok()) return Invalid("registered key unusable");
  auto verified = jose::VerifyPs512(compact, *key);
  if (!verified.ok()) return Invalid("signature: " + verified.status().message());

  // Claims and the one event.
  auto payload = nlohmann::json::parse(verified->payload, nullptr, false);
  DS_RETURN_IF_ERROR(CheckClaims(payload, destination_id, case_id));
  SubscriberEvent ev;
  ev.jti = Str(payload, "jti");
  ev.submission_id = Str(payload, "sub").substr(11);
  auto it = payload["events"].begin();
  std::string uri = it.key();
  if (!uri.starts_with(kEventBase)) return Invalid("unknown event");
  ev.event_name = uri.substr(kEventBase.size());
  if (ev.event_name != "accept-submission" &&
      ev.event_name != "reject-submission") {
    return Invalid("subscribers may post accept-submission or "
                   "reject-submission only");
  }
  ev.body = it.value();
  if (!ev.body.is_object()) return Invalid("event body is not an object");
  return ev;
}

}  // namespace ds::zustelldienst
