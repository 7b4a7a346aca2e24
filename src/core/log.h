// Structured key=value logging.
//
// A log line is an event name and facts: identifiers, sizes, verdicts and
// durations. Never pass personal data, form content, keys or tokens; the
// logger cannot tell them apart from identifiers, so the rule is on callers.
//
//   logger.Info("intake.accepted", {{"submission", id}, {"bytes", size}});
//   // ts=2026-12-03T13:00:00Z level=info event=intake.accepted submission=... bytes=123
//
// Thread-safe. Repeats of the same event beyond a burst within one second
// are dropped and counted; the next line of that event reports `suppressed=N`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace spdlog { class logger; }

namespace ds {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// Parses "debug", "info", "warn", "error", "off".
bool ParseLogLevel(std::string_view text, LogLevel* level);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, int64_t v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}

  std::string_view key;
  std::string value;
};

class Logger {
 public:
  // Writes to stderr.
  Logger();
  // Writes to the given spdlog logger (tests use an ostream sink).
  explicit Logger(std::shared_ptr<spdlog::logger> sink);
  ~Logger();

  void set_level(LogLevel level) { level_ = level; }
  LogLevel level() const { return level_; }

  void Log(LogLevel level, std::string_view event,
           std::initializer_list<LogField> fields);
  void Debug(std::string_view e, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, e, f); }
  void Info(std::string_view e, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, e, f); }
  void Warn(std::string_view e, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, e, f); }
  void Error(std::string_view e, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, e, f); }

  // Formats one line without writing it (exposed for tests).
  static std::string Format(LogLevel level, std::string_view event,
                            std::initializer_list<LogField> fields,
                            int64_t suppressed);

 private:
  struct Window {
    int64_t second = 0;
    int count = 0;
    int64_t suppressed = 0;
  };
  static constexpr int kBurstPerSecond = 20;

  std::shared_ptr<spdlog::logger> sink_;
  LogLevel level_ = LogLevel::kInfo;
  std::mutex mu_;
  std::map<std::string, Window, std::less<>> windows_;  // guarded by mu_
};

// The process-wide logger used where none is passed in (CLI commands).
Logger& DefaultLogger();

}  // namespace ds
