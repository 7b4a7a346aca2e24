// Shared by the journal's test cases and the backend files that run them.
#pragma once

#include <filesystem>
#include <memory>

#include "core/testing/testing.h"
#include "intake/journal.h"

namespace ds::intake {

// The backend of this test binary ("sqlite" or "postgres"), for test names.
extern const char kTestBackend[];

// Opens the journal under test. `fresh` starts an empty one; otherwise the
// journal opened last is opened again (another connection to it). `dir`
// is the test's temporary directory.
Result<std::unique_ptr<Journal>> OpenTestJournal(const std::filesystem::path& dir, bool fresh);

}  // namespace ds::intake
