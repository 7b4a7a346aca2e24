// Accounts, lockout and sessions of the web UI.
#include "web/accounts.h"

#include <sodium.h>

#include "core/encoding.h"
#include "core/text.h"

namespace ds::web {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS web_users (
  tenant TEXT NOT NULL,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  pw_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0,
  window_start BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, username)
);
CREATE TABLE IF NOT EXISTS web_sessions (
  id_hash TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  username TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_user
  ON web_sessions (tenant, username);
)sql";

constexpr size_t kMinPassword = 12;  // characters
constexpr size_t kMaxPasswordBytes = 1024;

// The message is the reason for the operator's log (never shown: the login
// page answers every refusal alike): "unknown-account", "locked",
// "wrong-password"; "no-session" for a missing or expired session.
Status Refused(const char* reason = "no-session") {
  return Status(Code::kUnauthenticated, reason);
}

Status SodiumReady() {
  static const int rc = sodium_init();
  if (rc < 0) return Internal("libsodium could not be initialised");
  return Status::Ok();
}

// argon2id with libsodium's interactive limits (64 MiB, 2 passes).
Result<std::string> HashPassword(const std::string& password) {
  DS_RETURN_IF_ERROR(SodiumReady());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(),
                                  password.size()) == 0;
}

// A hash of a random password: unknown accounts are checked against it so
// that they cost the same time as known ones.
const std::string& DummyHash() {
  static const std::string hash = [] {
    Result<std::string> r = RandomToken();
    Result<std::string> h = HashPassword(r.ok() ? *r : "x");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

std::string IdHash(std::string_view id) { return HexEncode(Sha256(id)); }

}  // namespace

Result<std::string> RandomToken() {
  DS_RETURN_IF_ERROR(SodiumReady());
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Result<std::unique_ptr<sql::Db>> OpenDb(const std::filesystem::path& data_dir,
                                        const std::string& database_url) {
  if (!database_url.empty()) return sql::OpenPostgres(database_url);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  return sql::OpenSqlite((data_dir / "records.sqlite").string());
}

// Hub processes sharing a PostgreSQL database may start together.
Status Migrate(sql::Db& db) { return sql::ApplySchema(db, kSchema); }

Accounts::Accounts(sql::Db& db, SessionPolicy policy)
    : db_(db), policy_(std::move(policy)) {}

int64_t Accounts::Now() const {
  return policy_.now ? policy_.now() : UnixNow();
}

Status Accounts::AddUser(const std::string& tenant, const std::string& user,
                         api::Role role, const std::string& password) {
  DS_RETURN_IF_ERROR(api::CheckPrincipalName("tenant", tenant));
  DS_RETURN_IF_ERROR(api::CheckPrincipalName("user", user));
  // Characters, not bytes: "ääääää" is six. The upper bound keeps a login
  // form small and argon2id's input reasonable.
  std::vector<char32_t> chars;
  if (!DecodeUtf8(password, &chars)) {
    return InvalidInput("the password is not valid UTF-8");
  }
  if (password.find_first_not_of(" \t") == std::string::npos) {
    return InvalidInput("the password must not be blank");
  }
  if (chars.size() < kMinPassword) {
    return InvalidInput("the password must have at least 12 characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidInput("the password must have at most 1024 bytes");
  }
  DS_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  std::lock_guard<std::mutex> lock(mu_);
  return sql::InTransaction(db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(
        db_.Exec("DELETE FROM web_users WHERE tenant = ? AND username = ?",
                 {tenant, user}));
    // A new password ends the account's sessions.
    DS_RETURN_IF_ERROR(
        db_.Exec("DELETE FROM web_sessions WHERE tenant = ? AND username = ?",
                 {tenant, user}));
    return db_.Exec(
        "INSERT INTO web_users (tenant, username, role, pw_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {tenant, user, std::string(api::RoleName(role)), hash, Now()});
  });
}

Status Accounts::NoteFailure(const std::string& tenant, const std::string& user,
                             int64_t now) {
  // A failure outside the window starts a new window; reaching the limit
  // within it locks the account.
  int64_t window_open = now - policy_.failure_window_seconds;
  DS_RETURN_IF_ERROR(db_.Exec(
      "UPDATE web_users SET "
      "failures = CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END, "
      "window_start = CASE WHEN window_start < ? THEN ? ELSE window_start END "
      "WHERE tenant = ? AND username = ?",
      {window_open, window_open, now, tenant, user}));
  return db_.Exec(
      "UPDATE web_users SET locked_until = ?, failures = 0, window_start = 0 "
      "WHERE tenant = ? AND username = ? AND failures >= ?",
      {now + policy_.lockout_seconds, tenant, user,
       int64_t{policy_.max_failures}});
}

Result<Login> Accounts::LogIn(const std::string& tenant,
                              const std::string& user,
                              const std::string& password) {
  DS_RETURN_IF_ERROR(SodiumReady());
  int64_t now = Now();
  std::vector<sql::Row> rows;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DS_ASSIGN_OR_RETURN(
        rows, db_.Query("SELECT role, pw_hash, locked_until FROM web_users "
                        "WHERE tenant = ? AND username = ?",
                        {tenant, user}));
  }
  // Hash checks run outside the lock: they take a tenth of a second.
  if (rows.empty()) {
    (void)VerifyPassword(DummyHash(), password);
    return Refused("unknown-account");
  }
  bool locked = rows[0].Int(2) > now;
  bool match = VerifyPassword(rows[0].Text(1), password);
  Result<api::Role> role = api::ParseRole(rows[0].Text(0));

  std::lock_guard<std::mutex> lock(mu_);
  if (locked) return Refused("locked");
  if (!match || !role.ok()) {
    DS_RETURN_IF_ERROR(NoteFailure(tenant, user, now));
    return Refused("wrong-password");
  }
  DS_ASSIGN_OR_RETURN(std::string id, RandomToken());
  DS_ASSIGN_OR_RETURN(std::string csrf, RandomToken());
  Login out;
  out.session_id = id;
  out.session.who = api::Principal{
      .user = user, .tenant = tenant, .role = *role, .token_id = ""};
  out.session.csrf = csrf;
  out.session.id_hash = IdHash(id);
  out.session.expires_at = now + policy_.idle_seconds;
  DS_RETURN_IF_ERROR(sql::InTransaction(db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(
        db_.Exec("UPDATE web_users SET failures = 0, window_start = 0 "
                 "WHERE tenant = ? AND username = ?",
                 {tenant, user}));
    return db_.Exec(
        "INSERT INTO web_sessions (id_hash, tenant, username, csrf, "
        "created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
        {out.session.id_hash, tenant, user, csrf, now, now});
  }));
  return out;
}

Result<Session> Accounts::FindSession(const std::string& session_id) {
  if (session_id.size() != 43) return Refused();
  int64_t now = Now();
  std::string hash = IdHash(session_id);
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_.Query("SELECT s.tenant, s.username, u.role, s.csrf, s.created_at, "
                "s.last_seen FROM web_sessions s JOIN web_users u "
                "ON u.tenant = s.tenant AND u.username = s.username "
                "WHERE s.id_hash = ?",
                {hash}));
  if (rows.empty()) return Refused();
  const sql::Row& r = rows[0];
  int64_t created = r.Int(4), last_seen = r.Int(5);
  if (now >= last_seen + policy_.idle_seconds ||
      now >= created + policy_.absolute_seconds) {
    DS_RETURN_IF_ERROR(
        db_.Exec("DELETE FROM web_sessions WHERE id_hash = ?", {hash}));
    return Refused();
  }
  Result<api::Role> role = api::ParseRole(r.Text(2));
  if (!role.ok()) return Refused();
  // Extending at most once a minute keeps reads from becoming writes.
  if (now - last_seen >= 60) {
    DS_RETURN_IF_ERROR(
        db_.Exec("UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?",
                 {now, hash}));
    last_seen = now;
  }
  Session s;
  s.who = api::Principal{
      .user = r.Text(1), .tenant = r.Text(0), .role = *role, .token_id = ""};
  s.csrf = r.Text(3);
  s.id_hash = hash;
  s.expires_at = std::min(last_seen + policy_.idle_seconds,
                          created + policy_.absolute_seconds);
  return s;
}

Status Accounts::EndSession(const std::string& id_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  return db_.Exec("DELETE FROM web_sessions WHERE id_hash = ?", {id_hash});
}

Status Accounts::Sweep() {
  int64_t now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  return db_.Exec(
      "DELETE FROM web_sessions WHERE last_seen <= ? OR created_at <= ?",
      {now - policy_.idle_seconds, now - policy_.absolute_seconds});
}

}  // namespace ds::web
