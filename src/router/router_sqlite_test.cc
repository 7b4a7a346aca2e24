// Runs the router cases on SQLite: the E-Akte and the router's tables in
// <data_dir>/records.sqlite, the router on its own connection.
#include "router/router_test_support.h"

namespace ds::router::testing {

Result<std::unique_ptr<records::Store>> OpenRouterTestStore(
    const std::filesystem::path& data_dir, std::string* database_url) {
  database_url->clear();
  return records::Store::OpenSqlite(data_dir);
}

const char* RouterBackendName() { return "sqlite"; }

}  // namespace ds::router::testing
