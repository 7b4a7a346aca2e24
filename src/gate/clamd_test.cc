// Integration tests against a real clamd started once for the suite, with
// a signature database generated here (EICAR, body signature at offset 0).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "gate/clamd.h"
#include "gate/samples.h"
#include "gate/test_util.h"

namespace ds::gate {
namespace {

using testutil::Codes;
using testutil::HasCode;

constexpr const char* kClamd = "/usr/sbin/clamd";

class ClamdEnvironment : public ::testing::Environment {
 public:
  static std::filesystem::path socket;

  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>();
    const auto& d = dir_->path();
    std::filesystem::create_directory(d / "db");
    std::ofstream(d / "db" / "drehscheibe-test.ndb")
        << "Drehscheibe.Test.EICAR:0:0:" << HexEncode(EicarString()) << "\n";
    socket = d / "clamd.sock";
    std::ofstream(d / "clamd.conf")
        << "LocalSocket " << socket.string() << "\n"
        << "Foreground yes\n"
        << "DatabaseDirectory " << (d / "db").string() << "\n"
        << "TemporaryDirectory " << d.string() << "\n"
        << "LogFile " << (d / "clamd.log").string() << "\n"
        << "HeuristicAlerts yes\nAlertOLE2Macros yes\nAlertEncrypted yes\n"
        << "AlertBrokenMedia yes\nAlertExceedsMax yes\n"
        << "StreamMaxLength 50M\nMaxScanSize 100M\nMaxFileSize 50M\n";
    pid_ = fork();
    if (pid_ == 0) {
      // clamd logs to its LogFile; keep the test output readable.
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execl(kClamd, kClamd, "-c", (d / "clamd.conf").c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (ClamdCommand(socket, "PING").ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "clamd did not start";
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    dir_.reset();
  }

 private:
  std::unique_ptr<testing::TempDir> dir_;
  pid_t pid_ = -1;
};

std::filesystem::path ClamdEnvironment::socket;

const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new ClamdEnvironment);

Policy WithClamd() {
  Policy p;
  p.allow_all_inspectable = true;
  p.clamd_socket = ClamdEnvironment::socket;
  return p;
}

TEST(Clamd, AnswersPing) {
  auto pong = ClamdCommand(ClamdEnvironment::socket, "PING");

  ASSERT_OK(pong);
  EXPECT_EQ(*pong, "PONG");
}

TEST(Clamd, FindsEicarThroughInstream) {
  testing::TempDir dir;
  auto path = testutil::WriteBytes(dir.path(), "e.txt", EicarString());

  ClamdResult r = ScanWithClamd(ClamdEnvironment::socket, path, Limits{});

  EXPECT_TRUE(r.scanned);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "scan.virus");
  EXPECT_NE(r.findings[0].message.find("Drehscheibe.Test.EICAR"),
            std::string::npos);
}

TEST(Clamd, CleanFileIsScannedAndClean) {
  testing::TempDir dir;
  auto path = testutil::WriteBytes(dir.path(), "a.txt", "Guten Tag\n");

  ClamdResult r = ScanWithClamd(ClamdEnvironment::socket, path, Limits{});

  EXPECT_TRUE(r.scanned);
  EXPECT_TRUE(r.findings.empty());
}

TEST(Clamd, FileAboveTheStreamLimitIsNotSent) {
  testing::TempDir dir;
  auto path = testutil::WriteBytes(dir.path(), "a.txt", std::string(4096, 'a'));
  Limits l;
  l.clamd_max_bytes = 1024;

  ClamdResult r = ScanWithClamd(ClamdEnvironment::socket, path, l);

  EXPECT_FALSE(r.scanned);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "scan.too_large");
}

TEST(Clamd, GateIsCleanOnlyWithAScan) {
  testing::TempDir dir;
  Gate gate(testutil::QuietLogger());
  auto path = testutil::WriteBytes(dir.path(), "a.txt", "Guten Tag\n");

  Result<Verdict> v = gate.Inspect(path, {"text/plain", "a.txt"},
                                   WithClamd());

  ASSERT_OK(v);
  EXPECT_EQ(v->decision, Decision::kClean) << Codes(*v);
  EXPECT_TRUE(v->virus_scanned);
}

TEST(Clamd, WholeCatalogueWithClamd) {
  testing::TempDir dir;
  Gate gate(testutil::QuietLogger());
  Policy policy = WithClamd();

  for (const Sample& s : GenerateSamples()) {
    auto path = testutil::WriteBytes(dir.path(), "sample", s.bytes);
    Result<Verdict> v = gate.Inspect(path, {s.mime_type, s.filename}, policy);
    ASSERT_OK(v) << s.id;

    if (s.expect == Expect::kClean) {
      EXPECT_EQ(v->decision, Decision::kClean) << s.id << ": " << Codes(*v);
    } else {
      EXPECT_NE(v->decision, Decision::kClean) << s.id << ": " << Codes(*v);
      if (!s.expected_code.empty()) {
        EXPECT_TRUE(HasCode(*v, s.expected_code))
            << s.id << " lacks " << s.expected_code << ": " << Codes(*v);
      }
    }
  }
}

}  // namespace
}  // namespace ds::gate
