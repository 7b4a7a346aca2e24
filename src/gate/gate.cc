// Gate::Inspect: file name checks, the content inspection in the worker,
// the allow-list and declared-type comparison, clamd, and the decision.
#include "gate/gate.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "gate/clamd.h"
#include "gate/findings.h"
#include "gate/inspect.h"
#include "gate/worker.h"

namespace ds::gate {
namespace {

using internal::Report;
using internal::TypeInfo;

struct WorkerReport {
  TypeInfo type;
  std::vector<Finding> findings;
  bool neutralised = false;
};

std::filesystem::path NeutralisedPath(const std::filesystem::path& file,
                                      const Policy& policy) {
  std::filesystem::path dir =
      policy.neutralise_dir.empty() ? file.parent_path()
                                    : policy.neutralise_dir;
  return dir / (file.filename().string() + ".neutralised.pdf");
}

// Runs in the worker: read, detect, inspect; answers as JSON.
std::string InspectInWorker(const std::filesystem::path& file,
                            const Policy& policy,
                            const std::filesystem::path& neutralise_to) {
  Report report;
  if (!internal::WorkerHasNoNetwork()) {
    report.Add("worker.sandbox", Severity::kInfo,
               "no network namespace for the worker (user namespaces are "
               "unavailable); parsers are configured never to fetch");
  }
  internal::Context ctx;
  ctx.policy = &policy;
  ctx.neutralise_to = neutralise_to;
  TypeInfo type;
  Result<std::string> data = ReadFile(file, policy.limits.max_file_bytes);
  if (!data.ok()) {
    report.Add("worker.crashed", Severity::kReview,
               "cannot read the file: " + data.status().message());
  } else {
    type = internal::InspectBytes(*data, ctx, report);
  }
  nlohmann::json j = {{"type", type.id}, {"mime", type.mime},
                      {"neutralised", ctx.neutralised}};
  nlohmann::json& fs = j["findings"] = nlohmann::json::array();
  for (const Finding& f : report.findings()) {
    fs.push_back({{"code", f.code}, {"severity", static_cast<int>(f.severity)},
                  {"message", f.message}, {"n", f.neutralisable}});
  }
  // Messages may quote bytes of the file: never let them break the JSON.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<WorkerReport> ParseReport(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    WorkerReport r;
    r.type.id = j.at("type").get<std::string>();
    r.type.mime = j.at("mime").get<std::string>();
    r.neutralised = j.at("neutralised").get<bool>();
    for (const auto& f : j.at("findings")) {
      int sev = std::clamp(f.at("severity").get<int>(), 0, 2);
      r.findings.push_back(Finding{f.at("code").get<std::string>(),
                                   static_cast<Severity>(sev),
                                   f.at("message").get<std::string>(),
                                   f.at("n").get<bool>()});
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string Extension(const std::string& filename) {
  size_t slash = filename.find_last_of("/\\");
  std::string base = slash == std::string::npos ? filename
                                                : filename.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == std::string::npos || dot == 0) return "";
  return internal::Lower(base.substr(dot + 1));
}

std::string MimeEssence(const std::string& mime) {
  std::string m = internal::Lower(mime.substr(0, mime.find(';')));
  m.erase(0, m.find_first_not_of(" \t"));
  while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.pop_back();
  return m;
}

// Allow-list and declared type versus content (T70).
void CheckType(const Verdict& v, const FileFacts& declared,
               const Policy& policy, std::vector<Finding>* out) {
  const std::string& id = v.detected_type;
  if (id == "unknown") {
    out->push_back({"type.unknown", Severity::kReject,
                    "file type not recognised (" + v.detected_mime + ")"});
    return;
  }
  bool allowed = internal::IsInspectable(id) &&
                 (policy.allow_all_inspectable ||
                  policy.allowed_types.count(id) > 0);
  if (!allowed) {
    out->push_back({"type.not_allowed", Severity::kReject,
                    "type " + id + " is not allowed for this service"});
  }
  std::string mime = MimeEssence(declared.mime_type);
  if (!mime.empty() && mime != "application/octet-stream" &&
      mime != "binary/octet-stream" && !internal::MimeFits(id, mime)) {
    out->push_back({"type.mime_mismatch", Severity::kReject,
                    "declared " + mime + " but the content is " + id});
  }
  std::string ext = Extension(declared.filename);
  if (!ext.empty() && !internal::ExtensionFits(id, ext)) {
    out->push_back({"type.extension_mismatch", Severity::kReject,
                    "extension ." + ext + " but the content is " + id});
  }
}

Decision Decide(const std::vector<Finding>& findings, bool neutralised) {
  Severity worst = Severity::kInfo;
  bool all_neutralisable = true;
  for (const Finding& f : findings) {
    worst = std::max(worst, f.severity);
    if (f.severity != Severity::kInfo && !f.neutralisable) {
      all_neutralisable = false;
    }
  }
  if (worst == Severity::kInfo) return Decision::kClean;
  if (neutralised && all_neutralisable) return Decision::kNeutralised;
  return worst == Severity::kReject ? Decision::kRejected
                                    : Decision::kQuarantined;
}

void Append(std::vector<Finding>* to, std::vector<Finding> from) {
  for (Finding& f : from) to->push_back(std::move(f));
}

}  // namespace

Gate::Gate(Logger* logger) : logger_(logger ? logger : &DefaultLogger()) {
  internal::PreloadMagic();  // every worker inherits the loaded database
}

Result<Verdict> Gate::Inspect(const std::filesystem::path& file,
                              const FileFacts& declared,
                              const Policy& policy) const {
  auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return NotFound("gate: not a regular file: " + file.string());
  }
  uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return EnvironmentError("gate: stat: " + ec.message());

  Verdict v;
  v.detected_type = "unknown";
  if (policy.check_filename) {
    Append(&v.findings, internal::CheckFileName(declared.filename));
  }

  // Content inspection in the worker (skipped above the size cap).
  bool neutralised = false;
  std::filesystem::path neutral_path =
      policy.neutralise ? NeutralisedPath(file, policy) : "";
  if (size > policy.limits.max_file_bytes) {
    v.findings.push_back({"type.too_large", Severity::kReject,
                          "file has " + std::to_string(size) +
                              " bytes, the limit is " +
                              std::to_string(policy.limits.max_file_bytes)});
  } else {
    internal::WorkerLimits wl;
    wl.memory_bytes = policy.limits.worker_memory_bytes;
    wl.cpu_seconds = policy.limits.worker_cpu_seconds;
    wl.wall_seconds = policy.limits.worker_wall_seconds;
    wl.file_bytes = policy.neutralise ? 2 * policy.limits.max_file_bytes + 4096
                                      : 0;
    DS_ASSIGN_OR_RETURN(
        internal::WorkerOutcome out,
        internal::RunInWorker(wl, [&] {
          return InspectInWorker(file, policy, neutral_path);
        }));
    std::optional<WorkerReport> report;
    if (out.report) report = ParseReport(*out.report);
    if (out.failure) {
      v.findings.push_back(*out.failure);
    } else if (!report) {
      v.findings.push_back({"worker.bad_report", Severity::kReview,
                            "inspection report unreadable"});
    } else {
      v.detected_type = report->type.id;
      v.detected_mime = report->type.mime;
      neutralised = report->neutralised;
      Append(&v.findings, std::move(report->findings));
      CheckType(v, declared, policy, &v.findings);
    }
  }

  // Virus scan of the untouched original.
  if (policy.clamd_socket.empty()) {
    v.findings.push_back(
        {"scan.not_performed",
         policy.require_virus_scan ? Severity::kReview : Severity::kInfo,
         "virus scan not performed: no clamd socket configured"});
  } else if (size <= policy.limits.max_file_bytes) {
    ClamdResult c = ScanWithClamd(policy.clamd_socket, file, policy.limits);
    v.virus_scanned = c.scanned;
    Append(&v.findings, std::move(c.findings));
  }

  v.decision = Decide(v.findings, neutralised);
  if (v.decision == Decision::kNeutralised) {
    v.neutralised_copy = neutral_path;
  } else if (neutralised) {
    std::filesystem::remove(neutral_path, ec);
  }
  v.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);

  std::string codes;
  for (const Finding& f : v.findings) {
    if (f.severity == Severity::kInfo) continue;
    codes += codes.empty() ? f.code : "," + f.code;
  }
  logger_->Info("gate.verdict",
                {{"decision", DecisionName(v.decision)},
                 {"type", v.detected_type}, {"bytes", size},
                 {"findings", codes}, {"scanned", v.virus_scanned},
                 {"ms", static_cast<int64_t>(v.duration.count())}});
  return v;
}

}  // namespace ds::gate
