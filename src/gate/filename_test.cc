#include <gtest/gtest.h>

#include <algorithm>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

bool HasCode(const std::vector<Finding>& fs, const std::string& code) {
  return std::any_of(fs.begin(), fs.end(),
                     [&](const Finding& f) { return f.code == code; });
}

TEST(FileName, AcceptsOrdinaryGermanName) {
  EXPECT_TRUE(CheckFileName("Antrag Müller (Kopie) 2026.pdf").empty());
}

TEST(FileName, RejectsBidiOverride) {
  EXPECT_TRUE(HasCode(CheckFileName("rechnung\u202Efdp.exe"),
                      "filename.bidi"));
}

TEST(FileName, RejectsTraversalAndEncodedSeparators) {
  EXPECT_TRUE(HasCode(CheckFileName("../x.pdf"), "filename.path"));
  EXPECT_TRUE(HasCode(CheckFileName("..\\x.pdf"), "filename.path"));
  EXPECT_TRUE(HasCode(CheckFileName("%2e%2e%2fx.pdf"), "filename.path"));
  EXPECT_TRUE(HasCode(CheckFileName("a\uFF0Fb.pdf"), "filename.path"));
}

TEST(FileName, RejectsControlCharactersAndNul) {
  EXPECT_TRUE(HasCode(CheckFileName(std::string("a.pdf\0.exe", 10)),
                      "filename.control_char"));
  EXPECT_TRUE(HasCode(CheckFileName("a.pdf\r\nX: y"),
                      "filename.control_char"));
}

TEST(FileName, FlagsDoubleAndExecutableExtensions) {
  EXPECT_TRUE(HasCode(CheckFileName("antrag.pdf.exe"),
                      "filename.executable_extension"));
  EXPECT_TRUE(HasCode(CheckFileName("foto.jpg.png"),
                      "filename.double_extension"));
  EXPECT_FALSE(HasCode(CheckFileName("bericht.v2.pdf"),
                       "filename.double_extension"));
}

TEST(FileName, RejectsWindowsTricks) {
  EXPECT_TRUE(HasCode(CheckFileName("x.pdf."), "filename.trailing_dot"));
  EXPECT_TRUE(HasCode(CheckFileName("CON.pdf"), "filename.reserved"));
  EXPECT_TRUE(HasCode(CheckFileName("x.asp:.pdf"), "filename.stream"));
  EXPECT_FALSE(HasCode(CheckFileName("Conrad.pdf"), "filename.reserved"));
}

TEST(FileName, RejectsOverlongAndInvalidUtf8) {
  EXPECT_TRUE(HasCode(CheckFileName(std::string(256, 'a')),
                      "filename.too_long"));
  EXPECT_TRUE(HasCode(CheckFileName("a\xC0\xAF.pdf"),
                      "filename.invalid_utf8"));
  EXPECT_TRUE(HasCode(CheckFileName("a\xED\xA0\x80.pdf"),
                      "filename.invalid_utf8"));
}

}  // namespace
}  // namespace ds::gate::internal
