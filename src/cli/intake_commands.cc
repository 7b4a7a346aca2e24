// `drehscheibe serve --config FILE`: the hub (intake loop, callback
// endpoint, REST API, web UI).
// `drehscheibe intake status [--json] [--config FILE] [ID]`: per destination
// the pending pickups, the last poll and callback and the last error; for a
// submission or case id its journal entry and state and, given the hub's
// configuration, the case's event log fetched from the Zustelldienst and
// verified as the intake verifies it.
#include <csignal>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "api/api.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/encoding.h"
#include "core/files.h"
#include "core/time.h"
#include "fitconnect/set.h"
#include "intake/config.h"
#include "intake/events.h"
#include "intake/hub.h"
#include "intake/journal_sql.h"
#include "intake/setup.h"
#include "router/api.h"
#include "router/config.h"
#include "router/router.h"
#include "router/xdomea_transport.h"
#include "web/destinations.h"
#include "web/web.h"
#include "xdomea/routes.h"

namespace ds::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

std::string Time(int64_t t) { return t == 0 ? "-" : Rfc3339Utc(t); }

Status Serve(const Context& ctx, const std::string& config_path) {
  DS_ASSIGN_OR_RETURN(ConfigReader reader, ConfigReader::FromFile(config_path));
  // Every section is read before anything is reported, so that one message
  // lists every problem, misspelt keys included.
  Result<intake::HubConfig> loaded = intake::LoadHubConfig(reader);
  router::RoutingConfig routing = router::LoadRoutingConfig(reader);
  // [web] secure_cookies: on by default unless the hub listens on loopback;
  // set it when a TLS proxy in front of a loopback hub serves the UI.
  const bool secure_cookies =
      reader.Bool("web.secure_cookies",
                  !web::IsLoopbackListen(loaded.ok() ? loaded->listen : ""));
  reader.RejectUnknownKeys();
  DS_RETURN_IF_ERROR(reader.Finish());
  if (!loaded.ok()) return loaded.status();
  intake::HubConfig config = std::move(*loaded);

  intake::HubSetup setup;
  setup.data_dir = ResolveDataDir(ctx.data_flag);
  setup.specs_dir = ResolveSpecsDir(ctx.specs_flag);
  setup.database_url = config.database_url;
  // SQLite serves one hub process; with PostgreSQL several share the work
  // (and may share the data directory's file store).
  std::optional<DirLock> data_lock;
  if (setup.database_url.empty()) {
    DS_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(setup.data_dir));
    data_lock.emplace(std::move(lock));
  }
  setup.poll_seconds = config.poll_seconds;
  setup.max_parallel = config.max_parallel;
  setup.processor.gate_policy = intake::GatePolicy(config);
  setup.processor.max_attachment_bytes = config.max_attachment_bytes;
  DS_ASSIGN_OR_RETURN(setup.processor.key_policy,
                      intake::LoadKeyPolicy(config));
  for (const auto& dc : config.destinations) {
    DS_ASSIGN_OR_RETURN(intake::Destination d,
                        intake::LoadDestination(dc, config));
    setup.destinations.push_back(std::move(d));
  }
  DS_RETURN_IF_ERROR(intake::LoadDataSchemas(config, &setup.data_schemas));
  web::WebOptions web_options;
  for (const intake::Destination& d : setup.destinations) {
    web_options.destinations.push_back(web::Describe(d, config.submission_api));
  }
  for (const intake::DataSchemaConfig& schema : config.data_schemas) {
    if (schema.file.extension() != ".json") continue;
    DS_ASSIGN_OR_RETURN(std::string text, ReadFile(schema.file, 4 << 20));
    web_options.data_schemas.push_back({schema.uri, std::move(text)});
  }
  const std::filesystem::path data_dir = setup.data_dir;
  DS_ASSIGN_OR_RETURN(auto hub, intake::Hub::Create(std::move(setup)));

  // The router shares the E-Akte's database (its outbox is the Vorgänge
  // filed with state "new"); documents coming back pass the same gate.
  router::RouterOptions routing_options{.data_dir = data_dir,
                                        .database_url = config.database_url,
                                        .config = std::move(routing)};
  routing_options.document_policy.clamd_socket = config.clamd_socket;
  // Targets of kind "xdomea" get 0605 packages checked against the XSDs.
  router::RegisterXdomeaTransport(routing_options.transports, hub->store(),
                                  ResolveSpecsDir(ctx.specs_flag));
  DS_ASSIGN_OR_RETURN(
      auto cases_router,
      router::Router::Open(hub->store(), std::move(routing_options)));

  net::Router router;
  hub->AddRoutes(router);
  api::AddApiRoutes(router, hub->store());
  router::AddRouterRoutes(router, *cases_router);
  // Fachverfahren hand in 0605 packages; their files pass the same gate
  // policy as attachments of applications.
  gate::Policy xdomea_policy = intake::GatePolicy(config);
  xdomea_policy.allow_all_inspectable = true;
  xdomea::AddXdomeaRoutes(router, hub->store(),
                          {.specs_dir = ResolveSpecsDir(ctx.specs_flag),
                           .inspect = xdomea::GateInspector(xdomea_policy)});
  // The web UI: pages only after a session login (local accounts, see
  // `drehscheibe web user add`); cookies are Secure unless on loopback.
  web_options.store = &hub->store();
  web_options.secure_cookies = secure_cookies;
  web_options.journal = &hub->journal();
  web_options.clamd_socket = config.clamd_socket;
  web_options.router = cases_router.get();
  DS_ASSIGN_OR_RETURN(auto web_db, web::OpenDb(data_dir, config.database_url));
  DS_ASSIGN_OR_RETURN(
      auto ui, web::Ui::Create(std::move(web_options), std::move(web_db)));
  ui->AddRoutes(router);
  // Large request bodies are spooled inside the data directory rather than
  // a shared temporary directory. Hub processes may share the directory,
  // so only leftovers older than any request (of a killed hub) are removed.
  const std::filesystem::path spool = data_dir / "spool";
  DS_RETURN_IF_ERROR(EnsureDirWithoutStale(spool, std::chrono::hours(1)));
  DS_ASSIGN_OR_RETURN(
      auto server,
      net::HttpServer::Start({.listen = config.listen, .spool_dir = spool},
                             std::move(router)));
  DefaultLogger().Info("hub.started",
                       {{"listen", config.listen},
                        {"url", server->base_url()},
                        {"destinations", int64_t(config.destinations.size())}});
  // One line at every log level, so that an operator sees where it runs.
  std::cerr << "drehscheibe serve: listening on " << config.listen << " ("
            << server->base_url() << "), " << config.destinations.size()
            << " destination(s); Ctrl+C or SIGTERM stops\n";
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::thread routing_loop([&] { cases_router->Run(g_stop); });
  hub->Run(g_stop);
  routing_loop.join();
  server->Stop();
  return Status::Ok();
}

nlohmann::json EntryJson(const intake::JournalEntry& e) {
  return {{"submission_id", e.submission_id},
          {"case_id", e.case_id},
          {"destination_id", e.destination_id},
          {"state", intake::StateName(e.state)},
          {"attempts", e.attempts},
          {"last_error", e.last_error},
          {"vorgang_id", e.vorgang_id},
          {"problems", nlohmann::json::parse(
                           e.problems_json.empty() ? "[]" : e.problems_json,
                           nullptr, false)},
          {"received_at", Time(e.created_at)},
          {"updated_at", Time(e.updated_at)}};
}

// The event log of `e`'s case, verified with the keys the intake trusts.
// A verification failure is reported in the result, not as an error: it is
// the diagnosis the operator asked for.
Result<nlohmann::json> VerifiedEventLog(const std::string& config_path,
                                        const intake::JournalEntry& e) {
  DS_ASSIGN_OR_RETURN(ConfigReader reader, ConfigReader::FromFile(config_path));
  DS_ASSIGN_OR_RETURN(intake::HubConfig config, intake::LoadHubConfig(reader));
  const intake::DestinationConfig* dc = nullptr;
  for (const auto& c : config.destinations) {
    if (c.id == e.destination_id) dc = &c;
  }
  if (!dc)
    return NotFound("destination " + e.destination_id + " is not in " +
                    config_path);
  DS_ASSIGN_OR_RETURN(intake::Destination d,
                      intake::LoadDestination(*dc, config));
  DS_ASSIGN_OR_RETURN(jose::KeyPolicy policy, intake::LoadKeyPolicy(config));
  DS_ASSIGN_OR_RETURN(submission_api::EventLog log,
                      d.api->GetEvents(e.case_id));

  nlohmann::json out = {{"tokens", log.events.size()}};
  Result<intake::VerifiedLog> verified =
      intake::VerifyLog(*d.api, d.trusted_issuer, log.events, d.id,
                        e.submission_id, e.case_id, policy);
  if (!verified.ok()) {
    if (verified.status().code() == Code::kUnavailable)
      return verified.status();
    out["verified"] = false;
    out["error"] = verified.status().message();
    return out;
  }
  out["verified"] = true;
  nlohmann::json events = nlohmann::json::array();
  for (const fitconnect::VerifiedSet& v : verified->events) {
    const fitconnect::SetClaims& c = v.claims;
    nlohmann::json ev = {
        {"event", c.event_type
                      ? std::string(fitconnect::EventName(*c.event_type))
                      : c.event_uri},
        {"issuer", c.issuer},
        {"issued_at", Time(c.issued_at)},
        {"jti", c.jti},
        {"kid", v.kid}};
    if (!c.problems.empty()) {
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& p : c.problems) problems.push_back(p.ToJson());
      ev["problems"] = problems;
    }
    events.push_back(ev);
  }
  out["events"] = events;
  return out;
}

void PrintEventLog(const nlohmann::json& log) {
  std::cout << "event log: " << log["tokens"] << " tokens in the case, "
            << (log["verified"].get<bool>() ? "verified" : "NOT verified")
            << "\n";
  if (log.contains("error"))
    std::cout << "  error: " << log["error"].get<std::string>() << "\n";
  if (!log.contains("events")) return;
  for (const auto& ev : log["events"]) {
    std::cout << "  " << ev["issued_at"].get<std::string>() << "  "
              << ev["event"].get<std::string>() << "  by "
              << ev["issuer"].get<std::string>() << "\n";
    if (ev.contains("problems")) {
      for (const auto& p : ev["problems"]) {
        std::cout << "      problem " << p.value("type", "") << " at "
                  << p.value("instance", "") << "\n";
      }
    }
  }
}

Status Status_(const Context& ctx, const std::string& id, bool json,
               const std::string& config_path) {
  std::string database_url;
  if (!config_path.empty()) {
    DS_ASSIGN_OR_RETURN(ConfigReader reader,
                        ConfigReader::FromFile(config_path));
    DS_ASSIGN_OR_RETURN(intake::HubConfig config,
                        intake::LoadHubConfig(reader));
    database_url = config.database_url;
  }
  std::unique_ptr<intake::Journal> journal;
  if (!database_url.empty()) {
    DS_ASSIGN_OR_RETURN(journal, intake::OpenPostgresJournal(database_url));
  } else {
    auto path = ResolveDataDir(ctx.data_flag) / "intake" / "journal.sqlite";
    if (!std::filesystem::exists(path)) {
      return EnvironmentError("no intake journal at " + path.string() +
                              " (wrong --data?)");
    }
    DS_ASSIGN_OR_RETURN(journal, intake::OpenSqliteJournal(path));
  }

  if (!id.empty()) {
    DS_ASSIGN_OR_RETURN(auto entry, journal->Get(id));
    if (!entry)
      return NotFound("no submission or case " + id + " in the journal");
    nlohmann::json j = EntryJson(*entry);
    std::optional<nlohmann::json> log;
    if (!config_path.empty()) {
      DS_ASSIGN_OR_RETURN(log, VerifiedEventLog(config_path, *entry));
    }
    if (json) {
      if (log) j["event_log"] = *log;
      std::cout << j.dump(2) << "\n";
    } else {
      for (auto& [k, v] : j.items())
        std::cout << k << ": "
                  << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
      if (log) PrintEventLog(*log);
    }
    if (log && !(*log)["verified"].get<bool>())
      return CheckFailed("the event log does not verify");
    return Status::Ok();
  }

  DS_ASSIGN_OR_RETURN(auto destinations, journal->Destinations());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : destinations) {
    DS_ASSIGN_OR_RETURN(auto open, journal->List(d.destination_id, true));
    nlohmann::json pending = nlohmann::json::array();
    for (const auto& e : open) pending.push_back(EntryJson(e));
    out.push_back({{"destination_id", d.destination_id},
                   {"pending", open.size()},
                   {"last_poll", Time(d.last_poll_at)},
                   {"last_callback", Time(d.last_callback_at)},
                   {"last_error", d.last_error},
                   {"last_error_at", Time(d.last_error_at)},
                   {"open_submissions", pending}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  for (const auto& d : out) {
    std::cout << "destination " << d["destination_id"].get<std::string>()
              << "\n"
              << "  pending pickups: " << d["pending"] << "\n"
              << "  last poll:       " << d["last_poll"].get<std::string>()
              << "\n"
              << "  last callback:   " << d["last_callback"].get<std::string>()
              << "\n"
              << "  last error:      "
              << (d["last_error"].get<std::string>().empty()
                      ? "-"
                      : d["last_error"].get<std::string>() + " (" +
                            d["last_error_at"].get<std::string>() + ")")
              << "\n";
    for (const auto& e : d["open_submissions"]) {
      std::cout << "    " << e["submission_id"].get<std::string>() << " "
                << e["state"].get<std::string>()
                << " attempts=" << e["attempts"]
                << (e["last_error"].get<std::string>().empty()
                        ? ""
                        : " error=" + e["last_error"].get<std::string>())
                << "\n";
    }
  }
  if (out.empty()) std::cout << "no destination has been polled yet\n";
  return Status::Ok();
}

}  // namespace

void RegisterIntakeCommands(CLI::App& app, Context& ctx) {
  auto* serve = app.add_subcommand("serve", "run the hub");
  auto config = std::make_shared<std::string>();
  serve->add_option("--config", *config, "configuration file (TOML)")
      ->required();
  serve->callback([&ctx, config] { ctx.status = Serve(ctx, *config); });

  auto* intake = app.add_subcommand("intake", "the FIT-Connect subscriber");
  intake->require_subcommand(1);
  auto* status = intake->add_subcommand(
      "status",
      "pending pickups, last callback and error; one submission's state");
  struct Opts {
    bool json = false;
    std::string id;
    std::string config;
  };
  auto o = std::make_shared<Opts>();
  status->add_flag("--json", o->json, "report as JSON");
  status->add_option("id", o->id, "a submission or case id");
  status->add_option(
      "--config", o->config,
      "the hub's configuration: fetch and verify the case's event log");
  status->callback(
      [&ctx, o] { ctx.status = Status_(ctx, o->id, o->json, o->config); });
}

}  // namespace ds::cli
