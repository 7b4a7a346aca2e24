// `drehscheibe xdomea ...`: xdomea packages (docs/xdomea.md).
//
//   xdomea validate [--json] [--xdomea-version V] FILE...
//   xdomea export --tenant T --vorgang ID --out DIR [--xdomea-version V]
//   xdomea import --tenant T FILE [--json]
//   xdomea receive --tenant T FILE --out DIR [--json]
//
// validate: exit 0 if every file is valid, 1 if one is invalid (each schema
// error with line, column and libxml2's message, values of the document
// left out), 2 on usage or environment errors (e.g. no XSD for the
// version). import and receive run the gate on every file (clamd from
// --clamd or $DREHSCHEIBE_CLAMD; without one a file counts as not scanned
// and is filed quarantined unless --no-clamd). receive writes the 0630 into
// --out and exits 1 when the answer is negative.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/config.h"
#include "core/files.h"
#include "core/problem.h"
#include "records/store.h"
#include "xdomea/export.h"
#include "xdomea/import.h"
#include "xdomea/receive.h"
#include "xdomea/xdomea.h"

namespace ds::cli {
namespace {

using nlohmann::json;

struct XdomeaOptions {
  bool json = false;
  std::string version;
  std::vector<std::string> files;
  std::string file;
  std::string tenant, vorgang, out, database;
  std::string sender = "drehscheibe", receiver = "DMS", id_container;
  std::string clamd;
  bool no_clamd = false;
};

std::string ResolveDatabaseUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("DREHSCHEIBE_DATABASE_URL");
  return env ? env : "";
}

Result<std::unique_ptr<records::Store>> OpenStore(const Context& ctx,
                                                  const XdomeaOptions& o) {
  return records::Store::Open(ResolveDataDir(ctx.data_flag),
                              ResolveDatabaseUrl(o.database));
}

Result<xdomea::Inspector> MakeInspector(const XdomeaOptions& o) {
  if (o.no_clamd && !o.clamd.empty()) {
    return Status(Code::kUsage, "--clamd and --no-clamd exclude each other");
  }
  gate::Policy policy;
  policy.allow_all_inspectable = true;
  std::string socket = o.clamd;
  if (socket.empty()) {
    if (const char* env = std::getenv("DREHSCHEIBE_CLAMD")) socket = env;
  }
  if (!o.no_clamd) policy.clamd_socket = socket;
  policy.require_virus_scan = !o.no_clamd;
  return xdomea::GateInspector(policy);
}

// ---- validate ---------------------------------------------------------

json ErrorsJson(const std::vector<xdomea::SchemaError>& errors) {
  json out = json::array();
  for (const auto& e : errors) {
    out.push_back(
        {{"line", e.line}, {"column", e.column}, {"message", e.message}});
  }
  return out;
}

Status RunValidate(const Context& ctx, const XdomeaOptions& o) {
  std::filesystem::path specs = ResolveSpecsDir(ctx.specs_flag);
  if (!o.version.empty()) {
    std::vector<std::string> known = xdomea::AvailableVersions(specs);
    if (std::find(known.begin(), known.end(), o.version) == known.end()) {
      std::string list;
      for (const std::string& v : known) list += (list.empty() ? "" : ", ") + v;
      return Status(Code::kUsage, "xdomea validate: no XSDs for version " +
                                      o.version + " (the specs directory has " +
                                      (list.empty() ? "none" : list) + ")");
    }
  }
  xdomea::Validator validator(specs);
  json all = json::array();
  Status worst;
  for (const std::string& file : o.files) {
    std::string name = std::filesystem::path(file).filename().string();
    Result<xdomea::ValidationReport> report =
        [&]() -> Result<xdomea::ValidationReport> {
      DS_ASSIGN_OR_RETURN(xdomea::Package pkg, xdomea::ReadPackageFile(file));
      return validator.ValidatePackage(pkg, o.version);
    }();
    json entry = {{"file", file}};
    if (!report.ok()) {
      if (ExitCode(report.status()) > ExitCode(worst)) worst = report.status();
      entry["valid"] = false;
      entry["error"] = report.status().message();
      if (!o.json)
        std::cout << Printable(file) << ": "
                  << Printable(report.status().message()) << "\n";
    } else {
      entry["valid"] = report->valid();
      entry["version"] = report->version;
      entry["message_type"] = report->message_type;
      entry["errors"] = ErrorsJson(report->errors);
      if (!report->valid() && worst.ok()) {
        worst = CheckFailed("xdomea validate: " + name + " is invalid");
      }
      if (!o.json) {
        std::cout << Printable(file) << ": "
                  << (report->valid() ? "valid" : "INVALID") << " (xdomea "
                  << report->version << ", " << report->message_type << ")\n";
        for (const auto& e : report->errors) {
          std::cout << "  line " << e.line;
          if (e.column > 0) std::cout << ", column " << e.column;
          std::cout << ": " << Printable(e.message) << "\n";
        }
      }
    }
    all.push_back(std::move(entry));
  }
  if (o.json) std::cout << all.dump(2) << "\n";
  if (!worst.ok() && worst.code() == Code::kCheckFailed && o.files.size() > 1) {
    return CheckFailed("xdomea validate: not every file is valid");
  }
  return worst;
}

// ---- export, import, receive ----------------------------------------

Status RunExport(const Context& ctx, const XdomeaOptions& o) {
  DS_ASSIGN_OR_RETURN(auto store, OpenStore(ctx, o));
  xdomea::ExportOptions opt{
      .version = o.version.empty() ? xdomea::kDefaultVersion : o.version,
      .specs_dir = ResolveSpecsDir(ctx.specs_flag),
      .out_dir = o.out,
      .sender = {.institution = o.sender},
      .receiver = {.institution = o.receiver},
      .id_container = o.id_container,
      .actor = "cli"};
  DS_ASSIGN_OR_RETURN(auto path,
                      xdomea::ExportVorgang(*store, o.tenant, o.vorgang, opt));
  if (o.json) {
    std::cout << json{{"package", path.string()}}.dump(2) << "\n";
  } else {
    std::cout << path.string() << "\n";
  }
  return Status::Ok();
}

Status RunImport(const Context& ctx, const XdomeaOptions& o) {
  DS_ASSIGN_OR_RETURN(xdomea::Inspector inspect, MakeInspector(o));
  DS_ASSIGN_OR_RETURN(auto store, OpenStore(ctx, o));
  xdomea::ImportOptions opt{.specs_dir = ResolveSpecsDir(ctx.specs_flag),
                            .version = o.version,
                            .inspect = inspect,
                            .actor = "cli"};
  DS_ASSIGN_OR_RETURN(auto r,
                      xdomea::ImportFile(*store, o.tenant, o.file, opt));
  json out = {{"message_type", r.message_type},
              {"version", r.version},
              {"process_id", r.process_id},
              {"akten_new", r.receipt.akten_new},
              {"vorgaenge_new", r.receipt.vorgaenge_new},
              {"dokumente_new", r.receipt.dokumente_new},
              {"already_present", r.receipt.already_present},
              {"without_file", r.without_file},
              {"akte_ids", r.receipt.akte_ids},
              {"vorgang_ids", r.receipt.vorgang_ids}};
  if (o.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "imported " << r.message_type << " (xdomea " << r.version
              << "): akten=" << r.receipt.akten_new
              << " vorgaenge=" << r.receipt.vorgaenge_new
              << " dokumente=" << r.receipt.dokumente_new
              << " already_present=" << r.receipt.already_present
              << " without_file=" << r.without_file << "\n";
  }
  return Status::Ok();
}

Status RunReceive(const Context& ctx, const XdomeaOptions& o) {
  DS_ASSIGN_OR_RETURN(xdomea::Inspector inspect, MakeInspector(o));
  xdomea::Limits limits;
  std::error_code ec;
  if (std::filesystem::file_size(o.file, ec) > limits.max_package_bytes || ec) {
    return ec ? InvalidInput("receive: cannot read " + o.file)
              : TooLarge("receive: package too large");
  }
  DS_ASSIGN_OR_RETURN(std::string zip,
                      ReadFile(o.file, limits.max_package_bytes));
  DS_ASSIGN_OR_RETURN(auto store, OpenStore(ctx, o));
  xdomea::ReceiveOptions opt{.specs_dir = ResolveSpecsDir(ctx.specs_flag),
                             .inspect = inspect,
                             .self = {.institution = o.sender},
                             .actor = "cli"};
  DS_ASSIGN_OR_RETURN(auto r, xdomea::Receive0605(*store, o.tenant, zip, opt));
  DS_RETURN_IF_ERROR(EnsureDir(o.out));
  std::filesystem::path answer = std::filesystem::path(o.out) / r.answer_name;
  DS_RETURN_IF_ERROR(WriteFileAtomic(answer, r.answer_zip));
  if (o.json) {
    std::cout << json{{"accepted", r.accepted},
                      {"reason", r.reason},
                      {"process_id", r.process_id},
                      {"dokument_ids", r.dokument_ids},
                      {"answer", answer.string()}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << (r.accepted ? "filed" : "refused") << ": " << answer.string()
              << "\n";
    if (!r.accepted) std::cout << "  " << r.reason << "\n";
  }
  if (!r.accepted) return CheckFailed("xdomea receive: refused: " + r.reason);
  return Status::Ok();
}

void AddStoreOptions(CLI::App* cmd, XdomeaOptions& o) {
  cmd->add_option("--tenant", o.tenant, "tenant (Mandant)")->required();
  cmd->add_option("--database", o.database,
                  "PostgreSQL connection (default $DREHSCHEIBE_DATABASE_URL; "
                  "unset: SQLite in the data directory)");
  cmd->add_flag("--json", o.json, "report as JSON");
}

void AddGateOptions(CLI::App* cmd, XdomeaOptions& o) {
  cmd->add_option("--clamd", o.clamd,
                  "clamd socket (default $DREHSCHEIBE_CLAMD)");
  cmd->add_flag("--no-clamd", o.no_clamd, "skip the virus scan explicitly");
}

}  // namespace

void RegisterXdomeaCommands(CLI::App& app, Context& ctx) {
  auto* x = app.add_subcommand("xdomea",
                               "xdomea packages: validate, export, "
                               "import, receive");
  x->require_subcommand(1);
  auto o = std::make_shared<XdomeaOptions>();
  const char* kVersion = "xdomea version (3.1.0 or 3.0.0)";

  auto* validate = x->add_subcommand(
      "validate",
      "validate packages (.zip) or messages (.xml) against the XSDs");
  validate->add_flag("--json", o->json, "report as JSON");
  validate->add_option("--xdomea-version", o->version,
                       "require this version (default: the message's own)");
  validate->add_option("FILE", o->files, "package or message")->required();
  validate->callback([&ctx, o] { ctx.status = RunValidate(ctx, *o); });

  auto* exp = x->add_subcommand("export", "a Vorgang as a 0605 package");
  AddStoreOptions(exp, *o);
  exp->add_option("--vorgang", o->vorgang, "Vorgang id")->required();
  exp->add_option("--out", o->out, "output directory")->required();
  exp->add_option("--xdomea-version", o->version, kVersion);
  exp->add_option("--sender", o->sender, "Absender (Institution)");
  exp->add_option("--receiver", o->receiver, "Empfänger (Institution)");
  exp->add_option("--id-container", o->id_container,
                  "the DMS container to file into");
  exp->callback([&ctx, o] { ctx.status = RunExport(ctx, *o); });

  auto* imp = x->add_subcommand(
      "import", "import an Aussonderung package (0501, 0503) read-only");
  AddStoreOptions(imp, *o);
  AddGateOptions(imp, *o);
  imp->add_option("--xdomea-version", o->version, kVersion);
  imp->add_option("FILE", o->file, "package (.zip) or message (.xml)")
      ->required();
  imp->callback([&ctx, o] { ctx.status = RunImport(ctx, *o); });

  auto* rec = x->add_subcommand(
      "receive", "file a Fachverfahren's 0605 and write the 0630 answer");
  AddStoreOptions(rec, *o);
  AddGateOptions(rec, *o);
  rec->add_option("--out", o->out, "directory for the 0630")->required();
  rec->add_option("--sender", o->sender, "our Institution in the 0630");
  rec->add_option("FILE", o->file, "0605 package (.zip)")->required();
  rec->callback([&ctx, o] { ctx.status = RunReceive(ctx, *o); });
}

}  // namespace ds::cli
