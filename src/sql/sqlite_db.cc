// SQLite backend of the shared SQL layer.
#include <sqlite3.h>

#include <charconv>

#include "sql/db.h"

namespace ds::sql {

int64_t Row::Int(size_t i) const {
  std::string text = Text(i);
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

namespace {

class SqliteDb : public Db {
 public:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  ~SqliteDb() override { sqlite3_close_v2(db_); }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Script(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Fail("script", msg);
    }
    return Status::Ok();
  }

  Result<std::vector<Row>> Query(std::string_view sql,
                                 const Params& params) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                           &stmt, nullptr) != SQLITE_OK) {
      return Fail("prepare", sqlite3_errmsg(db_));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> guard(
        stmt, sqlite3_finalize);
    DS_RETURN_IF_ERROR(Bind(stmt, params));

    std::vector<Row> rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail("step", sqlite3_errmsg(db_));
      rows.push_back(ReadRow(stmt));
    }
    return rows;
  }

  Status Begin() override { return Script("BEGIN IMMEDIATE"); }
  Status Commit() override { return Script("COMMIT"); }
  void Rollback() override { (void)Script("ROLLBACK"); }

 private:
  Status Fail(std::string_view step, std::string_view msg) {
    int code = sqlite3_extended_errcode(db_);
    std::string text = "sqlite " + std::string(step) + ": " + std::string(msg);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(text);
    if ((code & 0xff) == SQLITE_CONSTRAINT) return Status(Code::kConflict, text);
    if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
      return CheckFailed(text);
    }
    return Internal(text);
  }

  Status Bind(sqlite3_stmt* stmt, const Params& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (auto* v = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, idx, *v);
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(stmt, idx, s->data(),
                               static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) return Fail("bind", sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }

  static Row ReadRow(sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<std::optional<std::string>> cells;
    cells.reserve(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        cells.emplace_back(std::nullopt);
        continue;
      }
      const auto* text =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      int len = sqlite3_column_bytes(stmt, c);
      cells.emplace_back(std::string(text, static_cast<size_t>(len)));
    }
    return Row(std::move(cells));
  }

  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    return EnvironmentError("sqlite open: " + msg);
  }
  sqlite3_busy_timeout(raw, 10000);
  auto db = std::make_unique<SqliteDb>(raw);
  DS_RETURN_IF_ERROR(db->Script(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=ON;"));
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace ds::sql
