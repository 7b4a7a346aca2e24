// Helpers for tests of every part: temporary directories, the specs
// directory, and status matchers.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/status.h"

namespace ds::testing {

// A fresh directory under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The specs directory used by tests: $DREHSCHEIBE_SPECS or ../shared/specs
// beside the source tree.
std::filesystem::path SpecsDir();

// The source tree (for test data that the project itself ships).
std::filesystem::path SourceDir();

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const Result<T>& r) { return r.status(); }

MATCHER(IsOk, "is OK") {
  const Status& s = ::ds::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has code " + std::string(::ds::CodeName(code))) {
  const Status& s = ::ds::testing::GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, substring,
           "has code " + std::string(::ds::CodeName(code)) + " and a message with \"" +
               std::string(substring) + "\"") {
  const Status& s = ::ds::testing::GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code && s.message().find(substring) != std::string::npos;
}

}  // namespace ds::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::ds::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::ds::testing::IsOk())
