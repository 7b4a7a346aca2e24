// The sending side of FIT-Connect, as a portal does it: one application from
// plaintext to a submitted (and optionally accepted or rejected) submission.
//
//   ds::submission_api::SenderClient api(endpoint);
//   Application app{.destination_id = id, .service_identifier = leika,
//                   .data = form_json, .data_schema_uri = schema};
//   app.attachments.push_back({.filename = "antrag.pdf",
//                              .mime_type = "application/pdf",
//                              .content = pdf});
//   DS_ASSIGN_OR_RETURN(SendResult r, SendApplication(api, app, {}));
//   // r.ref.submission_id, r.ref.case_id
//
// Steps (notes §2 "Sender sequence"): get the destination and check that it
// is active and offers the service; fetch the encryption key by
// encryptionKid and check it (ds::jose::CheckPublicKey; test mode accepts
// self-signed keys); build the metadata with SHA-512 hashes of the
// plaintexts; encrypt metadata, data and each attachment (fresh UUID per
// attachment); announce, upload, submit; optionally follow the event log,
// verifying every SET, until accept-submission or reject-submission.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "jose/jwk.h"
#include "submission_api/client.h"

namespace ds::submission_api {

struct OutgoingAttachment {
  std::string filename;
  std::string mime_type = "application/pdf";
  std::string content;  // plaintext bytes
  std::string purpose = "attachment";  // form, attachment, report
  std::string description;
  // If set, the plaintext is read from this file instead of `content`:
  // hashed and encrypted in bounded memory, the JWE written beside it as
  // "<content_file>.jwe" while it is uploaded (so the folder must be
  // writable; the caller removes the folder's files afterwards). Last, so
  // that callers naming the members in order stay correct.
  std::filesystem::path content_file;
};

struct Application {
  std::string destination_id;
  std::string service_identifier;  // urn:de:fim:leika:leistung:...
  std::string service_name;
  std::string data;                // Fachdaten, plaintext
  std::string data_schema_uri;
  std::string data_mime_type = "application/json";
  std::vector<OutgoingAttachment> attachments;
  nlohmann::json reply_channel;    // optional, e.g. {"eMail": {"address": ...}}
};

struct SendOptions {
  jose::KeyPolicy key_policy;  // set test_mode for self-signed test keys
  // Follow the event log until accepted or rejected (or the timeout).
  bool follow = false;
  int follow_timeout_seconds = 120;
  int poll_interval_ms = 500;
  std::string callback_url;  // optional sender callback
  std::string callback_secret;
};

struct SendResult {
  SubmissionRef ref;
  std::vector<std::string> attachment_ids;  // in the order of the input
  // "submitted", or with follow "accepted" / "rejected".
  std::string state = "submitted";
  nlohmann::json problems = nlohmann::json::array();  // of a reject
};

// Sends one application. Errors name the step (destination, key, encrypt,
// announce, upload, submit, follow). A follow timeout is kUnavailable with
// the submission already submitted (its ids are in the message).
Result<SendResult> SendApplication(SenderClient& api, const Application& app,
                                   const SendOptions& options);

// The metadata document of `version` ("1.0.0" or "2.1.0") for an
// application whose attachments got the given ids (ds_fitconnect's
// builder). SendApplication uses the newest version the destination lists.
Result<nlohmann::json> BuildMetadata(
    const Application& app, const std::vector<std::string>& attachment_ids,
    std::string_view version);

// The state a verified event log shows for a submission: "accepted",
// "rejected" (problems filled), "submitted", ... (fitconnect::StateName).
// Every SET is verified (fitconnect::VerifyCaseEvents): service SETs with
// `service_jwks` (the JWKS of the API in use; any https issuer), subscriber
// SETs with the destination's signature key fetched through `api` by kid.
Result<std::string> StateFromEventLog(SenderClient& api, const EventLog& log,
                                      const SubmissionRef& ref,
                                      const nlohmann::json& service_jwks,
                                      nlohmann::json* problems);

}  // namespace ds::submission_api
