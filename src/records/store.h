// Store: the E-Akte, the records store at the centre of the hub.
//
// It keeps the xdomea hierarchy Akte → Vorgang → Dokument → Version →
// Format, where a Format's primary file is a content address in the
// FileStore. Accepted FIT-Connect submissions arrive as Vorgänge in the
// tenant's Posteingang (a Vorgang without Akte) with their form data and
// attachments as Dokumente, the gate's verdict per Dokument and the
// submission's event log. Every change and every read of content appends an
// entry to the tenant's audit trail (records/audit.h) in the same
// transaction.
//
// Two backends share this interface: SQLite (default, one process, file
// <data>/records.sqlite) and PostgreSQL (several hub processes).
//
//   DS_ASSIGN_OR_RETURN(auto store, ds::records::Store::Open(data_dir));
//   DS_ASSIGN_OR_RETURN(auto blob, store->files().PutFile(decrypted_path));
//   ds::records::IncomingSubmission in;
//   in.tenant = "kreis-a";  in.submission_id = id;  ...
//   in.form_data.content_address = blob.address;  ...
//   DS_ASSIGN_OR_RETURN(auto receipt, store->FileSubmission(in));
//   // receipt.vorgang_id is stable: calling again returns the same Vorgang.
//
// Thread-safety: a Store may be used from several threads (calls are
// serialised on one connection). Several processes may share one
// PostgreSQL database and file directory; with SQLite, one process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "records/audit.h"
#include "records/file_store.h"

namespace ds::sql {
class Db;
}

namespace ds::records {

// The gate's verdict on one document, ordered from harmless to worst.
enum class Verdict { kClean, kNeutralised, kQuarantined, kRejected };
std::string_view VerdictName(Verdict v);  // "clean", "neutralised", ...
Result<Verdict> ParseVerdict(std::string_view name);

// One document of a submission as the intake hands it over. Its bytes must
// already be in the FileStore (Put* returned), else filing fails.
struct IncomingDocument {
  std::string attachment_id;    // FIT-Connect attachment id; "" for form data
  std::string purpose;          // FIT-Connect purpose: "form", "attachment",
                                // "report", ...; "" = "attachment"
  std::string filename;         // as declared by the sender
  std::string mime_type;        // as determined by the gate
  std::string content_address;  // original bytes (FileStore address)
  int64_t size = 0;             // must equal the stored blob's size
  std::string doc_class;        // retention class; "" = "default"
  Verdict verdict = Verdict::kClean;
  std::string findings_json = "[]";  // the gate's findings (JSON array),
                                     // no personal data
  std::string rendition_address;     // optional: neutralised copy
  std::string rendition_mime_type;   // its type ("" = mime_type)
  // Optional: the document's extracted text (UTF-8, e.g. from pdftotext in
  // the gate's worker), filed as a "text/plain" rendition and indexed for
  // full-text search.
  std::string text_address;
};

// An accepted FIT-Connect submission, decrypted and checked.
struct IncomingSubmission {
  std::string tenant;              // Mandant id; created if unknown
  std::string submission_id;       // FIT-Connect submission id
  std::string case_id;             // FIT-Connect case id
  std::string destination_id;      // FIT-Connect destination id
  std::string service_identifier;  // e.g. urn:de:fim:leika:leistung:...
  std::string service_name;
  int64_t received_at = 0;         // unix seconds; 0 = now
  std::string subject;             // Betreff for the inbox
  std::string reply_channel_json;  // metadata replyChannel, "" if none
  // The schemaUri that the metadata names for the form data (and that the
  // intake validated it against); "" if the submission has no form data.
  std::string data_schema;
  IncomingDocument form_data;      // the Fachdaten (JSON or XML); leave
                                   // content_address "" if there are none
  // Text indexed for full-text search. If empty and the form data is JSON
  // (mime type contains "json"), the store indexes its string values.
  std::string form_search_text;
  std::vector<IncomingDocument> attachments;
  std::vector<std::string> event_log;  // compact SET tokens, in order
  std::string actor = "intake";        // audit actor
};

struct FilingReceipt {
  std::string vorgang_id;
  std::string form_dokument_id;  // "" if the submission had no form data
  std::vector<std::string> attachment_dokument_ids;  // order of input
  bool newly_filed = false;  // false: the submission was filed before
};

struct Format {
  std::string id;
  std::string kind;             // "original" or "rendition"
  std::string rendition_of;     // format id of the original, "" if original
  std::string content_address;  // "" once deleted by retention
  std::string mime_type;
  int64_t size = 0;
  std::string filename;
};

// A format with what a reader of its content needs to know.
struct FormatInfo {
  Format format;
  std::string dokument_id;
  std::string vorgang_id;
  Verdict verdict = Verdict::kClean;  // the Dokument's verdict
};

struct Dokument {
  std::string id;
  std::string vorgang_id;
  int position = 0;             // 0 = form data, 1.. attachments (input
                                // order)
  std::string purpose;
  std::string attachment_id;
  std::string doc_class;
  Verdict verdict = Verdict::kClean;
  std::string findings_json;
  int version = 1;              // number of the latest version
  std::vector<Format> formats;  // formats of the latest version
  int64_t created_at = 0;
  std::optional<int64_t> deleted_at;
};

struct Vorgang {
  std::string id;
  std::string tenant;
  std::string akte_id;  // "" = in the Posteingang
  std::string submission_id;
  std::string case_id;
  std::string destination_id;
  std::string service_identifier;
  std::string service_name;
  std::string subject;
  // The form data's schema URI from the submission's metadata; "" if there
  // was none, or for cases filed before the E-Akte kept it.
  std::string data_schema;
  int64_t received_at = 0;
  std::string state;           // routing state, "new" after filing
  std::string routing_detail;  // last routing note (no personal data)
  Verdict worst_verdict = Verdict::kClean;
  std::optional<int64_t> closed_at;  // zdA
  bool legal_hold = false;
  std::vector<Dokument> dokumente;     // filled by GetVorgang
  std::vector<std::string> event_log;  // filled by GetVorgang
};

struct AkteInput {
  std::string betreff;
  std::string kennzeichen;       // Aktenzeichen from the Aktenplan
  std::string federfuehrung;     // lead organisational unit
  std::string vertraulichkeit = "003";  // xdomea code: 003 Offen, 002 NfD..
  std::optional<int> retention_years;
};

struct Akte {
  std::string id;
  std::string tenant;
  AkteInput meta;
  int64_t created_at = 0;
  std::optional<int64_t> closed_at;  // zdA
  bool legal_hold = false;
};

// Changes to metadata; unset fields stay as they are.
struct AkteChange {
  std::optional<std::string> betreff, kennzeichen, federfuehrung,
      vertraulichkeit;
  std::optional<int> retention_years;
};
struct VorgangChange {
  std::optional<std::string> subject, service_name;
};

// Inbox listing: newest first, keyset paging via `after`.
struct InboxFilter {
  std::string tenant;
  std::optional<std::string> service_identifier;
  std::optional<std::string> state;
  std::optional<Verdict> worst_verdict;
  std::optional<int64_t> received_from;   // inclusive, unix seconds
  std::optional<int64_t> received_until;  // exclusive
  int limit = 50;                         // 1..500
  std::string after;  // next_cursor of the previous page, "" = first page
  // Set: the Vorgänge filed into this Akte instead of the Posteingang (an
  // Akte of another tenant yields an empty page).
  std::optional<std::string> akte_id;
};
struct InboxPage {
  std::vector<Vorgang> items;  // without dokumente and event_log
  std::string next_cursor;     // "" when this is the last page
};

// Akten of a tenant, newest first, keyset paging via `after`.
struct AktenFilter {
  std::string tenant;
  std::optional<std::string> kennzeichen;  // exact match
  std::optional<bool> closed;              // zdA or not; unset = both
  int limit = 50;                          // 1..500
  std::string after;  // next_cursor of the previous page, "" = first page
};
struct AktenPage {
  std::vector<Akte> items;
  std::string next_cursor;  // "" when this is the last page
};

// An API token as stored: the secret itself is never stored, only its
// hash (lower-case hex SHA-256). Made and checked by ds_api (api/auth.h).
struct ApiToken {
  std::string id;  // public part of the token, unique
  std::string tenant;
  std::string user;  // user id the token acts for (audit actor)
  std::string role;  // "clerk", "tenant-admin", "operator"
  std::string secret_hash;
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
};

struct SearchHit {
  std::string vorgang_id;
  std::string subject;
};

struct RetentionReport {
  int dokumente_deleted = 0;
  int blobs_removed = 0;
  int held_back = 0;  // due, but under legal hold
};

struct RecordsImport;  // records/store_import.h
struct ImportReceipt;
struct FiledOnce;

class Store {
 public:
  // SQLite at <data_dir>/records.sqlite, files at <data_dir>/files.
  static Result<std::unique_ptr<Store>> OpenSqlite(
      const std::filesystem::path& data_dir);
  // PostgreSQL (libpq connection string), files at <data_dir>/files.
  static Result<std::unique_ptr<Store>> OpenPostgres(
      const std::string& conninfo, const std::filesystem::path& data_dir);
  // PostgreSQL if database_url is set ("postgresql://..." or a libpq
  // key=value string), else SQLite.
  static Result<std::unique_ptr<Store>> Open(
      const std::filesystem::path& data_dir,
      const std::string& database_url = "");

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  FileStore& files() { return files_; }
  std::string backend() const;  // "sqlite" or "postgres"

  // Files a submission in one transaction: Vorgang in the Posteingang,
  // form data and attachments as Dokumente (version 1, original format plus
  // the neutralised rendition if given), verdicts, event log, search index,
  // one "create" audit entry. Idempotent on (tenant, submission_id): a
  // repeated call files nothing and returns the existing Vorgang with
  // newly_filed = false. Errors: kInvalidInput (missing ids, bad verdict
  // JSON), kNotFound if a content address is not in the FileStore,
  // kCheckFailed if a declared size differs from the stored blob.
  Result<FilingReceipt> FileSubmission(const IncomingSubmission& in);

  // A Vorgang with its Dokumente and event log. kNotFound if absent or in
  // another tenant. Reading metadata is not audited; content reads are.
  Result<Vorgang> GetVorgang(const std::string& tenant, const std::string& id);

  // The Posteingang (Vorgänge without Akte), filtered and paged.
  // kInvalidInput for a malformed cursor or limit.
  Result<InboxPage> ListInbox(const InboxFilter& filter);

  // Describes one format (metadata only, not audited). kNotFound if absent
  // or in another tenant.
  Result<FormatInfo> GetFormat(const std::string& tenant,
                               const std::string& format_id);
  // Reads a format's content after verifying its hash; audited as
  // "read-content". kCheckFailed if the blob is corrupted.
  Result<std::string> ReadContent(const std::string& tenant,
                                  const std::string& format_id,
                                  const std::string& actor);
  // Streams a format's content to `sink` in chunks (large attachments). The
  // read is audited before the first chunk. The hash is checked at the end:
  // on kCheckFailed the caller must discard what the sink received (e.g.
  // abort the HTTP response). The store is not locked while streaming.
  Status StreamContent(const std::string& tenant, const std::string& format_id,
                       const std::string& actor,
                       const std::function<Status(std::string_view)>& sink);

  Result<std::string> CreateAkte(const std::string& tenant,
                                 const AkteInput& in,
                                 const std::string& actor);
  Result<Akte> GetAkte(const std::string& tenant, const std::string& id);
  // The tenant's Akten, filtered and paged. kInvalidInput for a malformed
  // cursor or limit.
  Result<AktenPage> ListAkten(const AktenFilter& filter);
  Status ChangeAkte(const std::string& tenant, const std::string& id,
                    const AkteChange& change, const std::string& actor);
  Status ChangeVorgang(const std::string& tenant, const std::string& id,
                       const VorgangChange& change, const std::string& actor);
  // Moves a Vorgang from the Posteingang (or another Akte) into an Akte of
  // the same tenant. kNotFound if either is absent.
  Status AssignToAkte(const std::string& tenant, const std::string& vorgang_id,
                      const std::string& akte_id, const std::string& actor);
  // Records the router's progress ("routing", "delivered", "failed", ...);
  // `detail` must not carry personal data.
  Status RecordRouting(const std::string& tenant,
                       const std::string& vorgang_id, const std::string& state,
                       const std::string& detail, const std::string& actor);

  // zdA ("zu den Akten"): starts the retention clock. at = 0 means now.
  Status CloseVorgang(const std::string& tenant, const std::string& id,
                      int64_t at, const std::string& actor);
  // Legal hold on a Vorgang or an Akte (kind "vorgang" / "akte").
  Status SetLegalHold(const std::string& tenant, const std::string& kind,
                      const std::string& id, bool hold,
                      const std::string& actor);
  // Deletion period of a document class, in days after zdA.
  Status SetRetention(const std::string& tenant, const std::string& doc_class,
                      int retention_days, const std::string& actor);
  // Deletes content and personal data of every Dokument whose period has
  // run out at `now` (unix seconds) and that no legal hold covers; leaves a
  // "delete" audit entry per Dokument with ids only. Blobs still used by
  // another Dokument stay.
  Result<RetentionReport> RunRetention(int64_t now, const std::string& actor);

  // Full-text search over subject, service, filenames and form data, in one
  // tenant, best matches first. Every word must match; no query syntax is
  // exposed. SQLite (FTS5, unicode61, diacritics folded) matches whole
  // words; PostgreSQL uses the German configuration (stemming, stop words).
  // The text renditions of documents (IncomingDocument::text_address, e.g.
  // the text of PDFs) are indexed too, up to 1 MiB each. SQLite ranks only
  // the 5,000 most recently filed matches in the tenant (bounded cost for a
  // word found in most Vorgänge): older matches of such a query are not
  // returned. Not yet: text of Office attachments, nor XML form data unless
  // the intake passes form_search_text.
  Result<std::vector<SearchHit>> Search(const std::string& tenant,
                                        const std::string& query,
                                        int limit = 50);

  // Files a further Dokument into an existing Vorgang (e.g. a Bescheid
  // from a Fachverfahren); its blob must be in the FileStore. Returns the
  // Dokument id. kNotFound for an unknown Vorgang or blob.
  Result<std::string> AddDokument(const std::string& tenant,
                                  const std::string& vorgang_id,
                                  const IncomingDocument& doc,
                                  const std::string& actor);
  // Adds a new version to a Dokument (the earlier versions stay); returns
  // its number. kConflict if the Dokument was deleted by retention.
  Result<int> AddVersion(const std::string& tenant,
                         const std::string& dokument_id,
                         const IncomingDocument& doc,
                         const std::string& actor);

  // Stores an API token (creating the tenant if unknown) and audits it as
  // "configure" (token id and role only). kInvalidInput for missing fields,
  // kAlreadyExists if the id is taken. created_at 0 = now.
  Status AddApiToken(const ApiToken& token, const std::string& actor);
  // A token by its id, revoked or not. kNotFound if absent.
  Result<ApiToken> GetApiToken(const std::string& id);
  // The tenant's tokens (without revoked ones unless `with_revoked`).
  Result<std::vector<ApiToken>> ListApiTokens(const std::string& tenant,
                                              bool with_revoked = false);
  // Marks a token revoked; audited. kNotFound if absent in the tenant.
  Status RevokeApiToken(const std::string& tenant, const std::string& id,
                        const std::string& actor);

  // ---- imports from other systems (records/store_import.h) -------------

  // Files Akten, Vorgänge and Dokumente that carry the sender's ids, in one
  // transaction with one "create" audit entry (source, counts). Objects
  // whose external id the tenant already has are not filed again (nor
  // their Dokumente). kInvalidInput for missing ids, kNotFound if a blob is
  // missing.
  Result<ImportReceipt> ImportRecords(const RecordsImport& in);
  // AddDokument, at most once per (tenant, key): a repeated call returns
  // the Dokument filed first with newly_filed = false. kConflict if the
  // Vorgang is read-only.
  Result<FiledOnce> AddDokumentOnce(const std::string& tenant,
                                    const std::string& vorgang_id,
                                    const std::string& key,
                                    const IncomingDocument& doc,
                                    const std::string& actor);
  // Whether an Akte, Vorgang or Dokument was imported read-only.
  Result<bool> IsReadOnly(const std::string& tenant, const std::string& id);

  // Records an action done outside the store (e.g. "export" by the xdomea
  // part) in the tenant's audit trail. `details` is a JSON object without
  // personal data.
  Status AppendAudit(const std::string& tenant, const std::string& actor,
                     std::string_view action,
                     const std::vector<std::string>& object_ids,
                     const nlohmann::json& details);

  // The audit trail of one tenant from `from_seq` on.
  Result<std::vector<AuditEntry>> ReadAudit(const std::string& tenant,
                                            int64_t from_seq = 1,
                                            int limit = 1000);
  // Checks every tenant's chain and re-hashes every blob; see audit.h.
  Result<AuditReport> VerifyAudit();

 private:
  Store(std::unique_ptr<sql::Db> db, std::filesystem::path files_dir);
  Status Migrate();
  Status Audit(const std::string& tenant, const std::string& actor,
               std::string_view action, const std::vector<std::string>& ids,
               const nlohmann::json& details);
  Result<std::optional<FilingReceipt>> FindFiled(const std::string& tenant,
                                                 const std::string& sid);
  Status CheckBlob(const IncomingDocument& doc);
  Status CheckBlobs(const IncomingSubmission& in);
  Status InsertDokument(const std::string& tenant, const std::string& vid,
                        const IncomingDocument& doc, int position,
                        int64_t now, std::string* id);
  Status InsertVersion(const std::string& dokument_id, int number,
                       const IncomingDocument& doc, int64_t now);
  Status IndexVorgang(const std::string& tenant, const std::string& vid);
  Status UpdateWorstVerdict(const std::string& vorgang_id);  // in mu_
  Result<std::vector<Dokument>> LoadDokumente(const std::string& vid);
  Status VerifyChains(AuditReport* report);
  // kConflict if `id` (Akte, Vorgang or Dokument) is read-only; caller
  // holds mu_.
  Status CheckWritable(const std::string& tenant, const std::string& id);
  Status CheckBlobReferences(AuditReport* report);
  struct ContentRef {
    std::string address, dokument_id, vorgang_id;
  };
  Result<ContentRef> FindContent(const std::string& tenant,
                                 const std::string& format_id);
  Status AuditRead(const std::string& tenant, const ContentRef& ref,
                   const std::string& format_id, const std::string& actor);

  std::mutex mu_;  // serialises use of db_
  std::unique_ptr<sql::Db> db_;
  FileStore files_;
};

}  // namespace ds::records
