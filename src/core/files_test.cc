#include "core/files.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/testing/testing.h"

namespace ds {
namespace {
namespace fs = std::filesystem;

TEST(EnsureDirWithoutStale, RemovesOldEntriesAndKeepsRecentOnes) {
  testing::TempDir dir;
  fs::path spool = dir.path() / "spool";
  ASSERT_OK(EnsureDir(spool / "old-folder"));
  ASSERT_OK(WriteFileAtomic(spool / "old-folder" / "part", "x"));
  ASSERT_OK(WriteFileAtomic(spool / "old", "personal data"));
  ASSERT_OK(WriteFileAtomic(spool / "recent", "in flight"));
  auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(spool / "old", two_hours_ago);
  fs::last_write_time(spool / "old-folder", two_hours_ago);

  ASSERT_OK(EnsureDirWithoutStale(spool, std::chrono::hours(1)));
  EXPECT_FALSE(fs::exists(spool / "old"));
  EXPECT_FALSE(fs::exists(spool / "old-folder"));
  EXPECT_TRUE(fs::exists(spool / "recent"));

  ASSERT_OK(EnsureDirWithoutStale(spool, std::chrono::seconds(0)));
  EXPECT_TRUE(fs::is_empty(spool));
}

TEST(EnsureDirWithoutStale, CreatesAMissingDirectory) {
  testing::TempDir dir;
  ASSERT_OK(
      EnsureDirWithoutStale(dir.path() / "a" / "b", std::chrono::seconds(0)));
  EXPECT_TRUE(fs::is_directory(dir.path() / "a" / "b"));
}

TEST(DirLock, OneHolderAtATimeAndFreeAgainAfterwards) {
  testing::TempDir dir;
  {
    auto first = DirLock::Acquire(dir.path() / "data");
    ASSERT_OK(first);
    EXPECT_THAT(
        DirLock::Acquire(dir.path() / "data"),
        testing::StatusIs(Code::kEnvironment, "in use by another process"));
  }
  EXPECT_OK(DirLock::Acquire(dir.path() / "data"));
}

}  // namespace
}  // namespace ds
