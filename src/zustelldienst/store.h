// Internal: the stand-in's persistent state in SQLite (WAL) plus attachment
// files under <data>/attachments/. One connection, one mutex: every method
// is a short transaction and thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "zustelldienst/service.h"
#include "zustelldienst/sqlite.h"

namespace ds::zustelldienst {

// Submission states [notes §2]: incomplete → submitted → accepted|rejected.
inline constexpr std::string_view kIncomplete = "incomplete";
inline constexpr std::string_view kSubmitted = "submitted";
inline constexpr std::string_view kAccepted = "accepted";
inline constexpr std::string_view kRejected = "rejected";

struct ClientRow {
  std::string client_id;
  std::string secret_hash;  // hex SHA-256
  Role role = Role::kSender;
  std::vector<std::string> destinations;
};

struct DestinationRow {
  std::string id;
  std::string status;
  std::string encryption_kid;
  nlohmann::json services = nlohmann::json::array();
  nlohmann::json metadata_versions = nlohmann::json::array();
  nlohmann::json reply_channels = nlohmann::json::array();
  std::string callback_url;
  std::string callback_secret;
};

struct SubmissionRow {
  std::string id;
  std::string case_id;
  std::string destination_id;
  std::string sender_client;
  nlohmann::json service_type;
  std::vector<std::string> announced;
  std::string state;
  std::string encrypted_metadata;
  std::string encrypted_data;
  int64_t created_at = 0;
  int64_t submitted_at = 0;
  std::string callback_url;  // the sender's, optional
  std::string callback_secret;
  nlohmann::json authentication_tags;  // from submit
};

struct AttachmentRow {
  std::string attachment_id;
  uint64_t size = 0;
  std::filesystem::path path;
  std::string tag;  // JWE authentication tag
};

struct CallbackRow {
  int64_t id = 0;
  std::string url;
  std::string secret;
  std::string body;
  int attempts = 0;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path AttachmentPath(std::string_view submission_id,
                                       std::string_view attachment_id) const;

  // Runs `body` in one IMMEDIATE transaction; rolls back on error.
  Status Transaction(const std::function<Status(Db&)>& body);

  // Clients and tokens.
  Status InsertClient(const ClientRow& row, std::string_view name);
  Result<std::optional<ClientRow>> FindClient(std::string_view id);
  Status InsertToken(std::string_view token_hash, std::string_view client_id,
                     int64_t expires_at);
  // The client of a valid token, or nullopt.
  Result<std::optional<ClientRow>> ClientForToken(std::string_view token_hash,
                                                  int64_t now);

  // Destinations and keys.
  Status InsertDestination(const DestinationRow& row);
  Result<std::optional<DestinationRow>> FindDestination(std::string_view id);
  Status UpdateDestination(const DestinationRow& row);
  Status InsertKey(std::string_view destination_id, std::string_view kid,
                   std::string_view purpose, const nlohmann::json& jwk);
  Result<std::optional<nlohmann::json>> FindKey(std::string_view destination_id,
                                                std::string_view kid,
                                                std::string_view purpose = "");

  // Submissions and attachments (reads; writes go through Transaction with
  // the helpers below).
  Result<std::optional<SubmissionRow>> FindSubmission(std::string_view id);
  Result<std::vector<AttachmentRow>> Attachments(std::string_view submission_id);
  // Submitted submissions of `destinations` in submit order.
  Result<std::vector<SubmissionRow>> PendingPickup(
      const std::vector<std::string>& destinations, int64_t offset,
      int64_t limit, int64_t* total);
  Result<std::vector<SubmissionRow>> SubmittedBefore(int64_t time);
  // True if `case_id` exists for `destination_id`.
  Result<bool> CaseExists(std::string_view case_id,
                          std::string_view destination_id);
  // Submissions of a case (to authorise event log access).
  Result<std::vector<SubmissionRow>> CaseSubmissions(std::string_view case_id);

  // Events.
  Result<std::vector<std::string>> Events(std::string_view case_id,
                                          int64_t offset, int64_t limit,
                                          int64_t* total);

  // Callbacks due at `now_ms`.
  Result<std::vector<CallbackRow>> DueCallbacks(int64_t now_ms, int limit);
  Status CallbackDelivered(int64_t id, int64_t now_ms);
  Status CallbackFailed(int64_t id, int64_t next_ms, std::string_view error);

 private:
  Store(std::filesystem::path dir, std::unique_ptr<Db> db)
      : dir_(std::move(dir)), db_(std::move(db)) {}
  Status Migrate();

  std::filesystem::path dir_;
  std::recursive_mutex mu_;
  std::unique_ptr<Db> db_;  // guarded by mu_
};

// Row writers used inside Store::Transaction.
Status InsertSubmission(Db& db, const SubmissionRow& row);
Status UpsertAttachment(Db& db, std::string_view submission_id,
                        const AttachmentRow& row);
Status SetSubmissionState(Db& db, std::string_view id, std::string_view state);
Status SaveSubmitted(Db& db, const SubmissionRow& row);
// Appends to a case's log; kAlreadyExists for a repeated jti.
Status AppendEvent(Db& db, std::string_view case_id,
                   std::string_view submission_id, std::string_view jti,
                   std::string_view event, std::string_view token);
Status EnqueueCallback(Db& db, std::string_view url, std::string_view secret,
                       std::string_view body, int64_t due_ms);

int64_t NowMs();

}  // namespace ds::zustelldienst
