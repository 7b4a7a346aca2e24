// Subcommands of the `drehscheibe` binary. Each part registers its commands
// in its own cli/<part>_commands.cc; main.cc calls every Register function.
//
// A command's callback stores its outcome in `Context::status`; main() turns
// it into the exit code (core/problem.h) and prints the message to stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::cli {

// Options shared by all commands, filled by CLI11 before a callback runs.
struct Context {
  std::string data_flag;   // --data; see ResolveDataDir
  std::string specs_flag;  // --specs; see ResolveSpecsDir
  std::string log_level = "warn";
  Status status;           // set by the command that ran
};

// Text from outside (a file name, an id typed by the user, an error message
// that quotes either) as it may be shown on a terminal: control characters
// (C0, DEL, C1) and bidirectional overrides are escaped as \xNN, so that a
// crafted name cannot rewrite the line or reorder what the operator reads.
std::string Printable(std::string_view text);

void RegisterJoseCommands(CLI::App& app, Context& ctx);           // keys, jwe, set
void RegisterZustelldienstCommands(CLI::App& app, Context& ctx);  // zustelldienst, send
void RegisterIntakeCommands(CLI::App& app, Context& ctx);         // serve, intake
void RegisterDemoCommands(CLI::App& app, Context& ctx);           // demo
void RegisterGateCommands(CLI::App& app, Context& ctx);           // scan
void RegisterRecordsCommands(CLI::App& app, Context& ctx);        // audit, records
void RegisterXdomeaCommands(CLI::App& app, Context& ctx);         // xdomea
void RegisterPruefstandCommands(CLI::App& app, Context& ctx);     // pruefstand
void RegisterGatewayCommands(CLI::App& app, Context& ctx);        // gateway
void RegisterWebCommands(CLI::App& app, Context& ctx);            // web

}  // namespace ds::cli
