// `drehscheibe audit verify [--json] [--database URL]`: checks the audit
// hash chain of every tenant and re-hashes every stored file. Exit 1 if
// anything was altered, removed, inserted, reordered, corrupted or missing.
// `drehscheibe records token create|list|revoke`: API tokens of the REST
// API (api/auth.h); `create` prints the token once, only its hash is kept.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/time.h"
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
            << " rows=" << report.rows_checked
            << " blobs=" << report.blobs_checked
            << " problems=" << report.problems.size() << "\n";
  for (const auto& p : report.problems) {
    std::cout << "  " << p.kind;
    if (!p.tenant.empty()) std::cout << " tenant=" << p.tenant;
    if (p.seq != 0) std::cout << " seq=" << p.seq;
    std::cout << ": " << p.detail << "\n";
  }
}

// --database, else $DREHSCHEIBE_DATABASE_URL, else "" (SQLite).
std::string ResolveDatabase(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("DREHSCHEIBE_DATABASE_URL");
  return env ? env : "";
}

// Opens the records store that must already be there: reading or
// revoking must not create an empty store because of a mistyped --data.
Result<std::unique_ptr<records::Store>> OpenExisting(const Context& ctx,
                                                     const std::string& flag,
                                                     const char* command) {
  std::filesystem::path data = ResolveDataDir(ctx.data_flag);
  std::string database = ResolveDatabase(flag);
  if (database.empty() && !std::filesystem::exists(data / "records.sqlite")) {
    return EnvironmentError(std::string(command) + ": no records store in " +
                            data.string() + " (wrong --data?)");
  }
  return records::Store::Open(data, database);
}

Status RunVerify(const Context& ctx, const VerifyOptions& opt) {
  DS_ASSIGN_OR_RETURN(auto store,
                      OpenExisting(ctx, opt.database, "audit verify"));
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

struct TokenOptions {
  bool json = false;
  std::string database;
  std::string tenant, user, role = "clerk", id;
  bool with_revoked = false;
};

Status CreateToken(const Context& ctx, const TokenOptions& opt) {
  DS_ASSIGN_OR_RETURN(api::Role role, api::ParseRole(opt.role));
  DS_ASSIGN_OR_RETURN(auto store,
                      records::Store::Open(ResolveDataDir(ctx.data_flag),
                                           ResolveDatabase(opt.database)));
  DS_ASSIGN_OR_RETURN(api::IssuedToken issued,
                      api::CreateApiToken(*store, opt.tenant, opt.user, role,
                                          "cli"));
  if (opt.json) {
    std::cout << nlohmann::json{{"id", issued.record.id},
                                {"tenant", opt.tenant},
                                {"user", opt.user},
                                {"role", opt.role},
                                {"token", issued.token}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << issued.token << "\n";
    std::cerr << "token " << issued.record.id << " for " << opt.user
              << " (" << opt.role << ") in tenant " << opt.tenant
              << ": shown once, only its hash is stored\n";
  }
  return Status::Ok();
}

Status ListTokens(const Context& ctx, const TokenOptions& opt) {
  DS_ASSIGN_OR_RETURN(auto store,
                      OpenExisting(ctx, opt.database, "records token list"));
  DS_ASSIGN_OR_RETURN(auto tokens,
                      store->ListApiTokens(opt.tenant, opt.with_revoked));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : tokens) {
    out.push_back({{"id", t.id},
                   {"user", t.user},
                   {"role", t.role},
                   {"created_at", Rfc3339Utc(t.created_at)},
                   {"revoked", t.revoked_at.has_value()}});
    if (!opt.json) {
      std::cout << t.id << "  " << Rfc3339Utc(t.created_at) << "  " << t.role
                << "  " << t.user << (t.revoked_at ? "  revoked" : "") << "\n";
    }
  }
  if (opt.json) std::cout << out.dump(2) << "\n";
  return Status::Ok();
}

Status RevokeToken(const Context& ctx, const TokenOptions& opt) {
  DS_ASSIGN_OR_RETURN(auto store,
                      OpenExisting(ctx, opt.database, "records token revoke"));
  // Revoking is idempotent; the operator is told which case it was. A
  // token of another tenant is "not found", as an unknown id is.
  Result<records::ApiToken> token = store->GetApiToken(opt.id);
  if (!token.ok() || token->tenant != opt.tenant) {
    return NotFound("token " + opt.id + " not found in tenant " + opt.tenant);
  }
  bool already = token->revoked_at.has_value();
  if (!already) {
    DS_RETURN_IF_ERROR(store->RevokeApiToken(opt.tenant, opt.id, "cli"));
  }
  if (opt.json) {
    std::cout << nlohmann::json{{"id", opt.id},
                                {"revoked", true},
                                {"already_revoked", already}}
                     .dump()
              << "\n";
  } else {
    std::cout << "token " << opt.id
              << (already ? " was already revoked" : " revoked") << "\n";
  }
  return Status::Ok();
}

void RegisterTokenCommands(CLI::App& records, Context& ctx) {
  auto* token = records.add_subcommand("token", "API tokens of the REST API");
  token->require_subcommand(1);
  auto opt = std::make_shared<TokenOptions>();
  const char* kDatabase =
      "PostgreSQL connection (default $DREHSCHEIBE_DATABASE_URL; unset: "
      "SQLite in the data directory)";

  auto* create = token->add_subcommand(
      "create", "make a token and print it once (only its hash is stored)");
  create->add_option("--tenant", opt->tenant, "tenant (Mandant)")->required();
  create->add_option("--user", opt->user, "user id the token acts for")
      ->required();
  create->add_option("--role", opt->role, "clerk, tenant-admin or operator")
      ->check(CLI::IsMember({"clerk", "tenant-admin", "operator"}));
  create->add_option("--database", opt->database, kDatabase);
  create->add_flag("--json", opt->json, "report as JSON");
  create->callback([&ctx, opt] { ctx.status = CreateToken(ctx, *opt); });

  auto* list = token->add_subcommand("list", "a tenant's tokens (no secrets)");
  list->add_option("--tenant", opt->tenant, "tenant (Mandant)")->required();
  list->add_flag("--all", opt->with_revoked, "include revoked tokens");
  list->add_option("--database", opt->database, kDatabase);
  list->add_flag("--json", opt->json, "report as JSON");
  list->callback([&ctx, opt] { ctx.status = ListTokens(ctx, *opt); });

  auto* revoke = token->add_subcommand("revoke", "revoke a token by its id");
  revoke->add_option("--tenant", opt->tenant, "tenant (Mandant)")->required();
  revoke->add_option("id", opt->id, "token id (from list)")->required();
  revoke->add_option("--database", opt->database, kDatabase);
  revoke->add_flag("--json", opt->json, "report as JSON");
  revoke->callback([&ctx, opt] { ctx.status = RevokeToken(ctx, *opt); });
}

}  // namespace

void RegisterRecordsCommands(CLI::App& app, Context& ctx) {
  auto* records = app.add_subcommand("records", "the E-Akte");
  records->require_subcommand(1);
  RegisterTokenCommands(*records, ctx);

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
