#include "intake/journal_sql.h"

#include <mutex>

#include "core/encoding.h"
#include "sql/db.h"

namespace ds::intake {
namespace {

constexpr const char* kStateNames[] = {"received", "fetched",   "checked", "filed",
                                       "accepted", "rejecting", "rejected"};

// The same tables in both dialects; SQLite keeps them STRICT.
std::string Schema(sql::Dialect dialect) {
  bool pg = dialect == sql::Dialect::kPostgres;
  std::string integer = pg ? "BIGINT" : "INTEGER";
  std::string strict = pg ? "" : " STRICT";
  return "CREATE TABLE IF NOT EXISTS submissions (\n"
         "  submission_id TEXT PRIMARY KEY,\n"
         "  case_id TEXT NOT NULL,\n"
         "  destination_id TEXT NOT NULL,\n"
         "  state TEXT NOT NULL,\n"
         "  attempts " + integer + " NOT NULL DEFAULT 0,\n"
         "  next_attempt_at " + integer + " NOT NULL DEFAULT 0,\n"
         "  claimed_until " + integer + " NOT NULL DEFAULT 0,\n"
         "  last_error TEXT NOT NULL DEFAULT '',\n"
         "  problems_json TEXT NOT NULL DEFAULT '',\n"
         "  vorgang_id TEXT NOT NULL DEFAULT '',\n"
         "  created_at " + integer + " NOT NULL,\n"
         "  updated_at " + integer + " NOT NULL\n"
         ")" + strict + ";\n"
         "CREATE INDEX IF NOT EXISTS submissions_due ON submissions(state, next_attempt_at);\n"
         "CREATE INDEX IF NOT EXISTS submissions_case ON submissions(case_id);\n"
         "CREATE TABLE IF NOT EXISTS destinations (\n"
         "  destination_id TEXT PRIMARY KEY,\n"
         "  last_poll_at " + integer + " NOT NULL DEFAULT 0,\n"
         "  last_callback_at " + integer + " NOT NULL DEFAULT 0,\n"
         "  last_error TEXT NOT NULL DEFAULT '',\n"
         "  last_error_at " + integer + " NOT NULL DEFAULT 0\n"
         ")" + strict + ";\n";
}

constexpr const char* kColumns =
    "submission_id, case_id, destination_id, state, attempts, next_attempt_at, "
    "last_error, problems_json, vorgang_id, created_at, updated_at";

JournalEntry ReadEntry(const sql::Row& r) {
  JournalEntry e;
  e.submission_id = r.Text(0);
  e.case_id = r.Text(1);
  e.destination_id = r.Text(2);
  Result<State> st = ParseState(r.Text(3));
  e.state = st.ok() ? *st : State::kReceived;
  e.attempts = static_cast<int>(r.Int(4));
  e.next_attempt_at = r.Int(5);
  e.last_error = r.Text(6);
  e.problems_json = r.Text(7);
  e.vorgang_id = r.Text(8);
  e.created_at = r.Int(9);
  e.updated_at = r.Int(10);
  return e;
}

// Forward moves only: the order of the state machine in journal.h.
bool Follows(State from, State to) {
  if (IsTerminal(from)) return false;
  if (to == State::kRejecting) return from == State::kReceived || from == State::kFetched;
  if (to == State::kRejected) return from == State::kRejecting;
  if (from == State::kRejecting) return false;
  return static_cast<int>(to) > static_cast<int>(from);
}

Status Annotate(const Status& s, std::string_view what) {
  if (s.ok()) return s;
  return Status(s.code(), "intake journal " + std::string(what) + ": " + s.message());
}

class SqlJournal : public Journal {
 public:
  explicit SqlJournal(std::unique_ptr<sql::Db> db) : db_(std::move(db)) {}

  Status Init() { return Annotate(sql::ApplySchema(*db_, Schema(db_->dialect())), "schema"); }

  Status ReleaseClaims() {
    std::lock_guard<std::mutex> lock(mu_);
    return Annotate(db_->Exec("UPDATE submissions SET claimed_until = 0 WHERE claimed_until > 0"),
                    "release claims");
  }

  Result<bool> Receive(const std::string& sid, const std::string& cid,
                       const std::string& did) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = UnixNow();
    Result<std::vector<sql::Row>> rows = db_->Query(
        "INSERT INTO submissions(submission_id, case_id, destination_id, state, "
        "created_at, updated_at) VALUES(?,?,?,'received',?,?) "
        "ON CONFLICT(submission_id) DO NOTHING RETURNING submission_id",
        {sid, cid, did, now, now});
    if (!rows.ok()) return Annotate(rows.status(), "receive");
    return rows->size() == 1;
  }

  Status Advance(const std::string& sid, State to, const std::string& vorgang,
                 const std::string& problems) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Annotate(sql::InTransaction(*db_, [&]() -> Status {
      std::string lock_rows = db_->dialect() == sql::Dialect::kPostgres ? " FOR UPDATE" : "";
      DS_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("SELECT state FROM submissions WHERE submission_id = ?" +
                                         lock_rows, {sid}));
      if (rows.empty()) return NotFound("no entry for submission " + sid);
      DS_ASSIGN_OR_RETURN(State from, ParseState(rows[0].Text(0)));
      if (!Follows(from, to)) {
        return Status(Code::kConflict, std::string(StateName(from)) + " cannot move to " +
                                           std::string(StateName(to)));
      }
      return db_->Exec(
          "UPDATE submissions SET state = ?, attempts = 0, next_attempt_at = 0, "
          "last_error = '', vorgang_id = CASE WHEN ? = '' THEN vorgang_id ELSE ? END, "
          "problems_json = CASE WHEN ? = '' THEN problems_json ELSE ? END, "
          "updated_at = ? WHERE submission_id = ?",
          {std::string(StateName(to)), vorgang, vorgang, problems, problems, UnixNow(), sid});
    }), "advance");
  }

  Status Fail(const std::string& sid, const std::string& error, int64_t retry_at) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Annotate(
        db_->Exec("UPDATE submissions SET attempts = attempts + 1, last_error = ?, "
                  "next_attempt_at = ?, claimed_until = 0, updated_at = ? "
                  "WHERE submission_id = ?",
                  {error, retry_at, UnixNow(), sid}),
        "fail");
  }

  Result<std::optional<JournalEntry>> Get(const std::string& sid) override {
    std::lock_guard<std::mutex> lock(mu_);
    Result<std::vector<sql::Row>> rows = db_->Query(
        std::string("SELECT ") + kColumns +
            " FROM submissions WHERE submission_id = ? OR case_id = ? "
            "ORDER BY created_at LIMIT 1",
        {sid, sid});
    if (!rows.ok()) return Annotate(rows.status(), "get");
    if (rows->empty()) return std::optional<JournalEntry>();
    return std::optional<JournalEntry>(ReadEntry(rows->front()));
  }

  // One transaction selects and claims, so that two hub processes never
  // claim the same entry: SQLite serialises writers (BEGIN IMMEDIATE);
  // PostgreSQL locks the chosen rows and lets the other process skip them.
  Status ExtendClaims(const std::vector<std::string>& sids, int64_t now,
                      int64_t until) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& sid : sids) {
      DS_RETURN_IF_ERROR(Annotate(
          db_->Exec("UPDATE submissions SET claimed_until = ? WHERE submission_id = ? "
                    "AND claimed_until > ? AND state NOT IN ('accepted','rejected')",
                    {until, sid, now}),
          "extend claim"));
    }
    return Status::Ok();
  }

  Result<std::vector<JournalEntry>> ClaimDue(int limit, int64_t now, int lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JournalEntry> out;
    std::string skip = db_->dialect() == sql::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
    Status st = sql::InTransaction(*db_, [&]() -> Status {
      DS_ASSIGN_OR_RETURN(
          auto rows,
          db_->Query(std::string("SELECT ") + kColumns +
                         " FROM submissions WHERE state NOT IN ('accepted','rejected') "
                         "AND next_attempt_at <= ? AND claimed_until <= ? "
                         "ORDER BY created_at, submission_id LIMIT ?" + skip,
                     {now, now, int64_t{limit}}));
      for (const sql::Row& r : rows) {
        out.push_back(ReadEntry(r));
        DS_RETURN_IF_ERROR(db_->Exec(
            "UPDATE submissions SET claimed_until = ? WHERE submission_id = ?",
            {now + lease, out.back().submission_id}));
      }
      return Status::Ok();
    });
    if (!st.ok()) return Annotate(st, "claim");
    return out;
  }

  Result<std::vector<JournalEntry>> List(const std::string& did, bool only_open) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string q = std::string("SELECT ") + kColumns +
                    " FROM submissions WHERE (? = '' OR destination_id = ?)";
    if (only_open) q += " AND state NOT IN ('accepted','rejected')";
    q += " ORDER BY created_at, submission_id";
    Result<std::vector<sql::Row>> rows = db_->Query(q, {did, did});
    if (!rows.ok()) return Annotate(rows.status(), "list");
    std::vector<JournalEntry> out;
    for (const sql::Row& r : *rows) out.push_back(ReadEntry(r));
    return out;
  }

  Status NotePoll(const std::string& did, int64_t at, const std::string& error) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t error_at = error.empty() ? 0 : at;
    return Annotate(
        db_->Exec("INSERT INTO destinations(destination_id, last_poll_at, last_error, "
                  "last_error_at) VALUES(?, ?, ?, ?) "
                  "ON CONFLICT(destination_id) DO UPDATE SET last_poll_at = ?, "
                  "last_error = CASE WHEN ? = '' THEN destinations.last_error ELSE ? END, "
                  "last_error_at = CASE WHEN ? = '' THEN destinations.last_error_at ELSE ? END",
                  {did, at, error, error_at, at, error, error, error, at}),
        "note poll");
  }

  Status NoteCallback(const std::string& did, int64_t at) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Annotate(db_->Exec("INSERT INTO destinations(destination_id, last_callback_at) "
                              "VALUES(?, ?) ON CONFLICT(destination_id) "
                              "DO UPDATE SET last_callback_at = ?",
                              {did, at, at}),
                    "note callback");
  }

  Result<std::vector<DestinationStatus>> Destinations() override {
    std::lock_guard<std::mutex> lock(mu_);
    Result<std::vector<sql::Row>> rows = db_->Query(
        "SELECT destination_id, last_poll_at, last_callback_at, last_error, last_error_at "
        "FROM destinations ORDER BY destination_id");
    if (!rows.ok()) return Annotate(rows.status(), "destinations");
    std::vector<DestinationStatus> out;
    for (const sql::Row& r : *rows) {
      out.push_back({r.Text(0), r.Int(1), r.Int(2), r.Text(3), r.Int(4)});
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<sql::Db> db_;  // guarded by mu_
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
  Result<std::unique_ptr<sql::Db>> db = sql::OpenSqlite(path.string());
  if (!db.ok()) {
    return EnvironmentError("cannot open intake journal " + path.string() + ": " +
                            db.status().message());
  }
  auto journal = std::make_unique<SqlJournal>(std::move(*db));
  DS_RETURN_IF_ERROR(journal->Init());
  if (release_claims) DS_RETURN_IF_ERROR(journal->ReleaseClaims());
  return std::unique_ptr<Journal>(std::move(journal));
}

Result<std::unique_ptr<Journal>> OpenPostgresJournal(const std::string& conninfo) {
  Result<std::unique_ptr<sql::Db>> db = sql::OpenPostgres(conninfo);
  if (!db.ok()) {
    return EnvironmentError("cannot connect the intake journal to PostgreSQL: " +
                            db.status().message());
  }
  auto journal = std::make_unique<SqlJournal>(std::move(*db));
  DS_RETURN_IF_ERROR(journal->Init());
  return std::unique_ptr<Journal>(std::move(journal));
}

}  // namespace ds::intake
