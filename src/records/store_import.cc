// Imports from other systems: records with the sender's ids, filed once,
// read-only if asked (records/store_import.h).
#include "records/store_import.h"

#include "core/encoding.h"
#include "records/sql.h"
#include "records/store_internal.h"

namespace ds::records {
namespace {

Status CheckImport(const RecordsImport& in) {
  if (in.tenant.empty()) return InvalidInput("import: tenant missing");
  auto check_vorgang = [](const ImportedVorgang& v) -> Status {
    if (v.external_id.empty())
      return InvalidInput("import: vorgang without id");
    for (const ImportedDokument& d : v.dokumente) {
      if (d.external_id.empty()) {
        return InvalidInput("import: dokument without id");
      }
      DS_RETURN_IF_ERROR(internal::CheckDocument(d.doc, "import dokument"));
    }
    return Status::Ok();
  };
  for (const ImportedAkte& a : in.akten) {
    if (a.external_id.empty()) return InvalidInput("import: akte without id");
    for (const ImportedVorgang& v : a.vorgaenge) {
      DS_RETURN_IF_ERROR(check_vorgang(v));
    }
  }
  for (const ImportedVorgang& v : in.vorgaenge) {
    DS_RETURN_IF_ERROR(check_vorgang(v));
  }
  return Status::Ok();
}

// The local id filed under an external key, "" if none.
Result<std::string> FindRef(internal::Db& db, const std::string& tenant,
                            const std::string& key) {
  DS_ASSIGN_OR_RETURN(auto rows,
                      db.Query("SELECT local_id FROM external_ref "
                               "WHERE tenant = ? AND external_key = ?",
                               {tenant, key}));
  return rows.empty() ? std::string() : rows[0].Text(0);
}

Status InsertRef(internal::Db& db, const std::string& tenant,
                 const std::string& key, const char* kind,
                 const std::string& local_id, bool read_only, int64_t now) {
  return db.Exec(
      "INSERT INTO external_ref (tenant, external_key, kind, local_id, "
      "read_only, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      {tenant, key, std::string(kind), local_id, int64_t{read_only ? 1 : 0},
       now});
}

}  // namespace

Status Store::CheckWritable(const std::string& tenant, const std::string& id) {
  DS_ASSIGN_OR_RETURN(auto rows,
                      db_->Query("SELECT 1 FROM external_ref WHERE tenant = ? "
                                 "AND local_id = ? AND read_only = 1",
                                 {tenant, id}));
  if (!rows.empty()) {
    return Status(Code::kConflict,
                  id + " is a read-only import and cannot be changed");
  }
  return Status::Ok();
}

Result<bool> Store::IsReadOnly(const std::string& tenant,
                               const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Status st = CheckWritable(tenant, id);
  if (st.code() == Code::kConflict) return true;
  if (!st.ok()) return st;
  return false;
}

Result<ImportReceipt> Store::ImportRecords(const RecordsImport& in) {
  DS_RETURN_IF_ERROR(CheckImport(in));
  std::lock_guard<std::mutex> lock(mu_);
  for (const ImportedAkte& a : in.akten) {
    for (const ImportedVorgang& v : a.vorgaenge) {
      for (const ImportedDokument& d : v.dokumente) {
        DS_RETURN_IF_ERROR(CheckBlob(d.doc));
      }
    }
  }
  for (const ImportedVorgang& v : in.vorgaenge) {
    for (const ImportedDokument& d : v.dokumente) {
      DS_RETURN_IF_ERROR(CheckBlob(d.doc));
    }
  }

  ImportReceipt receipt;
  std::vector<std::string> created;
  int64_t now = UnixNow();

  // A Vorgang (new or known) and its Dokumente not filed before.
  auto import_vorgang = [&](const ImportedVorgang& v,
                            const std::string& akte_id) -> Status {
    DS_ASSIGN_OR_RETURN(std::string vid,
                        FindRef(*db_, in.tenant, v.external_id));
    if (vid.empty()) {
      vid = NewUuid();
      Verdict worst = Verdict::kClean;
      for (const auto& d : v.dokumente) worst = std::max(worst, d.doc.verdict);
      DS_RETURN_IF_ERROR(db_->Exec(
          "INSERT INTO vorgang (id, tenant, akte_id, submission_id, case_id, "
          "destination_id, service_identifier, service_name, subject, "
          "form_text, received_at, state, worst_verdict, closed_at) "
          "VALUES (?, ?, ?, ?, '', '', 'xdomea', ?, ?, ?, ?, 'imported', ?, ?)",
          {vid, in.tenant,
           akte_id.empty() ? internal::Param(nullptr)
                           : internal::Param(akte_id),
           "xdomea:" + v.external_id, v.kind, v.subject, v.kennzeichen,
           v.received_at == 0 ? now : v.received_at,
           static_cast<int64_t>(worst),
           v.closed_at ? internal::Param(*v.closed_at)
                       : internal::Param(nullptr)}));
      DS_RETURN_IF_ERROR(InsertRef(*db_, in.tenant, v.external_id, "vorgang",
                                   vid, in.read_only, now));
      ++receipt.vorgaenge_new;
      created.push_back(vid);
    } else {
      ++receipt.already_present;
    }
    receipt.vorgang_ids.push_back(vid);

    DS_ASSIGN_OR_RETURN(
        auto pos, db_->Query("SELECT COALESCE(MAX(position), 0) FROM dokument "
                             "WHERE vorgang_id = ?",
                             {vid}));
    int position = static_cast<int>(pos[0].Int(0));
    for (const ImportedDokument& d : v.dokumente) {
      DS_ASSIGN_OR_RETURN(std::string known,
                          FindRef(*db_, in.tenant, d.external_id));
      if (!known.empty()) {
        ++receipt.already_present;
        continue;
      }
      std::string did;
      DS_RETURN_IF_ERROR(
          InsertDokument(in.tenant, vid, d.doc, ++position, now, &did));
      DS_RETURN_IF_ERROR(InsertRef(*db_, in.tenant, d.external_id, "dokument",
                                   did, in.read_only, now));
      ++receipt.dokumente_new;
      created.push_back(did);
    }
    return IndexVorgang(in.tenant, vid);
  };

  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, in.tenant, now));
    for (const ImportedAkte& a : in.akten) {
      DS_ASSIGN_OR_RETURN(std::string aid,
                          FindRef(*db_, in.tenant, a.external_id));
      if (aid.empty()) {
        aid = NewUuid();
        DS_RETURN_IF_ERROR(db_->Exec(
            "INSERT INTO akte (id, tenant, betreff, kennzeichen, "
            "federfuehrung, vertraulichkeit, retention_years, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            {aid, in.tenant, a.meta.betreff, a.meta.kennzeichen,
             a.meta.federfuehrung, a.meta.vertraulichkeit, now}));
        DS_RETURN_IF_ERROR(InsertRef(*db_, in.tenant, a.external_id, "akte",
                                     aid, in.read_only, now));
        ++receipt.akten_new;
        created.push_back(aid);
      } else {
        ++receipt.already_present;
      }
      receipt.akte_ids.push_back(aid);
      for (const ImportedVorgang& v : a.vorgaenge) {
        DS_RETURN_IF_ERROR(import_vorgang(v, aid));
      }
    }
    for (const ImportedVorgang& v : in.vorgaenge) {
      DS_RETURN_IF_ERROR(import_vorgang(v, ""));
    }
    if (created.empty()) return Status::Ok();  // nothing new: no entry
    return Audit(in.tenant, in.actor, kActionCreate, created,
                 {{"object", "import"},
                  {"source", in.source},
                  {"read_only", in.read_only},
                  {"akten", receipt.akten_new},
                  {"vorgaenge", receipt.vorgaenge_new},
                  {"dokumente", receipt.dokumente_new}});
  });
  if (!st.ok()) return st.Prepend("import");
  return receipt;
}

Result<FiledOnce> Store::AddDokumentOnce(const std::string& tenant,
                                         const std::string& vorgang_id,
                                         const std::string& key,
                                         const IncomingDocument& doc,
                                         const std::string& actor) {
  if (key.empty()) return InvalidInput("add dokument once: key missing");
  DS_RETURN_IF_ERROR(internal::CheckDocument(doc, "add dokument"));
  std::lock_guard<std::mutex> lock(mu_);
  DS_RETURN_IF_ERROR(CheckBlob(doc));
  FiledOnce out;
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(out.dokument_id, FindRef(*db_, tenant, key));
    if (!out.dokument_id.empty()) return Status::Ok();
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT (SELECT COALESCE(MAX(position), 0) FROM dokument "
                   "WHERE vorgang_id = v.id) FROM vorgang v "
                   "WHERE v.tenant = ? AND v.id = ?",
                   {tenant, vorgang_id}));
    if (rows.empty()) return NotFound("vorgang " + vorgang_id + " not found");
    DS_RETURN_IF_ERROR(CheckWritable(tenant, vorgang_id));
    int position = static_cast<int>(rows[0].Int(0)) + 1;
    int64_t now = UnixNow();
    DS_RETURN_IF_ERROR(InsertDokument(tenant, vorgang_id, doc, position, now,
                                      &out.dokument_id));
    DS_RETURN_IF_ERROR(
        InsertRef(*db_, tenant, key, "dokument", out.dokument_id, false, now));
    DS_RETURN_IF_ERROR(UpdateWorstVerdict(vorgang_id));
    DS_RETURN_IF_ERROR(IndexVorgang(tenant, vorgang_id));
    out.newly_filed = true;
    return Audit(
        tenant, actor, kActionCreate, {vorgang_id, out.dokument_id},
        {{"object", "dokument"}, {"verdict", VerdictName(doc.verdict)}});
  });
  if (!st.ok()) return st.Prepend("add dokument");
  return out;
}

}  // namespace ds::records
