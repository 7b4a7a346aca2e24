// The import of the real 0503 example on a real PostgreSQL server started
// by this binary: filed once, read-only, on the second backend too.
#include "core/testing/testing.h"
#include "sql/testing/postgres_server.h"
#include "xdomea/import.h"

namespace ds::xdomea {
namespace {

sql::testing::PostgresServer* const server = sql::testing::AddPostgresServer();

TEST(ImportPostgres, Imports0503OnceAndReadOnly) {
  ds::testing::TempDir tmp;
  auto db = server->NewDatabase();
  ASSERT_OK(db);
  auto store = records::Store::OpenPostgres(server->Conninfo(*db), tmp.path());
  ASSERT_OK(store);
  gate::Policy policy;
  policy.allow_all_inspectable = true;
  policy.require_virus_scan = false;
  ImportOptions opt{.specs_dir = ds::testing::SpecsDir(),
                    .inspect = GateInspector(policy)};
  auto zip =
      ds::testing::SpecsDir() / "xdomea" / "examples" / "x-man-testdata-3.0.0" /
      "9a75050f-323a-4e84-94c9-a889aa2b4fe8_Aussonderung.Aussonderung.0503.zip";

  auto first = ImportFile(**store, "archiv", zip, opt);
  auto second = ImportFile(**store, "archiv", zip, opt);

  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(first->receipt.dokumente_new, 3);
  EXPECT_EQ(second->receipt.dokumente_new, 0);
  EXPECT_EQ(second->receipt.vorgaenge_new, 0);
  auto ro = (*store)->IsReadOnly("archiv", first->receipt.vorgang_ids[0]);
  ASSERT_OK(ro);
  EXPECT_TRUE(*ro);
  auto report = (*store)->VerifyAudit();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace ds::xdomea
