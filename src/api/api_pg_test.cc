// Runs the API test cases on a real PostgreSQL server that this test binary
// starts itself (sql/testing/postgres_server.h); one fresh database per
// test.
#include "api/api_test_support.h"
#include "sql/testing/postgres_server.h"

namespace ds::api::testing {
namespace {

sql::testing::PostgresServer* const server = sql::testing::AddPostgresServer();

}  // namespace

Result<std::unique_ptr<records::Store>> OpenApiTestStore(
    const std::filesystem::path& data_dir) {
  DS_ASSIGN_OR_RETURN(std::string db, server->NewDatabase());
  return records::Store::OpenPostgres(server->Conninfo(db), data_dir);
}

const char* BackendName() { return "postgres"; }

}  // namespace ds::api::testing
