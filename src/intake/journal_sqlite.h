// The journal in an SQLite database (WAL, synchronous=FULL), for the
// embedded single-process hub. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "intake/journal.h"

namespace ds::intake {

// Opens or creates the journal at `path`. The hub that owns the journal
// passes `release_claims`: claims left in it belong to a hub process that
// died (one process per SQLite journal) and would otherwise hold their
// submissions back for the whole lease; readers (status) leave them.
Result<std::unique_ptr<Journal>> OpenSqliteJournal(const std::filesystem::path& path,
                                                   bool release_claims = false);

}  // namespace ds::intake
