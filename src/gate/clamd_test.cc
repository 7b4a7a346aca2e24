// Integration tests against a real clamd started once for the suite, with
// a signature database generated here (EICAR, body signature at offset 0).
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "core/testing/testing.h"
#include "gate/clamd.h"
#include "gate/samples.h"
#include "gate/test_clamd.h"
#include "gate/test_util.h"

namespace ds::gate {
namespace {

using testutil::Codes;
using testutil::HasCode;

class ClamdEnvironment : public ::testing::Environment {
 public:
  static std::filesystem::path socket;

  void SetUp() override {
    auto clamd = testutil::TestClamd::Start();
    ASSERT_TRUE(clamd.ok()) << clamd.status().message();
    clamd_ = std::move(*clamd);
    socket = clamd_->socket();
  }

  void TearDown() override { clamd_.reset(); }

 private:
  std::unique_ptr<testutil::TestClamd> clamd_;
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
