// Internal: the records store runs its statements on the shared SQL layer
// (sql/db.h); these aliases keep the records code short. Only files in
// src/records include this header.
#pragma once

#include <string>

#include "sql/db.h"

namespace ds::records::internal {

using sql::Db;
using sql::Dialect;
using sql::InTransaction;
using sql::OpenPostgres;
using sql::OpenSqlite;
using sql::Param;
using sql::Params;
using sql::Row;

// The records schema for a dialect (idempotent: CREATE ... IF NOT EXISTS).
std::string SchemaFor(Dialect dialect);

// Brings a store created by an earlier release up to SchemaFor's columns
// (after SchemaFor's script ran). Idempotent.
Status UpgradeSchema(Db& db);

}  // namespace ds::records::internal
