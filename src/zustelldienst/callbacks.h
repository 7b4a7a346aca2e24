// Internal: callbacks to destinations and senders (notes §6), signed with
// ds_fitconnect's callback HMAC (fitconnect/callback.h).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::zustelldienst {

struct CallbackAttempt {
  int http_status = 0;  // 0 if the request failed
  std::string error;    // for the log; no content
};

// POSTs one callback with callback-authentication and callback-timestamp.
CallbackAttempt DeliverCallback(std::string_view url, std::string_view secret,
                                std::string_view body, int timeout_seconds);

}  // namespace ds::zustelldienst
