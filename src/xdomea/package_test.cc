// Reading untrusted zip packages: names, sizes and structure are checked
// before anything is kept.
#include "core/testing/testing.h"
#include "xdomea/test_support.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea {
namespace {

using ds::testing::StatusIs;

constexpr const char* kMessage =
    "2c4a6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f_FVDaten.SGOAblegen.0605.xml";
constexpr const char* kPrimary =
    "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01_Bescheid.pdf";

TEST(Package, ReadsMessageAndPrimaryFiles) {
  std::string zip =
      testing::RawZip({{kMessage, "<x/>"}, {kPrimary, "%PDF-1.4"}});

  auto pkg = ReadPackage(zip);

  ASSERT_OK(pkg);
  EXPECT_EQ(pkg->message_name, kMessage);
  EXPECT_EQ(pkg->xml, "<x/>");
  EXPECT_EQ(pkg->files.at(kPrimary), "%PDF-1.4");
}

TEST(Package, RefusesWhatIsNotAZip) {
  EXPECT_THAT(ReadPackage("PK\x03\x04 broken"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(ReadPackage("%PDF-1.4"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(ReadPackage(""), StatusIs(Code::kInvalidInput));
}

TEST(Package, RefusesTraversalAbsoluteAndNestedNames) {
  for (const char* name :
       {"../0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf", "/etc/passwd",
        "sub/0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf",
        "..\\0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01.pdf",
        "0b7e4c1a-55aa-4f0e-8d21-7c3b9e2f6a01\n.pdf", "C:evil"}) {
    SCOPED_TRACE(name);
    std::string zip = testing::RawZip({{kMessage, "<x/>"}, {name, "x"}});

    EXPECT_THAT(ReadPackage(zip), StatusIs(Code::kInvalidInput, "entry name"));
  }
}

TEST(Package, RefusesWrongOrMissingOrDoubleMessage) {
  std::string no_message = testing::RawZip({{kPrimary, "x"}});
  std::string badly_named = testing::RawZip({{"message.xml", "<x/>"}});
  std::string two = testing::RawZip(
      {{kMessage, "<x/>"},
       {"9d0b1a2c-1b3d-4f5a-8c7e-2c4a6e8f3e4f_FVDaten.SGOAblegen.0605.xml",
        "<y/>"}});

  EXPECT_THAT(ReadPackage(no_message),
              StatusIs(Code::kInvalidInput, "no message"));
  EXPECT_THAT(ReadPackage(badly_named),
              StatusIs(Code::kInvalidInput, "neither"));
  EXPECT_THAT(ReadPackage(two), StatusIs(Code::kInvalidInput, "more than one"));
}

TEST(Package, EnforcesCountAndSizeLimits) {
  std::string zip = testing::RawZip(
      {{kMessage, "<x/>"}, {kPrimary, std::string(10000, 'a')}});

  EXPECT_THAT(ReadPackage(zip, {.max_entries = 1}), StatusIs(Code::kTooLarge));
  EXPECT_THAT(ReadPackage(zip, {.max_entry_bytes = 1000}),
              StatusIs(Code::kTooLarge));
  EXPECT_THAT(ReadPackage(zip, {.max_total_bytes = 5000}),
              StatusIs(Code::kTooLarge));
  EXPECT_THAT(ReadPackage(zip, {.max_package_bytes = 10}),
              StatusIs(Code::kTooLarge));
}

TEST(Package, RefusesABombBySmallPackageAndHighRatio) {
  // 16 MiB of one byte deflate to a few KiB: far above the ratio of 200,
  // however small the package is.
  std::string bomb = testing::RawZip(
      {{kMessage, "<x/>"}, {kPrimary, std::string(16u << 20, 'a')}});
  ASSERT_LT(bomb.size(), 1u << 20);

  EXPECT_THAT(ReadPackage(bomb),
              StatusIs(Code::kTooLarge, "compression ratio"));
}

}  // namespace
}  // namespace ds::xdomea
