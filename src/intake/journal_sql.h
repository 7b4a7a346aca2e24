// The journal in a database: SQLite (WAL, synchronous=FULL) for the
// embedded single-process hub, or PostgreSQL, which several hub processes
// share. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "intake/journal.h"

namespace ds::intake {

// Opens or creates the journal at `path`. The hub that owns the journal
// passes `release_claims`: claims left in it belong to a hub process that
// died (one process per SQLite journal) and would otherwise hold their
// submissions back for the whole lease; readers (status) leave them.
Result<std::unique_ptr<Journal>> OpenSqliteJournal(const std::filesystem::path& path,
                                                   bool release_claims = false);

// Connects to the journal in a PostgreSQL database (libpq connection
// string or postgresql:// URL), creating its tables if needed. Claims take
// rows with FOR UPDATE SKIP LOCKED, so that hub processes sharing the
// database never claim one submission twice. Claims of a process that died
// are not released early: its submissions wait until the lease ends, which
// the hub keeps short by renewing the claims of the work it is doing.
Result<std::unique_ptr<Journal>> OpenPostgresJournal(const std::string& conninfo);

}  // namespace ds::intake
