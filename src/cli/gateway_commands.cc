// `drehscheibe gateway` (the sender gateway for portals without
// FIT-Connect, docs/gateway.md) and `drehscheibe gateway token`.
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/config.h"
#include "gateway/config.h"
#include "gateway/gateway.h"

namespace ds::cli {
namespace {

// Serves until SIGINT or SIGTERM.
Status ServeGateway(const Context& ctx, const std::string& config_file) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // threads inherit the mask

  DS_ASSIGN_OR_RETURN(gateway::Config config, gateway::LoadConfig(config_file));
  config.data_dir = ResolveDataDir(ctx.data_flag);
  DS_ASSIGN_OR_RETURN(auto gw, gateway::Gateway::Start(config));
  DefaultLogger().Info(
      "gateway.started",
      {{"listen", gw->base_url()},
       {"portals", static_cast<int64_t>(config.portals.size())}});
  std::cout << "gateway listening on " << gw->base_url() << " (data "
            << config.data_dir.string() << ")" << std::endl;

  int sig = 0;
  sigwait(&set, &sig);
  gw->Stop();
  return Status::Ok();
}

}  // namespace

void RegisterGatewayCommands(CLI::App& app, Context& ctx) {
  auto* gw =
      app.add_subcommand("gateway",
                         "sender gateway: portals without FIT-Connect post "
                         "multipart applications over HTTP");
  gw->require_subcommand(0, 1);
  auto config = std::make_shared<std::string>();
  gw->add_option("--config", *config, "gateway TOML (docs/gateway.md)");
  gw->add_option("--data", ctx.data_flag, "data directory");
  gw->callback([&ctx, gw, config] {
    if (!gw->get_subcommands().empty()) return;
    if (config->empty()) {
      ctx.status = Status(Code::kUsage, "gateway: --config FILE is required");
      return;
    }
    ctx.status = ServeGateway(ctx, *config);
  });

  // drehscheibe gateway token: a new portal token and its hash.
  auto* token = gw->add_subcommand(
      "token",
      "print a new portal API token and the token_sha256 for the config");
  auto json = std::make_shared<bool>(false);
  token->add_flag("--json", *json, "print JSON");
  token->callback([json] {
    gateway::NewToken t = gateway::GenerateToken();
    if (*json) {
      std::cout << nlohmann::json{{"token", t.token}, {"tokenSha256", t.sha256}}
                       .dump()
                << "\n";
    } else {
      std::cout << "token=" << t.token << "\ntoken_sha256=" << t.sha256 << "\n";
    }
  });
}

}  // namespace ds::cli
