// Fuzzes the gate's content inspectors in-process. In production they run
// in the resource-limited worker; here every crash or sanitizer report is
// a bug to fix. Small caps keep each input fast.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gate/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ds::gate::Policy policy = [] {
    ds::gate::Policy p;
    p.allow_all_inspectable = true;
    p.limits.max_inflated_bytes = 8u << 20;
    p.limits.max_archive_entries = 200;
    return p;
  }();
  ds::gate::internal::Context ctx;
  ctx.policy = &policy;
  ds::gate::internal::Report report;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ds::gate::internal::InspectBytes(input, ctx, report);

  // The JSON fast path may only accept what nlohmann's strict parser does.
  if (ds::gate::internal::JsonCertainlyValid(input, policy.limits) &&
      !nlohmann::json::accept(input)) {
    __builtin_trap();
  }
  return 0;
}
