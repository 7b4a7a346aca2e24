// A real PostgreSQL server for tests, started by the test binary itself:
// initdb into a temporary directory, postgres on 127.0.0.1 with a free port
// and its socket in that directory, run as user `postgres` when the tests
// run as root. One server per test binary, stopped when the binary ends.
//
//   ds::sql::testing::PostgresServer* pg = ds::sql::testing::AddPostgresServer();
//   // in a test, after the environment is set up:
//   DS_ASSIGN_OR_RETURN(std::string db, pg->NewDatabase());
//   auto store = Store::OpenPostgres(pg->Conninfo(db), dir);
//
// $DS_PG_BIN overrides the server binaries' directory
// (default /usr/lib/postgresql/15/bin, Debian 12).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "core/status.h"

namespace ds::sql::testing {

class PostgresServer : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  // A libpq connection string for database `db` on this server.
  std::string Conninfo(const std::string& db) const;
  // Creates an empty database and returns its name.
  Result<std::string> NewDatabase();

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t server_ = -1;
  std::atomic<int> counter_{0};
};

// Registers the server as a global test environment (call at static
// initialisation, once per binary) and returns it.
PostgresServer* AddPostgresServer();

}  // namespace ds::sql::testing
