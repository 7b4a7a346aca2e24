// The whole catalogue through the gate without clamd: every attack that
// the gate's own inspectors can see is not clean, every control is clean.
#include <gtest/gtest.h>

#include <fstream>
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

namespace ds::gate {
namespace {

// Every PDF attack that the gate may neutralise yields a copy that the gate
// then finds clean and that no longer holds the sample's marker.
TEST(Samples, NeutralisedPdfCopiesAreCleanAndLoseTheirMarker) {
  testing::TempDir dir;
  Gate gate(testutil::QuietLogger());
  Policy policy = testutil::ScanPolicy();
  policy.neutralise = true;
  int neutralised = 0;

  for (const Sample& s : GenerateSamples()) {
    if (s.mime_type != "application/pdf" || s.expect == Expect::kClean ||
        s.filename != "antrag.pdf" || s.bytes.size() > (1u << 20)) {
      continue;
    }
    auto path = testutil::WriteBytes(dir.path(), s.id + ".pdf", s.bytes);
    Result<Verdict> v = gate.Inspect(path, {s.mime_type, s.filename}, policy);
    ASSERT_OK(v) << s.id;
    EXPECT_NE(v->decision, Decision::kClean) << s.id;
    if (v->decision != Decision::kNeutralised) continue;

    ++neutralised;
    Result<Verdict> again = gate.Inspect(*v->neutralised_copy,
                                         {s.mime_type, s.filename},
                                         testutil::ScanPolicy());
    ASSERT_OK(again);
    EXPECT_EQ(again->decision, Decision::kClean) << s.id << Codes(*again);
    std::ifstream in(*v->neutralised_copy, std::ios::binary);
    std::string copy((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(copy.find(Marker(s.id)), std::string::npos) << s.id;
  }
  EXPECT_GE(neutralised, 10);
}

}  // namespace
}  // namespace ds::gate
