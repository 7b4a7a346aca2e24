// Local accounts and sessions of the web UI, kept in the E-Akte's database
// (tables web_users and web_sessions, created by Migrate).
//
// Passwords are stored only as argon2id hashes (libsodium
// crypto_pwhash_str). A session id is 256 random bits, given to the browser
// once in a cookie; the database keeps only its SHA-256, so a copy of the
// database does not let anyone log in. Each session carries its own CSRF
// token (synchroniser token pattern).
//
//   DS_ASSIGN_OR_RETURN(auto db, ds::web::OpenDb(data_dir, database_url));
//   DS_RETURN_IF_ERROR(ds::web::Migrate(*db));
//   Accounts accounts(*db, ds::web::SessionPolicy{});
//   DS_RETURN_IF_ERROR(accounts.AddUser("kreis-a", "m.muster",
//                                       api::Role::kClerk, password));
//   DS_ASSIGN_OR_RETURN(Login in, accounts.LogIn("kreis-a", "m.muster", pw));
//   // Set-Cookie with in.session_id; later:
//   DS_ASSIGN_OR_RETURN(Session s, accounts.FindSession(cookie_value));
//
// Thread-safety: Accounts serialises its use of the connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/auth.h"
#include "core/status.h"
#include "sql/db.h"

namespace ds::web {

// A connection to the E-Akte's database: <data_dir>/records.sqlite, or
// PostgreSQL when `database_url` is set. The web UI uses its own
// connection so that it never shares one with the Store's calls.
Result<std::unique_ptr<sql::Db>> OpenDb(const std::filesystem::path& data_dir,
                                        const std::string& database_url);

// Creates the web tables if they are missing; safe to run on every start.
Status Migrate(sql::Db& db);

struct SessionPolicy {
  int64_t idle_seconds = 30 * 60;          // ends after 30 min without use
  int64_t absolute_seconds = 8 * 60 * 60;  // and at the latest after 8 h
  int max_failures = 5;                    // failed logins within the window
  int64_t failure_window_seconds = 15 * 60;
  int64_t lockout_seconds = 15 * 60;  // the account is locked so long
  std::function<int64_t()> now;       // unix seconds; default UnixNow
};

struct Session {
  api::Principal who;   // token_id stays ""
  std::string csrf;     // the session's CSRF token
  std::string id_hash;  // hex SHA-256 of the id (for logout)
  int64_t expires_at = 0;
};

struct Login {
  std::string session_id;  // for the cookie only: never log or store it
  Session session;
};

class Accounts {
 public:
  Accounts(sql::Db& db, SessionPolicy policy);

  // Adds an account or replaces its password and role (unlocking it).
  // kInvalidInput for an empty tenant or user, or a password shorter than
  // 12 characters.
  Status AddUser(const std::string& tenant, const std::string& user,
                 api::Role role, const std::string& password);

  // Checks the password and opens a session. kUnauthenticated, with the
  // same message, for an unknown account, a wrong password or a locked
  // account; each failure counts towards the account's lockout.
  Result<Login> LogIn(const std::string& tenant, const std::string& user,
                      const std::string& password);

  // The live session for a cookie value, extending its idle time.
  // kUnauthenticated if unknown, expired or its account is gone.
  Result<Session> FindSession(const std::string& session_id);

  // Ends a session (logout). Unknown ids are fine.
  Status EndSession(const std::string& id_hash);

  // Removes sessions that have expired.
  Status Sweep();

  int64_t Now() const;
  const SessionPolicy& policy() const { return policy_; }

 private:
  Status NoteFailure(const std::string& tenant, const std::string& user,
                     int64_t now);

  std::mutex mu_;  // serialises use of db_
  sql::Db& db_;
  SessionPolicy policy_;
};

// 256 random bits, base64url (43 characters).
Result<std::string> RandomToken();

}  // namespace ds::web
