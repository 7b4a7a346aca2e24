#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "core/time.h"

namespace ds {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

// Values are written bare when they are simple tokens, otherwise quoted with
// backslash escapes, so that a line always splits unambiguously.
void AppendValue(std::string* out, std::string_view v) {
  bool bare = !v.empty();
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out->append("\\x");
      static constexpr char kHex[] = "0123456789abcdef";
      out->push_back(kHex[(c >> 4) & 15]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

bool ParseLogLevel(std::string_view t, LogLevel* level) {
  if (t == "debug") *level = LogLevel::kDebug;
  else if (t == "info") *level = LogLevel::kInfo;
  else if (t == "warn") *level = LogLevel::kWarn;
  else if (t == "error") *level = LogLevel::kError;
  else if (t == "off") *level = LogLevel::kOff;
  else return false;
  return true;
}

LogField::LogField(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

Logger::Logger() {
  sink_ = std::make_shared<spdlog::logger>(
      "drehscheibe", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  sink_->set_pattern("%v");
}

Logger::Logger(std::shared_ptr<spdlog::logger> sink) : sink_(std::move(sink)) {
  sink_->set_pattern("%v");
}

Logger::~Logger() = default;

std::string Logger::Format(LogLevel level, std::string_view event,
                           std::initializer_list<LogField> fields,
                           int64_t suppressed) {
  std::string line = "ts=";
  line += Rfc3339Utc(std::time(nullptr));
  line += " level=";
  line += LevelName(level);
  line += " event=";
  AppendValue(&line, event);
  for (const LogField& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    AppendValue(&line, f.value);
  }
  if (suppressed > 0) {
    line += " suppressed=" + std::to_string(suppressed);
  }
  return line;
}

void Logger::Log(LogLevel level, std::string_view event,
                 std::initializer_list<LogField> fields) {
  if (level < level_ || level_ == LogLevel::kOff) return;

  int64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t second = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    auto it = windows_.find(event);
    if (it == windows_.end()) it = windows_.emplace(std::string(event), Window{}).first;
    Window& w = it->second;
    if (w.second != second) {
      w.second = second;
      w.count = 0;
    }
    if (++w.count > kBurstPerSecond) {
      ++w.suppressed;
      return;
    }
    suppressed = w.suppressed;
    w.suppressed = 0;
  }
  sink_->info(Format(level, event, fields, suppressed));
  if (level >= LogLevel::kWarn) sink_->flush();
}

Logger& DefaultLogger() {
  static Logger* logger = new Logger();
  return *logger;
}

}  // namespace ds
