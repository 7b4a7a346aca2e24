// `drehscheibe pruefstand`: the test bench (docs/pruefstand.md).
//
//   drehscheibe pruefstand run --target gate|fitconnect|upload --out DIR
//       [--json] [--authorised WHO] [--only IDS] [--per-threat N] ...
//   drehscheibe pruefstand compare A.json B.json [--json]
//   drehscheibe pruefstand schema
//
// run exits 0 when every sample passed, 1 when a sample was let through, a
// control was refused or a delivery failed, 2 on usage or environment
// errors (a target outside loopback without --authorised among them).
// compare exits 0 when the protocols agree, 1 when they differ, 2 when a
// file is unreadable or not a valid protocol.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/files.h"
#include "demo/samples.h"
#include "gate/samples.h"
#include "pruefstand/compare.h"
#include "pruefstand/protocol.h"
#include "pruefstand/run.h"
#include "pruefstand/target.h"

namespace ds::cli {
namespace {

namespace ps = ds::pruefstand;
using nlohmann::json;

struct RunArgs {
  std::string target;
  std::string out;
  bool json = false;
  std::string authorised;
  std::vector<std::string> only;
  int per_threat = 0;
  int parallel = 4;
  int timeout = 120;
  // gate
  std::string clamd;
  bool no_clamd = false;
  // fitconnect
  std::string api, token_url, client_id, client_secret, destination;
  std::string service, service_name, data_file, schema, data_type;
  bool test_keys = false;
  std::string hub_data, hub_tenant, hub_database_url;
  // upload
  std::string url, field = "file", header_file;
  std::vector<std::string> form, headers;
  std::vector<int> success_status;
  std::string success_regex, quarantine_regex;
};

Status Usage(const std::string& message) {
  return Status(Code::kUsage, "pruefstand: " + message);
}

Result<std::unique_ptr<ps::Target>> GateTarget(const RunArgs& a) {
  if (a.no_clamd && !a.clamd.empty()) {
    return Usage("--clamd and --no-clamd exclude each other");
  }
  ps::GateTargetOptions o;
  o.clamd_socket = a.clamd;
  if (o.clamd_socket.empty() && !a.no_clamd) {
    if (const char* env = std::getenv("DREHSCHEIBE_CLAMD"))
      o.clamd_socket = env;
  }
  o.require_virus_scan = !a.no_clamd;
  if (o.clamd_socket.empty() && o.require_virus_scan) {
    std::cerr << "drehscheibe: no clamd socket: every sample is quarantined "
                 "for the missing virus scan (use --clamd SOCKET or "
                 "--no-clamd)\n";
  }
  return ps::MakeGateTarget(o);
}

Result<std::unique_ptr<ps::Target>> FitConnectTarget(const RunArgs& a) {
  if (a.api.empty() || a.client_id.empty() || a.destination.empty()) {
    return Usage(
        "--target fitconnect needs --api, --client-id and "
        "--destination");
  }
  ps::FitConnectTargetOptions o;
  o.endpoint.api_url = a.api;
  o.endpoint.token_url = a.token_url.empty() ? a.api + "/token" : a.token_url;
  o.endpoint.client_id = a.client_id;
  o.endpoint.client_secret = a.client_secret;
  if (o.endpoint.client_secret.empty()) {
    // Keeps the secret off `ps`.
    const char* env = std::getenv("DREHSCHEIBE_PRUEFSTAND_CLIENT_SECRET");
    if (env) o.endpoint.client_secret = env;
  }
  o.destination_id = a.destination;
  // Without own Fachdaten: the demo's service, schema and one form.
  o.service_identifier =
      a.service.empty() ? demo::kServiceIdentifier : a.service;
  o.service_name = a.service_name.empty() && a.service.empty()
                       ? demo::kServiceName
                       : a.service_name;
  o.data_schema_uri = a.schema.empty() ? demo::kDataSchemaUri : a.schema;
  if (!a.data_type.empty()) o.data_mime_type = a.data_type;
  if (a.data_file.empty()) {
    o.data = demo::BuildSamples(1)[0].form_json;
  } else {
    DS_ASSIGN_OR_RETURN(o.data, ReadFile(a.data_file, 64u << 20));
  }
  o.key_policy.test_mode = a.test_keys;
  o.timeout_seconds = a.timeout;
  o.hub_data = a.hub_data;
  o.hub_tenant = a.hub_tenant;
  o.hub_database_url = a.hub_database_url;
  return ps::MakeFitConnectTarget(o);
}

Status AddHeader(const std::string& line, net::Headers* headers) {
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Usage("a header must read 'Name: value'");
  }
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) {
    value.pop_back();
  }
  (*headers)[line.substr(0, colon)] = value;
  return Status::Ok();
}

Result<std::unique_ptr<ps::Target>> UploadTarget(const RunArgs& a) {
  if (a.url.empty()) return Usage("--target upload needs --url");
  ps::UploadTargetOptions o;
  o.url = a.url;
  o.field = a.field;
  for (const std::string& f : a.form) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) return Usage("--form takes NAME=VALUE");
    o.form.emplace_back(f.substr(0, eq), f.substr(eq + 1));
  }
  for (const std::string& h : a.headers) {
    DS_RETURN_IF_ERROR(AddHeader(h, &o.headers));
  }
  if (!a.header_file.empty()) {
    DS_ASSIGN_OR_RETURN(std::string text, ReadFile(a.header_file, 1u << 20));
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line != "\r")
        DS_RETURN_IF_ERROR(AddHeader(line, &o.headers));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  o.success_status = a.success_status;
  o.success_regex = a.success_regex;
  o.quarantine_regex = a.quarantine_regex;
  o.timeout_seconds = a.timeout;
  return ps::MakeUploadTarget(o);
}

void PrintSummary(const json& p, const std::string& out, bool as_json) {
  const json& s = p["summary"];
  if (as_json) {
    json j = {{"protocol", out + "/protocol.json"},
              {"report", out + "/report.html"},
              {"target", p["target"]},
              {"catalogue_version", p["catalogue"]["version"]},
              {"summary", s}};
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return;
  }
  std::cout << "Prüfstand: " << p["target"].value("description", "") << "\n"
            << s.value("passed", 0) << " of " << s.value("total", 0)
            << " samples passed, " << s.value("failed", 0) << " failed, "
            << s.value("not_rated", 0) << " not rated\n";
  for (const json& r : p["results"]) {
    if (!r["passed"].is_boolean() || r["passed"].get<bool>()) continue;
    std::cout << "  FAILED " << r.value("sample_id", "") << ": "
              << r.value("outcome", "") << " " << r.value("reason", "") << "\n";
  }
  std::cout << "protocol: " << out << "/protocol.json\nreport:   " << out
            << "/report.html\n";
}

Status RunCommand(const RunArgs& a) {
  Result<std::unique_ptr<ps::Target>> target =
      a.target == "gate"         ? GateTarget(a)
      : a.target == "fitconnect" ? FitConnectTarget(a)
      : a.target == "upload"
          ? UploadTarget(a)
          : Usage("--target must be gate, fitconnect or upload");
  if (!target.ok()) return target.status();

  // Refuse before generating anything.
  DS_RETURN_IF_ERROR(ps::CheckTargetAllowed((*target)->Urls(), a.authorised));
  std::cerr << "pruefstand: generating the catalogue\n";
  std::vector<gate::Sample> samples = gate::GenerateSamples();

  ps::RunOptions o;
  o.authorised_by = a.authorised;
  o.only = a.only;
  o.per_threat = a.per_threat;
  o.parallel = a.parallel;
  o.progress = [](int done, int total, const std::string& id) {
    std::cerr << "pruefstand: [" << done << "/" << total << "] " << id << "\n";
  };
  DS_ASSIGN_OR_RETURN(json protocol, ps::Run(**target, samples, o));
  DS_RETURN_IF_ERROR(ps::ValidateProtocol(protocol));
  DS_RETURN_IF_ERROR(ps::WriteProtocol(protocol, a.out));
  PrintSummary(protocol, a.out, a.json);

  int failed = protocol["summary"].value("failed", 0);
  if (failed > 0) {
    return CheckFailed("pruefstand: " + std::to_string(failed) +
                       " sample(s) failed (see the protocol)");
  }
  return Status::Ok();
}

Result<json> ReadProtocol(const std::string& file) {
  Result<std::string> text = ReadFile(file, 256u << 20);
  if (!text.ok()) {
    return EnvironmentError("pruefstand: cannot read " + file + ": " +
                            text.status().message());
  }
  json p = json::parse(*text, nullptr, false);
  if (p.is_discarded()) {
    return EnvironmentError("pruefstand: " + file + " is not JSON");
  }
  Status valid = ps::ValidateProtocol(p);
  if (!valid.ok()) {
    return EnvironmentError(file + ": " + valid.message());
  }
  return p;
}

Status CompareCommand(const std::string& fa, const std::string& fb,
                      bool as_json) {
  DS_ASSIGN_OR_RETURN(json a, ReadProtocol(fa));
  DS_ASSIGN_OR_RETURN(json b, ReadProtocol(fb));
  json diff = ps::Compare(a, b);
  if (as_json) {
    std::cout << diff.dump(2, ' ', false, json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << ps::CompareText(diff);
  }
  if (!diff.value("identical", false)) {
    return CheckFailed("pruefstand: the protocols differ");
  }
  return Status::Ok();
}

void AddRunOptions(CLI::App* run, RunArgs& a) {
  run->add_option("--target", a.target, "gate, fitconnect or upload")
      ->required();
  run->add_option("--out", a.out,
                  "directory for protocol.json and "
                  "report.html")
      ->required();
  run->add_flag("--json", a.json, "print the summary as JSON");
  run->add_option("--authorised", a.authorised,
                  "who authorised testing a platform outside loopback");
  run->add_option("--only", a.only,
                  "sample ids or threat classes "
                  "(e.g. T10,control)")
      ->delimiter(',');
  run->add_option("--per-threat", a.per_threat,
                  "at most N samples per threat class");
  run->add_option("--parallel", a.parallel,
                  "samples in flight at once (fitconnect, upload; "
                  "default 4)");
  run->add_option("--timeout", a.timeout, "seconds per sample (default 120)");

  run->add_option("--clamd", a.clamd,
                  "gate: clamd socket "
                  "(default $DREHSCHEIBE_CLAMD)");
  run->add_flag("--no-clamd", a.no_clamd, "gate: no virus scan");

  run->add_option("--api", a.api, "fitconnect: Submission API root URL");
  run->add_option("--token-url", a.token_url,
                  "fitconnect: OAuth token URL "
                  "(default API/token)");
  run->add_option("--client-id", a.client_id, "fitconnect: sender client id");
  run->add_option("--client-secret", a.client_secret,
                  "fitconnect: sender secret (better: "
                  "$DREHSCHEIBE_PRUEFSTAND_CLIENT_SECRET)");
  run->add_option("--destination", a.destination, "fitconnect: destination id");
  run->add_option("--service", a.service,
                  "fitconnect: service identifier "
                  "(default: the demo's)");
  run->add_option("--service-name", a.service_name, "fitconnect: service name");
  run->add_option("--data-file", a.data_file,
                  "fitconnect: Fachdaten sent "
                  "with every sample");
  run->add_option("--schema", a.schema, "fitconnect: schema URI of the data");
  run->add_option("--data-type", a.data_type,
                  "fitconnect: application/json "
                  "or application/xml");
  run->add_flag("--test-keys", a.test_keys,
                "fitconnect: accept self-signed destination keys");
  run->add_option("--hub-data", a.hub_data,
                  "fitconnect: this hub's data "
                  "directory (verdicts, renditions)");
  run->add_option("--hub-tenant", a.hub_tenant,
                  "fitconnect: the "
                  "destination's tenant");
  run->add_option("--hub-database-url", a.hub_database_url,
                  "fitconnect: the hub's PostgreSQL E-Akte, if any");

  run->add_option("--url", a.url, "upload: the endpoint URL");
  run->add_option("--field", a.field,
                  "upload: file field name "
                  "(default file)");
  run->add_option("--form", a.form,
                  "upload: extra field NAME=VALUE "
                  "(repeatable)");
  run->add_option("--header", a.headers,
                  "upload: request header "
                  "'Name: value' (repeatable)");
  run->add_option("--header-file", a.header_file,
                  "upload: headers from a file, one per line (keeps "
                  "tokens off the command line)");
  run->add_option("--success-status", a.success_status,
                  "upload: status codes that mean accepted (default any "
                  "2xx)")
      ->delimiter(',');
  run->add_option("--success-regex", a.success_regex,
                  "upload: the body must match this to count as accepted");
  run->add_option("--quarantine-regex", a.quarantine_regex,
                  "upload: an accepted body matching this means quarantined");
}

}  // namespace

void RegisterPruefstandCommands(CLI::App& app, Context& ctx) {
  CLI::App* ps_cmd = app.add_subcommand(
      "pruefstand", "test a platform with the manipulated-file catalogue");
  ps_cmd->require_subcommand(1);

  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = ps_cmd->add_subcommand(
      "run",
      "deliver every sample to a target and write the protocol; "
      "exit 1 if any sample failed");
  AddRunOptions(run, *run_args);
  run->callback([run_args, &ctx] { ctx.status = RunCommand(*run_args); });

  auto files = std::make_shared<std::vector<std::string>>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* compare = ps_cmd->add_subcommand(
      "compare", "show where two protocols differ; exit 1 if they do");
  compare->add_option("protocols", *files, "A.json B.json")
      ->required()
      ->expected(2);
  compare->add_flag("--json", *as_json, "print JSON");
  compare->callback([files, as_json, &ctx] {
    ctx.status = CompareCommand((*files)[0], (*files)[1], *as_json);
  });

  CLI::App* schema =
      ps_cmd->add_subcommand("schema", "print the JSON Schema of protocols");
  schema->callback([&ctx] {
    std::cout << ps::ProtocolSchemaText();
    ctx.status = Status::Ok();
  });
}

}  // namespace ds::cli
