// Retention: deletion of content and personal data after the period of a
// document class, counted from the zdA date of the Vorgang (or its Akte).
// Dokumente in open Vorgänge are never due.
#include "core/encoding.h"
#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {
using internal::Row;

namespace {

struct Due {
  std::string dokument_id, vorgang_id, tenant, doc_class;
  int64_t position = 0;
  bool held = false;
};

}  // namespace

Result<RetentionReport> Store::RunRetention(int64_t now,
                                            const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(
          "SELECT d.id, d.vorgang_id, d.tenant, d.doc_class, d.position, "
          "v.legal_hold + COALESCE(a.legal_hold, 0) "
          "FROM dokument d JOIN vorgang v ON v.id = d.vorgang_id "
          "LEFT JOIN akte a ON a.id = v.akte_id "
          "JOIN document_class c ON c.tenant = d.tenant "
          "AND c.name = d.doc_class "
          "WHERE d.deleted_at IS NULL "
          "AND COALESCE(v.closed_at, a.closed_at) IS NOT NULL "
          "AND COALESCE(v.closed_at, a.closed_at) + c.retention_days * 86400 "
          "<= ? ORDER BY d.tenant, d.id",
          {now}));

  RetentionReport report;
  std::vector<std::string> addresses;
  for (const Row& r : rows) {
    Due due{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4),
            r.Int(5) != 0};
    if (due.held) {
      ++report.held_back;
      continue;
    }
    Status st = internal::InTransaction(*db_, [&]() -> Status {
      DS_ASSIGN_OR_RETURN(
          auto blobs,
          db_->Query("SELECT f.content_address FROM format f "
                     "JOIN version v ON v.id = f.version_id "
                     "WHERE v.dokument_id = ? "
                     "AND f.content_address IS NOT NULL",
                     {due.dokument_id}));
      for (const Row& b : blobs) addresses.push_back(b.Text(0));

      // Content references and personal data go; ids and class stay.
      DS_RETURN_IF_ERROR(db_->Exec(
          "UPDATE format SET content_address = NULL, filename = '' "
          "WHERE version_id IN (SELECT id FROM version WHERE dokument_id = ?)",
          {due.dokument_id}));
      DS_RETURN_IF_ERROR(db_->Exec(
          "UPDATE dokument SET deleted_at = ?, findings = '[]' WHERE id = ?",
          {now, due.dokument_id}));
      if (due.position == 0) {
        DS_RETURN_IF_ERROR(db_->Exec(
            "UPDATE vorgang SET form_text = '' WHERE id = ?",
            {due.vorgang_id}));
      }
      // The last Dokument takes the Vorgang's personal metadata with it.
      DS_RETURN_IF_ERROR(db_->Exec(
          "UPDATE vorgang SET subject = '', reply_channel = NULL, "
          "form_text = '' WHERE id = ? AND NOT EXISTS (SELECT 1 FROM dokument "
          "WHERE vorgang_id = ? AND deleted_at IS NULL)",
          {due.vorgang_id, due.vorgang_id}));
      DS_RETURN_IF_ERROR(IndexVorgang(due.tenant, due.vorgang_id));
      return Audit(due.tenant, actor, kActionDelete,
                   {due.vorgang_id, due.dokument_id},
                   {{"object", "dokument"},
                    {"document_class", due.doc_class},
                    {"reason", "retention"}});
    });
    if (!st.ok()) return st.Prepend("retention");
    ++report.dokumente_deleted;
  }

  // Blobs go after commit, and only when nothing references them any more:
  // a crash here leaves an orphan blob, never a dangling reference.
  // Not yet: with several processes (PostgreSQL), a submission filed during
  // this step may re-reference a blob that is then removed.
  for (const std::string& address : addresses) {
    DS_ASSIGN_OR_RETURN(
        auto refs, db_->Query("SELECT 1 FROM format WHERE content_address = ? "
                              "LIMIT 1",
                              {address}));
    if (!refs.empty()) continue;
    DS_RETURN_IF_ERROR(files_.Remove(address));
    ++report.blobs_removed;
  }
  return report;
}

}  // namespace ds::records
