// The records schema. The tables are the same in both dialects; SQLite
// tables are STRICT, and full-text search uses FTS5 in SQLite and a
// tsvector column (German configuration) in PostgreSQL.
#include <string>

#include "records/sql.h"

namespace ds::records::internal {
namespace {

// Written with placeholders that each dialect fills in:
// @INT@ (integer type), @STRICT@ (table option).
constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS tenant (
  id TEXT PRIMARY KEY,
  created_at @INT@ NOT NULL
) @STRICT@;

CREATE TABLE IF NOT EXISTS akte (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenant(id),
  betreff TEXT NOT NULL,
  kennzeichen TEXT NOT NULL,
  federfuehrung TEXT NOT NULL,
  vertraulichkeit TEXT NOT NULL,
  retention_years @INT@,
  created_at @INT@ NOT NULL,
  closed_at @INT@,
  legal_hold @INT@ NOT NULL DEFAULT 0
) @STRICT@;

CREATE TABLE IF NOT EXISTS vorgang (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenant(id),
  akte_id TEXT REFERENCES akte(id),
  submission_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  destination_id TEXT NOT NULL,
  service_identifier TEXT NOT NULL,
  service_name TEXT NOT NULL,
  subject TEXT NOT NULL,
  reply_channel TEXT,
  form_text TEXT NOT NULL DEFAULT '',
  data_schema TEXT,
  received_at @INT@ NOT NULL,
  state TEXT NOT NULL,
  routing_detail TEXT NOT NULL DEFAULT '',
  worst_verdict @INT@ NOT NULL,
  closed_at @INT@,
  legal_hold @INT@ NOT NULL DEFAULT 0,
  UNIQUE (tenant, submission_id)
) @STRICT@;

CREATE INDEX IF NOT EXISTS vorgang_inbox
  ON vorgang (tenant, received_at DESC, id DESC) WHERE akte_id IS NULL;
CREATE INDEX IF NOT EXISTS vorgang_inbox_service
  ON vorgang (tenant, service_identifier, received_at DESC, id DESC)
  WHERE akte_id IS NULL;
CREATE INDEX IF NOT EXISTS vorgang_inbox_state
  ON vorgang (tenant, state, received_at DESC, id DESC)
  WHERE akte_id IS NULL;
CREATE INDEX IF NOT EXISTS vorgang_inbox_verdict
  ON vorgang (tenant, worst_verdict, received_at DESC, id DESC)
  WHERE akte_id IS NULL;
CREATE INDEX IF NOT EXISTS vorgang_akte ON vorgang (akte_id);

CREATE TABLE IF NOT EXISTS dokument (
  id TEXT PRIMARY KEY,
  vorgang_id TEXT NOT NULL REFERENCES vorgang(id),
  tenant TEXT NOT NULL REFERENCES tenant(id),
  position @INT@ NOT NULL,
  purpose TEXT NOT NULL,
  attachment_id TEXT NOT NULL,
  doc_class TEXT NOT NULL,
  verdict @INT@ NOT NULL,
  findings TEXT NOT NULL,
  created_at @INT@ NOT NULL,
  deleted_at @INT@,
  UNIQUE (vorgang_id, position)
) @STRICT@;

CREATE TABLE IF NOT EXISTS version (
  id TEXT PRIMARY KEY,
  dokument_id TEXT NOT NULL REFERENCES dokument(id),
  number @INT@ NOT NULL,
  created_at @INT@ NOT NULL,
  UNIQUE (dokument_id, number)
) @STRICT@;

CREATE TABLE IF NOT EXISTS format (
  id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL REFERENCES version(id),
  kind TEXT NOT NULL CHECK (kind IN ('original', 'rendition')),
  rendition_of TEXT REFERENCES format(id),
  content_address TEXT,
  mime_type TEXT NOT NULL,
  size @INT@ NOT NULL,
  filename TEXT NOT NULL
) @STRICT@;
CREATE INDEX IF NOT EXISTS format_version ON format (version_id);
CREATE INDEX IF NOT EXISTS format_address ON format (content_address);

CREATE TABLE IF NOT EXISTS event_log (
  vorgang_id TEXT NOT NULL REFERENCES vorgang(id),
  position @INT@ NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (vorgang_id, position)
) @STRICT@;

CREATE TABLE IF NOT EXISTS document_class (
  tenant TEXT NOT NULL REFERENCES tenant(id),
  name TEXT NOT NULL,
  retention_days @INT@ NOT NULL,
  PRIMARY KEY (tenant, name)
) @STRICT@;

CREATE TABLE IF NOT EXISTS audit (
  tenant TEXT NOT NULL REFERENCES tenant(id),
  seq @INT@ NOT NULL,
  time @INT@ NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_ids TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant, seq)
) @STRICT@;

-- API tokens: only the SHA-256 of the secret is kept (ds_api).
CREATE TABLE IF NOT EXISTS api_token (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenant(id),
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at @INT@ NOT NULL,
  revoked_at @INT@
) @STRICT@;

CREATE INDEX IF NOT EXISTS akte_list
  ON akte (tenant, created_at DESC, id DESC);

-- Ids of objects imported from other systems (xdomea UUIDs) and keys of
-- Dokumente filed at most once; read_only marks records that refuse changes.
CREATE TABLE IF NOT EXISTS external_ref (
  tenant TEXT NOT NULL REFERENCES tenant(id),
  external_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  local_id TEXT NOT NULL,
  read_only @INT@ NOT NULL DEFAULT 0,
  created_at @INT@ NOT NULL,
  PRIMARY KEY (tenant, external_key)
) @STRICT@;
CREATE INDEX IF NOT EXISTS external_ref_local ON external_ref (local_id);

CREATE TABLE IF NOT EXISTS audit_head (
  tenant TEXT PRIMARY KEY REFERENCES tenant(id),
  seq @INT@ NOT NULL,
  hash TEXT NOT NULL
) @STRICT@;
)sql";

// Append-only: the database refuses UPDATE and DELETE on audit rows. This
// stops mistakes, not an attacker with file access (the chain does that).
constexpr const char* kSqliteExtras = R"sql(
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  vorgang_id UNINDEXED, tenant UNINDEXED, body,
  tokenize = 'unicode61 remove_diacritics 2');
-- FTS5 rows are addressed by rowid; this maps a Vorgang to its row (the
-- implicit rowid of vorgang is not stable across VACUUM).
CREATE TABLE IF NOT EXISTS search_row (
  vorgang_id TEXT PRIMARY KEY REFERENCES vorgang(id),
  fts_rowid INTEGER NOT NULL UNIQUE
) STRICT;
)sql";

constexpr const char* kPostgresExtras = R"sql(
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit trail is append-only'; END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_no_change ON audit;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TABLE IF NOT EXISTS search_doc (
  vorgang_id TEXT PRIMARY KEY REFERENCES vorgang(id),
  tenant TEXT NOT NULL,
  body TEXT NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('german', body)) STORED
);
CREATE INDEX IF NOT EXISTS search_doc_tsv ON search_doc USING gin (tsv);
)sql";

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

Status UpgradeSchema(sql::Db& db) {
  // Columns added after the first release, for stores created before them.
  // Asked for first: ALTER TABLE locks the whole table (on PostgreSQL
  // against every other hub process), which a start should not do for
  // nothing. Two PostgreSQL hubs starting together may both find the
  // column missing; IF NOT EXISTS lets the second one pass.
  const bool sqlite = db.dialect() == Dialect::kSqlite;
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db.Query(sqlite
                   ? "SELECT COUNT(*) FROM pragma_table_info('vorgang') "
                     "WHERE name = 'data_schema'"
                   : "SELECT COUNT(*) FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND "
                     "table_name = 'vorgang' AND column_name = 'data_schema'",
               {}));
  if (!rows.empty() && rows[0].Int(0) > 0) return Status::Ok();
  return db.Exec(sqlite ? "ALTER TABLE vorgang ADD COLUMN data_schema TEXT"
                        : "ALTER TABLE vorgang ADD COLUMN IF NOT EXISTS "
                          "data_schema TEXT");
}

std::string SchemaFor(Dialect dialect) {
  std::string sql = kTables;
  bool sqlite = dialect == Dialect::kSqlite;
  ReplaceAll(sql, "@INT@", sqlite ? "INTEGER" : "BIGINT");
  ReplaceAll(sql, "@STRICT@", sqlite ? "STRICT" : "");
  sql += sqlite ? kSqliteExtras : kPostgresExtras;
  return sql;
}

}  // namespace ds::records::internal
