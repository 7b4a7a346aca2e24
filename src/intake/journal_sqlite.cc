#include "intake/journal_sqlite.h"

#include <sqlite3.h>

#include <mutex>

#include "core/encoding.h"

namespace ds::intake {
namespace {

constexpr const char* kStateNames[] = {"received", "fetched",   "checked", "filed",
                                       "accepted", "rejecting", "rejected"};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS submissions (
  submission_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  problems_json TEXT NOT NULL DEFAULT '',
  vorgang_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS submissions_due ON submissions(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS submissions_case ON submissions(case_id);
CREATE TABLE IF NOT EXISTS destinations (
  destination_id TEXT PRIMARY KEY,
  last_poll_at INTEGER NOT NULL DEFAULT 0,
  last_callback_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_at INTEGER NOT NULL DEFAULT 0
) STRICT;
)sql";

// One prepared statement, reset on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

constexpr const char* kColumns =
    "submission_id, case_id, destination_id, state, attempts, next_attempt_at, "
    "last_error, problems_json, vorgang_id, created_at, updated_at";

JournalEntry ReadEntry(const Stmt& s) {
  JournalEntry e;
  e.submission_id = s.Text(0);
  e.case_id = s.Text(1);
  e.destination_id = s.Text(2);
  Result<State> st = ParseState(s.Text(3));
  e.state = st.ok() ? *st : State::kReceived;
  e.attempts = static_cast<int>(s.Int(4));
  e.next_attempt_at = s.Int(5);
  e.last_error = s.Text(6);
  e.problems_json = s.Text(7);
  e.vorgang_id = s.Text(8);
  e.created_at = s.Int(9);
  e.updated_at = s.Int(10);
  return e;
}

class SqliteJournal : public Journal {
 public:
  explicit SqliteJournal(sqlite3* db) : db_(db) {}
  ~SqliteJournal() override { sqlite3_close(db_); }

  Status Init() {
    char* err = nullptr;
    std::string script = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                     "PRAGMA busy_timeout=5000;") + kSchema;
    if (sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "unknown";
      sqlite3_free(err);
      return EnvironmentError("intake journal: " + m);
    }
    return Status::Ok();
  }

  Status ReleaseClaims() {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "UPDATE submissions SET claimed_until = 0 WHERE claimed_until > 0");
    if (s.Step() != SQLITE_DONE) return Error("release claims");
    return Status::Ok();
  }

  Result<bool> Receive(const std::string& sid, const std::string& cid,
                       const std::string& did) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = UnixNow();
    Stmt s(db_, "INSERT INTO submissions(submission_id, case_id, destination_id, state, "
                "created_at, updated_at) VALUES(?,?,?,'received',?,?) "
                "ON CONFLICT(submission_id) DO NOTHING");
    s.Bind(1, sid).Bind(2, cid).Bind(3, did).Bind(4, now).Bind(5, now);
    if (s.Step() != SQLITE_DONE) return Error("receive");
    return sqlite3_changes(db_) == 1;
  }

  Status Advance(const std::string& sid, State to, const std::string& vorgang,
                 const std::string& problems) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt get(db_, "SELECT state FROM submissions WHERE submission_id = ?");
    get.Bind(1, sid);
    if (get.Step() != SQLITE_ROW) return NotFound("no journal entry for submission " + sid);
    Result<State> from = ParseState(get.Text(0));
    if (!from.ok()) return from.status();
    if (!Follows(*from, to)) {
      return Status(Code::kConflict, "journal: " + std::string(StateName(*from)) + " cannot move to " +
                                         std::string(StateName(to)));
    }
    Stmt s(db_, "UPDATE submissions SET state = ?, attempts = 0, next_attempt_at = 0, "
                "last_error = '', vorgang_id = CASE WHEN ? = '' THEN vorgang_id ELSE ? END, "
                "problems_json = CASE WHEN ? = '' THEN problems_json ELSE ? END, "
                "updated_at = ? WHERE submission_id = ?");
    s.Bind(1, std::string(StateName(to))).Bind(2, vorgang).Bind(3, vorgang)
        .Bind(4, problems).Bind(5, problems).Bind(6, UnixNow()).Bind(7, sid);
    if (s.Step() != SQLITE_DONE) return Error("advance");
    return Status::Ok();
  }

  Status Fail(const std::string& sid, const std::string& error, int64_t retry_at) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "UPDATE submissions SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ?, claimed_until = 0, updated_at = ? WHERE submission_id = ?");
    s.Bind(1, error).Bind(2, retry_at).Bind(3, UnixNow()).Bind(4, sid);
    if (s.Step() != SQLITE_DONE) return Error("fail");
    return Status::Ok();
  }

  Result<std::optional<JournalEntry>> Get(const std::string& sid) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM submissions WHERE submission_id = ? OR case_id = ?";
    Stmt s(db_, sql.c_str());
    s.Bind(1, sid).Bind(2, sid);
    if (s.Step() != SQLITE_ROW) return std::optional<JournalEntry>();
    return std::optional<JournalEntry>(ReadEntry(s));
  }

  Result<std::vector<JournalEntry>> ClaimDue(int limit, int64_t now, int lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JournalEntry> out;
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM submissions WHERE state NOT IN ('accepted','rejected') "
                      "AND next_attempt_at <= ? AND claimed_until <= ? "
                      "ORDER BY created_at, submission_id LIMIT ?";
    {
      Stmt s(db_, sql.c_str());
      s.Bind(1, now).Bind(2, now).Bind(3, int64_t{limit});
      while (s.Step() == SQLITE_ROW) out.push_back(ReadEntry(s));
    }
    for (const JournalEntry& e : out) {
      Stmt u(db_, "UPDATE submissions SET claimed_until = ? WHERE submission_id = ?");
      u.Bind(1, now + lease).Bind(2, e.submission_id);
      if (u.Step() != SQLITE_DONE) return Error("claim");
    }
    return out;
  }

  Result<std::vector<JournalEntry>> List(const std::string& did, bool only_open) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql = std::string("SELECT ") + kColumns + " FROM submissions WHERE (? = '' OR destination_id = ?)";
    if (only_open) sql += " AND state NOT IN ('accepted','rejected')";
    sql += " ORDER BY created_at, submission_id";
    Stmt s(db_, sql.c_str());
    s.Bind(1, did).Bind(2, did);
    std::vector<JournalEntry> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadEntry(s));
    return out;
  }

  Status NotePoll(const std::string& did, int64_t at, const std::string& error) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "INSERT INTO destinations(destination_id, last_poll_at, last_error, last_error_at) "
                "VALUES(?1, ?2, ?3, CASE WHEN ?3 = '' THEN 0 ELSE ?2 END) "
                "ON CONFLICT(destination_id) DO UPDATE SET last_poll_at = ?2, "
                "last_error = CASE WHEN ?3 = '' THEN last_error ELSE ?3 END, "
                "last_error_at = CASE WHEN ?3 = '' THEN last_error_at ELSE ?2 END");
    s.Bind(1, did).Bind(2, at).Bind(3, error);
    if (s.Step() != SQLITE_DONE) return Error("note poll");
    return Status::Ok();
  }

  Status NoteCallback(const std::string& did, int64_t at) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "INSERT INTO destinations(destination_id, last_callback_at) VALUES(?1, ?2) "
                "ON CONFLICT(destination_id) DO UPDATE SET last_callback_at = ?2");
    s.Bind(1, did).Bind(2, at);
    if (s.Step() != SQLITE_DONE) return Error("note callback");
    return Status::Ok();
  }

  Result<std::vector<DestinationStatus>> Destinations() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT destination_id, last_poll_at, last_callback_at, last_error, last_error_at "
                "FROM destinations ORDER BY destination_id");
    std::vector<DestinationStatus> out;
    while (s.Step() == SQLITE_ROW) {
      out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Text(3), s.Int(4)});
    }
    return out;
  }

 private:
  static bool Follows(State from, State to) {
    if (IsTerminal(from)) return false;
    if (to == State::kRejecting) return from == State::kReceived || from == State::kFetched;
    if (to == State::kRejected) return from == State::kRejecting;
    if (from == State::kRejecting) return false;
    return static_cast<int>(to) > static_cast<int>(from);
  }

  Status Error(std::string_view what) {
    return EnvironmentError("intake journal " + std::string(what) + ": " + sqlite3_errmsg(db_));
  }

  std::mutex mu_;
  sqlite3* db_;  // guarded by mu_
};

}  // namespace

std::string_view StateName(State s) { return kStateNames[static_cast<int>(s)]; }

Result<State> ParseState(std::string_view name) {
  for (int i = 0; i < 7; ++i) {
    if (name == kStateNames[i]) return static_cast<State>(i);
  }
  return InvalidInput("unknown intake state: " + std::string(name));
}

bool IsTerminal(State s) { return s == State::kAccepted || s == State::kRejected; }

Result<std::unique_ptr<Journal>> OpenSqliteJournal(const std::filesystem::path& path,
                                                   bool release_claims) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return EnvironmentError("cannot open intake journal " + path.string() + ": " + m);
  }
  auto journal = std::make_unique<SqliteJournal>(db);
  DS_RETURN_IF_ERROR(journal->Init());
  if (release_claims) DS_RETURN_IF_ERROR(journal->ReleaseClaims());
  return std::unique_ptr<Journal>(std::move(journal));
}

}  // namespace ds::intake
