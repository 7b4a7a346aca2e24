#include "submission_api/send.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "core/encoding.h"
#include "jose/jwe.h"
#include "fitconnect/event_log.h"
#include "fitconnect/metadata.h"
#include "jose/jws.h"

namespace ds::submission_api {
namespace {

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

// SHA-512 (lower-case hex) of a file, read in bounded memory.
Result<std::string> Sha512HexOfFile(const std::filesystem::path& path) {
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return EnvironmentError("hash attachment: cannot open file");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                             EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1) {
    return Internal("hash attachment: EVP init");
  }
  std::string buf(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0) return EnvironmentError("hash attachment: read failed");
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return HexEncode(std::string_view(reinterpret_cast<char*>(md), len));
}

Result<fitconnect::Hash> HashOfAttachment(const OutgoingAttachment& a) {
  if (a.content_file.empty()) return fitconnect::HashOf(a.content);
  fitconnect::Hash h;
  DS_ASSIGN_OR_RETURN(h.content, Sha512HexOfFile(a.content_file));
  return h;
}

// Encrypts and uploads one attachment: from memory, or for a content file
// through a JWE file beside it (bounded memory).
Status UploadOne(SenderClient& api, const jose::Jwk& key,
                 const std::string& submission_id,
                 const std::string& attachment_id,
                 const OutgoingAttachment& att) {
  jose::EncryptOptions options{.cty = att.mime_type};
  if (att.content_file.empty()) {
    auto jwe = jose::Encrypt(key, att.content, options);
    if (!jwe.ok()) return Status(jwe.status()).Prepend("encrypt attachment");
    return api.UploadAttachment(submission_id, attachment_id, std::move(*jwe));
  }

  std::filesystem::path jwe_file = att.content_file;
  jwe_file += ".jwe";
  {
    Fd in{::open(att.content_file.c_str(), O_RDONLY | O_CLOEXEC)};
    Fd out{::open(jwe_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0600)};
    if (in.fd < 0 || out.fd < 0) {
      return EnvironmentError("encrypt attachment: cannot open files");
    }
    Status s = jose::EncryptStream(key, in.fd, out.fd, options);
    if (!s.ok()) return s.Prepend("encrypt attachment");
  }
  Status s = api.UploadAttachmentFile(submission_id, attachment_id, jwe_file);
  std::error_code ec;
  std::filesystem::remove(jwe_file, ec);
  return s;
}

// Destination and its encryption key, checked (steps 2 and 3).
Result<jose::Jwk> DestinationKey(SenderClient& api, const Application& app,
                                 const SendOptions& options,
                                 DestinationInfo& d) {
  DS_ASSIGN_OR_RETURN(d, api.GetDestination(app.destination_id));
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

Result<nlohmann::json> BuildMetadata(
    const Application& app, const std::vector<std::string>& attachment_ids,
    std::string_view version) {
  fitconnect::MetadataDraft draft;
  draft.version = std::string(version);
  draft.data = fitconnect::DataDescription{
      fitconnect::HashOf(app.data), {app.data_schema_uri, app.data_mime_type}};
  for (size_t i = 0; i < app.attachments.size(); ++i) {
    const OutgoingAttachment& a = app.attachments[i];
    fitconnect::AttachmentDescription d;
    d.attachment_id = attachment_ids[i];
    DS_ASSIGN_OR_RETURN(d.hash, HashOfAttachment(a));
    d.purpose = a.purpose;
    d.mime_type = a.mime_type;
    if (!a.filename.empty()) d.filename = a.filename;
    if (!a.description.empty()) d.description = a.description;
    draft.attachments.push_back(std::move(d));
  }
  // 1.x names the service in the metadata; 2.x on the submission only.
  if (version.starts_with("1.")) {
    draft.public_service =
        fitconnect::PublicServiceType{app.service_identifier, app.service_name};
  }
  if (app.reply_channel.is_object() && !app.reply_channel.empty()) {
    draft.reply_channel = app.reply_channel;
  }
  return fitconnect::BuildMetadata(draft, nullptr);
}

Result<std::string> StateFromEventLog(SenderClient& api, const EventLog& log,
                                      const SubmissionRef& ref,
                                      const nlohmann::json& service_jwks,
                                      nlohmann::json* problems) {
  // Keys: the service's from its JWKS (any https issuer: the JWKS comes
  // from the API we talk to), the destination's from the API by kid.
  DS_ASSIGN_OR_RETURN(jose::Jwks service_keys, jose::Jwks::FromJson(service_jwks));
  fitconnect::FunctionKeyResolver keys(
      [&](std::string_view, std::string_view kid) -> Result<jose::Jwk> {
        const jose::Jwk* k = service_keys.FindByKid(kid);
        if (!k) return NotFound("no service key " + std::string(kid));
        return *k;
      },
      [&](std::string_view destination, std::string_view kid) -> Result<jose::Jwk> {
        DS_ASSIGN_OR_RETURN(nlohmann::json jwk, api.GetKey(destination, kid));
        return jose::Jwk::FromJson(jwk);
      });
  DS_ASSIGN_OR_RETURN(
      auto events,
      fitconnect::VerifyCaseEvents(log.events, ref.case_id, keys,
                                   {.destination_id = ref.destination_id}));
  fitconnect::SubmissionState state =
      fitconnect::DeriveState(events, ref.submission_id);

  // The problems of the last reject of this submission.
  if (problems) *problems = nlohmann::json::array();
  for (const auto& e : events) {
    if (problems && e.claims.subject == "submission:" + ref.submission_id &&
        e.claims.event_type == fitconnect::EventType::kRejectSubmission) {
      *problems = nlohmann::json::array();
      for (const auto& p : e.claims.problems) problems->push_back(p.ToJson());
    }
  }
  return std::string(fitconnect::StateName(state));
}

// The newest metadata version both sides know.
std::string ChooseMetadataVersion(const DestinationInfo& d) {
  for (const char* v : {"2.1.0", "1.0.0"}) {
    for (const auto& accepted : d.metadata_versions) {
      if (accepted == v) return v;
    }
  }
  return "1.0.0";
}

Result<SendResult> SendApplication(SenderClient& api, const Application& app,
                                   const SendOptions& options) {
  SendResult result;

  // Destination and key.
  DestinationInfo destination;
  DS_ASSIGN_OR_RETURN(jose::Jwk key,
                      DestinationKey(api, app, options, destination));

  // Metadata and encryption: one fresh UUID per attachment.
  for (size_t i = 0; i < app.attachments.size(); ++i) {
    result.attachment_ids.push_back(NewUuid());
  }
  auto metadata = BuildMetadata(app, result.attachment_ids,
                                ChooseMetadataVersion(destination));
  if (!metadata.ok()) return Status(metadata.status()).Prepend("metadata");
  auto enc_meta = jose::Encrypt(key, metadata->dump(), {.cty = "application/json"});
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
    DS_RETURN_IF_ERROR(UploadOne(api, key, result.ref.submission_id,
                                 result.attachment_ids[i], app.attachments[i]));
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
