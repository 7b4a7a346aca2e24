// Runs the store test cases on a real PostgreSQL server that this test
// binary starts itself: initdb into a temp dir, postgres on 127.0.0.1 with
// a free port and its socket in the temp dir, run as user `postgres` when
// the tests run as root. One server per binary (a gtest Environment); one
// fresh database per test.
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/encoding.h"
#include "records/store_test_support.h"

namespace ds::records::testing {
namespace {
namespace fs = std::filesystem;

fs::path PgBin() {
  if (const char* env = std::getenv("DS_PG_BIN"); env && *env) return env;
  return "/usr/lib/postgresql/15/bin";
}

int FreePort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  return ntohs(addr.sin_port);
}

// Forks and execs `argv`, as user postgres when we are root; output goes
// to `log`. Returns the child's pid.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::setgid(pw->pw_gid) != 0 ||
        ::setuid(pw->pw_uid) != 0) {
      ::_exit(127);
    }
  }
  FILE* out = std::fopen(log.c_str(), "a");
  if (out) {
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

class PostgresServer : public ::testing::Environment {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/ds-pg-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("postgres");
      ASSERT_NE(pw, nullptr) << "no postgres user to run the server as";
      ASSERT_EQ(::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid), 0);
    }
    fs::path log = dir_ / "server.log";

    // initdb, then the server in the background.
    pid_t init = Spawn({(PgBin() / "initdb").string(), "-D",
                        (dir_ / "data").string(), "-U", "postgres", "-A",
                        "trust", "-E", "UTF8", "--no-sync", "--no-locale"},
                       log);
    int status = 0;
    ::waitpid(init, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "initdb failed; see " << log;
    port_ = FreePort();
    server_ = Spawn({(PgBin() / "postgres").string(), "-D",
                     (dir_ / "data").string(), "-p", std::to_string(port_),
                     "-k", dir_.string(), "-h", "127.0.0.1", "-c",
                     "fsync=off", "-c", "synchronous_commit=off", "-c",
                     "full_page_writes=off"},
                    log);

    // Wait until it accepts connections.
    std::string admin = Conninfo("postgres");
    for (int i = 0; i < 300; ++i) {
      if (PQping(admin.c_str()) == PQPING_OK) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "postgres did not start; see " << log;
  }

  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGINT);  // fast shutdown
      int status = 0;
      ::waitpid(server_, &status, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Conninfo(const std::string& db) const {
    return "host=" + dir_.string() + " port=" + std::to_string(port_) +
           " user=postgres dbname=" + db;
  }

  // Creates an empty database and returns its name.
  Result<std::string> NewDatabase() {
    std::string name = "t" + std::to_string(++counter_);
    PGconn* conn = PQconnectdb(Conninfo("postgres").c_str());
    PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string err = PQerrorMessage(conn);
    PQclear(res);
    PQfinish(conn);
    if (!ok) return Unavailable("create database: " + err);
    return name;
  }

  std::string current_db;

 private:
  fs::path dir_;
  int port_ = 0;
  pid_t server_ = -1;
  std::atomic<int> counter_{0};
};

PostgresServer* server =
    static_cast<PostgresServer*>(::testing::AddGlobalTestEnvironment(
        new PostgresServer));

}  // namespace

Result<std::unique_ptr<Store>> OpenTestStore(const std::string& /*backend*/,
                                             const fs::path& data_dir) {
  DS_ASSIGN_OR_RETURN(server->current_db, server->NewDatabase());
  return Store::OpenPostgres(server->Conninfo(server->current_db), data_dir);
}

Result<std::unique_ptr<Store>> ReopenTestStore(const std::string& /*backend*/,
                                               const fs::path& data_dir) {
  return Store::OpenPostgres(server->Conninfo(server->current_db), data_dir);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest, ::testing::Values("postgres"));

namespace {

// Runs SQL on the current test database behind the store's back.
void RawSql(const std::string& sql) {
  PGconn* conn = PQconnectdb(server->Conninfo(server->current_db).c_str());
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
