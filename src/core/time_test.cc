#include "core/time.h"

#include <gtest/gtest.h>

namespace ds {
namespace {

TEST(Time, Rfc3339IsUtcWithWholeSeconds) {
  EXPECT_EQ(Rfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339Utc(1796376600), "2026-12-04T09:30:00Z");
  // Before the epoch, as a token's "iat" from a broken clock might be.
  EXPECT_EQ(Rfc3339Utc(-1), "1969-12-31T23:59:59Z");
}

TEST(Time, FormatUtcTakesAnyStrftimeFormat) {
  EXPECT_EQ(FormatUtc(1796376600, "%Y-%m-%d"), "2026-12-04");
  EXPECT_EQ(FormatUtc(1796376600, "%H:%M"), "09:30");
  EXPECT_EQ(FormatUtc(1796376600, ""), "");
}

}  // namespace
}  // namespace ds
