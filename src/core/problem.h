// The one place where core status codes become HTTP responses and CLI exit
// codes. Handlers and commands call these instead of choosing numbers.
//
//   ds::Status s = DoWork();
//   return ds::ExitCode(s);            // 0, 1 or 2
//   auto body = ds::ProblemJson(s, "/v1/submissions/42");  // RFC 7807
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds {

// CLI exit status: 0 success, 1 a check failed or the input is invalid,
// 2 usage or environment error (including unreachable neighbours and bugs).
int ExitCode(const Status& status);

// HTTP status code for a status (200 for OK).
int HttpStatus(const Status& status);

// Problem type URI prefix for errors of drehscheibe's own HTTP APIs.
inline constexpr std::string_view kProblemBase =
    "https://drehscheibe.invalid/problems/";

// An RFC 7807 body: {type, title, status, detail, instance}. If the status
// carries a FIT-Connect problem, its type is used; otherwise a drehscheibe
// type derived from the code. `instance` may be empty.
nlohmann::json ProblemJson(const Status& status, std::string_view instance);

}  // namespace ds
