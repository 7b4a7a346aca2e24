// `drehscheibe audit verify [--json] [--database URL]`: checks the audit
// hash chain of every tenant and re-hashes every stored file. Exit 1 if
// anything was altered, removed, inserted, reordered, corrupted or missing.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "core/config.h"
#include "records/store.h"

namespace ds::cli {
namespace {

struct VerifyOptions {
  bool json = false;
  std::string database;  // PostgreSQL; "" = SQLite in the data directory
};

void PrintText(const records::AuditReport& report) {
  std::cout << "audit verify: " << (report.ok() ? "ok" : "FAILED")
            << " tenants=" << report.tenants << " entries=" << report.entries
            << " blobs=" << report.blobs_checked
            << " problems=" << report.problems.size() << "\n";
  for (const auto& p : report.problems) {
    std::cout << "  " << p.kind;
    if (!p.tenant.empty()) std::cout << " tenant=" << p.tenant;
    if (p.seq != 0) std::cout << " seq=" << p.seq;
    std::cout << ": " << p.detail << "\n";
  }
}

Status RunVerify(const Context& ctx, const VerifyOptions& opt) {
  std::filesystem::path data = ResolveDataDir(ctx.data_flag);
  std::string database = opt.database;
  if (database.empty()) {
    if (const char* env = std::getenv("DREHSCHEIBE_DATABASE_URL")) {
      database = env;
    }
  }
  // Verifying must not create an empty store where none was.
  if (database.empty() && !std::filesystem::exists(data / "records.sqlite")) {
    return EnvironmentError("audit verify: no records store in " +
                            data.string());
  }
  DS_ASSIGN_OR_RETURN(auto store, records::Store::Open(data, database));
  DS_ASSIGN_OR_RETURN(records::AuditReport report, store->VerifyAudit());

  if (opt.json) {
    std::cout << report.ToJson().dump(2) << "\n";
  } else {
    PrintText(report);
  }
  if (!report.ok()) {
    return CheckFailed("audit verify: " +
                       std::to_string(report.problems.size()) +
                       " problem(s) found");
  }
  return Status::Ok();
}

}  // namespace

void RegisterRecordsCommands(CLI::App& app, Context& ctx) {
  auto* audit = app.add_subcommand("audit", "the E-Akte's audit trail");
  audit->require_subcommand(1);

  auto opt = std::make_shared<VerifyOptions>();
  auto* verify = audit->add_subcommand(
      "verify", "check the audit chain and re-hash every stored file");
  verify->add_flag("--json", opt->json, "report as JSON");
  verify->add_option("--database", opt->database,
                     "PostgreSQL connection (default $DREHSCHEIBE_DATABASE_URL;"
                     " unset: SQLite in the data directory)");
  verify->callback([&ctx, opt] { ctx.status = RunVerify(ctx, *opt); });
}

}  // namespace ds::cli
