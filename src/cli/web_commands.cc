// `drehscheibe web user add --tenant T --user U --role R`: a local account
// of the web UI (web/accounts.h). The password is read from stdin (one
// line; not echoed on a terminal), never from the command line, where
// other users of the machine could see it in the process list.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "core/config.h"
#include "web/accounts.h"

namespace ds::cli {
namespace {

struct UserOptions {
  std::string tenant, user, role = "clerk", database;
};

Result<std::string> ReadPassword() {
  bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << "Passwort: " << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!got) return InvalidInput("web user add: no password on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Status AddUser(const Context& ctx, const UserOptions& o) {
  DS_ASSIGN_OR_RETURN(api::Role role, api::ParseRole(o.role));
  DS_ASSIGN_OR_RETURN(std::string password, ReadPassword());
  std::string database = o.database;
  if (database.empty()) {
    const char* env = std::getenv("DREHSCHEIBE_DATABASE_URL");
    database = env ? env : "";
  }
  DS_ASSIGN_OR_RETURN(auto db,
                      web::OpenDb(ResolveDataDir(ctx.data_flag), database));
  DS_RETURN_IF_ERROR(web::Migrate(*db));
  web::Accounts accounts(*db, web::SessionPolicy{});
  DS_RETURN_IF_ERROR(accounts.AddUser(o.tenant, o.user, role, password));
  std::cerr << "account " << o.user << " in " << o.tenant << " saved (role "
            << api::RoleName(role) << ")\n";
  return Status::Ok();
}

}  // namespace

void RegisterWebCommands(CLI::App& app, Context& ctx) {
  auto* web = app.add_subcommand("web", "the clerk and operator web UI");
  web->require_subcommand(1);
  auto* user = web->add_subcommand("user", "local accounts of the web UI");
  user->require_subcommand(1);
  auto* add = user->add_subcommand(
      "add", "add an account or set its password and role (password on stdin)");
  auto o = std::make_shared<UserOptions>();
  add->add_option("--tenant", o->tenant, "tenant (Mandant)")->required();
  add->add_option("--user", o->user, "user name")->required();
  add->add_option("--role", o->role, "clerk, tenant-admin or operator")
      ->check(CLI::IsMember({"clerk", "tenant-admin", "operator"}));
  add->add_option("--database", o->database,
                  "PostgreSQL URL (default $DREHSCHEIBE_DATABASE_URL, else "
                  "SQLite in the data directory)");
  add->callback([&ctx, o] { ctx.status = AddUser(ctx, *o); });
}

}  // namespace ds::cli
