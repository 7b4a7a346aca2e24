// FIT-Connect callbacks: the Zustelldienst POSTs a notification to the
// destination's callback URL and authenticates it with two headers:
//
//   callback-timestamp:      Unix seconds, decimal
//   callback-authentication: hex HMAC-SHA-512(secret,
//                                             timestamp + "." + raw body)
//
// The receiver must compute the HMAC over the exact raw body bytes (no
// re-serialisation), compare in constant time, and refuse timestamps
// outside a 5-minute window. Source: docs.fitko.de /docs/details/callbacks;
// the formula is [verified] against a third-party implementation, the
// known-answer test is self-computed (specs test-vectors/derived/README.md).
//
//   Status s = VerifyCallback(secret, headers.Get("callback-authentication"),
//                             headers.Get("callback-timestamp"), body,
//                             UnixNow());
//   if (!s.ok()) return 401;   // kUnauthenticated
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::fitconnect {

inline constexpr std::string_view kCallbackAuthenticationHeader =
    "callback-authentication";
inline constexpr std::string_view kCallbackTimestampHeader =
    "callback-timestamp";

// Lower-case hex HMAC-SHA-512 over `timestamp` "." `body` keyed with
// `secret` (128 characters).
std::string CallbackHmac(std::string_view secret, std::string_view timestamp,
                         std::string_view body);

struct CallbackOptions {
  int64_t max_age_seconds = 300;   // older timestamps are refused
  int64_t max_skew_seconds = 300;  // so are timestamps this far ahead
};

// Verifies a received callback. `authentication` / `timestamp` are the
// header values (nullopt if absent); `body` the raw request body; `now` Unix
// seconds. kUnauthenticated for a missing or malformed header, a timestamp
// outside the window, or a wrong HMAC (distinct messages, no secrets in
// them); kInvalidInput for an empty secret (a configuration error).
// Thread-safe.
Status VerifyCallback(std::string_view secret,
                      std::optional<std::string_view> authentication,
                      std::optional<std::string_view> timestamp,
                      std::string_view body, int64_t now,
                      const CallbackOptions& options = {});

// The delivery-service side (local Zustelldienst): the two header values
// for `body` sent at `now`.
struct CallbackHeaders {
  std::string authentication;
  std::string timestamp;
};
CallbackHeaders SignCallback(std::string_view secret, std::string_view body,
                             int64_t now);

// Callback types. NEW_SUBMISSIONS is documented; the other two URIs are
// formed by analogy [unverified].
inline constexpr std::string_view kCallbackNewSubmissions =
    "https://schema.fitko.de/fit-connect/submission-api/callbacks/"
    "new-submissions";
inline constexpr std::string_view kCallbackNewEvents =
    "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events";
inline constexpr std::string_view kCallbackNewReplies =
    "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-replies";

struct CallbackSubmission {
  std::string destination_id;
  std::string submission_id;
  std::string case_id;
};

struct CallbackNotification {
  std::string type;
  std::vector<CallbackSubmission> submissions;
};

// Parses a verified callback body. `submissions[]` is used; the deprecated
// `submissionIds[]` is read when `submissions` is absent (case and
// destination then empty). kInvalidInput for a malformed body or ids that
// are not UUIDs.
Result<CallbackNotification> ParseCallbackBody(std::string_view body);

// The body the local Zustelldienst sends for new submissions (with the
// deprecated submissionIds for old receivers).
std::string NewSubmissionsCallbackBody(
    const std::vector<CallbackSubmission>& submissions);

}  // namespace ds::fitconnect
