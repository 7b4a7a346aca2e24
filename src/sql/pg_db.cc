// PostgreSQL backend (libpq) of the shared SQL layer. Parameters
// are sent as text and typed by the server; results are read as text.
#include <libpq-fe.h>

#include <memory>

#include "sql/db.h"

namespace ds::sql {
namespace {

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Rewrites `?` placeholders to $1..$n (statements carry no literal `?`).
std::string Numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PgDb : public Db {
 public:
  explicit PgDb(PGconn* conn) : conn_(conn) {}
  ~PgDb() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Script(std::string_view sql) override {
    PgResult res(PQexec(conn_, std::string(sql).c_str()), PQclear);
    return Check(res.get(), "script");
  }

  Result<std::vector<Row>> Query(std::string_view sql,
                                 const Params& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto* v = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    std::string text = Numbered(sql);
    PgResult res(PQexecParams(conn_, text.c_str(),
                              static_cast<int>(params.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 PQclear);
    DS_RETURN_IF_ERROR(Check(res.get(), "query"));

    std::vector<Row> rows;
    int nrows = PQntuples(res.get());
    int ncols = PQnfields(res.get());
    rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      std::vector<std::optional<std::string>> cells;
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          cells.emplace_back(std::nullopt);
        } else {
          cells.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                         PQgetlength(res.get(), r, c)));
        }
      }
      rows.emplace_back(std::move(cells));
    }
    return rows;
  }

  Status Begin() override { return Script("BEGIN"); }
  Status Commit() override { return Script("COMMIT"); }
  void Rollback() override { (void)Script("ROLLBACK"); }

 private:
  Status Check(PGresult* res, std::string_view step) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    std::string code = state ? state : "";
    std::string msg = "postgres " + std::string(step) + ": " +
                      PQresultErrorMessage(res);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    if (PQstatus(conn_) != CONNECTION_OK) return Unavailable(msg);
    if (code.rfind("23", 0) == 0) return Status(Code::kConflict, msg);
    if (code == "40001" || code == "40P01") return Unavailable(msg);
    return Internal(msg);
  }

  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
    PQfinish(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Unavailable("postgres connect: " + msg);
  }
  auto db = std::make_unique<PgDb>(conn);
  DS_RETURN_IF_ERROR(db->Script(
      "SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace ds::sql
