// `drehscheibe demo [--once] [--count N] [--listen ADDR] [--json]`
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/config.h"
#include "demo/run.h"
#include "gate/clamd.h"

namespace ds::cli {
namespace {

// The intake state of a sample in the German summary ("submitted" before
// the hub picked it up; the --json report keeps the state names).
std::string StateLabel(const std::string& state) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"submitted", "gesendet"},
      {"received", "empfangen"},
      {"fetched", "abgeholt"},
      {"checked", "geprüft"},
      {"filed", "abgelegt"},
      {"accepted", "angenommen"},
      {"rejecting", "wird abgewiesen"},
      {"rejected", "abgewiesen"}};
  for (const auto& [name, label] : kLabels) {
    if (state == name) return label;
  }
  return state;
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

void PrintSummary(const demo::DemoSummary& s, bool json) {
  if (json) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : s.cases) {
      cases.push_back({{"label", c.label},
                       {"submission_id", c.submission_id},
                       {"case_id", c.case_id},
                       {"state", c.state},
                       {"vorgang_id", c.vorgang_id},
                       {"problems", nlohmann::json::parse(
                                        c.problems.empty() ? "[]" : c.problems,
                                        nullptr, false)}});
    }
    nlohmann::json out = {{"sent", s.sent},
                          {"received", s.received},
                          {"accepted", s.accepted},
                          {"rejected", s.rejected},
                          {"pending", s.pending},
                          {"filed_total", s.filed_total},
                          {"delivered", s.delivered},
                          {"dms_packages", s.dms_packages},
                          {"dms_dir", s.dms_dir.string()},
                          {"virus_scan", s.virus_scan},
                          {"cases", cases}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "\nZusammenfassung\n";
  for (const auto& c : s.cases) {
    std::cout << "  " << c.label << ": " << StateLabel(c.state);
    if (!c.vorgang_id.empty()) std::cout << " (Vorgang " << c.vorgang_id << ")";
    std::cout << "\n";
  }
  std::cout << "  gesendet " << s.sent << ", empfangen " << s.received
            << ", angenommen " << s.accepted << ", abgewiesen " << s.rejected
            << ", offen " << s.pending << "\n"
            << "  Vorgänge im Posteingang insgesamt: " << s.filed_total << "\n"
            << "  an das Demo-Fachverfahren zugestellt: " << s.delivered << "\n"
            << "  xdomea-Pakete im Austauschverzeichnis des Demo-DMS: "
            << s.dms_packages << " (" << s.dms_dir.string() << ")\n";
  if (!s.virus_scan) {
    std::cout << "  Hinweis: ohne clamd (--clamd SOCKET) wurde kein Virenscan "
                 "durchgeführt.\n";
  }
}

}  // namespace

void RegisterDemoCommands(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("demo",
                                 "run a local Zustelldienst and the hub in one "
                                 "process with sample applications");
  struct Opts {
    bool once = false;
    bool json = false;
    int count = 3;
    std::string listen = "127.0.0.1:8470";
    std::string clamd;
    std::string routing;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_flag("--once", o->once,
                "process the samples, print a summary and exit");
  cmd->add_flag("--json", o->json, "summary as JSON");
  cmd->add_option("--count", o->count, "number of sample applications")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--listen", o->listen,
                  "address of the page of received cases");
  cmd->add_option(
      "--clamd", o->clamd,
      "clamd socket for the virus scan (default $DREHSCHEIBE_CLAMD)");
  cmd->add_option("--routing", o->routing,
                  "TOML file with more [[routing.targets]] and "
                  "[[routing.rules]] (tried before the demo's rule)")
      ->check(CLI::ExistingFile);

  cmd->callback([&ctx, o] {
    demo::DemoOptions d;
    d.data_dir = ResolveDataDir(ctx.data_flag);
    d.specs_dir = ResolveSpecsDir(ctx.specs_flag);
    d.count = o->count;
    d.once = o->once;
    d.hub_listen = o->listen;
    d.clamd_socket = o->clamd;
    d.routing_file = o->routing;
    if (d.clamd_socket.empty()) {
      if (const char* env = std::getenv("DREHSCHEIBE_CLAMD"))
        d.clamd_socket = env;
    }
    // An unreachable clamd is never "clean": every file would go to
    // quarantine. Say so at once rather than only in the files' findings.
    if (!d.clamd_socket.empty() &&
        !gate::ClamdCommand(d.clamd_socket, "PING", 2).ok()) {
      std::cerr << "drehscheibe demo: Hinweis: clamd antwortet nicht unter "
                << Printable(d.clamd_socket)
                << "; ohne Virenscan kommen alle Dateien in Quarantäne.\n";
    }
    bool quiet = o->json;
    d.progress = [quiet](const std::string& line) {
      if (!quiet) std::cout << line << std::endl;
    };
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    d.stop = &g_stop;

    Result<demo::DemoSummary> s = demo::RunDemo(d);
    if (!s.ok()) {
      ctx.status = s.status();
      return;
    }
    PrintSummary(*s, o->json);
    if (o->once && (s->accepted != s->sent || s->pending > 0)) {
      ctx.status = CheckFailed("not every sample application was accepted");
    }
  });
}

}  // namespace ds::cli
