#include "gateway/store.h"

#include "core/encoding.h"
#include "core/files.h"

namespace ds::gateway {
namespace {

using zustelldienst::SqlRow;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS applications (
  submission_id TEXT PRIMARY KEY,
  portal_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  service_identifier TEXT NOT NULL,
  attachments INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  problems TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

SentApplication FromRow(const SqlRow& r) {
  SentApplication a;
  a.submission_id = r[0].s;
  a.portal_id = r[1].s;
  a.case_id = r[2].s;
  a.destination_id = r[3].s;
  a.service_identifier = r[4].s;
  a.attachments = r[5].i;
  a.bytes = r[6].i;
  a.created_at = r[7].i;
  a.state = r[8].s;
  a.problems_json = r[9].s;
  a.updated_at = r[10].i;
  return a;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir) {
  DS_RETURN_IF_ERROR(EnsureDir(dir));
  auto db = zustelldienst::Db::Open((dir / "gateway.db").string());
  if (!db.ok()) return Status(db.status()).Prepend("gateway store");
  DS_RETURN_IF_ERROR((*db)->Exec(kSchema));
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Status Store::Add(const SentApplication& a) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = UnixNow();
  return db_
      ->Run(
          "INSERT INTO applications VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
          "?8, ?9, ?10, ?11)",
          {a.submission_id, a.portal_id, a.case_id, a.destination_id,
           a.service_identifier, a.attachments, a.bytes,
           a.created_at ? a.created_at : now, a.state, a.problems_json, now})
      .status();
}

Result<std::optional<SentApplication>> Store::Find(
    std::string_view submission_id, std::string_view portal_id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT submission_id, portal_id, case_id, destination_id, "
                 "service_identifier, attachments, bytes, created_at, state, "
                 "problems, updated_at FROM applications "
                 "WHERE submission_id = ?1 AND portal_id = ?2",
                 {submission_id, portal_id}));
  if (rows.empty()) return std::optional<SentApplication>();
  return std::optional<SentApplication>(FromRow(rows[0]));
}

Status Store::UpdateState(std::string_view submission_id,
                          std::string_view state,
                          std::string_view problems_json) {
  std::lock_guard<std::mutex> lock(mu_);
  return db_
      ->Run(
          "UPDATE applications SET state = ?2, problems = ?3, "
          "updated_at = ?4 WHERE submission_id = ?1",
          {submission_id, state, problems_json, UnixNow()})
      .status();
}

}  // namespace ds::gateway
