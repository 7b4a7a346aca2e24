// Test support: the same store test cases run against every backend. Each
// test binary links one backend_*.cc that implements OpenTestStore and
// instantiates the parameterised suites for its backend.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::records::testing {

// A fresh, empty store for one test: a new SQLite file or a new PostgreSQL
// database, with its file store under `data_dir`.
Result<std::unique_ptr<Store>> OpenTestStore(const std::string& backend,
                                             const std::filesystem::path& data_dir);

// A second connection to the same store (concurrency tests).
Result<std::unique_ptr<Store>> ReopenTestStore(
    const std::string& backend, const std::filesystem::path& data_dir);

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;

  // A submission with JSON form data and `attachments` PDF attachments whose
  // blobs are already stored.
  IncomingSubmission MakeSubmission(const std::string& tenant,
                                    const std::string& submission_id,
                                    int attachments = 1);
  IncomingDocument StoreDocument(const std::string& bytes,
                                 const std::string& filename,
                                 const std::string& mime);

  ds::testing::TempDir tmp_;
  std::unique_ptr<Store> store_;
};

}  // namespace ds::records::testing
