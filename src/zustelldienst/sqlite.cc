#include "zustelldienst/sqlite.h"

#include <memory>

namespace ds::zustelldienst {
namespace {

Status SqlError(sqlite3* db, std::string_view step) {
  int code = sqlite3_errcode(db);
  std::string msg = "sqlite " + std::string(step) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CONSTRAINT || sqlite3_extended_errcode(db) ==
                                       SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status(Code::kAlreadyExists, msg);
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(msg);
  return EnvironmentError(msg);
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                               SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  std::unique_ptr<Db> db(new Db(raw));
  if (rc != SQLITE_OK) return SqlError(raw, "open");
  sqlite3_busy_timeout(raw, 10000);
  DS_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  DS_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  DS_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return EnvironmentError("sqlite exec: " + msg);
  }
  return Status::Ok();
}

Result<std::vector<SqlRow>> Db::Query(std::string_view sql,
                                      const std::vector<SqlValue>& params) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw,
                         nullptr) != SQLITE_OK) {
    return SqlError(db_, "prepare");
  }
  std::unique_ptr<sqlite3_stmt, StmtDeleter> stmt(raw);

  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    const SqlValue& v = params[i];
    if (v.kind == SqlValue::kInt) {
      sqlite3_bind_int64(raw, idx, v.i);
    } else if (v.kind == SqlValue::kText) {
      sqlite3_bind_text(raw, idx, v.s.data(), static_cast<int>(v.s.size()),
                        SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(raw, idx);
    }
  }

  std::vector<SqlRow> rows;
  for (;;) {
    int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqlError(db_, "step");
    SqlRow row;
    int n = sqlite3_column_count(raw);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(raw, c)) {
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(raw, c)));
          break;
        case SQLITE_NULL:
          row.emplace_back();
          break;
        default: {
          const char* text =
              reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
          int len = sqlite3_column_bytes(raw, c);
          row.emplace_back(std::string(text ? text : "", static_cast<size_t>(len)));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<int64_t> Db::Run(std::string_view sql,
                        const std::vector<SqlValue>& params) {
  DS_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  (void)rows;
  return static_cast<int64_t>(sqlite3_changes(db_));
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace ds::zustelldienst
