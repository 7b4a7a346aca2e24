// drehscheibe: one binary, subcommands per part (see DESIGN in README.md).
// Exit status: 0 success, 1 a check failed or the input is invalid, 2 usage
// or environment error.
#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "core/log.h"
#include "core/problem.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  // Everything drehscheibe writes (records, journal, keys) may hold personal
  // data or secrets: readable by the service user only.
  ::umask(077);

  CLI::App app{"drehscheibe: intake hub for FIT-Connect submissions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "drehscheibe 0.1.0");

  ds::cli::Context ctx;
  app.add_option("--data", ctx.data_flag,
                 "data directory (default $DREHSCHEIBE_DATA or ./drehscheibe-data)");
  app.add_option("--specs", ctx.specs_flag,
                 "specs directory with FIT-Connect schemas and xdomea XSDs "
                 "(default $DREHSCHEIBE_SPECS or ../shared/specs)");
  app.add_option("--log-level", ctx.log_level, "debug, info, warn, error, off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  app.parse_complete_callback([&] {
    ds::LogLevel level;
    if (ds::ParseLogLevel(ctx.log_level, &level)) ds::DefaultLogger().set_level(level);
  });

  ds::cli::RegisterJoseCommands(app, ctx);
  ds::cli::RegisterZustelldienstCommands(app, ctx);
  ds::cli::RegisterIntakeCommands(app, ctx);
  ds::cli::RegisterDemoCommands(app, ctx);
  ds::cli::RegisterGateCommands(app, ctx);
  ds::cli::RegisterRecordsCommands(app, ctx);
  ds::cli::RegisterXdomeaCommands(app, ctx);
  ds::cli::RegisterPruefstandCommands(app, ctx);
  ds::cli::RegisterGatewayCommands(app, ctx);
  ds::cli::RegisterWebCommands(app, ctx);

  // The first word that is not a global option names the command; CLI11
  // would only say that a subcommand is required.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--data" || arg == "--specs" || arg == "--log-level") {
      ++i;  // its value
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    std::string name(arg);
    if (app.get_subcommands(
               [&](CLI::App* sub) { return sub->check_name(name); })
            .empty()) {
      std::cerr << "drehscheibe: unknown command \"" << ds::cli::Printable(arg)
                << "\"; run drehscheibe --help for the commands\n";
      return 2;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 returns 0 for --help and --version; every real parse error is a
    // usage error.
    return rc == 0 ? 0 : 2;
  }

  if (!ctx.status.ok()) {
    // Messages may quote what the user gave (an id, a path): escaped line by
    // line, so that the lists of configuration problems keep their lines.
    std::string_view message = ctx.status.message();
    std::string shown;
    for (size_t start = 0; start <= message.size();) {
      size_t end = message.find('\n', start);
      if (end == std::string_view::npos) end = message.size();
      if (!shown.empty() || start > 0) shown += "\n";
      shown += ds::cli::Printable(message.substr(start, end - start));
      start = end + 1;
    }
    std::cerr << "drehscheibe: " << shown << "\n";
  }
  return ds::ExitCode(ctx.status);
}
