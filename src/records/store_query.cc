// Reading the store: Vorgang, inbox, content, search index.
#include <charconv>

#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {
using internal::Dialect;
using internal::Param;
using internal::Params;
using internal::Row;

namespace {

constexpr const char* kVorgangColumns =
    "id, tenant, akte_id, submission_id, case_id, destination_id, "
    "service_identifier, service_name, subject, received_at, state, "
    "routing_detail, worst_verdict, closed_at, legal_hold, data_schema";

Vorgang VorgangFromRow(const Row& r) {
  Vorgang v;
  v.id = r.Text(0);
  v.tenant = r.Text(1);
  v.akte_id = r.Text(2);
  v.submission_id = r.Text(3);
  v.case_id = r.Text(4);
  v.destination_id = r.Text(5);
  v.service_identifier = r.Text(6);
  v.service_name = r.Text(7);
  v.subject = r.Text(8);
  v.received_at = r.Int(9);
  v.state = r.Text(10);
  v.routing_detail = r.Text(11);
  v.worst_verdict = static_cast<Verdict>(r.Int(12));
  v.closed_at = r.OptInt(13);
  v.legal_hold = r.Int(14) != 0;
  if (!r.IsNull(15)) v.data_schema = r.Text(15);
  return v;
}

// Cursor "<received_at>:<id>" of the last item of a page.
bool ParseCursor(const std::string& text, int64_t* at, std::string* id) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + colon, *at);
  if (ec != std::errc() || ptr != text.data() + colon) return false;
  *id = text.substr(colon + 1);
  return !id->empty();
}

// SQLite search ranks at most this many matches (see Store::Search).
constexpr int kRankedMatches = 5000;

// Words of a user query as an FTS5 expression of quoted terms (AND).
std::string Fts5Terms(const std::string& query) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += '"' + word + '"';
    word.clear();
  };
  for (char c : query) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '"') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

}  // namespace

Result<std::vector<Dokument>> Store::LoadDokumente(const std::string& vid) {
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT d.id, d.position, d.purpose, d.attachment_id, "
                 "d.doc_class, d.verdict, d.findings, d.created_at, "
                 "d.deleted_at, "
                 "(SELECT MAX(number) FROM version WHERE dokument_id = d.id) "
                 "FROM dokument d WHERE d.vorgang_id = ? ORDER BY d.position",
                 {vid}));
  std::vector<Dokument> out;
  for (const Row& r : rows) {
    Dokument d;
    d.id = r.Text(0);
    d.vorgang_id = vid;
    d.position = static_cast<int>(r.Int(1));
    d.purpose = r.Text(2);
    d.attachment_id = r.Text(3);
    d.doc_class = r.Text(4);
    d.verdict = static_cast<Verdict>(r.Int(5));
    d.findings_json = r.Text(6);
    d.created_at = r.Int(7);
    d.deleted_at = r.OptInt(8);
    d.version = static_cast<int>(r.Int(9));

    DS_ASSIGN_OR_RETURN(
        auto formats,
        db_->Query("SELECT f.id, f.kind, f.rendition_of, f.content_address, "
                   "f.mime_type, f.size, f.filename FROM format f "
                   "JOIN version v ON v.id = f.version_id "
                   "WHERE v.dokument_id = ? AND v.number = ? "
                   "ORDER BY f.kind, f.id",
                   {d.id, int64_t{d.version}}));
    for (const Row& f : formats) {
      d.formats.push_back({f.Text(0), f.Text(1), f.Text(2), f.Text(3),
                           f.Text(4), f.Int(5), f.Text(6)});
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<Vorgang> Store::GetVorgang(const std::string& tenant,
                                  const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows, db_->Query(std::string("SELECT ") + kVorgangColumns +
                                " FROM vorgang WHERE tenant = ? AND id = ?",
                            {tenant, id}));
  if (rows.empty()) return NotFound("vorgang " + id + " not found");
  Vorgang v = VorgangFromRow(rows[0]);
  DS_ASSIGN_OR_RETURN(v.dokumente, LoadDokumente(id));

  DS_ASSIGN_OR_RETURN(
      auto events, db_->Query("SELECT token FROM event_log WHERE "
                              "vorgang_id = ? ORDER BY position",
                              {id}));
  for (const Row& e : events) v.event_log.push_back(e.Text(0));
  return v;
}

Result<InboxPage> Store::ListInbox(const InboxFilter& f) {
  if (f.limit < 1 || f.limit > 500) {
    return InvalidInput("inbox: limit must be 1..500");
  }
  std::string sql = std::string("SELECT ") + kVorgangColumns +
                    " FROM vorgang WHERE tenant = ?";
  Params params = {f.tenant};
  if (f.akte_id) {
    sql += " AND akte_id = ?";
    params.emplace_back(*f.akte_id);
  } else {
    sql += " AND akte_id IS NULL";
  }
  if (f.service_identifier) {
    sql += " AND service_identifier = ?";
    params.emplace_back(*f.service_identifier);
  }
  if (f.state) {
    sql += " AND state = ?";
    params.emplace_back(*f.state);
  }
  if (f.worst_verdict) {
    sql += " AND worst_verdict = ?";
    params.emplace_back(static_cast<int64_t>(*f.worst_verdict));
  }
  if (f.received_from) {
    sql += " AND received_at >= ?";
    params.emplace_back(*f.received_from);
  }
  if (f.received_until) {
    sql += " AND received_at < ?";
    params.emplace_back(*f.received_until);
  }
  if (!f.after.empty()) {
    int64_t at = 0;
    std::string id;
    if (!ParseCursor(f.after, &at, &id)) {
      return InvalidInput("inbox: malformed cursor");
    }
    sql += " AND (received_at, id) < (?, ?)";
    params.emplace_back(at);
    params.emplace_back(id);
  }
  sql += " ORDER BY received_at DESC, id DESC LIMIT ?";
  params.emplace_back(int64_t{f.limit + 1});

  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  InboxPage page;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(f.limit); ++i) {
    page.items.push_back(VorgangFromRow(rows[i]));
  }
  if (rows.size() > static_cast<size_t>(f.limit)) {
    const Vorgang& last = page.items.back();
    page.next_cursor = std::to_string(last.received_at) + ":" + last.id;
  }
  return page;
}

Result<AktenPage> Store::ListAkten(const AktenFilter& f) {
  if (f.limit < 1 || f.limit > 500) {
    return InvalidInput("akten: limit must be 1..500");
  }
  std::string sql =
      "SELECT id, betreff, kennzeichen, federfuehrung, vertraulichkeit, "
      "retention_years, created_at, closed_at, legal_hold "
      "FROM akte WHERE tenant = ?";
  Params params = {f.tenant};
  if (f.kennzeichen) {
    sql += " AND kennzeichen = ?";
    params.emplace_back(*f.kennzeichen);
  }
  if (f.closed) sql += *f.closed ? " AND closed_at IS NOT NULL"
                                 : " AND closed_at IS NULL";
  if (!f.after.empty()) {
    int64_t at = 0;
    std::string id;
    if (!ParseCursor(f.after, &at, &id)) {
      return InvalidInput("akten: malformed cursor");
    }
    sql += " AND (created_at, id) < (?, ?)";
    params.emplace_back(at);
    params.emplace_back(id);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
  params.emplace_back(int64_t{f.limit + 1});

  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, params));
  AktenPage page;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(f.limit); ++i) {
    const Row& r = rows[i];
    Akte a;
    a.id = r.Text(0);
    a.tenant = f.tenant;
    a.meta = {r.Text(1), r.Text(2), r.Text(3), r.Text(4), std::nullopt};
    if (auto years = r.OptInt(5)) {
      a.meta.retention_years = static_cast<int>(*years);
    }
    a.created_at = r.Int(6);
    a.closed_at = r.OptInt(7);
    a.legal_hold = r.Int(8) != 0;
    page.items.push_back(std::move(a));
  }
  if (rows.size() > static_cast<size_t>(f.limit)) {
    const Akte& last = page.items.back();
    page.next_cursor = std::to_string(last.created_at) + ":" + last.id;
  }
  return page;
}

Result<FormatInfo> Store::GetFormat(const std::string& tenant,
                                    const std::string& format_id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT f.id, f.kind, f.rendition_of, f.content_address, "
                 "f.mime_type, f.size, f.filename, d.id, d.vorgang_id, "
                 "d.verdict FROM format f "
                 "JOIN version v ON v.id = f.version_id "
                 "JOIN dokument d ON d.id = v.dokument_id "
                 "WHERE f.id = ? AND d.tenant = ?",
                 {format_id, tenant}));
  if (rows.empty()) return NotFound("format " + format_id + " not found");
  const Row& r = rows[0];
  FormatInfo info;
  info.format = {r.Text(0), r.Text(1), r.Text(2), r.Text(3),
                 r.Text(4), r.Int(5),  r.Text(6)};
  info.dokument_id = r.Text(7);
  info.vorgang_id = r.Text(8);
  info.verdict = static_cast<Verdict>(r.Int(9));
  return info;
}

// Finds the blob of a format in a tenant. kNotFound if absent or deleted.
Result<Store::ContentRef> Store::FindContent(const std::string& tenant,
                                             const std::string& format_id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT f.content_address, d.id, d.vorgang_id "
                 "FROM format f JOIN version v ON v.id = f.version_id "
                 "JOIN dokument d ON d.id = v.dokument_id "
                 "WHERE f.id = ? AND d.tenant = ?",
                 {format_id, tenant}));
  if (rows.empty()) return NotFound("format " + format_id + " not found");
  if (rows[0].IsNull(0)) {
    return NotFound("format " + format_id + ": content deleted (retention)");
  }
  return ContentRef{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2)};
}

Status Store::AuditRead(const std::string& tenant, const ContentRef& ref,
                        const std::string& format_id,
                        const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    return Audit(tenant, actor, kActionReadContent,
                 {ref.vorgang_id, ref.dokument_id, format_id}, nullptr);
  });
  if (!st.ok()) return st.Prepend("read content");
  return st;
}

Result<std::string> Store::ReadContent(const std::string& tenant,
                                       const std::string& format_id,
                                       const std::string& actor) {
  DS_ASSIGN_OR_RETURN(ContentRef ref, FindContent(tenant, format_id));
  // Verify before handing anything out, then record the read.
  DS_ASSIGN_OR_RETURN(std::string bytes, files_.Read(ref.address));
  DS_RETURN_IF_ERROR(AuditRead(tenant, ref, format_id, actor));
  return bytes;
}

Status Store::StreamContent(
    const std::string& tenant, const std::string& format_id,
    const std::string& actor,
    const std::function<Status(std::string_view)>& sink) {
  DS_ASSIGN_OR_RETURN(ContentRef ref, FindContent(tenant, format_id));
  // The read is recorded before the first byte leaves.
  DS_RETURN_IF_ERROR(AuditRead(tenant, ref, format_id, actor));
  return files_.Stream(ref.address, sink);
}

// Rebuilds the search document of a Vorgang. Runs inside a transaction.
Status Store::IndexVorgang(const std::string& tenant, const std::string& vid) {
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT subject, service_name, service_identifier, form_text "
                 "FROM vorgang WHERE id = ?",
                 {vid}));
  if (rows.empty()) return NotFound("index: vorgang not found");
  std::string body;
  for (size_t i = 0; i < 4; ++i) body += rows[0].Text(i) + "\n";
  DS_ASSIGN_OR_RETURN(
      auto names,
      db_->Query("SELECT f.filename FROM format f "
                 "JOIN version v ON v.id = f.version_id "
                 "JOIN dokument d ON d.id = v.dokument_id "
                 "WHERE d.vorgang_id = ? AND d.deleted_at IS NULL "
                 "AND f.kind = 'original'",
                 {vid}));
  // File names also as words ("Mietvertrag-2.pdf" → "Mietvertrag 2 pdf").
  for (const Row& n : names) {
    std::string words = n.Text(0);
    for (char& c : words) {
      if (c == '-' || c == '_' || c == '.') c = ' ';
    }
    body += n.Text(0) + "\n" + words + "\n";
  }

  // Extracted text (text renditions); an unreadable blob is skipped here
  // and reported by `audit verify`.
  DS_ASSIGN_OR_RETURN(
      auto texts,
      db_->Query("SELECT f.content_address FROM format f "
                 "JOIN version v ON v.id = f.version_id "
                 "JOIN dokument d ON d.id = v.dokument_id "
                 "WHERE d.vorgang_id = ? AND d.deleted_at IS NULL "
                 "AND f.kind = 'rendition' AND f.mime_type = ? "
                 "AND f.content_address IS NOT NULL",
                 {vid, std::string(internal::kTextRenditionMime)}));
  for (const Row& t : texts) {
    Result<std::string> text = files_.Read(t.Text(0), 1 << 20);
    if (text.ok()) body += *text + "\n";
  }

  if (db_->dialect() == Dialect::kPostgres) {
    return db_->Exec(
        "INSERT INTO search_doc (vorgang_id, tenant, body) VALUES (?, ?, ?) "
        "ON CONFLICT (vorgang_id) DO UPDATE SET body = excluded.body",
        {vid, tenant, body});
  }
  // FTS5: replace the Vorgang's row under its mapped rowid.
  DS_ASSIGN_OR_RETURN(
      auto mapped,
      db_->Query("SELECT fts_rowid FROM search_row WHERE vorgang_id = ?",
                 {vid}));
  int64_t rowid = 0;
  if (mapped.empty()) {
    DS_ASSIGN_OR_RETURN(
        auto next, db_->Query("SELECT COALESCE(MAX(fts_rowid), 0) + 1 "
                              "FROM search_row"));
    rowid = next[0].Int(0);
    DS_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO search_row (vorgang_id, fts_rowid) VALUES (?, ?)",
        {vid, rowid}));
  } else {
    rowid = mapped[0].Int(0);
    DS_RETURN_IF_ERROR(
        db_->Exec("DELETE FROM search_fts WHERE rowid = ?", {rowid}));
  }
  return db_->Exec(
      "INSERT INTO search_fts (rowid, vorgang_id, tenant, body) "
      "VALUES (?, ?, ?, ?)",
      {rowid, vid, tenant, body});
}

Result<std::vector<SearchHit>> Store::Search(const std::string& tenant,
                                             const std::string& query,
                                             int limit) {
  if (limit < 1 || limit > 500) return InvalidInput("search: limit 1..500");
  std::lock_guard<std::mutex> lock(mu_);
  Result<std::vector<Row>> rows = InvalidInput("search: empty query");
  if (db_->dialect() == Dialect::kPostgres) {
    // Ranked and limited before the join: the planner then keeps only the
    // top rows (a top-N sort) instead of sorting every match with its
    // tsvector (which spilled to disk for a word in most Vorgänge).
    rows = db_->Query(
        "SELECT v.id, v.subject FROM (SELECT vorgang_id, "
        "ts_rank(tsv, plainto_tsquery('german', ?)) AS r FROM search_doc "
        "WHERE tenant = ? AND tsv @@ plainto_tsquery('german', ?) "
        "ORDER BY r DESC, vorgang_id LIMIT ?) s "
        "JOIN vorgang v ON v.id = s.vorgang_id ORDER BY s.r DESC, v.id",
        {query, tenant, query, int64_t{limit}});
  } else {
    std::string terms = Fts5Terms(query);
    if (terms.empty()) return std::vector<SearchHit>();
    // bm25 costs a row lookup per match: a word in most Vorgänge took
    // about 1 s at 250,000 Vorgänge. Only the newest kRankedMatches
    // matches of the tenant (highest FTS rowids) are ranked.
    rows = db_->Query(
        "SELECT v.id, v.subject FROM (SELECT rowid AS r, rank "
        "FROM search_fts WHERE search_fts MATCH ? AND tenant = ? "
        "ORDER BY rowid DESC LIMIT ?) s "
        "JOIN search_row m ON m.fts_rowid = s.r "
        "JOIN vorgang v ON v.id = m.vorgang_id "
        "ORDER BY s.rank, v.id LIMIT ?",
        {"body : (" + terms + ")", tenant, int64_t{kRankedMatches},
         int64_t{limit}});
  }
  if (!rows.ok()) return rows.status();
  std::vector<SearchHit> hits;
  for (const Row& r : *rows) hits.push_back({r.Text(0), r.Text(1)});
  return hits;
}

}  // namespace ds::records
