// Test support: a real PostgreSQL server that a test binary starts itself:
// initdb into a temp dir, postgres on 127.0.0.1 with a free port and its
// socket in the temp dir, run as user `postgres` when the tests run as
// root. One server per binary (a gtest Environment, registered when this
// file is linked); tests make a fresh database each with NewDatabase().
//
//   auto db = ds::records::testing::PgServer().NewDatabase();
//   auto store = Store::OpenPostgres(PgServer().Conninfo(*db), dir);
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "core/testing/testing.h"

namespace ds::records::testing {

class PgTestServer : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  // libpq connection string for database `db` on this server.
  std::string Conninfo(const std::string& db) const;
  // Creates an empty database and returns its name. Thread-safe.
  Result<std::string> NewDatabase();

  std::string current_db;  // free for the tests' bookkeeping

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t server_ = -1;
  std::atomic<int> counter_{0};
};

// The server of this test binary (started before the first test).
PgTestServer& PgServer();

}  // namespace ds::records::testing
