// Opening the store, the audit append, and filing of submissions.
#include "records/store.h"

#include "core/encoding.h"
#include "core/files.h"
#include "records/sql.h"
#include "records/store_internal.h"

namespace ds::records {
namespace fs = std::filesystem;
using internal::Db;
using internal::Dialect;
using internal::Row;

namespace internal {

std::string IdsToJson(const std::vector<std::string>& ids) {
  return nlohmann::json(ids).dump();
}

std::vector<std::string> IdsFromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

Status EnsureTenant(Db& db, const std::string& tenant, int64_t now) {
  DS_RETURN_IF_ERROR(db.Exec(
      "INSERT INTO tenant (id, created_at) VALUES (?, ?) "
      "ON CONFLICT DO NOTHING",
      {tenant, now}));
  return db.Exec(
      "INSERT INTO audit_head (tenant, seq, hash) VALUES (?, 0, ?) "
      "ON CONFLICT DO NOTHING",
      {tenant, kGenesisHash});
}

namespace {
void CollectStrings(const nlohmann::json& j, std::string& out) {
  if (j.is_string()) {
    if (!out.empty()) out += ' ';
    out += j.get<std::string>();
  } else if (j.is_structured()) {
    for (const auto& v : j) CollectStrings(v, out);
  }
}
}  // namespace

std::string JsonStrings(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  std::string out;
  if (!j.is_discarded()) CollectStrings(j, out);
  return out;
}

}  // namespace internal

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kClean: return "clean";
    case Verdict::kNeutralised: return "neutralised";
    case Verdict::kQuarantined: return "quarantined";
    case Verdict::kRejected: return "rejected";
  }
  return "unknown";
}

Result<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v : {Verdict::kClean, Verdict::kNeutralised,
                    Verdict::kQuarantined, Verdict::kRejected}) {
    if (VerdictName(v) == name) return v;
  }
  return InvalidInput("unknown verdict");
}

// ---- opening ---------------------------------------------------------------

Store::Store(std::unique_ptr<Db> db, fs::path files_dir)
    : db_(std::move(db)), files_(std::move(files_dir)) {}

Store::~Store() = default;

std::string Store::backend() const {
  return db_->dialect() == Dialect::kSqlite ? "sqlite" : "postgres";
}

Status Store::Migrate() {
  DS_RETURN_IF_ERROR(
      sql::ApplySchema(*db_, internal::SchemaFor(db_->dialect())));
  return internal::UpgradeSchema(*db_);
}

Result<std::unique_ptr<Store>> Store::OpenSqlite(const fs::path& data_dir) {
  DS_RETURN_IF_ERROR(EnsureDir(data_dir));
  DS_ASSIGN_OR_RETURN(auto db,
                      internal::OpenSqlite((data_dir / "records.sqlite")));
  std::unique_ptr<Store> store(new Store(std::move(db), data_dir / "files"));
  DS_RETURN_IF_ERROR(store->files_.Init());
  Status st = store->Migrate();
  if (!st.ok()) return st.Prepend("records schema");
  return store;
}

Result<std::unique_ptr<Store>> Store::OpenPostgres(const std::string& conninfo,
                                                   const fs::path& data_dir) {
  DS_RETURN_IF_ERROR(EnsureDir(data_dir));
  DS_ASSIGN_OR_RETURN(auto db, internal::OpenPostgres(conninfo));
  std::unique_ptr<Store> store(new Store(std::move(db), data_dir / "files"));
  DS_RETURN_IF_ERROR(store->files_.Init());
  Status st = store->Migrate();
  if (!st.ok()) return st.Prepend("records schema");
  return store;
}

Result<std::unique_ptr<Store>> Store::Open(const fs::path& data_dir,
                                           const std::string& database_url) {
  if (database_url.empty()) return OpenSqlite(data_dir);
  return OpenPostgres(database_url, data_dir);
}

// ---- audit append ----------------------------------------------------------

// Appends one entry; must run inside the transaction of the change it
// records, after the change, so that the seals show the changed rows. The
// UPDATE of audit_head serialises concurrent writers of one tenant (row lock in
// PostgreSQL, the write lock in SQLite).
Status Store::Audit(const std::string& tenant, const std::string& actor,
                    std::string_view action,
                    const std::vector<std::string>& ids,
                    const nlohmann::json& details) {
  DS_ASSIGN_OR_RETURN(
      auto head,
      db_->Query("UPDATE audit_head SET seq = seq + 1 WHERE tenant = ? "
                 "RETURNING seq, hash",
                 {tenant}));
  if (head.size() != 1) return Internal("audit: no head for tenant");

  AuditEntry e;
  e.tenant = tenant;
  e.seq = head[0].Int(0);
  e.time = UnixNow();
  e.actor = actor;
  e.action = std::string(action);
  e.object_ids = ids;
  // A change seals the objects it names (store_seal.cc); reads and exports
  // change nothing.
  nlohmann::json d = details.is_null() ? nlohmann::json::object() : details;
  if (d.is_object() && action != kActionReadContent &&
      action != kActionExport) {
    DS_ASSIGN_OR_RETURN(nlohmann::json seals, internal::SealsOf(*db_, ids));
    if (!seals.empty()) d["seals"] = std::move(seals);
  }
  e.details = d.dump();
  e.prev_hash = head[0].Text(1);
  e.hash = AuditHash(e);

  DS_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO audit (tenant, seq, time, actor, action, object_ids, "
      "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.tenant, e.seq, e.time, e.actor, e.action,
       internal::IdsToJson(e.object_ids), e.details, e.prev_hash, e.hash}));
  return db_->Exec("UPDATE audit_head SET hash = ? WHERE tenant = ?",
                   {e.hash, tenant});
}

// ---- filing ----------------------------------------------------------------

namespace {

}  // namespace

Status internal::CheckDocument(const IncomingDocument& d,
                               std::string_view what) {
  if (!FileStore::IsAddress(d.content_address)) {
    return InvalidInput(std::string(what) + ": content address malformed");
  }
  if (!d.rendition_address.empty() &&
      !FileStore::IsAddress(d.rendition_address)) {
    return InvalidInput(std::string(what) + ": rendition address malformed");
  }
  if (!d.text_address.empty() && !FileStore::IsAddress(d.text_address)) {
    return InvalidInput(std::string(what) + ": text address malformed");
  }
  auto findings = nlohmann::json::parse(d.findings_json, nullptr, false);
  if (!findings.is_array() && !findings.is_object()) {
    return InvalidInput(std::string(what) + ": findings are not JSON");
  }
  return Status::Ok();
}

namespace {

// A submission may carry attachments only (no Fachdaten).
bool HasFormData(const IncomingSubmission& in) {
  return !in.form_data.content_address.empty();
}

Status CheckInput(const IncomingSubmission& in) {
  if (in.tenant.empty()) return InvalidInput("file submission: tenant missing");
  if (in.submission_id.empty()) {
    return InvalidInput("file submission: submission id missing");
  }
  if (HasFormData(in)) {
    DS_RETURN_IF_ERROR(internal::CheckDocument(in.form_data, "form data"));
  }
  for (const IncomingDocument& a : in.attachments) {
    DS_RETURN_IF_ERROR(
        internal::CheckDocument(a, "attachment " + a.attachment_id));
  }
  return Status::Ok();
}

}  // namespace

// A referenced blob must be durably stored with the declared size.
Status Store::CheckBlob(const IncomingDocument& d) {
  std::string what = d.attachment_id.empty() ? "form" : d.attachment_id;
  Result<int64_t> size = files_.SizeOf(d.content_address);
  if (!size.ok()) {
    return NotFound("blob of document " + what + " not in file store");
  }
  if (*size != d.size) {
    return CheckFailed("size of document " + what +
                       " differs from the stored blob");
  }
  if (!d.rendition_address.empty() && !files_.Contains(d.rendition_address)) {
    return NotFound("rendition blob of document " + what +
                    " not in file store");
  }
  if (!d.text_address.empty() && !files_.Contains(d.text_address)) {
    return NotFound("text blob of document " + what + " not in file store");
  }
  return Status::Ok();
}

Status Store::CheckBlobs(const IncomingSubmission& in) {
  if (HasFormData(in)) DS_RETURN_IF_ERROR(CheckBlob(in.form_data));
  for (const IncomingDocument& a : in.attachments) {
    DS_RETURN_IF_ERROR(CheckBlob(a));
  }
  return Status::Ok();
}

Result<std::optional<FilingReceipt>> Store::FindFiled(const std::string& tenant,
                                                      const std::string& sid) {
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT id FROM vorgang WHERE tenant = ? AND "
                            "submission_id = ?",
                            {tenant, sid}));
  if (rows.empty()) return std::optional<FilingReceipt>();
  FilingReceipt r;
  r.vorgang_id = rows[0].Text(0);
  DS_ASSIGN_OR_RETURN(
      auto docs, db_->Query("SELECT id, position FROM dokument WHERE "
                            "vorgang_id = ? ORDER BY position",
                            {r.vorgang_id}));
  for (const Row& d : docs) {
    if (d.Int(1) == 0) {
      r.form_dokument_id = d.Text(0);
    } else {
      r.attachment_dokument_ids.push_back(d.Text(0));
    }
  }
  return std::optional<FilingReceipt>(std::move(r));
}

Status Store::InsertDokument(const std::string& tenant,
                             const std::string& vid,
                             const IncomingDocument& doc, int position,
                             int64_t now, std::string* id) {
  *id = NewUuid();
  std::string purpose = doc.purpose.empty()
                            ? (position == 0 ? "form" : "attachment")
                            : doc.purpose;
  DS_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO dokument (id, vorgang_id, tenant, position, purpose, "
      "attachment_id, doc_class, verdict, findings, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {*id, vid, tenant, int64_t{position}, purpose, doc.attachment_id,
       doc.doc_class.empty() ? std::string("default") : doc.doc_class,
       static_cast<int64_t>(doc.verdict), doc.findings_json, now}));
  return InsertVersion(*id, 1, doc, now);
}

// One version with its original format and the optional rendition.
Status Store::InsertVersion(const std::string& dokument_id, int number,
                            const IncomingDocument& doc, int64_t now) {
  std::string version_id = NewUuid();
  DS_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO version (id, dokument_id, number, created_at) "
      "VALUES (?, ?, ?, ?)",
      {version_id, dokument_id, int64_t{number}, now}));

  std::string original_id = NewUuid();
  DS_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO format (id, version_id, kind, rendition_of, "
      "content_address, mime_type, size, filename) "
      "VALUES (?, ?, 'original', NULL, ?, ?, ?, ?)",
      {original_id, version_id, doc.content_address, doc.mime_type, doc.size,
       doc.filename}));

  auto rendition = [&](const std::string& address, const std::string& mime,
                       const std::string& filename) -> Status {
    DS_ASSIGN_OR_RETURN(int64_t size, files_.SizeOf(address));
    return db_->Exec(
        "INSERT INTO format (id, version_id, kind, rendition_of, "
        "content_address, mime_type, size, filename) "
        "VALUES (?, ?, 'rendition', ?, ?, ?, ?, ?)",
        {NewUuid(), version_id, original_id, address, mime, size, filename});
  };
  if (!doc.rendition_address.empty()) {
    DS_RETURN_IF_ERROR(rendition(
        doc.rendition_address,
        doc.rendition_mime_type.empty() ? doc.mime_type
                                        : doc.rendition_mime_type,
        doc.filename));
  }
  if (!doc.text_address.empty()) {
    DS_RETURN_IF_ERROR(rendition(doc.text_address, internal::kTextRenditionMime,
                                 doc.filename + ".txt"));
  }
  return Status::Ok();
}

Result<FilingReceipt> Store::FileSubmission(const IncomingSubmission& input) {
  DS_RETURN_IF_ERROR(CheckInput(input));
  IncomingSubmission in = input;
  if (in.received_at == 0) in.received_at = UnixNow();
  std::lock_guard<std::mutex> lock(mu_);

  // Cheap path for repeats, outside a write transaction.
  DS_ASSIGN_OR_RETURN(auto existing, FindFiled(in.tenant, in.submission_id));
  if (existing) return *existing;
  if (Status st = CheckBlobs(in); !st.ok()) return st.Prepend("file submission");

  // Search text of the form data: given, or the string values of JSON.
  std::string form_text = in.form_search_text;
  if (form_text.empty() && HasFormData(in) &&
      in.form_data.mime_type.find("json") != std::string::npos) {
    auto bytes = files_.Read(in.form_data.content_address, 4 << 20);
    if (bytes.ok()) form_text = internal::JsonStrings(*bytes);
  }

  Verdict worst = HasFormData(in) ? in.form_data.verdict : Verdict::kClean;
  for (const auto& a : in.attachments) worst = std::max(worst, a.verdict);

  FilingReceipt receipt;
  bool raced = false;
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, in.tenant, in.received_at));

    // The unique (tenant, submission_id) decides between racing processes.
    receipt.vorgang_id = NewUuid();
    DS_ASSIGN_OR_RETURN(
        auto inserted,
        db_->Query(
            "INSERT INTO vorgang (id, tenant, akte_id, submission_id, case_id, "
            "destination_id, service_identifier, service_name, subject, "
            "reply_channel, form_text, data_schema, received_at, state, "
            "worst_verdict) "
            "VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?) "
            "ON CONFLICT (tenant, submission_id) DO NOTHING RETURNING id",
            {receipt.vorgang_id, in.tenant, in.submission_id, in.case_id,
             in.destination_id, in.service_identifier, in.service_name,
             in.subject,
             in.reply_channel_json.empty()
                 ? internal::Param(nullptr)
                 : internal::Param(in.reply_channel_json),
             form_text,
             in.data_schema.empty() ? internal::Param(nullptr)
                                    : internal::Param(in.data_schema),
             in.received_at, static_cast<int64_t>(worst)}));
    if (inserted.empty()) {
      raced = true;
      return Status::Ok();
    }

    if (HasFormData(in)) {
      DS_RETURN_IF_ERROR(InsertDokument(in.tenant, receipt.vorgang_id,
                                        in.form_data, 0, in.received_at,
                                        &receipt.form_dokument_id));
    }
    for (size_t i = 0; i < in.attachments.size(); ++i) {
      std::string id;
      DS_RETURN_IF_ERROR(InsertDokument(in.tenant, receipt.vorgang_id,
                                        in.attachments[i],
                                        static_cast<int>(i + 1),
                                        in.received_at, &id));
      receipt.attachment_dokument_ids.push_back(id);
    }
    for (size_t i = 0; i < in.event_log.size(); ++i) {
      DS_RETURN_IF_ERROR(db_->Exec(
          "INSERT INTO event_log (vorgang_id, position, token) "
          "VALUES (?, ?, ?)",
          {receipt.vorgang_id, static_cast<int64_t>(i), in.event_log[i]}));
    }
    DS_RETURN_IF_ERROR(IndexVorgang(in.tenant, receipt.vorgang_id));

    std::vector<std::string> ids = {receipt.vorgang_id, in.submission_id};
    if (HasFormData(in)) ids.push_back(receipt.form_dokument_id);
    ids.insert(ids.end(), receipt.attachment_dokument_ids.begin(),
               receipt.attachment_dokument_ids.end());
    return Audit(in.tenant, in.actor, kActionCreate, ids,
                 {{"object", "vorgang"},
                  {"service", in.service_identifier},
                  {"documents", (HasFormData(in) ? 1 : 0) +
                                    in.attachments.size()},
                  {"worst_verdict", VerdictName(worst)}});
  });
  if (!st.ok()) return st.Prepend("file submission");
  if (raced) {
    DS_ASSIGN_OR_RETURN(auto other, FindFiled(in.tenant, in.submission_id));
    if (!other) return Internal("file submission: lost race without winner");
    return *other;
  }
  receipt.newly_filed = true;
  return receipt;
}

}  // namespace ds::records
