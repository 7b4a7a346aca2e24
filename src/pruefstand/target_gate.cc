// The local gate as a target: each sample is written to a work file and
// inspected in-process, as the hub inspects an attachment.
#include <stdlib.h>

#include <atomic>
#include <fstream>

#include "gate/findings.h"
#include "pruefstand/internal.h"
#include "pruefstand/target.h"

namespace ds::pruefstand {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class GateTarget final : public Target {
 public:
  GateTarget(GateTargetOptions o, fs::path dir, bool own_dir)
      : options_(std::move(o)),
        dir_(std::move(dir)),
        own_dir_(own_dir),
        gate_(options_.logger) {
    policy_.allow_all_inspectable = true;
    policy_.clamd_socket = options_.clamd_socket;
    policy_.require_virus_scan = options_.require_virus_scan;
    policy_.neutralise = true;
    policy_.neutralise_dir = dir_;
  }
  ~GateTarget() override {
    std::error_code ec;
    if (own_dir_) fs::remove_all(dir_, ec);
  }

  json Describe() const override {
    bool scan = !options_.clamd_socket.empty();
    return {{"kind", "gate"},
            {"description",
             std::string("das Prüfmodul (Gate) von drehscheibe, lokal; ") +
                 (scan ? "mit Virenscan (clamd)" : "ohne Virenscan")},
            {"virus_scan", scan}};
  }
  std::vector<std::string> Urls() const override { return {}; }

  Delivery Deliver(const gate::Sample& s) override {
    // The declared name is hostile by design: it never names a file here.
    fs::path file = dir_ / ("sample-" + std::to_string(++counter_));
    {
      std::ofstream out(file, std::ios::binary);
      out << s.bytes;
      if (!out) return internal::ErrorDelivery("Probe nicht schreibbar");
    }
    Result<gate::Verdict> v =
        gate_.Inspect(file, {s.mime_type, s.filename}, policy_);
    std::error_code ec;
    fs::remove(file, ec);
    if (!v.ok()) {
      return internal::ErrorDelivery("nicht geprüft: " + v.status().message());
    }
    Delivery d = FromVerdict(s, *v);
    if (v->neutralised_copy) fs::remove(*v->neutralised_copy, ec);
    return d;
  }

 private:
  Delivery FromVerdict(const gate::Sample& s, const gate::Verdict& v) {
    Delivery d;
    d.verdict = gate::VerdictToJson(v);
    d.verdict.erase("neutralised_copy");  // a temporary path
    switch (v.decision) {
      case gate::Decision::kClean:
        d.outcome = Outcome::kAcceptedUnchanged;
        d.reason = "unauffällig (keine Befunde)";
        break;
      case gate::Decision::kQuarantined:
        d.outcome = Outcome::kQuarantined;
        d.reason = "vom Prüfmodul zurückgehalten";
        break;
      case gate::Decision::kRejected:
        d.outcome = Outcome::kRejected;
        d.reason = "vom Prüfmodul abgewiesen";
        break;
      case gate::Decision::kNeutralised: {
        Result<std::string> copy =
            v.neutralised_copy ? internal::ReadSmallFile(*v.neutralised_copy)
                               : Result<std::string>(NotFound("no copy"));
        d = internal::RateRendition(std::move(d), s, copy);
        break;
      }
    }
    return d;
  }

  GateTargetOptions options_;
  fs::path dir_;
  bool own_dir_;
  gate::Gate gate_;
  gate::Policy policy_;
  std::atomic<int> counter_{0};
};

}  // namespace

Result<std::unique_ptr<Target>> MakeGateTarget(const GateTargetOptions& o) {
  fs::path dir = o.work_dir;
  bool own = dir.empty();
  if (own) {
    std::string tmpl = (fs::temp_directory_path() / "pruefstand-XXXXXX");
    if (!mkdtemp(tmpl.data())) {
      return EnvironmentError("pruefstand: cannot create a work directory");
    }
    dir = tmpl;
  } else {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      return EnvironmentError("pruefstand: work directory: " + ec.message());
  }
  return std::unique_ptr<Target>(new GateTarget(o, dir, own));
}

}  // namespace ds::pruefstand
