#include "intake/journal_sql.h"
#include "intake/journal_test_support.h"

namespace ds::intake {

const char kTestBackend[] = "sqlite";

Result<std::unique_ptr<Journal>> OpenTestJournal(const std::filesystem::path& dir, bool fresh) {
  (void)fresh;  // one file per test directory: a new directory is a new journal
  return OpenSqliteJournal(dir / "journal.sqlite");
}

}  // namespace ds::intake
