// The states of a Vorgang as the router records them (Store::RecordRouting),
// for filters that must tell a misspelt state from one without cases.
#pragma once

#include <array>
#include <string_view>

namespace ds::records {

// new: filed, not yet routed; manual: no rule matched, stays in the
// Posteingang; routing: deliveries pending; delivered: every target has
// it; failed: a delivery is a dead letter.
inline constexpr std::array<std::string_view, 5> kVorgangStates = {
    "new", "manual", "routing", "delivered", "failed"};

inline bool IsVorgangState(std::string_view state) {
  for (std::string_view s : kVorgangStates) {
    if (s == state) return true;
  }
  return false;
}

}  // namespace ds::records
