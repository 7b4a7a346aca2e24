// Runs the store test cases on SQLite.
#include "records/store_test_support.h"

namespace ds::records::testing {

Result<std::unique_ptr<Store>> OpenTestStore(
    const std::string& /*backend*/, const std::filesystem::path& data_dir) {
  return Store::OpenSqlite(data_dir);
}

Result<std::unique_ptr<Store>> ReopenTestStore(
    const std::string& /*backend*/, const std::filesystem::path& data_dir) {
  return Store::OpenSqlite(data_dir);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values("sqlite"));

}  // namespace ds::records::testing
