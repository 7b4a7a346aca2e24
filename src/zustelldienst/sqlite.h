// Internal: a small wrapper over the SQLite C API for the stand-in's store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::zustelldienst {

// A bound value: text, integer or NULL.
struct SqlValue {
  enum Kind { kNull, kInt, kText } kind = kNull;
  int64_t i = 0;
  std::string s;
  SqlValue() = default;
  SqlValue(int64_t v) : kind(kInt), i(v) {}            // NOLINT
  SqlValue(int v) : kind(kInt), i(v) {}                // NOLINT
  SqlValue(std::string v) : kind(kText), s(std::move(v)) {}  // NOLINT
  SqlValue(std::string_view v) : kind(kText), s(v) {}  // NOLINT
  SqlValue(const char* v) : kind(kText), s(v) {}       // NOLINT
};

using SqlRow = std::vector<SqlValue>;

class Db {
 public:
  // Opens (creating) the database in WAL mode with a busy timeout.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(std::string_view sql);
  // Runs one statement with parameters ?1..?n; returns all rows.
  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params = {});
  // Like Query for statements without rows; returns changed rows.
  Result<int64_t> Run(std::string_view sql,
                      const std::vector<SqlValue>& params = {});
  int64_t LastInsertId() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace ds::zustelldienst
