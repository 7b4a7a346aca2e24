// The journal's cases on a real PostgreSQL server started by this binary.
#include "intake/journal_sql.h"
#include "intake/journal_test_support.h"
#include "sql/testing/postgres_server.h"

namespace ds::intake {
namespace {

sql::testing::PostgresServer* const server = sql::testing::AddPostgresServer();
std::string current_db;

}  // namespace

const char kTestBackend[] = "postgres";

Result<std::unique_ptr<Journal>> OpenTestJournal(const std::filesystem::path&, bool fresh) {
  if (fresh) {
    DS_ASSIGN_OR_RETURN(current_db, server->NewDatabase());
  }
  return OpenPostgresJournal(server->Conninfo(current_db));
}

}  // namespace ds::intake
