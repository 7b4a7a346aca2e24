#include "submission_api/send.h"

#include <chrono>
#include <thread>

#include "core/encoding.h"
#include "jose/jwe.h"
#include "jose/jws.h"

namespace ds::submission_api {
namespace {

constexpr std::string_view kEvents = "https://schema.fitko.de/fit-connect/events/";

nlohmann::json HashJson(std::string_view plaintext) {
  return {{"type", "sha512"}, {"content", HexEncode(Sha512(plaintext))}};
}

// Destination and its encryption key, checked (steps 2 and 3).
Result<jose::Jwk> DestinationKey(SenderClient& api, const Application& app,
                                 const SendOptions& options) {
  DS_ASSIGN_OR_RETURN(DestinationInfo d, api.GetDestination(app.destination_id));
  if (d.status != "active") {
    return CheckFailed("destination: status is " + d.status + ", not active");
  }
  if (!d.AcceptsService(app.service_identifier)) {
    return CheckFailed("destination: does not offer service " +
                       app.service_identifier);
  }
  if (d.encryption_kid.empty()) return CheckFailed("destination: no encryptionKid");
  DS_ASSIGN_OR_RETURN(nlohmann::json jwk, api.GetKey(d.destination_id.empty()
                                                         ? app.destination_id
                                                         : d.destination_id,
                                                     d.encryption_kid));
  auto key = jose::Jwk::FromJson(jwk);
  if (!key.ok()) return Status(key.status()).Prepend("destination key");
  if (key->kid() != d.encryption_kid) {
    return CheckFailed("destination key: kid differs from encryptionKid");
  }
  Status s = jose::CheckPublicKey(*key, "RSA-OAEP-256", options.key_policy);
  if (!s.ok()) return s.Prepend("destination key");
  return *key;
}

}  // namespace

nlohmann::json BuildMetadata(const Application& app,
                             const std::vector<std::string>& attachment_ids) {
  nlohmann::json attachments = nlohmann::json::array();
  for (size_t i = 0; i < app.attachments.size(); ++i) {
    const OutgoingAttachment& a = app.attachments[i];
    nlohmann::json j = {{"attachmentId", attachment_ids[i]},
                        {"hash", HashJson(a.content)},
                        {"purpose", a.purpose},
                        {"mimeType", a.mime_type}};
    if (!a.filename.empty()) j["filename"] = a.filename;
    if (!a.description.empty()) j["description"] = a.description;
    attachments.push_back(std::move(j));
  }
  nlohmann::json m = {
      {"$schema",
       "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json"},
      {"contentStructure",
       {{"data",
         {{"hash", HashJson(app.data)},
          {"submissionSchema",
           {{"schemaUri", app.data_schema_uri},
            {"mimeType", app.data_mime_type}}}}},
        {"attachments", attachments}}},
      {"publicServiceType", {{"identifier", app.service_identifier}}}};
  if (!app.service_name.empty()) {
    m["publicServiceType"]["name"] = app.service_name;
  }
  if (app.reply_channel.is_object() && !app.reply_channel.empty()) {
    m["replyChannel"] = app.reply_channel;
  }
  return m;
}

Result<std::string> StateFromEventLog(SenderClient& api, const EventLog& log,
                                      const SubmissionRef& ref,
                                      const nlohmann::json& service_jwks,
                                      nlohmann::json* problems) {
  DS_ASSIGN_OR_RETURN(jose::Jwks service_keys, jose::Jwks::FromJson(service_jwks));
  std::string state = "incomplete";
  for (const std::string& token : log.events) {
    // Verify: the service's key or the destination's signature key.
    DS_ASSIGN_OR_RETURN(jose::ParsedJws parsed, jose::ParseJws(token));
    std::string kid = parsed.header.value("kid", "");
    auto payload = nlohmann::json::parse(parsed.payload, nullptr, false);
    if (!payload.is_object()) return CheckFailed("event log: payload not JSON");
    std::string iss = payload.value("iss", "");
    const jose::Jwk* key = service_keys.FindByKid(kid);
    std::optional<jose::Jwk> dest_key;
    if (iss == ref.destination_id) {
      DS_ASSIGN_OR_RETURN(nlohmann::json jwk, api.GetKey(iss, kid));
      DS_ASSIGN_OR_RETURN(jose::Jwk k, jose::Jwk::FromJson(jwk));
      dest_key = k;
      key = &*dest_key;
    }
    if (!key) return CheckFailed("event log: no key for kid " + kid);
    auto verified = jose::VerifyPs512(token, *key);
    if (!verified.ok()) return Status(verified.status()).Prepend("event log");

    // Only events of this submission count.
    if (payload.value("sub", "") != "submission:" + ref.submission_id) continue;
    if (!payload.contains("events") || !payload["events"].is_object() ||
        payload["events"].size() != 1) {
      return CheckFailed("event log: SET without exactly one event");
    }
    std::string uri = payload["events"].begin().key();
    std::string name = uri.starts_with(kEvents) ? uri.substr(kEvents.size()) : uri;
    if (name == "create-submission") state = "incomplete";
    if (name == "submit-submission") state = "submitted";
    if (name == "accept-submission") state = "accepted";
    if (name == "reject-submission") {
      state = "rejected";
      if (problems) {
        *problems = payload["events"].begin().value().value(
            "problems", nlohmann::json::array());
      }
    }
  }
  return state;
}

Result<SendResult> SendApplication(SenderClient& api, const Application& app,
                                   const SendOptions& options) {
  SendResult result;

  // Destination and key.
  DS_ASSIGN_OR_RETURN(jose::Jwk key, DestinationKey(api, app, options));

  // Metadata and encryption: one fresh UUID per attachment.
  for (size_t i = 0; i < app.attachments.size(); ++i) {
    result.attachment_ids.push_back(NewUuid());
  }
  nlohmann::json metadata = BuildMetadata(app, result.attachment_ids);
  auto enc_meta = jose::Encrypt(key, metadata.dump(), {.cty = "application/json"});
  if (!enc_meta.ok()) return Status(enc_meta.status()).Prepend("encrypt metadata");
  auto enc_data = jose::Encrypt(key, app.data, {.cty = app.data_mime_type});
  if (!enc_data.ok()) return Status(enc_data.status()).Prepend("encrypt data");

  // Announce.
  SenderClient::Announcement a{.destination_id = app.destination_id,
                               .attachment_ids = result.attachment_ids,
                               .service_name = app.service_name,
                               .service_identifier = app.service_identifier,
                               .callback_url = options.callback_url,
                               .callback_secret = options.callback_secret};
  DS_ASSIGN_OR_RETURN(result.ref, api.Announce(a));

  // Upload each attachment, then submit.
  for (size_t i = 0; i < app.attachments.size(); ++i) {
    const OutgoingAttachment& att = app.attachments[i];
    auto jwe = jose::Encrypt(key, att.content, {.cty = att.mime_type});
    if (!jwe.ok()) return Status(jwe.status()).Prepend("encrypt attachment");
    DS_RETURN_IF_ERROR(api.UploadAttachment(result.ref.submission_id,
                                            result.attachment_ids[i],
                                            std::move(*jwe)));
  }
  DS_RETURN_IF_ERROR(api.Submit(result.ref.submission_id, *enc_meta, *enc_data));
  if (!options.follow) return result;

  // Follow the verified event log until the subscriber decided.
  DS_ASSIGN_OR_RETURN(nlohmann::json jwks, api.GetServiceJwks());
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(options.follow_timeout_seconds);
  for (;;) {
    DS_ASSIGN_OR_RETURN(EventLog log, api.GetEvents(result.ref.case_id));
    DS_ASSIGN_OR_RETURN(result.state, StateFromEventLog(api, log, result.ref,
                                                        jwks, &result.problems));
    if (result.state == "accepted" || result.state == "rejected") return result;
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable("follow: no decision within " +
                         std::to_string(options.follow_timeout_seconds) +
                         " s for submission " + result.ref.submission_id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_interval_ms));
  }
}

}  // namespace ds::submission_api
