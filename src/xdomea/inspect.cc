// The gate as the inspector of files from xdomea packages.
#include "xdomea/inspect.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "gate/findings.h"

namespace ds::xdomea {
namespace fs = std::filesystem;

Inspection NotInspected() {
  return {.verdict = records::Verdict::kQuarantined,
          .findings_json =
              R"([{"code":"xdomea.not-inspected","severity":"review",)"
              R"("message":"file from an xdomea package was not inspected"}])"};
}

Inspector GateInspector(gate::Policy policy, Logger* logger) {
  auto shared = std::make_shared<gate::Gate>(logger);
  return [shared, policy](const fs::path& file, const std::string& mime,
                          const std::string& filename) -> Result<Inspection> {
    DS_ASSIGN_OR_RETURN(
        gate::Verdict v,
        shared->Inspect(file, {.mime_type = mime, .filename = filename},
                        policy));
    Inspection out;
    switch (v.decision) {
      case gate::Decision::kClean:
        out.verdict = records::Verdict::kClean;
        break;
      case gate::Decision::kNeutralised:
        out.verdict = records::Verdict::kNeutralised;
        break;
      case gate::Decision::kQuarantined:
        out.verdict = records::Verdict::kQuarantined;
        break;
      case gate::Decision::kRejected:
        out.verdict = records::Verdict::kRejected;
        break;
    }
    out.findings_json = gate::VerdictToJson(v)
                            .value("findings", nlohmann::json::array())
                            .dump();
    return out;
  };
}

Result<Inspection> InspectBytes(const Inspector& inspect,
                                const std::string& bytes,
                                const std::string& mime_type,
                                const std::string& filename) {
  if (!inspect) return NotInspected();
  std::error_code ec;
  fs::path dir = fs::temp_directory_path(ec) / ("ds-xdomea-" + NewUuid());
  if (ec || !fs::create_directory(dir, ec)) {
    return EnvironmentError("inspect: cannot create a temporary directory");
  }
  fs::permissions(dir, fs::perms::owner_all, ec);
  fs::path file = dir / "file";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fs::remove_all(dir, ec);
      return EnvironmentError("inspect: cannot write a temporary file");
    }
  }
  Result<Inspection> r = inspect(file, mime_type, filename);
  fs::remove_all(dir, ec);
  return r;
}

}  // namespace ds::xdomea
