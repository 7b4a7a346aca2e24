#include "gate/policy.h"

#include "gate/inspect.h"

namespace ds::gate {

std::vector<std::string> InspectableTypes() {
  return {"pdf",  "jpeg", "png", "tiff", "gif", "bmp", "xml",
          "json", "text", "rtf", "docx", "xlsx", "pptx", "odt",
          "ods",  "odp",  "ole", "zip",  "tar"};
}

std::string TypeIdFor(std::string_view type_or_mime) {
  std::string name = internal::Lower(type_or_mime);
  for (const std::string& id : InspectableTypes()) {
    if (name == id || internal::MimeFits(id, name)) return id;
  }
  return "";
}

Policy ReadPolicy(ConfigReader& r) {
  Policy p;
  p.clamd_socket = r.String("gate.clamd_socket", "");
  if (r.Has("gate.allow")) {
    p.allowed_types.clear();
    for (const std::string& t : r.Strings("gate.allow")) {
      std::string id = TypeIdFor(t);
      if (id.empty()) {
        r.AddError("gate.allow", "unknown or never allowed type " + t);
      } else {
        p.allowed_types.insert(id);
      }
    }
  }
  p.require_virus_scan = r.Bool("gate.require_virus_scan", true);
  p.neutralise = r.Bool("gate.neutralise", false);

  Limits& l = p.limits;
  auto bytes = [&](const char* key, uint64_t fallback) {
    return static_cast<uint64_t>(r.Int(key, static_cast<int64_t>(fallback),
                                       1, int64_t{1} << 40));
  };
  auto seconds = [&](const char* key, int fallback) {
    return static_cast<int>(r.Int(key, fallback, 1, 3600));
  };
  l.max_file_bytes = bytes("gate.max_file_bytes", l.max_file_bytes);
  l.max_inflated_bytes = bytes("gate.max_inflated_bytes",
                               l.max_inflated_bytes);
  l.worker_memory_bytes = bytes("gate.worker_memory_bytes",
                                l.worker_memory_bytes);
  l.clamd_max_bytes = bytes("gate.clamd_max_bytes", l.clamd_max_bytes);
  l.worker_cpu_seconds = seconds("gate.worker_cpu_seconds",
                                 l.worker_cpu_seconds);
  l.worker_wall_seconds = seconds("gate.worker_wall_seconds",
                                  l.worker_wall_seconds);
  l.worker_files = static_cast<int>(
      r.Int("gate.worker_files", l.worker_files, 1, 100000));
  l.scope_files = static_cast<int>(
      r.Int("gate.scope_files", l.scope_files, 1, 100000));
  l.clamd_timeout_seconds = seconds("gate.clamd_timeout_seconds",
                                    l.clamd_timeout_seconds);
  return p;
}

}  // namespace ds::gate
