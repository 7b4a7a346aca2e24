// Timestamps as text. Every machine-readable time that drehscheibe writes
// (JSON, logs, xdomea, reports) is UTC; only the web pages show local time.
#ifndef DS_CORE_TIME_H_
#define DS_CORE_TIME_H_

#include <cstdint>
#include <string>

namespace ds {

// Seconds since the epoch with a strftime format, in UTC
// ("%Y-%m-%d" gives 2026-12-04). The result is at most 63 bytes.
std::string FormatUtc(int64_t unix_seconds, const char* strftime_format);

// RFC 3339 in UTC with whole seconds: "2026-12-04T09:30:00Z".
std::string Rfc3339Utc(int64_t unix_seconds);

}  // namespace ds

#endif  // DS_CORE_TIME_H_
