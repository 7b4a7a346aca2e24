// Runs the store test cases on a real PostgreSQL server that this test
// binary starts itself (sql/testing/postgres_server.h). One server per
// binary; one fresh database per test.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>

#include "core/encoding.h"
#include "records/store_test_support.h"
#include "sql/testing/postgres_server.h"

namespace ds::records::testing {
namespace {
namespace fs = std::filesystem;

sql::testing::PostgresServer* const server = sql::testing::AddPostgresServer();
std::string current_db;

}  // namespace

Result<std::unique_ptr<Store>> OpenTestStore(const std::string& /*backend*/,
                                             const fs::path& data_dir) {
  DS_ASSIGN_OR_RETURN(current_db, server->NewDatabase());
  return Store::OpenPostgres(server->Conninfo(current_db), data_dir);
}

Result<std::unique_ptr<Store>> ReopenTestStore(const std::string& /*backend*/,
                                               const fs::path& data_dir) {
  return Store::OpenPostgres(server->Conninfo(current_db), data_dir);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest, ::testing::Values("postgres"));

namespace {

// Runs SQL on the current test database behind the store's back.
void RawSql(const std::string& sql) {
  PGconn* conn = PQconnectdb(server->Conninfo(current_db).c_str());
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType st = PQresultStatus(res);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
      << PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
}

using PostgresOnly = StoreTest;

// 100,000 Vorgänge seeded with generate_series; every inbox query must
// stay an index walk. Timings are printed; the bound is generous because
// the machine is shared.
TEST_P(PostgresOnly, InboxStaysFastAtHundredThousandCases) {
  RawSql(
      "INSERT INTO tenant VALUES ('bench', 0);"
      "INSERT INTO vorgang (id, tenant, submission_id, case_id, "
      "destination_id, service_identifier, service_name, subject, "
      "received_at, state, worst_verdict) "
      "SELECT 'bench-' || lpad(i::text, 8, '0'), 'bench', 's' || i, "
      "'c' || i, 'd', 'urn:leika:' || (i % 20), 'S', 'Antrag ' || i, "
      "1700000000 + i * 60, (ARRAY['new','routing','delivered','failed'])"
      "[1 + i % 4], CASE WHEN i % 100 = 0 THEN 3 ELSE i % 3 END "
      "FROM generate_series(1, 100000) AS i; ANALYZE vorgang;");
  std::vector<InboxFilter> filters = {
      {.tenant = "bench"},
      {.tenant = "bench",
       .after = std::to_string(1700000000 + 50000 * 60) + ":bench-00050000"},
      {.tenant = "bench", .service_identifier = std::string("urn:leika:7")},
      {.tenant = "bench", .worst_verdict = Verdict::kRejected},
      {.tenant = "bench", .state = std::string("failed"),
       .received_from = 1700000000 + 10000 * 60,
       .received_until = 1700000000 + 20000 * 60},
  };

  for (const InboxFilter& f : filters) {
    auto start = std::chrono::steady_clock::now();
    constexpr int kRuns = 20;
    for (int i = 0; i < kRuns; ++i) {
      auto page = store_->ListInbox(f);
      ASSERT_OK(page);
      ASSERT_EQ(page->items.size(), 50u);
    }
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count() /
              kRuns;
    std::printf("inbox page (postgres, 100k): %lld us\n",
                static_cast<long long>(us));
    EXPECT_LT(us, 100000);
  }
}

// German stemming: an inflected form finds the base form.
TEST_P(PostgresOnly, SearchUsesGermanStemming) {
  IncomingSubmission in = MakeSubmission("kreis-a", NewUuid());
  in.subject = "Anträge auf Wohngeld";
  auto r = store_->FileSubmission(in);
  ASSERT_OK(r);

  auto hits = store_->Search("kreis-a", "Antrag");

  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].vorgang_id, r->vorgang_id);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOnly, ::testing::Values("postgres"));

}  // namespace

}  // namespace ds::records::testing
