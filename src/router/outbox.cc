#include "router/outbox.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace ds::router {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS router_case (
  vorgang_id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  state TEXT NOT NULL,
  claimed_until_ms @INT@ NOT NULL,
  rule TEXT NOT NULL DEFAULT '',
  routed_at_ms @INT@ NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS router_case_state ON router_case (state, routed_at_ms);
-- The outbox query: Vorgänge still in state "new" (few at any time), so
-- that polling does not scan the E-Akte.
CREATE INDEX IF NOT EXISTS router_vorgang_new ON vorgang (received_at, id)
  WHERE state = 'new';
CREATE TABLE IF NOT EXISTS router_delivery (
  seq @SERIAL@,
  id TEXT NOT NULL UNIQUE,
  vorgang_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  target TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts @INT@ NOT NULL DEFAULT 0,
  next_attempt_ms @INT@ NOT NULL,
  claimed_until_ms @INT@ NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  filed_at @INT@ NOT NULL,
  created_ms @INT@ NOT NULL,
  delivered_ms @INT@,
  UNIQUE (vorgang_id, target)
);
CREATE INDEX IF NOT EXISTS router_delivery_head
  ON router_delivery (target, state, seq);
CREATE INDEX IF NOT EXISTS router_delivery_tenant
  ON router_delivery (tenant, state, seq);
CREATE TABLE IF NOT EXISTS router_ruleset (
  tenant TEXT PRIMARY KEY,
  rules TEXT NOT NULL,
  actor TEXT NOT NULL,
  updated_ms @INT@ NOT NULL
);
CREATE TABLE IF NOT EXISTS router_status (
  seq @SERIAL@,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  vorgang_id TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  note TEXT NOT NULL,
  dokument_id TEXT NOT NULL,
  created_ms @INT@ NOT NULL
);
CREATE INDEX IF NOT EXISTS router_status_vorgang
  ON router_status (tenant, vorgang_id, seq);
CREATE TABLE IF NOT EXISTS router_outgoing (
  seq @SERIAL@,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  vorgang_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  reference TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  created_ms @INT@ NOT NULL
);
CREATE INDEX IF NOT EXISTS router_outgoing_tenant
  ON router_outgoing (tenant, state, seq);
)sql";

constexpr const char* kDeliveryColumns =
    "seq, id, vorgang_id, tenant, target, state, attempts, next_attempt_ms, "
    "last_error, filed_at, created_ms, delivered_ms";

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

Delivery ReadDelivery(const sql::Row& r) {
  return {.seq = r.Int(0),
          .id = r.Text(1),
          .vorgang_id = r.Text(2),
          .tenant = r.Text(3),
          .target = r.Text(4),
          .state = r.Text(5),
          .attempts = static_cast<int>(r.Int(6)),
          .next_attempt_ms = r.Int(7),
          .last_error = r.Text(8),
          .filed_at = r.Int(9),
          .created_ms = r.Int(10),
          .delivered_ms = r.OptInt(11)};
}

Status Annotate(const Status& st, const char* step) {
  if (st.ok()) return st;
  return Status(st.code(),
                std::string("router outbox: ") + step + ": " + st.message());
}

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::Open(
    const std::filesystem::path& data_dir, const std::string& database_url) {
  std::unique_ptr<sql::Db> db;
  if (!database_url.empty()) {
    DS_ASSIGN_OR_RETURN(db, sql::OpenPostgres(database_url));
  } else {
    DS_ASSIGN_OR_RETURN(
        db, sql::OpenSqlite((data_dir / "records.sqlite").string()));
  }
  auto outbox = std::make_unique<Outbox>(std::move(db));
  DS_RETURN_IF_ERROR(outbox->Migrate());
  return outbox;
}

std::string Outbox::Lock() const {
  return db_->dialect() == sql::Dialect::kPostgres ? " FOR UPDATE" : "";
}

Status Outbox::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  bool pg = db_->dialect() == sql::Dialect::kPostgres;
  std::string schema = Replace(kSchema, "@INT@", pg ? "BIGINT" : "INTEGER");
  schema = Replace(
      schema, "@SERIAL@",
      pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  return Annotate(sql::ApplySchema(*db_, schema), "migrate");
}

Result<std::vector<NewCase>> Outbox::ClaimNew(int limit, int64_t now_ms,
                                              int64_t lease_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string skip = db_->dialect() == sql::Dialect::kPostgres
                         ? " FOR UPDATE OF v SKIP LOCKED"
                         : "";
  std::vector<NewCase> out;
  Status st = sql::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT v.id, v.tenant, v.destination_id, "
                   "v.service_identifier, v.received_at FROM vorgang v "
                   "LEFT JOIN router_case c ON c.vorgang_id = v.id "
                   "WHERE v.state = 'new' AND (c.vorgang_id IS NULL OR "
                   "(c.state = 'claimed' AND c.claimed_until_ms <= ?)) "
                   "ORDER BY v.received_at, v.id LIMIT ?" +
                       skip,
                   {now_ms, int64_t{limit}}));
    for (const sql::Row& r : rows) {
      // The insert (or the take-over of a lapsed claim) decides: under
      // PostgreSQL's read committed, a row skipped by SKIP LOCKED may still
      // be selected by a second router right after the first committed.
      const std::string vid = r.Text(0);
      DS_ASSIGN_OR_RETURN(
          auto won,
          db_->Query("INSERT INTO router_case (vorgang_id, tenant, state, "
                     "claimed_until_ms) VALUES (?, ?, 'claimed', ?) "
                     "ON CONFLICT (vorgang_id) DO NOTHING RETURNING vorgang_id",
                     {vid, r.Text(1), now_ms + lease_ms}));
      if (won.empty()) {
        DS_ASSIGN_OR_RETURN(
            won, db_->Query("UPDATE router_case SET claimed_until_ms = ? "
                            "WHERE vorgang_id = ? AND state = 'claimed' AND "
                            "claimed_until_ms <= ? RETURNING vorgang_id",
                            {now_ms + lease_ms, vid, now_ms}));
      }
      if (won.empty()) continue;  // another router has it
      out.push_back({.vorgang_id = vid,
                     .tenant = r.Text(1),
                     .destination_id = r.Text(2),
                     .service_identifier = r.Text(3),
                     .received_at = r.Int(4)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return Annotate(st, "claim new");
  return out;
}

Status Outbox::SaveRoute(const NewCase& c, const std::string& rule,
                         const std::vector<std::string>& targets,
                         int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      sql::InTransaction(
          *db_,
          [&]() -> Status {
            for (const std::string& target : targets) {
              DS_RETURN_IF_ERROR(
                  db_->Exec("INSERT INTO router_delivery (id, vorgang_id, "
                            "tenant, target, "
                            "state, next_attempt_ms, filed_at, created_ms) "
                            "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) "
                            "ON CONFLICT (vorgang_id, target) DO NOTHING",
                            {NewUuid(), c.vorgang_id, c.tenant, target, now_ms,
                             c.received_at, now_ms}));
            }
            return db_->Exec(
                "UPDATE router_case SET state = 'routed', rule = ?, "
                "routed_at_ms = ? WHERE vorgang_id = ? AND state = 'claimed'",
                {rule, now_ms, c.vorgang_id});
          }),
      "save route");
}

Result<std::vector<NewCase>> Outbox::Unrecorded(int64_t before_ms, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      // From the few Vorgänge still "new" (partial index) to their case
      // rows; CROSS JOIN keeps that order on SQLite.
      db_->Query("SELECT v.id, v.tenant FROM vorgang v CROSS JOIN "
                 "router_case c WHERE c.vorgang_id = v.id AND v.state = "
                 "'new' AND c.state = 'routed' AND c.routed_at_ms < ? "
                 "ORDER BY v.received_at, v.id LIMIT ?",
                 {before_ms, int64_t{limit}}));
  std::vector<NewCase> out;
  for (const sql::Row& r : rows) {
    out.push_back({.vorgang_id = r.Text(0), .tenant = r.Text(1)});
  }
  return out;
}

Result<std::optional<Delivery>> Outbox::ClaimHead(const std::string& target,
                                                  int64_t now_ms,
                                                  int64_t lease_ms) {
  DS_ASSIGN_OR_RETURN(std::vector<Delivery> heads,
                      ClaimHeads(target, now_ms, lease_ms, 1));
  if (heads.empty()) return std::optional<Delivery>();
  return std::optional<Delivery>(std::move(heads.front()));
}

Result<std::vector<Delivery>> Outbox::ClaimHeads(const std::string& target,
                                                 int64_t now_ms,
                                                 int64_t lease_ms, int max) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Delivery> out;
  Status st = sql::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query(std::string("SELECT ") + kDeliveryColumns +
                       ", claimed_until_ms FROM router_delivery WHERE target "
                       "= ? AND state = 'pending' ORDER BY seq LIMIT ?" +
                       Lock(),
                   {target, int64_t{max}}));
    for (const sql::Row& r : rows) {
      Delivery d = ReadDelivery(r);
      // Strict order: stop at the first one not due or held by another
      // attempt.
      if (d.next_attempt_ms > now_ms || r.Int(12) > now_ms) break;
      DS_RETURN_IF_ERROR(db_->Exec(
          "UPDATE router_delivery SET claimed_until_ms = ? WHERE id = ?",
          {now_ms + lease_ms, d.id}));
      out.push_back(std::move(d));
    }
    return Status::Ok();
  });
  if (!st.ok()) return Annotate(st, "claim deliveries");
  return out;
}

Status Outbox::Release(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("UPDATE router_delivery SET claimed_until_ms = 0 WHERE id = ? "
                "AND state = 'pending'",
                {id}),
      "release");
}

Status Outbox::Delivered(const std::string& id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("UPDATE router_delivery SET state = 'delivered', attempts = "
                "attempts + 1, delivered_ms = ?, claimed_until_ms = 0, "
                "last_error = '' WHERE id = ? AND state = 'pending'",
                {now_ms, id}),
      "delivered");
}

Status Outbox::Retry(const std::string& id, const std::string& error,
                     int64_t next_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("UPDATE router_delivery SET attempts = attempts + 1, "
                "last_error = ?, next_attempt_ms = ?, claimed_until_ms = 0 "
                "WHERE id = ? AND state = 'pending'",
                {error, next_ms, id}),
      "retry");
}

Status Outbox::Dead(const std::string& id, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("UPDATE router_delivery SET state = 'dead', attempts = "
                "attempts + 1, last_error = ?, claimed_until_ms = 0 "
                "WHERE id = ? AND state = 'pending'",
                {error, id}),
      "dead letter");
}

Status Outbox::Requeue(const std::string& tenant, const std::string& id,
                       int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      sql::InTransaction(
          *db_,
          [&]() -> Status {
            DS_ASSIGN_OR_RETURN(
                auto rows,
                db_->Query(
                    "SELECT state FROM router_delivery WHERE tenant = ? AND "
                    "id = ?" +
                        Lock(),
                    {tenant, id}));
            if (rows.empty()) return NotFound("delivery not found");
            if (rows.front().Text(0) != "dead") {
              return Status(Code::kConflict,
                            "only a dead letter can be redelivered");
            }
            return db_->Exec(
                "UPDATE router_delivery SET state = 'pending', attempts = 0, "
                "next_attempt_ms = ?, claimed_until_ms = 0 WHERE id = ?",
                {now_ms, id});
          }),
      "requeue");
}

Result<Delivery> Outbox::Get(const std::string& tenant, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(std::string("SELECT ") + kDeliveryColumns +
                     " FROM router_delivery WHERE tenant = ? AND id = ?",
                 {tenant, id}));
  if (rows.empty()) return NotFound("delivery not found");
  return ReadDelivery(rows.front());
}

Result<std::vector<Delivery>> Outbox::ForVorgang(const std::string& tenant,
                                                 const std::string& vid) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query(std::string("SELECT ") + kDeliveryColumns +
                                " FROM router_delivery WHERE tenant = ? AND "
                                "vorgang_id = ? ORDER BY seq",
                            {tenant, vid}));
  std::vector<Delivery> out;
  for (const sql::Row& r : rows) out.push_back(ReadDelivery(r));
  return out;
}

Result<std::vector<Delivery>> Outbox::List(const std::string& tenant,
                                           const std::string& state,
                                           int64_t after_seq, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kDeliveryColumns +
                    " FROM router_delivery WHERE tenant = ? AND seq > ?";
  sql::Params params = {tenant, after_seq};
  if (!state.empty()) {
    sql += " AND state = ?";
    params.push_back(state);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push_back(int64_t{limit});
  DS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  std::vector<Delivery> out;
  for (const sql::Row& r : rows) out.push_back(ReadDelivery(r));
  return out;
}

Result<std::string> Outbox::CaseState(const std::string& vorgang_id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT state, COUNT(*) FROM router_delivery WHERE "
                            "vorgang_id = ? GROUP BY state",
                            {vorgang_id}));
  if (rows.empty()) return std::string("manual");
  bool pending = false, dead = false;
  for (const sql::Row& r : rows) {
    pending = pending || r.Text(0) == "pending";
    dead = dead || r.Text(0) == "dead";
  }
  if (pending) return std::string("routing");
  return std::string(dead ? "failed" : "delivered");
}

Result<std::vector<Delivery>> Outbox::Feed(const std::string& tenant,
                                           const std::string& target,
                                           int64_t after_seq, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(std::string("SELECT ") + kDeliveryColumns +
                     " FROM router_delivery WHERE tenant = ? AND target = ? "
                     "AND state = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
                 {tenant, target, after_seq, int64_t{limit}}));
  std::vector<Delivery> out;
  for (const sql::Row& r : rows) out.push_back(ReadDelivery(r));
  return out;
}

Result<int> Outbox::Ack(const std::string& tenant, const std::string& target,
                        const std::vector<std::string>& ids, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  int changed = 0;
  Status st = sql::InTransaction(*db_, [&]() -> Status {
    for (const std::string& id : ids) {
      DS_ASSIGN_OR_RETURN(
          auto rows,
          db_->Query("SELECT state FROM router_delivery WHERE tenant = ? "
                     "AND target = ? AND id = ?" +
                         Lock(),
                     {tenant, target, id}));
      if (rows.empty()) return NotFound("delivery " + id + " not in this feed");
      if (rows.front().Text(0) != "pending") continue;
      DS_RETURN_IF_ERROR(db_->Exec(
          "UPDATE router_delivery SET state = 'delivered', attempts = "
          "attempts + 1, delivered_ms = ? WHERE id = ?",
          {now_ms, id}));
      ++changed;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return changed;
}

Result<std::optional<std::vector<Rule>>> Outbox::LoadRules(
    const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT rules FROM router_ruleset WHERE tenant = ?",
                            {tenant}));
  if (rows.empty()) return std::optional<std::vector<Rule>>();
  nlohmann::json j =
      nlohmann::json::parse(rows.front().Text(0), nullptr, false);
  if (!j.is_array()) return Internal("router: stored rules are not an array");
  std::vector<Rule> rules;
  for (const auto& e : j) {
    DS_ASSIGN_OR_RETURN(Rule r, RuleFromJson(e));
    r.tenant = tenant;
    rules.push_back(std::move(r));
  }
  return std::optional<std::vector<Rule>>(std::move(rules));
}

Status Outbox::SaveRules(const std::string& tenant,
                         const std::vector<Rule>& rules,
                         const std::string& actor, int64_t now_ms) {
  nlohmann::json j = nlohmann::json::array();
  for (const Rule& r : rules) j.push_back(RuleToJson(r));
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("INSERT INTO router_ruleset (tenant, rules, actor, "
                "updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT (tenant) DO "
                "UPDATE SET rules = excluded.rules, actor = excluded.actor, "
                "updated_ms = excluded.updated_ms",
                {tenant, j.dump(), actor, now_ms}),
      "save rules");
}

Result<std::string> Outbox::ReplyChannel(const std::string& tenant,
                                         const std::string& vorgang_id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(
          "SELECT reply_channel FROM vorgang WHERE tenant = ? AND id = ?",
          {tenant, vorgang_id}));
  if (rows.empty()) return NotFound("vorgang not found");
  return rows.front().Text(0);
}

Status Outbox::AddStatus(const std::string& tenant, const StatusReport& s) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("INSERT INTO router_status (id, tenant, vorgang_id, source, "
                "status, note, dokument_id, created_ms) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?)",
                {s.id, tenant, s.vorgang_id, s.source, s.status, s.note,
                 s.dokument_id, s.created_ms}),
      "add status");
}

Result<std::vector<StatusReport>> Outbox::StatusOf(const std::string& tenant,
                                                   const std::string& vid) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, vorgang_id, source, status, note, dokument_id, "
                 "created_ms FROM router_status WHERE tenant = ? AND "
                 "vorgang_id = ? ORDER BY seq",
                 {tenant, vid}));
  std::vector<StatusReport> out;
  for (const sql::Row& r : rows) {
    out.push_back({.id = r.Text(0),
                   .vorgang_id = r.Text(1),
                   .source = r.Text(2),
                   .status = r.Text(3),
                   .note = r.Text(4),
                   .dokument_id = r.Text(5),
                   .created_ms = r.Int(6)});
  }
  return out;
}

Status Outbox::AddOutgoing(const std::string& tenant, const OutgoingAnswer& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return Annotate(
      db_->Exec("INSERT INTO router_outgoing (id, tenant, vorgang_id, kind, "
                "reference, channel, state, created_ms) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?)",
                {a.id, tenant, a.vorgang_id, a.kind, a.reference, a.channel,
                 a.state, a.created_ms}),
      "add outgoing");
}

Result<std::vector<OutgoingAnswer>> Outbox::ListOutgoing(
    const std::string& tenant, const std::string& vorgang_id,
    const std::string& state, int64_t after_seq, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql =
      "SELECT seq, id, vorgang_id, kind, reference, channel, state, "
      "created_ms FROM router_outgoing WHERE tenant = ? AND seq > ?";
  sql::Params params = {tenant, after_seq};
  if (!vorgang_id.empty()) {
    sql += " AND vorgang_id = ?";
    params.push_back(vorgang_id);
  }
  if (!state.empty()) {
    sql += " AND state = ?";
    params.push_back(state);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push_back(int64_t{limit});
  DS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  std::vector<OutgoingAnswer> out;
  for (const sql::Row& r : rows) {
    out.push_back({.seq = r.Int(0),
                   .id = r.Text(1),
                   .vorgang_id = r.Text(2),
                   .kind = r.Text(3),
                   .reference = r.Text(4),
                   .channel = r.Text(5),
                   .state = r.Text(6),
                   .created_ms = r.Int(7)});
  }
  return out;
}

}  // namespace ds::router
