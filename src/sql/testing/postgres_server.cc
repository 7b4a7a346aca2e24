#include "sql/testing/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace ds::sql::testing {
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
    if (pw == nullptr || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
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

}  // namespace

void PostgresServer::SetUp() {
  char tmpl[] = "/tmp/ds-pg-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    ASSERT_NE(pw, nullptr) << "no postgres user to run the server as";
    ASSERT_EQ(::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid), 0);
  }
  fs::path log = dir_ / "server.log";

  pid_t init = Spawn({(PgBin() / "initdb").string(), "-D", (dir_ / "data").string(), "-U",
                      "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-locale"},
                     log);
  int status = 0;
  ::waitpid(init, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "initdb failed; see " << log;
  port_ = FreePort();
  // Durability settings off: the tests check behaviour, not crash safety of
  // PostgreSQL itself.
  server_ = Spawn({(PgBin() / "postgres").string(), "-D", (dir_ / "data").string(), "-p",
                   std::to_string(port_), "-k", dir_.string(), "-h", "127.0.0.1", "-c",
                   "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
                  log);

  std::string admin = Conninfo("postgres");
  for (int i = 0; i < 300; ++i) {
    if (PQping(admin.c_str()) == PQPING_OK) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL() << "postgres did not start; see " << log;
}

void PostgresServer::TearDown() {
  if (server_ > 0) {
    ::kill(server_, SIGINT);  // fast shutdown
    int status = 0;
    ::waitpid(server_, &status, 0);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresServer::Conninfo(const std::string& db) const {
  return "host=" + dir_.string() + " port=" + std::to_string(port_) +
         " user=postgres dbname=" + db;
}

Result<std::string> PostgresServer::NewDatabase() {
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

PostgresServer* AddPostgresServer() {
  return static_cast<PostgresServer*>(
      ::testing::AddGlobalTestEnvironment(new PostgresServer));
}

}  // namespace ds::sql::testing
