#include "fitconnect/set.h"

#include <algorithm>
#include <array>
#include <regex>

#include "core/encoding.h"
#include "jose/jws.h"

namespace ds::fitconnect {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<EventType, std::string_view>, 12> kEvents = {{
    {EventType::kCreateSubmission, "create-submission"},
    {EventType::kSubmitSubmission, "submit-submission"},
    {EventType::kNotifySubmission, "notify-submission"},
    {EventType::kForwardSubmission, "forward-submission"},
    {EventType::kAcceptSubmission, "accept-submission"},
    {EventType::kRejectSubmission, "reject-submission"},
    {EventType::kDeleteSubmission, "delete-submission"},
    {EventType::kCreateReply, "create-reply"},
    {EventType::kSubmitReply, "submit-reply"},
    {EventType::kAcceptReply, "accept-reply"},
    {EventType::kRejectReply, "reject-reply"},
    {EventType::kDeleteReply, "delete-reply"},
}};

Status Bad(std::string message) { return CheckFailed("SET: " + message); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool CarriesTags(EventType t) {
  return t == EventType::kSubmitSubmission || t == EventType::kAcceptSubmission;
}

bool IsReject(EventType t) {
  return t == EventType::kRejectSubmission || t == EventType::kRejectReply;
}

// "prefix:{uuid}" -> the uuid, or empty.
std::string IdAfter(std::string_view value, std::string_view prefix) {
  if (value.substr(0, prefix.size()) != prefix) return {};
  std::string_view id = value.substr(prefix.size());
  return IsUuid(id) ? std::string(id) : std::string();
}

Status CheckHeader(const json& header, std::string* kid) {
  auto typ = header.find("typ");
  if (typ == header.end() || !typ->is_string() ||
      Lower(typ->get<std::string>()) != kSetType) {
    return Bad("header typ must be secevent+jwt");
  }
  auto alg = header.find("alg");
  if (alg == header.end() || *alg != "PS512") return Bad("header alg must be PS512");
  auto k = header.find("kid");
  if (k == header.end() || !k->is_string() || k->get<std::string>().empty()) {
    return Bad("header kid missing");
  }
  *kid = k->get<std::string>();
  return Status::Ok();
}

Result<std::string> StringClaim(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Bad(std::string("claim ") + name + " missing or not a string");
  }
  return it->get<std::string>();
}

Status ReadEvent(const json& events, SetClaims* claims) {
  if (!events.is_object()) return Bad("claim events is not an object");
  if (events.size() != 1) {
    return Bad("claim events must hold exactly one event, not " +
               std::to_string(events.size()));
  }
  claims->event_uri = events.begin().key();
  claims->event = events.begin().value();
  if (claims->event_uri.rfind(kEventBase, 0) != 0) {
    return Bad("event is not a FIT-Connect event URI");
  }
  if (!claims->event.is_object()) return Bad("event payload is not an object");
  claims->event_type = EventTypeFromUri(claims->event_uri);
  if (!claims->event_type) return Status::Ok();

  if (CarriesTags(*claims->event_type) && claims->event.contains("authenticationTags")) {
    auto tags = AuthenticationTags::FromJson(claims->event["authenticationTags"]);
    if (!tags.ok()) return Bad(tags.status().message());
    claims->authentication_tags = std::move(*tags);
  }
  if (IsReject(*claims->event_type) && claims->event.contains("problems")) {
    const json& problems = claims->event["problems"];
    if (!problems.is_array()) return Bad("problems is not an array");
    for (const json& p : problems) {
      auto problem = RejectProblem::FromJson(p);
      if (!problem.ok()) return Bad(problem.status().message());
      claims->problems.push_back(std::move(*problem));
    }
  }
  return Status::Ok();
}

Result<SetClaims> ReadClaims(std::string_view payload_text) {
  json payload = json::parse(payload_text, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return Bad("payload is not a JSON object");
  }
  SetClaims c;
  if (payload.contains("$schema")) {
    static const std::regex kSchema(
        R"(^https://schema\.fitko\.de/fit-connect/set-payload/1\.\d+\.\d+/set-payload\.schema\.json$)");
    if (!payload["$schema"].is_string() ||
        !std::regex_match(payload["$schema"].get<std::string>(), kSchema)) {
      return Bad("$schema is not a set-payload 1.x schema");
    }
    c.schema = payload["$schema"].get<std::string>();
  }
  DS_ASSIGN_OR_RETURN(c.jti, StringClaim(payload, "jti"));
  if (!IsUuid(c.jti)) return Bad("claim jti is not a UUID");
  DS_ASSIGN_OR_RETURN(c.issuer, StringClaim(payload, "iss"));
  if (!payload.contains("iat") || !payload["iat"].is_number_integer()) {
    return Bad("claim iat missing or not an integer");
  }
  c.issued_at = payload["iat"].get<int64_t>();
  DS_ASSIGN_OR_RETURN(c.subject, StringClaim(payload, "sub"));
  if (IdAfter(c.subject, "submission:").empty() && IdAfter(c.subject, "reply:").empty()) {
    return Bad("claim sub is neither submission:{uuid} nor reply:{uuid}");
  }
  DS_ASSIGN_OR_RETURN(c.txn, StringClaim(payload, "txn"));
  if (IdAfter(c.txn, "case:").empty()) return Bad("claim txn is not case:{uuid}");
  if (!payload.contains("events")) return Bad("claim events missing");
  DS_RETURN_IF_ERROR(ReadEvent(payload["events"], &c));
  return c;
}

Status CheckRequest(const SetRequest& r) {
  if (r.issuer.empty()) return InvalidInput("sign SET: no issuer");
  if (IdAfter(r.subject, "submission:").empty() && IdAfter(r.subject, "reply:").empty()) {
    return InvalidInput("sign SET: subject is not submission:{uuid} or reply:{uuid}");
  }
  if (!IsUuid(r.case_id)) return InvalidInput("sign SET: case id is not a UUID");
  if (CarriesTags(r.type) && !r.authentication_tags) {
    return InvalidInput("sign SET: " + std::string(EventName(r.type)) +
                        " needs authenticationTags");
  }
  if (IsReject(r.type) && r.problems.empty()) {
    return InvalidInput("sign SET: a reject event needs at least one problem");
  }
  return Status::Ok();
}

json EventPayload(const SetRequest& r) {
  json event = json::object();
  if (r.authentication_tags) event["authenticationTags"] = r.authentication_tags->ToJson();
  if (!r.problems.empty()) {
    event["problems"] = json::array();
    for (const RejectProblem& p : r.problems) event["problems"].push_back(p.ToJson());
  }
  return event;
}

}  // namespace

std::string_view EventName(EventType type) {
  for (const auto& [t, name] : kEvents) {
    if (t == type) return name;
  }
  return "unknown";
}

std::string EventUri(EventType type) {
  return std::string(kEventBase) + std::string(EventName(type));
}

std::optional<EventType> EventTypeFromUri(std::string_view uri) {
  if (uri.substr(0, kEventBase.size()) != kEventBase) return std::nullopt;
  std::string_view name = uri.substr(kEventBase.size());
  for (const auto& [t, n] : kEvents) {
    if (n == name) return t;
  }
  return std::nullopt;
}

SetRequest CreateSubmission(std::string_view delivery_service_url,
                            std::string_view submission_id,
                            std::string_view case_id) {
  SetRequest r;
  r.type = EventType::kCreateSubmission;
  r.issuer = delivery_service_url;
  r.subject = "submission:" + std::string(submission_id);
  r.case_id = case_id;
  return r;
}

SetRequest SubmitSubmission(std::string_view delivery_service_url,
                            std::string_view submission_id,
                            std::string_view case_id, AuthenticationTags tags) {
  SetRequest r = CreateSubmission(delivery_service_url, submission_id, case_id);
  r.type = EventType::kSubmitSubmission;
  r.authentication_tags = std::move(tags);
  return r;
}

SetRequest AcceptSubmission(std::string_view destination_id,
                            std::string_view submission_id,
                            std::string_view case_id, AuthenticationTags tags) {
  SetRequest r = CreateSubmission(destination_id, submission_id, case_id);
  r.type = EventType::kAcceptSubmission;
  r.authentication_tags = std::move(tags);
  return r;
}

SetRequest RejectSubmission(std::string_view issuer,
                            std::string_view submission_id,
                            std::string_view case_id,
                            std::vector<RejectProblem> problems) {
  SetRequest r = CreateSubmission(issuer, submission_id, case_id);
  r.type = EventType::kRejectSubmission;
  r.problems = std::move(problems);
  return r;
}

Result<std::string> SignSet(const jose::Jwk& private_key,
                            const SetRequest& request) {
  DS_RETURN_IF_ERROR(CheckRequest(request));
  if (private_key.kid().empty()) return InvalidInput("sign SET: key has no kid");

  json payload = {
      {"$schema", request.payload_schema},
      {"jti", request.jti.empty() ? NewUuid() : request.jti},
      {"iss", request.issuer},
      {"iat", request.issued_at == 0 ? UnixNow() : request.issued_at},
      {"sub", request.subject},
      {"txn", "case:" + request.case_id},
      {"events", {{EventUri(request.type), EventPayload(request)}}}};
  if (request.payload_schema.empty()) payload.erase("$schema");
  json header = {{"typ", kSetType}, {"kid", private_key.kid()}};
  Result<std::string> jws = jose::SignPs512(private_key, header, payload.dump());
  if (!jws.ok()) return std::move(jws).TakeStatus().Prepend("sign SET");
  return jws;
}

Result<UnverifiedSet> InspectSet(std::string_view compact) {
  Result<jose::ParsedJws> jws = jose::ParseJws(compact);
  if (!jws.ok()) return Bad(jws.status().message());
  UnverifiedSet out;
  DS_RETURN_IF_ERROR(CheckHeader(jws->header, &out.kid));
  DS_ASSIGN_OR_RETURN(out.claims, ReadClaims(jws->payload));
  return out;
}

Result<VerifiedSet> VerifySet(std::string_view compact,
                              const jose::Jwk& public_key,
                              const SetExpectations& expect) {
  // Structure and the key the header names.
  DS_ASSIGN_OR_RETURN(UnverifiedSet set, InspectSet(compact));
  if (!public_key.kid().empty() && public_key.kid() != set.kid) {
    return Bad("key " + public_key.kid() + " does not match header kid " + set.kid);
  }
  const auto& ops = public_key.key_ops();
  if (!ops.empty() && std::find(ops.begin(), ops.end(), "verify") == ops.end()) {
    return Bad("key " + set.kid + " is not for verify");
  }

  // Signature.
  Result<jose::ParsedJws> verified =
      jose::VerifyPs512(compact, public_key, expect.min_rsa_bits);
  if (!verified.ok()) return Bad(verified.status().message());

  // Claims against what the caller expects.
  const SetClaims& c = set.claims;
  if (!expect.submission_id.empty() &&
      Lower(c.subject) != "submission:" + Lower(expect.submission_id)) {
    return Bad("sub is not submission:" + expect.submission_id);
  }
  if (!expect.case_id.empty() && Lower(c.txn) != "case:" + Lower(expect.case_id)) {
    return Bad("txn is not case:" + expect.case_id);
  }
  int64_t now = expect.now == 0 ? UnixNow() : expect.now;
  if (c.issued_at > now + expect.max_future_seconds) {
    return Bad("iat is in the future");
  }
  return VerifiedSet{std::move(set.kid), std::move(set.claims)};
}

}  // namespace ds::fitconnect
