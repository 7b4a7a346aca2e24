// Internal: the gateway's own state in SQLite (WAL) under
// <data>/gateway/gateway.db: which portal sent which submission, and the
// last state the verified event log showed. Survives restarts.
//
// Uses the stand-in's small SQLite wrapper (zustelldienst/sqlite.h): the
// records store's wrapper (records/sql.h) is private to src/records, and a
// third copy would be worse. Thread-safe (one connection, serialised).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "zustelldienst/sqlite.h"

namespace ds::gateway {

struct SentApplication {
  std::string submission_id;
  std::string portal_id;
  std::string case_id;
  std::string destination_id;
  std::string service_identifier;
  int64_t attachments = 0;
  int64_t bytes = 0;                 // plaintext: data + attachments
  int64_t created_at = 0;            // Unix seconds
  std::string state = "submitted";   // fitconnect::StateName of the last look
  std::string problems_json = "[]";  // of a reject
  int64_t updated_at = 0;
};

class Store {
 public:
  // Opens (creating) <dir>/gateway.db.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir);

  // Records a sent application. kAlreadyExists if the id is known.
  Status Add(const SentApplication& a);
  // The application with this submission id if `portal_id` sent it;
  // nullopt otherwise (unknown and foreign ids look the same).
  Result<std::optional<SentApplication>> Find(std::string_view submission_id,
                                              std::string_view portal_id);
  Status UpdateState(std::string_view submission_id, std::string_view state,
                     std::string_view problems_json);

 private:
  explicit Store(std::unique_ptr<zustelldienst::Db> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<zustelldienst::Db> db_;  // guarded by mu_
};

}  // namespace ds::gateway
