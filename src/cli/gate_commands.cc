// `drehscheibe scan`: the gate on local files.
//
//   drehscheibe scan [--json] [--allow TYPES] [--clamd SOCKET | --no-clamd]
//                    [--neutralise] FILE...
//
// Without --allow every type the gate can inspect is allowed and only
// threats count. The virus scan needs clamd (--clamd or DREHSCHEIBE_CLAMD);
// without one every file is reported "quarantined: virus scan not
// performed" (fail closed) unless --no-clamd skips the scan explicitly.
// Exit 1 if any file is not clean (a neutralised file counts as not clean:
// its original carries active content), 2 on usage or environment errors.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "gate/findings.h"
#include "gate/gate.h"

namespace ds::cli {
namespace {

struct ScanOptions {
  std::vector<std::string> files;
  std::vector<std::string> allow;
  std::string clamd;
  bool no_clamd = false;
  bool json = false;
  bool neutralise = false;
};

Result<gate::Policy> MakePolicy(const ScanOptions& o) {
  gate::Policy p;
  if (o.allow.empty()) {
    p.allow_all_inspectable = true;
  } else {
    p.allowed_types = {o.allow.begin(), o.allow.end()};
  }
  std::string socket = o.clamd;
  if (socket.empty()) {
    if (const char* env = std::getenv("DREHSCHEIBE_CLAMD")) socket = env;
  }
  if (o.no_clamd && !o.clamd.empty()) {
    return Status(Code::kUsage, "scan: --clamd and --no-clamd exclude "
                                "each other");
  }
  if (!o.no_clamd) p.clamd_socket = socket;
  p.require_virus_scan = !o.no_clamd;
  p.neutralise = o.neutralise;
  return p;
}

void PrintText(const std::string& file, const gate::Verdict& v) {
  std::cout << file << ": " << gate::DecisionName(v.decision) << " ("
            << v.detected_type << ", " << v.duration.count() << " ms)\n";
  for (const gate::Finding& f : v.findings) {
    std::cout << "  " << gate::SeverityName(f.severity) << " " << f.code
              << ": " << gate::GermanTitle(f.code) << " - " << f.message
              << "\n";
  }
  if (v.neutralised_copy) {
    std::cout << "  cleaned copy: " << v.neutralised_copy->string() << "\n";
  }
}

Status RunScan(const ScanOptions& o) {
  DS_ASSIGN_OR_RETURN(gate::Policy policy, MakePolicy(o));
  if (policy.clamd_socket.empty() && policy.require_virus_scan) {
    std::cerr << "drehscheibe: virus scan not performed: no clamd socket "
                 "(use --clamd SOCKET or DREHSCHEIBE_CLAMD, or --no-clamd "
                 "to skip it explicitly); files count as not clean\n";
  }
  gate::Gate g;
  nlohmann::json report = nlohmann::json::array();
  int not_clean = 0;
  Status worst;
  for (const std::string& file : o.files) {
    std::filesystem::path path(file);
    Result<gate::Verdict> v =
        g.Inspect(path, {"", path.filename().string()}, policy);
    if (!v.ok()) {
      ++not_clean;
      if (worst.ok()) worst = v.status();
      if (o.json) report.push_back({{"file", file},
                                    {"error", v.status().message()}});
      else std::cout << file << ": error: " << v.status().message() << "\n";
      continue;
    }
    if (v->decision != gate::Decision::kClean) ++not_clean;
    if (o.json) {
      nlohmann::json j = gate::VerdictToJson(*v);
      j["file"] = file;
      report.push_back(std::move(j));
    } else {
      PrintText(file, *v);
    }
  }
  if (o.json) {
    nlohmann::json out = {{"files", report}, {"not_clean", not_clean}};
    std::cout << out.dump(2, ' ', false,
                          nlohmann::json::error_handler_t::replace)
              << "\n";
  }
  if (!worst.ok()) return worst;
  if (not_clean > 0) {
    return CheckFailed("scan: " + std::to_string(not_clean) + " of " +
                       std::to_string(o.files.size()) +
                       " file(s) not clean");
  }
  return Status::Ok();
}

}  // namespace

void RegisterGateCommands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* scan = app.add_subcommand(
      "scan", "check files for manipulation (type, active content, bombs, "
              "viruses); exit 1 if any is not clean");
  scan->add_option("files", opts->files, "files to check")->required();
  scan->add_flag("--json", opts->json, "print a JSON report");
  scan->add_option("--allow", opts->allow,
                   "allowed types, e.g. pdf,jpeg,png,tiff,xml,json "
                   "(default: every type the gate can inspect)")
      ->delimiter(',');
  scan->add_option("--clamd", opts->clamd,
                   "clamd local socket (default $DREHSCHEIBE_CLAMD)");
  scan->add_flag("--no-clamd", opts->no_clamd,
                 "skip the virus scan explicitly (otherwise a missing "
                 "clamd makes every file not clean)");
  scan->add_flag("--neutralise", opts->neutralise,
                 "write a cleaned copy of PDFs with removable active "
                 "content beside the original");
  scan->callback([opts, &ctx] { ctx.status = RunScan(*opts); });
}

}  // namespace ds::cli
