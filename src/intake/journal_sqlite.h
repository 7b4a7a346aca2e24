// The journal in an SQLite database (WAL, synchronous=FULL), for the
// embedded single-process hub. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "intake/journal.h"

namespace ds::intake {

// Opens or creates the journal at `path`.
Result<std::unique_ptr<Journal>> OpenSqliteJournal(const std::filesystem::path& path);

}  // namespace ds::intake
