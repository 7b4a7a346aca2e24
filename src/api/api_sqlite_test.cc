// Runs the API test cases on SQLite.
#include "api/api_test_support.h"

namespace ds::api::testing {

Result<std::unique_ptr<records::Store>> OpenApiTestStore(
    const std::filesystem::path& data_dir) {
  return records::Store::OpenSqlite(data_dir);
}

const char* BackendName() { return "sqlite"; }

}  // namespace ds::api::testing
