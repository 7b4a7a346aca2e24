// Runs the router cases on a real PostgreSQL server that this test binary
// starts itself (sql/testing/postgres_server.h); one fresh database per
// test, so claims use FOR UPDATE SKIP LOCKED as in production.
#include "router/router_test_support.h"
#include "sql/testing/postgres_server.h"

namespace ds::router::testing {
namespace {

sql::testing::PostgresServer* const server = sql::testing::AddPostgresServer();

}  // namespace

Result<std::unique_ptr<records::Store>> OpenRouterTestStore(
    const std::filesystem::path& data_dir, std::string* database_url) {
  DS_ASSIGN_OR_RETURN(std::string db, server->NewDatabase());
  *database_url = server->Conninfo(db);
  return records::Store::OpenPostgres(*database_url, data_dir);
}

const char* RouterBackendName() { return "postgres"; }

}  // namespace ds::router::testing
