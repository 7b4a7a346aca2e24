// The gate's policy from the hub configuration ([gate] section).
//
//   [gate]
//   clamd_socket = "/run/clamav/clamd.ctl"
//   allow = ["application/pdf", "image/jpeg", "png", "xml"]  # MIME or id
//   require_virus_scan = true
//   neutralise = false
//   max_file_bytes = 52428800
//   max_inflated_bytes = 268435456
//   worker_memory_bytes = 1073741824
//   worker_cpu_seconds = 30
//   worker_wall_seconds = 60
//   clamd_timeout_seconds = 120
//
// Every key is optional (Policy's defaults apply) and can be overridden by
// DREHSCHEIBE_GATE_<KEY>.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "gate/gate.h"

namespace ds::gate {

// Reads the policy; problems (unknown types, out-of-range numbers) are
// recorded in `r` and reported by r.Finish().
Policy ReadPolicy(ConfigReader& r);

// The gate's type id for a type id or a MIME type ("application/pdf" ->
// "pdf", "PNG" -> "png"); "" if the gate does not know it.
std::string TypeIdFor(std::string_view type_or_mime);

// The type ids a policy may allow.
std::vector<std::string> InspectableTypes();

}  // namespace ds::gate
