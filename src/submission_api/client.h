// A client of the FIT-Connect Submission API v1, for both roles, over ds_net.
//
// Senders (portals) announce, upload and submit encrypted submissions and
// follow the case's event log; subscribers (authorities, the intake) list
// submissions for pickup, fetch them with their attachments, read event
// logs and post accept/reject events. Both authenticate with OAuth2 client
// credentials; the token is cached until shortly before it expires.
//
//   ds::submission_api::Endpoint ep{.api_url = zd->base_url(),
//                                   .token_url = zd->token_url(),
//                                   .client_id = id, .client_secret = secret};
//   ds::submission_api::SubscriberClient api(ep);
//   DS_ASSIGN_OR_RETURN(auto page, api.ListSubmissions(destination, 0, 100));
//   for (const SubmissionRef& s : page.submissions) ...
//
// Errors: network failures are kUnavailable; HTTP error statuses map to the
// matching code (400 kInvalidInput, 401 kUnauthenticated, 403
// kPermissionDenied, 404 kNotFound, 409 kConflict, 413 kTooLarge, 415/422
// kCheckFailed, 5xx kUnavailable), and the service's RFC 7807 problem (type,
// title, instance) is attached to the status (Status::problem()). Messages
// name the call that failed, never tokens or content.
//
// Paths, bodies and status codes follow the v1 API as described in
// notes/fit-connect.md §2; the official OpenAPI file was not available, so
// details marked there as [observed]/[unverified] are reconstructions.
//
// Thread-safety: clients may be shared between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::submission_api {

// OAuth scope of senders [observed: notes §1].
inline constexpr std::string_view kScopeSendSubmissions =
    "https://schema.fitko.de/fit-connect/oauth/scopes/send-submissions";
// OAuth scope of a subscriber for one destination. RECONSTRUCTED
// [unverified]: the notes only say "manage/subscribe-destination scopes".
std::string SubscribeScope(std::string_view destination_id);

// Problem type prefix of the Submission API's own errors [observed].
inline constexpr std::string_view kApiProblemBase =
    "https://schema.fitko.de/fit-connect/submission-api/problems/";

// Where the API lives and how to authenticate.
struct Endpoint {
  std::string api_url;    // service root; calls go to {api_url}/v1/...
  std::string token_url;  // OAuth2 token endpoint
  std::string client_id;
  std::string client_secret;
  std::string scope;      // optional: requested scope(s), space-separated
  int timeout_seconds = 60;
  // Timeout for attachment transfers (up to 500 MB).
  int transfer_timeout_seconds = 900;
};

// Fetches and caches an OAuth2 access token (client_secret_post).
class TokenSource {
 public:
  explicit TokenSource(Endpoint endpoint);
  // A valid token, fetched if none is cached or it expires within a minute.
  // kUnauthenticated for wrong credentials, kPermissionDenied for a refused
  // scope, kUnavailable if the token endpoint cannot be reached.
  Result<std::string> Get();
  // Drops the cached token (after a 401).
  void Invalidate();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// {destinationId, submissionId, caseId}.
struct SubmissionRef {
  std::string destination_id;
  std::string submission_id;
  std::string case_id;
};

// GET /v1/destinations/{id}: what a sender needs from a destination.
struct DestinationInfo {
  std::string destination_id;
  std::string status;            // "active", ...
  std::string encryption_kid;
  std::vector<std::string> metadata_versions;
  nlohmann::json services;       // [{identifier, regions, submissionSchemas}]
  nlohmann::json reply_channels; // {"eMail": {...}, ...}
  nlohmann::json raw;            // the whole document

  // True if `identifier` is one of the destination's services.
  bool AcceptsService(std::string_view identifier) const;
};

// A case's event log: compact SETs in log order.
struct EventLog {
  std::vector<std::string> events;
};

// Shared transport of both clients (token, base URL, error mapping).
class Connection;

class SenderClient {
 public:
  explicit SenderClient(Endpoint endpoint);

  Result<DestinationInfo> GetDestination(std::string_view destination_id);
  // The public JWK with `kid` of a destination (encryption or signature key).
  Result<nlohmann::json> GetKey(std::string_view destination_id,
                                std::string_view kid);

  struct Announcement {
    std::string destination_id;
    std::vector<std::string> attachment_ids;  // fresh UUIDs, one each
    std::string service_name;
    std::string service_identifier;  // e.g. urn:de:fim:leika:leistung:...
    std::string case_id;             // optional: add to an existing case
    std::string callback_url;        // optional: sender callbacks
    std::string callback_secret;
  };
  // POST /v1/submissions. kNotFound (destination-not-found), kConflict or
  // kCheckFailed (destination-state-invalid, service not accepted).
  Result<SubmissionRef> Announce(const Announcement& announcement);

  // PUT /v1/submissions/{id}/attachments/{attachmentId}, body a compact JWE
  // as application/jose; from memory or streamed from a file.
  Status UploadAttachment(std::string_view submission_id,
                          std::string_view attachment_id, std::string jwe);
  Status UploadAttachmentFile(std::string_view submission_id,
                              std::string_view attachment_id,
                              const std::filesystem::path& jwe_file);

  // PUT /v1/submissions/{id} with {encryptedMetadata, encryptedData}
  // (`encrypted_data` may be empty for metadata-only submissions).
  Status Submit(std::string_view submission_id,
                std::string_view encrypted_metadata,
                std::string_view encrypted_data);

  // GET /v1/cases/{caseId}/events, all pages.
  Result<EventLog> GetEvents(std::string_view case_id);

  // GET /.well-known/jwks.json of the service (its SET signing keys).
  Result<nlohmann::json> GetServiceJwks();

 private:
  std::shared_ptr<Connection> conn_;
};

class SubscriberClient {
 public:
  explicit SubscriberClient(Endpoint endpoint);

  struct Page {
    int64_t count = 0;
    int64_t offset = 0;
    int64_t total_count = 0;
    std::vector<SubmissionRef> submissions;
  };
  // GET /v1/submissions?destinationId=&offset=&limit= : submissions ready
  // for pickup. `limit` at most 500.
  Result<Page> ListSubmissions(std::string_view destination_id,
                               int64_t offset = 0, int64_t limit = 100);

  struct Submission {
    std::string submission_id;
    std::string case_id;
    std::string destination_id;
    nlohmann::json service_type;            // {name, identifier}
    std::vector<std::string> attachments;   // attachment ids
    std::string encrypted_metadata;         // compact JWE
    std::string encrypted_data;             // compact JWE, may be empty
    nlohmann::json raw;
  };
  Result<Submission> GetSubmission(std::string_view submission_id);

  // GET .../attachments/{id} streamed into `out` (created or truncated).
  // On error the file may hold a partial body; the caller discards it.
  Status DownloadAttachment(std::string_view submission_id,
                            std::string_view attachment_id,
                            const std::filesystem::path& out);

  Result<EventLog> GetEvents(std::string_view case_id);
  // POST /v1/cases/{caseId}/events with a compact SET (application/jose).
  // kCheckFailed if the service refuses the event (signature, claims).
  Status PostEvent(std::string_view case_id, std::string_view set);

  Result<DestinationInfo> GetDestination(std::string_view destination_id);
  Result<nlohmann::json> GetKey(std::string_view destination_id,
                                std::string_view kid);
  Result<nlohmann::json> GetServiceJwks();

 private:
  std::shared_ptr<Connection> conn_;
};

}  // namespace ds::submission_api
