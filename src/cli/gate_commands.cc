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
#include "gate/policy.h"

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
    p.allowed_types.clear();
    for (const std::string& t : o.allow) {
      std::string id = gate::TypeIdFor(t);
      if (id.empty()) {
        return Status(Code::kUsage, "scan: --allow: unknown type " + t +
                                        " (known: pdf, jpeg, png, tiff, gif, "
                                        "bmp, xml, json, text, rtf, docx, "
                                        "xlsx, pptx, odt, ods, odp, ole, "
                                        "zip, tar, or their MIME types)");
      }
      p.allowed_types.insert(id);
    }
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
  std::cout << Printable(file) << ": " << gate::DecisionName(v.decision) << " ("
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
  // A file that is not there is a mistake in the command, not a finding.
  for (const std::string& file : o.files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return EnvironmentError("scan: not a readable file: " + Printable(file));
    }
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
      else std::cout << Printable(file) << ": error: " << v.status().message() << "\n";
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

// A file name as it may be shown on a terminal: control characters (C0,
// DEL, C1) and bidirectional overrides are escaped, so that a crafted name
// cannot rewrite the line or reorder what the operator reads.
std::string Printable(std::string_view name) {
  std::string out;
  auto hex = [&out](unsigned char c) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += "\\x";
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    unsigned char c1 =
        i + 1 < name.size() ? static_cast<unsigned char>(name[i + 1]) : 0;
    unsigned char c2 =
        i + 2 < name.size() ? static_cast<unsigned char>(name[i + 2]) : 0;
    bool c1_control = c == 0xC2 && c1 >= 0x80 && c1 <= 0x9F;
    bool bidi = (c == 0xE2 && c1 == 0x80 &&
                 (c2 == 0x8E || c2 == 0x8F || (c2 >= 0xAA && c2 <= 0xAE))) ||
                (c == 0xE2 && c1 == 0x81 && c2 >= 0xA6 && c2 <= 0xA9) ||
                (c == 0xD8 && c1 == 0x9C);
    if (c < 0x20 || c == 0x7F) {
      hex(c);
    } else if (c1_control || (c == 0xD8 && c1 == 0x9C)) {
      hex(c);
      hex(c1);
      ++i;
    } else if (bidi) {
      hex(c);
      hex(c1);
      hex(c2);
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void RegisterGateCommands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* scan = app.add_subcommand(
      "scan", "check files for manipulation (type, active content, bombs, "
              "viruses); exit 1 if any is not clean");
  scan->add_option("files", opts->files, "files to check")->required();
  scan->add_flag("--json", opts->json, "print a JSON report");
  scan->add_option("--allow", opts->allow,
                   "allowed types or MIME types, e.g. pdf,jpeg,png,tiff "
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
