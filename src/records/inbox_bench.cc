// Inbox listing at scale: 100,000 Vorgänge in one tenant (plus 50,000 in
// another) on SQLite, seeded directly with SQL; and the cost of filing one
// submission (one transaction with fsync).
//
//   build/release/src/records/records_inbox_bench
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::records {
namespace {

constexpr int kCases = 100'000;
constexpr int64_t kStart = 1'700'000'000;

struct Fixture {
  ds::testing::TempDir dir;
  std::unique_ptr<Store> store;
  std::string form_address;
  int64_t form_size = 0;

  Fixture() {
    store = std::move(*Store::OpenSqlite(dir.path()));
    Seed("bench", kCases);
    Seed("other", kCases / 2);
    auto blob = store->files().PutBytes(R"({"antrag":"x"})");
    form_address = blob->address;
    form_size = blob->size;
  }

  void Seed(const std::string& tenant, int n) {
    sqlite3* db = nullptr;
    sqlite3_open((dir.path() / "records.sqlite").c_str(), &db);
    char sql[2048];
    std::snprintf(
        sql, sizeof sql,
        "INSERT INTO tenant VALUES ('%s', 0);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < %d) "
        "INSERT INTO vorgang (id, tenant, akte_id, submission_id, case_id, "
        "destination_id, service_identifier, service_name, subject, "
        "reply_channel, form_text, received_at, state, worst_verdict) "
        "SELECT printf('%s-%%08d', i), '%s', NULL, 'sub-' || i, 'case-' || i, "
        "'dest', 'urn:leika:' || (i %% 20), 'Service', 'Antrag ' || i, NULL, "
        "'', %lld + i * 60, CASE i %% 4 WHEN 0 THEN 'new' WHEN 1 THEN "
        "'routing' WHEN 2 THEN 'delivered' ELSE 'failed' END, "
        "CASE WHEN i %% 100 = 0 THEN 3 ELSE i %% 3 END FROM n;",
        tenant.c_str(), n, tenant.c_str(), tenant.c_str(),
        static_cast<long long>(kStart));
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "seed failed: %s\n", err);
      std::abort();
    }
    sqlite3_close(db);
  }
};

Fixture& F() {
  static Fixture* f = new Fixture;
  return *f;
}

void RunInbox(benchmark::State& state, InboxFilter filter) {
  Store& store = *F().store;
  size_t items = 0;
  for (auto _ : state) {
    auto page = store.ListInbox(filter);
    if (!page.ok()) state.SkipWithError(page.status().ToString().c_str());
    items = page->items.size();
    benchmark::DoNotOptimize(items);
  }
  state.counters["items"] = static_cast<double>(items);
}

void BM_InboxFirstPage(benchmark::State& state) {
  RunInbox(state, {.tenant = "bench", .limit = 50});
}

void BM_InboxDeepPageByCursor(benchmark::State& state) {
  int i = kCases / 2;
  char id[64];
  std::snprintf(id, sizeof id, "bench-%08d", i);
  RunInbox(state, {.tenant = "bench", .limit = 50,
                   .after = std::to_string(kStart + i * 60) + ":" + id});
}

void BM_InboxByService(benchmark::State& state) {
  RunInbox(state, {.tenant = "bench",
                   .service_identifier = std::string("urn:leika:7"),
                   .limit = 50});
}

void BM_InboxRareVerdict(benchmark::State& state) {
  RunInbox(state, {.tenant = "bench", .worst_verdict = Verdict::kRejected,
                   .limit = 50});
}

void BM_InboxStateInDateRange(benchmark::State& state) {
  RunInbox(state, {.tenant = "bench", .state = std::string("failed"),
                   .received_from = kStart + 10'000 * 60,
                   .received_until = kStart + 20'000 * 60, .limit = 50});
}

void BM_FileSubmission(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    IncomingSubmission in;
    in.tenant = "bench";
    in.submission_id = NewUuid();
    in.service_identifier = "urn:leika:1";
    in.subject = "Antrag";
    in.form_data.content_address = f.form_address;
    in.form_data.size = f.form_size;
    in.form_data.mime_type = "application/json";
    auto r = f.store->FileSubmission(in);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
}

BENCHMARK(BM_InboxFirstPage);
BENCHMARK(BM_InboxDeepPageByCursor);
BENCHMARK(BM_InboxByService);
BENCHMARK(BM_InboxRareVerdict);
BENCHMARK(BM_InboxStateInDateRange);
BENCHMARK(BM_FileSubmission)->Iterations(200);

}  // namespace
}  // namespace ds::records

BENCHMARK_MAIN();
