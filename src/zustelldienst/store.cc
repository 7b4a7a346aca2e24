#include "zustelldienst/store.h"

#include <chrono>

#include "core/encoding.h"
#include "core/files.h"

namespace ds::zustelldienst {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS clients(
  client_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, role TEXT NOT NULL,
  destinations TEXT NOT NULL, name TEXT, created_at INTEGER);
CREATE TABLE IF NOT EXISTS tokens(
  token_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at INTEGER);
CREATE TABLE IF NOT EXISTS destinations(
  id TEXT PRIMARY KEY, status TEXT NOT NULL, encryption_kid TEXT,
  services TEXT, metadata_versions TEXT, reply_channels TEXT,
  callback_url TEXT, callback_secret TEXT, created_at INTEGER);
CREATE TABLE IF NOT EXISTS destination_keys(
  destination_id TEXT NOT NULL, kid TEXT NOT NULL, purpose TEXT NOT NULL,
  jwk TEXT NOT NULL, PRIMARY KEY(destination_id, kid));
CREATE TABLE IF NOT EXISTS submissions(
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL, destination_id TEXT NOT NULL,
  sender_client TEXT, service_type TEXT, announced TEXT, state TEXT NOT NULL,
  encrypted_metadata TEXT, encrypted_data TEXT, created_at INTEGER,
  submitted_at INTEGER, callback_url TEXT, callback_secret TEXT,
  authentication_tags TEXT);
CREATE INDEX IF NOT EXISTS submissions_pickup
  ON submissions(state, destination_id, submitted_at);
CREATE INDEX IF NOT EXISTS submissions_case ON submissions(case_id);
CREATE TABLE IF NOT EXISTS attachments(
  submission_id TEXT NOT NULL, attachment_id TEXT NOT NULL, size INTEGER,
  path TEXT, tag TEXT, PRIMARY KEY(submission_id, attachment_id));
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL,
  submission_id TEXT, jti TEXT UNIQUE, event TEXT, token TEXT NOT NULL,
  created_at INTEGER);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, seq);
CREATE TABLE IF NOT EXISTS callbacks(
  id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, secret TEXT,
  body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  due_ms INTEGER NOT NULL, delivered_ms INTEGER, last_error TEXT);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks(delivered_ms, due_ms);
)sql";

std::string Text(const SqlValue& v) { return v.kind == SqlValue::kText ? v.s : ""; }
int64_t Int(const SqlValue& v) { return v.kind == SqlValue::kInt ? v.i : 0; }
nlohmann::json Json(const SqlValue& v, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(Text(v), nullptr, false);
  return j.is_discarded() ? fallback : j;
}
std::vector<std::string> Strings(const SqlValue& v) {
  std::vector<std::string> out;
  auto j = Json(v, nlohmann::json::array());
  for (const auto& s : j) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

const char* RoleName(Role r) {
  return r == Role::kSender ? "sender" : "subscriber";
}

ClientRow ClientFrom(const SqlRow& r) {
  ClientRow c;
  c.client_id = Text(r[0]);
  c.secret_hash = Text(r[1]);
  c.role = Text(r[2]) == "subscriber" ? Role::kSubscriber : Role::kSender;
  c.destinations = Strings(r[3]);
  return c;
}

constexpr std::string_view kSubmissionColumns =
    "id, case_id, destination_id, sender_client, service_type, announced, "
    "state, encrypted_metadata, encrypted_data, created_at, submitted_at, "
    "callback_url, callback_secret, authentication_tags";

SubmissionRow SubmissionFrom(const SqlRow& r) {
  SubmissionRow s;
  s.id = Text(r[0]);
  s.case_id = Text(r[1]);
  s.destination_id = Text(r[2]);
  s.sender_client = Text(r[3]);
  s.service_type = Json(r[4], nlohmann::json::object());
  s.announced = Strings(r[5]);
  s.state = Text(r[6]);
  s.encrypted_metadata = Text(r[7]);
  s.encrypted_data = Text(r[8]);
  s.created_at = Int(r[9]);
  s.submitted_at = Int(r[10]);
  s.callback_url = Text(r[11]);
  s.callback_secret = Text(r[12]);
  s.authentication_tags = Json(r[13], nlohmann::json());
  return s;
}

Result<std::vector<SubmissionRow>> SubmissionsWhere(
    Db& db, const std::string& where, const std::vector<SqlValue>& params) {
  std::string sql = "SELECT " + std::string(kSubmissionColumns) +
                    " FROM submissions " + where;
  DS_ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
  std::vector<SubmissionRow> out;
  for (const auto& r : rows) out.push_back(SubmissionFrom(r));
  return out;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir) {
  DS_RETURN_IF_ERROR(EnsureDir(dir));
  DS_RETURN_IF_ERROR(EnsureDir(dir / "attachments"));
  DS_ASSIGN_OR_RETURN(auto db, Db::Open((dir / "zustelldienst.db").string()));
  std::unique_ptr<Store> store(new Store(dir, std::move(db)));
  DS_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status Store::Migrate() {
  std::lock_guard lock(mu_);
  return db_->Exec(kSchema);
}

std::filesystem::path Store::AttachmentPath(
    std::string_view submission_id, std::string_view attachment_id) const {
  return dir_ / "attachments" / std::string(submission_id) /
         (std::string(attachment_id) + ".jwe");
}

Status Store::Transaction(const std::function<Status(Db&)>& body) {
  std::lock_guard lock(mu_);
  DS_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  Status s = body(*db_);
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  return db_->Exec("COMMIT");
}

// Clients and tokens.

Status Store::InsertClient(const ClientRow& row, std::string_view name) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("INSERT INTO clients VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            {row.client_id, row.secret_hash, RoleName(row.role),
             nlohmann::json(row.destinations).dump(), name, UnixNow()})
      .status();
}

Result<std::optional<ClientRow>> Store::FindClient(std::string_view id) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows,
                      db_->Query("SELECT client_id, secret_hash, role, "
                                 "destinations FROM clients WHERE client_id=?1",
                                 {id}));
  if (rows.empty()) return std::optional<ClientRow>();
  return std::optional<ClientRow>(ClientFrom(rows[0]));
}

Status Store::InsertToken(std::string_view token_hash,
                          std::string_view client_id, int64_t expires_at) {
  std::lock_guard lock(mu_);
  DS_RETURN_IF_ERROR(
      db_->Run("DELETE FROM tokens WHERE expires_at < ?1", {UnixNow()}));
  return db_
      ->Run("INSERT INTO tokens VALUES(?1, ?2, ?3)",
            {token_hash, client_id, expires_at})
      .status();
}

Result<std::optional<ClientRow>> Store::ClientForToken(
    std::string_view token_hash, int64_t now) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT c.client_id, c.secret_hash, c.role, c.destinations "
                 "FROM tokens t JOIN clients c ON c.client_id = t.client_id "
                 "WHERE t.token_hash=?1 AND t.expires_at > ?2",
                 {token_hash, now}));
  if (rows.empty()) return std::optional<ClientRow>();
  return std::optional<ClientRow>(ClientFrom(rows[0]));
}

// Destinations and keys.

Status Store::InsertDestination(const DestinationRow& d) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("INSERT INTO destinations VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            {d.id, d.status, d.encryption_kid, d.services.dump(),
             d.metadata_versions.dump(), d.reply_channels.dump(),
             d.callback_url, d.callback_secret, UnixNow()})
      .status();
}

Status Store::UpdateDestination(const DestinationRow& d) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("UPDATE destinations SET status=?2, encryption_kid=?3, "
            "services=?4, metadata_versions=?5, reply_channels=?6, "
            "callback_url=?7, callback_secret=?8 WHERE id=?1",
            {d.id, d.status, d.encryption_kid, d.services.dump(),
             d.metadata_versions.dump(), d.reply_channels.dump(),
             d.callback_url, d.callback_secret})
      .status();
}

Result<std::optional<DestinationRow>> Store::FindDestination(
    std::string_view id) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, status, encryption_kid, services, "
                 "metadata_versions, reply_channels, callback_url, "
                 "callback_secret FROM destinations WHERE id=?1",
                 {id}));
  if (rows.empty()) return std::optional<DestinationRow>();
  const SqlRow& r = rows[0];
  DestinationRow d;
  d.id = Text(r[0]);
  d.status = Text(r[1]);
  d.encryption_kid = Text(r[2]);
  d.services = Json(r[3], nlohmann::json::array());
  d.metadata_versions = Json(r[4], nlohmann::json::array());
  d.reply_channels = Json(r[5], nlohmann::json::array());
  d.callback_url = Text(r[6]);
  d.callback_secret = Text(r[7]);
  return std::optional<DestinationRow>(std::move(d));
}

Status Store::InsertKey(std::string_view destination_id, std::string_view kid,
                        std::string_view purpose, const nlohmann::json& jwk) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("INSERT INTO destination_keys VALUES(?1, ?2, ?3, ?4)",
            {destination_id, kid, purpose, jwk.dump()})
      .status();
}

Result<std::optional<nlohmann::json>> Store::FindKey(
    std::string_view destination_id, std::string_view kid,
    std::string_view purpose) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT jwk, purpose FROM destination_keys "
                            "WHERE destination_id=?1 AND kid=?2",
                            {destination_id, kid}));
  if (rows.empty()) return std::optional<nlohmann::json>();
  if (!purpose.empty() && Text(rows[0][1]) != purpose) {
    return std::optional<nlohmann::json>();
  }
  return std::optional<nlohmann::json>(Json(rows[0][0], nlohmann::json()));
}

// Submissions.

Result<std::optional<SubmissionRow>> Store::FindSubmission(std::string_view id) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows, SubmissionsWhere(*db_, "WHERE id=?1", {id}));
  if (rows.empty()) return std::optional<SubmissionRow>();
  return std::optional<SubmissionRow>(std::move(rows[0]));
}

Result<std::vector<AttachmentRow>> Store::Attachments(
    std::string_view submission_id) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT attachment_id, size, path, tag FROM "
                            "attachments WHERE submission_id=?1",
                            {submission_id}));
  std::vector<AttachmentRow> out;
  for (const auto& r : rows) {
    out.push_back({Text(r[0]), static_cast<uint64_t>(Int(r[1])),
                   std::filesystem::path(Text(r[2])), Text(r[3])});
  }
  return out;
}

Result<std::vector<SubmissionRow>> Store::PendingPickup(
    const std::vector<std::string>& destinations, int64_t offset,
    int64_t limit, int64_t* total) {
  std::lock_guard lock(mu_);
  if (destinations.empty()) {
    *total = 0;
    return std::vector<SubmissionRow>();
  }
  std::string in = "(";
  std::vector<SqlValue> params = {std::string(kSubmitted)};
  for (size_t i = 0; i < destinations.size(); ++i) {
    in += (i ? ",?" : "?") + std::to_string(i + 2);
    params.emplace_back(destinations[i]);
  }
  in += ")";
  std::string where = "WHERE state=?1 AND destination_id IN " + in;
  DS_ASSIGN_OR_RETURN(
      auto count, db_->Query("SELECT COUNT(*) FROM submissions " + where, params));
  *total = Int(count[0][0]);
  params.emplace_back(limit);
  params.emplace_back(offset);
  return SubmissionsWhere(
      *db_,
      where + " ORDER BY submitted_at, id LIMIT ?" +
          std::to_string(params.size() - 1) + " OFFSET ?" +
          std::to_string(params.size()),
      params);
}

Result<std::vector<SubmissionRow>> Store::SubmittedBefore(int64_t time) {
  std::lock_guard lock(mu_);
  return SubmissionsWhere(*db_, "WHERE state=?1 AND submitted_at < ?2",
                          {std::string(kSubmitted), time});
}

Result<bool> Store::CaseExists(std::string_view case_id,
                               std::string_view destination_id) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT 1 FROM submissions WHERE case_id=?1 AND "
                            "destination_id=?2 LIMIT 1",
                            {case_id, destination_id}));
  return !rows.empty();
}

Result<std::vector<SubmissionRow>> Store::CaseSubmissions(
    std::string_view case_id) {
  std::lock_guard lock(mu_);
  return SubmissionsWhere(*db_, "WHERE case_id=?1 ORDER BY created_at",
                          {case_id});
}

Result<std::vector<std::string>> Store::Events(std::string_view case_id,
                                               int64_t offset, int64_t limit,
                                               int64_t* total) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto count,
      db_->Query("SELECT COUNT(*) FROM events WHERE case_id=?1", {case_id}));
  *total = Int(count[0][0]);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT token FROM events WHERE case_id=?1 "
                            "ORDER BY seq LIMIT ?2 OFFSET ?3",
                            {case_id, limit, offset}));
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(Text(r[0]));
  return out;
}

// Callbacks.

Result<std::vector<CallbackRow>> Store::DueCallbacks(int64_t now_ms,
                                                     int limit) {
  std::lock_guard lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, url, secret, body, attempts FROM callbacks "
                 "WHERE delivered_ms IS NULL AND due_ms <= ?1 "
                 "ORDER BY due_ms, id LIMIT ?2",
                 {now_ms, limit}));
  std::vector<CallbackRow> out;
  for (const auto& r : rows) {
    out.push_back({Int(r[0]), Text(r[1]), Text(r[2]), Text(r[3]),
                   static_cast<int>(Int(r[4]))});
  }
  return out;
}

Status Store::CallbackDelivered(int64_t id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("UPDATE callbacks SET delivered_ms=?2, attempts=attempts+1, "
            "last_error=NULL WHERE id=?1",
            {id, now_ms})
      .status();
}

Status Store::CallbackFailed(int64_t id, int64_t next_ms,
                             std::string_view error) {
  std::lock_guard lock(mu_);
  return db_
      ->Run("UPDATE callbacks SET due_ms=?2, attempts=attempts+1, "
            "last_error=?3 WHERE id=?1",
            {id, next_ms, error})
      .status();
}

// Writers inside transactions.

Status InsertSubmission(Db& db, const SubmissionRow& s) {
  return db
      .Run("INSERT INTO submissions(" + std::string(kSubmissionColumns) +
               ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
           {s.id, s.case_id, s.destination_id, s.sender_client,
            s.service_type.dump(), nlohmann::json(s.announced).dump(), s.state,
            s.encrypted_metadata, s.encrypted_data, s.created_at,
            s.submitted_at, s.callback_url, s.callback_secret,
            s.authentication_tags.dump()})
      .status();
}

Status UpsertAttachment(Db& db, std::string_view submission_id,
                        const AttachmentRow& a) {
  return db
      .Run("INSERT OR REPLACE INTO attachments VALUES(?1, ?2, ?3, ?4, ?5)",
           {submission_id, a.attachment_id, static_cast<int64_t>(a.size),
            a.path.string(), a.tag})
      .status();
}

Status SetSubmissionState(Db& db, std::string_view id,
                          std::string_view state) {
  return db.Run("UPDATE submissions SET state=?2 WHERE id=?1", {id, state})
      .status();
}

Status SaveSubmitted(Db& db, const SubmissionRow& s) {
  return db
      .Run("UPDATE submissions SET state=?2, encrypted_metadata=?3, "
           "encrypted_data=?4, submitted_at=?5, authentication_tags=?6 "
           "WHERE id=?1",
           {s.id, s.state, s.encrypted_metadata, s.encrypted_data,
            s.submitted_at, s.authentication_tags.dump()})
      .status();
}

Status AppendEvent(Db& db, std::string_view case_id,
                   std::string_view submission_id, std::string_view jti,
                   std::string_view event, std::string_view token) {
  return db
      .Run("INSERT INTO events(case_id, submission_id, jti, event, token, "
           "created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
           {case_id, submission_id, jti, event, token, UnixNow()})
      .status();
}

Status EnqueueCallback(Db& db, std::string_view url, std::string_view secret,
                       std::string_view body, int64_t due_ms) {
  return db
      .Run("INSERT INTO callbacks(url, secret, body, due_ms) "
           "VALUES(?1, ?2, ?3, ?4)",
           {url, secret, body, due_ms})
      .status();
}

}  // namespace ds::zustelldienst
