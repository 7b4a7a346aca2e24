#include "gate/worker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
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
  if (!WorkerLimitsAddressSpace()) GTEST_SKIP() << "no RLIMIT_AS here";
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
  WorkerLimits l = Small();
  l.wall_seconds = 120;  // a loaded machine gives the child little CPU

  auto out = RunInWorker(l, [] {
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

TEST(Worker, InheritedDescriptorsAreClosed) {
  int null = open("/dev/null", O_RDONLY);
  int fd = fcntl(null, F_DUPFD, 100);  // stands for a server socket
  close(null);
  ASSERT_GE(fd, 100);

  auto out = RunInWorker(Small(), [fd] {
    return std::string(fcntl(fd, F_GETFD) == -1 ? "closed" : "open");
  });
  close(fd);

  ASSERT_OK(out);
  ASSERT_TRUE(out->report.has_value());
  EXPECT_EQ(*out->report, "closed");
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
  EXPECT_TRUE(out->failure.has_value() &&
              out->failure->code == "worker.file_limit");
}

WorkerLimits Reused(int jobs) {
  WorkerLimits l = Small();
  l.max_jobs = jobs;
  return l;
}

// A handler for the tests below: "pid" answers the process id, "crash"
// crashes, "spin" burns CPU without end, "sleep" sleeps 30 s, "burn"
// spends 0.7 s of CPU and answers.
std::string TestHandler(std::string_view request) {
  if (request == "crash") std::raise(SIGSEGV);
  if (request == "spin") {
    volatile unsigned long n = 0;
    for (;;) n = n + 1;
  }
  if (request == "sleep") sleep(30);
  if (request == "burn") {
    auto cpu_us = [] {
      rusage u{};
      getrusage(RUSAGE_SELF, &u);
      return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000 +
             u.ru_utime.tv_usec + u.ru_stime.tv_usec;
    };
    auto start = cpu_us();
    while (cpu_us() - start < 700000) {
    }
  }
  return std::to_string(getpid());
}

std::string Job(Worker& w, std::string_view request) {
  if (!w.Submit(request).ok()) return "submit failed";
  Result<WorkerOutcome> out = w.Collect();
  if (!out.ok()) return "collect failed";
  if (out->failure) return out->failure->code;
  return out->report.value_or("no report");
}

TEST(Worker, ServesJobsOneAfterAnotherUpToMaxJobs) {
  auto w = Worker::Start(Reused(3), TestHandler);
  ASSERT_OK(w);

  std::string first = Job(**w, "pid");
  EXPECT_EQ(Job(**w, "pid"), first);
  EXPECT_TRUE((*w)->Reusable());
  EXPECT_EQ(Job(**w, "pid"), first);

  EXPECT_NE(first, std::to_string(getpid()));
  EXPECT_FALSE((*w)->Reusable());
  EXPECT_FALSE((*w)->Submit("pid").ok());
}

TEST(Worker, CrashInALaterJobIsAFindingAndEndsTheWorker) {
  auto w = Worker::Start(Reused(10), TestHandler);
  ASSERT_OK(w);

  EXPECT_NE(Job(**w, "pid"), "worker.crashed");
  EXPECT_EQ(Job(**w, "crash"), "worker.crashed");
  EXPECT_FALSE((*w)->Reusable());
}

TEST(Worker, CpuLimitIsArmedAgainForEveryJob) {
  WorkerLimits l = Reused(10);
  l.wall_seconds = 120;  // a loaded machine gives the child little CPU
  auto w = Worker::Start(l, TestHandler);
  ASSERT_OK(w);

  // Each job may use its whole second: two jobs of 0.7 s pass.
  EXPECT_NE(Job(**w, "burn"), "worker.cpu_limit");
  EXPECT_NE(Job(**w, "burn"), "worker.cpu_limit");
  EXPECT_EQ(Job(**w, "spin"), "worker.cpu_limit");
}

TEST(Worker, WallClockLimitHoldsForALaterJob) {
  WorkerLimits l = Reused(10);
  l.wall_seconds = 1;
  auto w = Worker::Start(l, TestHandler);
  ASSERT_OK(w);

  EXPECT_NE(Job(**w, "pid"), "worker.timeout");
  EXPECT_EQ(Job(**w, "sleep"), "worker.timeout");
  EXPECT_FALSE((*w)->Reusable());
}

TEST(Worker, ReusedWorkerOutlivesTheThreadThatStartedIt) {
  // The hub inspects each submission on a thread of its own; workers kept
  // for later files must survive that thread.
  std::unique_ptr<Worker> w;
  std::thread([&] {
    auto started = Worker::Start(Reused(5), TestHandler);
    if (started.ok()) w = std::move(*started);
  }).join();
  ASSERT_NE(w, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  EXPECT_NE(Job(*w, "pid"), "worker.cpu_limit");
  EXPECT_TRUE(w->Reusable());
}

TEST(Worker, ReportWaitingPastTheDeadlineStillCounts) {
  // The gate streams to clamd between Submit and Collect; a report the
  // worker finished in time must not become a timeout.
  WorkerLimits l = Reused(2);
  l.wall_seconds = 1;
  auto w = Worker::Start(l, TestHandler);
  ASSERT_OK(w);

  ASSERT_OK((*w)->Submit("pid"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto out = (*w)->Collect();

  ASSERT_OK(out);
  EXPECT_FALSE(out->failure.has_value());
  EXPECT_TRUE(out->report.has_value());
}

}  // namespace
}  // namespace ds::gate::internal
