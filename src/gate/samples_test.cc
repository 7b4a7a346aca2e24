// The whole catalogue through the gate without clamd: every attack that
// the gate's own inspectors can see is not clean, every control is clean.
#include <gtest/gtest.h>

#include <set>

#include "core/testing/testing.h"
#include "gate/samples.h"
#include "gate/test_util.h"

namespace ds::gate {
namespace {

using testutil::Codes;
using testutil::HasCode;

TEST(Samples, CatalogueIsDeterministicWithUniqueIds) {
  std::vector<Sample> a = GenerateSamples();
  std::vector<Sample> b = GenerateSamples();

  ASSERT_EQ(a.size(), b.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].bytes, b[i].bytes) << a[i].id;
    EXPECT_TRUE(ids.insert(a[i].id).second) << a[i].id;
  }
  EXPECT_GE(a.size(), 90u);
}

TEST(Samples, MarkersAreStableAndEicarIsAssembledAtRunTime) {
  EXPECT_EQ(Marker("T10").substr(0, 8), "ZDT-T10-");
  EXPECT_EQ(Marker("T10").size(), 16u);
  EXPECT_EQ(EicarString().size(), 68u);
  EXPECT_EQ(EicarString().substr(0, 3), "X5O");
}

TEST(Samples, GateSeparatesAttacksFromControlsWithoutClamd) {
  testing::TempDir dir;
  Gate gate(testutil::QuietLogger());
  Policy policy = testutil::ScanPolicy();

  for (const Sample& s : GenerateSamples()) {
    if (s.needs_clamd) continue;
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
