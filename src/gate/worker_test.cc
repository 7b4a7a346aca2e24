#include "gate/worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <vector>

#include "core/testing/testing.h"

namespace ds::gate::internal {
namespace {

WorkerLimits Small() {
  WorkerLimits l;
  l.memory_bytes = 64u << 20;
  l.cpu_seconds = 1;
  l.wall_seconds = 5;
  return l;
}

TEST(Worker, ReturnsTheJobsReport) {
  auto out = RunInWorker(Small(), [] { return std::string("report"); });

  ASSERT_OK(out);
  ASSERT_TRUE(out->report.has_value());
  EXPECT_EQ(*out->report, "report");
  EXPECT_FALSE(out->failure.has_value());
}

TEST(Worker, MemoryHogIsAMemoryLimitFinding) {
  auto out = RunInWorker(Small(), [] {
    std::vector<std::string> hog;
    for (int i = 0; i < 64; ++i) {
      hog.emplace_back(16u << 20, 'x');  // 1 GiB in total
    }
    return std::to_string(hog.size());
  });

  ASSERT_OK(out);
  ASSERT_TRUE(out->failure.has_value());
  EXPECT_EQ(out->failure->code, "worker.memory_limit");
  EXPECT_EQ(out->failure->severity, Severity::kReview);
}

TEST(Worker, EndlessLoopHitsTheCpuLimit) {
  auto out = RunInWorker(Small(), [] {
    volatile unsigned long n = 0;
    for (;;) n = n + 1;
    return std::string();
  });

  ASSERT_OK(out);
  ASSERT_TRUE(out->failure.has_value());
  EXPECT_EQ(out->failure->code, "worker.cpu_limit");
}

TEST(Worker, SleepingJobIsKilledAtTheWallClockLimit) {
  WorkerLimits l = Small();
  l.wall_seconds = 1;

  auto out = RunInWorker(l, [] {
    sleep(30);
    return std::string("late");
  });

  ASSERT_OK(out);
  ASSERT_TRUE(out->failure.has_value());
  EXPECT_EQ(out->failure->code, "worker.timeout");
}

TEST(Worker, CrashIsAFinding) {
  auto out = RunInWorker(Small(), []() -> std::string {
    std::raise(SIGSEGV);
    return "unreachable";
  });

  ASSERT_OK(out);
  ASSERT_TRUE(out->failure.has_value());
  EXPECT_EQ(out->failure->code, "worker.crashed");
}

TEST(Worker, WritingFilesIsForbiddenByDefault) {
  testing::TempDir dir;
  std::string path = (dir.path() / "out").string();

  auto out = RunInWorker(Small(), [&] {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return std::string("no-open");
    std::fputs("data", f);
    std::fflush(f);
    std::fclose(f);
    return std::string("wrote");
  });

  ASSERT_OK(out);
  EXPECT_TRUE(out->failure.has_value() && out->failure->code ==
                                              "worker.file_limit");
}

}  // namespace
}  // namespace ds::gate::internal
