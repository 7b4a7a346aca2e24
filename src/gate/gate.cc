// Gate::Inspect: file name checks, the content inspection in the worker,
// the allow-list and declared-type comparison, clamd, and the decision.
#include "gate/gate.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <tuple>

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
  std::filesystem::path dir = policy.neutralise_dir.empty()
                                  ? file.parent_path()
                                  : policy.neutralise_dir;
  return dir / (file.filename().string() + ".neutralised.pdf");
}

// The file's bytes, mapped read-only (no copy; pages come from the page
// cache). Empty for an empty file.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  Status Open(const std::filesystem::path& file, uint64_t max_bytes) {
    int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return NotFound(std::string("open: ") + strerror(errno));
    struct stat st {};
    Status s = Status::Ok();
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      s = NotFound("not a regular file");
    } else if (static_cast<uint64_t>(st.st_size) > max_bytes) {
      s = TooLarge("larger than " + std::to_string(max_bytes));
    } else if (st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* m = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m == MAP_FAILED) {
        s = Internal(std::string("mmap: ") + strerror(errno));
      } else {
        data_ = m;
      }
    }
    close(fd);
    return s;
  }
  std::string_view view() const {
    return data_ ? std::string_view(static_cast<const char*>(data_), size_)
                 : std::string_view();
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Runs in the worker for every file: read, detect, inspect; answers as
// JSON. The request names the file and the neutralisation target; the
// limits came with the worker (it serves one set of limits).
std::string InspectInWorker(std::string_view request, const Policy& policy) {
  nlohmann::json req = nlohmann::json::parse(request);
  const std::filesystem::path file = req.at("file").get<std::string>();
  const std::filesystem::path neutralise_to =
      req.at("neutralise_to").get<std::string>();

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
  MappedFile data;
  Status opened = data.Open(file, policy.limits.max_file_bytes);
  if (!opened.ok()) {
    report.Add("worker.crashed", Severity::kReview,
               "cannot read the file: " + opened.message());
  } else {
    type = internal::InspectBytes(data.view(), ctx, report);
  }
  nlohmann::json j = {
      {"type", type.id}, {"mime", type.mime}, {"neutralised", ctx.neutralised}};
  nlohmann::json& fs = j["findings"] = nlohmann::json::array();
  for (const Finding& f : report.findings()) {
    fs.push_back({{"code", f.code},
                  {"severity", static_cast<int>(f.severity)},
                  {"message", f.message},
                  {"n", f.neutralisable}});
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
      r.findings.push_back(
          Finding{f.at("code").get<std::string>(), static_cast<Severity>(sev),
                  f.at("message").get<std::string>(), f.at("n").get<bool>()});
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string Extension(const std::string& filename) {
  size_t slash = filename.find_last_of("/\\");
  std::string base =
      slash == std::string::npos ? filename : filename.substr(slash + 1);
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
  bool allowed =
      internal::IsInspectable(id) &&
      (policy.allow_all_inspectable || policy.allowed_types.count(id) > 0);
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

namespace internal {

bool SameLimits(const Limits& a, const Limits& b) {
  auto tie = [](const Limits& l) {
    return std::tie(
        l.max_file_bytes, l.max_inflated_bytes, l.max_ratio,
        l.max_archive_entries, l.max_archive_depth, l.max_entry_name_bytes,
        l.max_image_pixels, l.max_image_side, l.max_image_frames,
        l.max_image_chunk_bytes, l.max_json_depth, l.max_json_number_chars,
        l.max_xml_depth, l.max_pdf_pages, l.max_pdf_page_points,
        l.max_rtf_depth, l.worker_memory_bytes, l.worker_cpu_seconds,
        l.worker_wall_seconds, l.worker_files, l.clamd_max_bytes,
        l.clamd_timeout_seconds);
  };
  return tie(a) == tie(b);
}

// Idle workers, each kept for the limits it was started with. Any thread
// may take any idle worker (one at a time).
class WorkerPool {
 public:
  static constexpr size_t kMaxIdle = 8;

  std::unique_ptr<Worker> Take(const Limits& limits, bool neutralise) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = idle_.size(); i-- > 0;) {
      if (SameLimits(idle_[i].limits, limits) &&
          idle_[i].worker->limits() == WorkerLimitsFor(limits, neutralise)) {
        std::unique_ptr<Worker> w = std::move(idle_[i].worker);
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
        return w;
      }
    }
    return nullptr;
  }

  void Give(std::unique_ptr<Worker> w, const Limits& limits) {
    std::unique_ptr<Worker> evicted;  // ended outside the lock
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() >= kMaxIdle) {
      evicted = std::move(idle_.front().worker);
      idle_.erase(idle_.begin());
    }
    idle_.push_back({limits, std::move(w)});
  }

  static WorkerLimits WorkerLimitsFor(const Limits& limits, bool neutralise) {
    WorkerLimits wl;
    // Writing is allowed only for the cleaned copy of a PDF.
    wl.file_bytes = neutralise ? 2 * limits.max_file_bytes + 4096 : 0;
    wl.memory_bytes = limits.worker_memory_bytes;
    wl.cpu_seconds = limits.worker_cpu_seconds;
    wl.wall_seconds = limits.worker_wall_seconds;
    wl.max_jobs = std::max(1, limits.worker_files);
    return wl;
  }

 private:
  struct Idle {
    Limits limits;
    std::unique_ptr<Worker> worker;
  };
  std::mutex mu_;
  std::vector<Idle> idle_;  // guarded by mu_
};

}  // namespace internal

Gate::Gate(Logger* logger)
    : logger_(logger ? logger : &DefaultLogger()),
      pool_(std::make_unique<internal::WorkerPool>()) {
  internal::PreloadMagic();  // every worker inherits the loaded database
}

Gate::~Gate() = default;

SenderScope::SenderScope() = default;
SenderScope::~SenderScope() = default;

int SenderScope::worker_pid() const {
  return worker_ ? static_cast<int>(worker_->pid()) : 0;
}

// A worker for `policy`'s limits with the file's job submitted: the scope's
// worker if it has one for these limits, else (without a scope) an idle one
// of the pool, else a new one. A kept worker may have died meanwhile: then
// a new one takes the job.
Result<std::unique_ptr<internal::Worker>> Gate::SubmitToWorker(
    const std::filesystem::path& file,
    const std::filesystem::path& neutralise_to, const Policy& policy,
    SenderScope* scope) const {
  nlohmann::json req = {{"file", file.string()},
                        {"neutralise_to", neutralise_to.string()}};
  std::string request =
      req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  internal::WorkerLimits wl =
      internal::WorkerPool::WorkerLimitsFor(policy.limits, policy.neutralise);
  std::unique_ptr<internal::Worker> w;
  if (scope != nullptr) {
    wl.max_jobs = std::max(wl.max_jobs, policy.limits.scope_files);
    // A worker started for other limits ends here.
    std::unique_ptr<internal::Worker> kept = std::move(scope->worker_);
    if (kept != nullptr && kept->limits() == wl &&
        internal::SameLimits(scope->limits_, policy.limits)) {
      w = std::move(kept);
    }
  } else {
    w = pool_->Take(policy.limits, policy.neutralise);
  }
  if (w != nullptr && w->Submit(request).ok()) return w;

  Policy limits_only;
  limits_only.limits = policy.limits;
  DS_ASSIGN_OR_RETURN(
      w, internal::Worker::Start(wl, [limits_only](std::string_view r) {
        return InspectInWorker(r, limits_only);
      }));
  DS_RETURN_IF_ERROR(w->Submit(request));
  return w;
}

Result<Verdict> Gate::Inspect(const std::filesystem::path& file,
                              const FileFacts& declared, const Policy& policy,
                              SenderScope* scope) const {
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
    // The worker inspects while this thread streams the file to clamd.
    DS_ASSIGN_OR_RETURN(std::unique_ptr<internal::Worker> worker,
                        SubmitToWorker(file, neutral_path, policy, scope));
    ClamdResult scan;
    if (!policy.clamd_socket.empty()) {
      scan = ScanWithClamd(policy.clamd_socket, file, policy.limits);
    }
    DS_ASSIGN_OR_RETURN(internal::WorkerOutcome out, worker->Collect());
    if (worker->Reusable()) {
      if (scope != nullptr) {
        scope->worker_ = std::move(worker);
        scope->limits_ = policy.limits;
      } else {
        pool_->Give(std::move(worker), policy.limits);
      }
    }

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
    v.virus_scanned = scan.scanned;
    Append(&v.findings, std::move(scan.findings));
  }

  // Virus scan of the untouched original (above, beside the worker).
  if (policy.clamd_socket.empty()) {
    v.findings.push_back(
        {"scan.not_performed",
         policy.require_virus_scan ? Severity::kReview : Severity::kInfo,
         "virus scan not performed: no clamd socket configured"});
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
                 {"type", v.detected_type},
                 {"bytes", size},
                 {"findings", codes},
                 {"scanned", v.virus_scanned},
                 {"ms", static_cast<int64_t>(v.duration.count())}});
  return v;
}

}  // namespace ds::gate
