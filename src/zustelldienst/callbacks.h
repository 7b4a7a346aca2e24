// Internal: callbacks to destinations and senders (notes §6).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::zustelldienst {

inline constexpr std::string_view kCallbackBase =
    "https://schema.fitko.de/fit-connect/submission-api/callbacks/";

// Lower-case hex HMAC-SHA-512 over "{timestamp}.{body}" keyed with the
// callback secret: the callback-authentication header.
// Not yet: switch to ds_fitconnect's callback HMAC once merged.
std::string CallbackHmac(std::string_view secret, std::string_view timestamp,
                         std::string_view body);

struct CallbackAttempt {
  int http_status = 0;  // 0 if the request failed
  std::string error;    // for the log; no content
};

// POSTs one callback with callback-authentication and callback-timestamp.
CallbackAttempt DeliverCallback(std::string_view url, std::string_view secret,
                                std::string_view body, int timeout_seconds);

}  // namespace ds::zustelldienst
