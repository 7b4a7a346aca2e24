// The small SQL surface that the E-Akte and the intake journal share, with
// one implementation for SQLite and one for PostgreSQL (libpq). The parts
// keep their own schemas; this layer only runs statements.
//
// Statements use `?` placeholders in both dialects (the PostgreSQL backend
// rewrites them to $1..$n; never put a literal `?` in SQL text). Every value
// comes back as text (or NULL); Row::Int parses it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace ds::sql {

enum class Dialect { kSqlite, kPostgres };

using Param = std::variant<std::nullptr_t, int64_t, std::string>;
using Params = std::vector<Param>;

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells)
      : cells_(std::move(cells)) {}
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  std::string Text(size_t i) const { return cells_.at(i).value_or(""); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  size_t size() const { return cells_.size(); }

 private:
  std::vector<std::optional<std::string>> cells_;
};

// One connection. Not thread-safe: callers serialise access.
class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;

  // Runs a script of several statements without parameters (schema).
  virtual Status Script(std::string_view sql) = 0;
  // Runs one statement and returns its rows (none for DML without RETURNING).
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         const Params& params = {}) = 0;
  // Starts a write transaction that serialises with other writers.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;

  Status Exec(std::string_view sql, const Params& params = {}) {
    return Query(sql, params).status();
  }
};

// Opens (creating) an SQLite database in WAL mode with foreign keys on.
Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path);

// Connects to PostgreSQL with a libpq connection string.
Result<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo);

// Runs `fn` inside a transaction; commits if it returns OK, else rolls back.
template <typename Fn>
Status InTransaction(Db& db, Fn&& fn) {
  DS_RETURN_IF_ERROR(db.Begin());
  Status st = fn();
  if (!st.ok()) {
    db.Rollback();
    return st;
  }
  st = db.Commit();
  if (!st.ok()) db.Rollback();
  return st;
}

// Runs a schema script of idempotent statements (CREATE ... IF NOT EXISTS).
// PostgreSQL does not make those safe against a second process running
// them at the same moment, so there the script runs in a transaction that
// holds one advisory lock shared by every part's schema: hub processes
// starting together migrate one after the other.
inline Status ApplySchema(Db& db, std::string_view script) {
  if (db.dialect() == Dialect::kSqlite) return db.Script(script);
  return InTransaction(db, [&]() -> Status {
    DS_RETURN_IF_ERROR(db.Exec("SELECT pg_advisory_xact_lock(72656364)"));
    return db.Script(script);
  });
}

}  // namespace ds::sql
