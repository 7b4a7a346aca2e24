// Filing into existing Vorgänge: further Dokumente and new versions; and
// audit entries for actions outside the store.
#include "core/encoding.h"
#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {

Result<std::string> Store::AddDokument(const std::string& tenant,
                                       const std::string& vorgang_id,
                                       const IncomingDocument& doc,
                                       const std::string& actor) {
  DS_RETURN_IF_ERROR(internal::CheckDocument(doc, "add dokument"));
  std::lock_guard<std::mutex> lock(mu_);
  DS_RETURN_IF_ERROR(CheckBlob(doc));
  std::string id;
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT (SELECT COALESCE(MAX(position), 0) FROM dokument "
                   "WHERE vorgang_id = v.id) FROM vorgang v "
                   "WHERE v.tenant = ? AND v.id = ?",
                   {tenant, vorgang_id}));
    if (rows.empty()) return NotFound("vorgang " + vorgang_id + " not found");
    DS_RETURN_IF_ERROR(CheckWritable(tenant, vorgang_id));
    int position = static_cast<int>(rows[0].Int(0)) + 1;
    DS_RETURN_IF_ERROR(
        InsertDokument(tenant, vorgang_id, doc, position, UnixNow(), &id));
    DS_RETURN_IF_ERROR(UpdateWorstVerdict(vorgang_id));
    DS_RETURN_IF_ERROR(IndexVorgang(tenant, vorgang_id));
    return Audit(
        tenant, actor, kActionCreate, {vorgang_id, id},
        {{"object", "dokument"}, {"verdict", VerdictName(doc.verdict)}});
  });
  if (!st.ok()) return st.Prepend("add dokument");
  return id;
}

Result<int> Store::AddVersion(const std::string& tenant,
                              const std::string& dokument_id,
                              const IncomingDocument& doc,
                              const std::string& actor) {
  DS_RETURN_IF_ERROR(internal::CheckDocument(doc, "add version"));
  std::lock_guard<std::mutex> lock(mu_);
  DS_RETURN_IF_ERROR(CheckBlob(doc));
  int number = 0;
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT d.vorgang_id, d.deleted_at, "
                   "(SELECT MAX(number) FROM version WHERE dokument_id = d.id) "
                   "FROM dokument d WHERE d.tenant = ? AND d.id = ?",
                   {tenant, dokument_id}));
    if (rows.empty()) return NotFound("dokument " + dokument_id + " not found");
    DS_RETURN_IF_ERROR(CheckWritable(tenant, dokument_id));
    DS_RETURN_IF_ERROR(CheckWritable(tenant, rows[0].Text(0)));
    if (!rows[0].IsNull(1)) {
      return Status(Code::kConflict, "dokument was deleted by retention");
    }
    number = static_cast<int>(rows[0].Int(2)) + 1;
    DS_RETURN_IF_ERROR(InsertVersion(dokument_id, number, doc, UnixNow()));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE dokument SET verdict = ?, findings = ? WHERE id = ?",
        {static_cast<int64_t>(doc.verdict), doc.findings_json, dokument_id}));
    std::string vorgang_id = rows[0].Text(0);
    DS_RETURN_IF_ERROR(UpdateWorstVerdict(vorgang_id));
    DS_RETURN_IF_ERROR(IndexVorgang(tenant, vorgang_id));
    return Audit(tenant, actor, kActionCreate, {vorgang_id, dokument_id},
                 {{"object", "version"}, {"number", number}});
  });
  if (!st.ok()) return st.Prepend("add version");
  return number;
}

// The Vorgang's worst verdict follows its Dokumente: a quarantined Bescheid
// filed later must show in the Posteingang's filter and on the case.
Status Store::UpdateWorstVerdict(const std::string& vorgang_id) {
  return db_->Exec(
      "UPDATE vorgang SET worst_verdict = (SELECT COALESCE(MAX(verdict), 0) "
      "FROM dokument WHERE vorgang_id = ?) WHERE id = ?",
      {vorgang_id, vorgang_id});
}

Status Store::AppendAudit(const std::string& tenant, const std::string& actor,
                          std::string_view action,
                          const std::vector<std::string>& object_ids,
                          const nlohmann::json& details) {
  if (tenant.empty() || action.empty()) {
    return InvalidInput("append audit: tenant and action required");
  }
  if (!details.is_object() && !details.is_null()) {
    return InvalidInput("append audit: details must be a JSON object");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, tenant, UnixNow()));
    return Audit(tenant, actor, action, object_ids, details);
  });
}

}  // namespace ds::records
