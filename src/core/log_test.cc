#include "core/log.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "core/testing/testing.h"

namespace ds {
namespace {

TEST(Log, FormatsKeyValueAndQuotesUnsafeValues) {
  std::string line = Logger::Format(LogLevel::kInfo, "intake.accepted",
                                    {{"submission", "abc"}, {"note", "two words"},
                                     {"bytes", int64_t{12}}},
                                    0);
  EXPECT_THAT(line, ::testing::HasSubstr("level=info event=intake.accepted submission=abc "
                                         "note=\"two words\" bytes=12"));
}

TEST(Log, EscapesNewlinesSoLinesCannotBeForged) {
  std::string line = Logger::Format(LogLevel::kWarn, "e", {{"k", "a\nlevel=error"}}, 0);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Log, RateLimitsRepeatedEvents) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  Logger logger(std::make_shared<spdlog::logger>("t", sink));

  for (int i = 0; i < 100; ++i) logger.Info("flood");

  std::string text = out.str();
  size_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_LT(lines, 100u);
  EXPECT_GE(lines, 1u);
}

}  // namespace
}  // namespace ds
