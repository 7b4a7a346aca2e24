#include "core/text.h"

#include <gtest/gtest.h>

namespace ds {
namespace {

TEST(DecodeUtf8, AcceptsValidAndRefusesOverlongAndSurrogates) {
  std::vector<char32_t> cps;
  EXPECT_TRUE(DecodeUtf8("Bescheid \xC3\xBC", &cps));
  EXPECT_EQ(cps.back(), U'\u00FC');
  cps.clear();
  EXPECT_FALSE(DecodeUtf8("\xC0\xAF", &cps));          // overlong '/'
  EXPECT_FALSE(DecodeUtf8("\xED\xA0\x80", &cps));      // surrogate
  EXPECT_FALSE(DecodeUtf8("\xF4\x90\x80\x80", &cps));  // above U+10FFFF
  EXPECT_FALSE(DecodeUtf8("\xE2\x82", &cps));          // cut short
}

TEST(IsPlainText, RefusesControlsBidiAndInvisibleCharacters) {
  EXPECT_TRUE(IsPlainText("Antrag auf Wohngeld (Müller)"));
  EXPECT_FALSE(IsPlainText("Antrag\nGenehmigt"));
  EXPECT_TRUE(IsPlainText("Zeile 1\nZeile 2", /*allow_line_breaks=*/true));
  EXPECT_FALSE(IsPlainText("Antrag \u202Efdp.exe"));
  EXPECT_FALSE(IsPlainText("Antr\u200Bag"));
  EXPECT_FALSE(IsPlainText("\x1B[31mrot"));
  EXPECT_FALSE(IsPlainText("\xFF"));
}

TEST(DisplayFileName, NeutralisesWhatDisguisesAName) {
  EXPECT_EQ(DisplayFileName("Mietvertrag.pdf"), "Mietvertrag.pdf");
  EXPECT_EQ(DisplayFileName("Rechnung\u202Efdp.exe"), "Rechnung\uFFFDfdp.exe");
  EXPECT_EQ(DisplayFileName("../../etc/passwd"), ".._.._etc_passwd");
  EXPECT_EQ(DisplayFileName("C:\\boot.ini"), "C__boot.ini");
  EXPECT_EQ(DisplayFileName("a\nb\x01"), "a\uFFFDb\uFFFD");
  EXPECT_EQ(DisplayFileName("caf\xE9.pdf"), "caf\uFFFD.pdf");  // Latin-1 byte
  EXPECT_EQ(DisplayFileName(""), "");
  std::string long_name(300, 'x');
  EXPECT_EQ(DisplayFileName(long_name).size(), 255u);
  // Cut at a character boundary, never inside "ü".
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "\xC3\xBC";
  std::string shown = DisplayFileName(umlauts);
  EXPECT_EQ(shown.size(), 254u);
  std::vector<char32_t> cps;
  EXPECT_TRUE(DecodeUtf8(shown, &cps));
}

TEST(EscapeMarkup, EscapesMarkupAndDropsWhatMarkupMayNotCarry) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup("Stra\xC3\x9F"
                         "e\tNr.\r\n5"),
            "Stra\xC3\x9F"
            "e\tNr.\r\n5");
  EXPECT_EQ(EscapeMarkup(std::string("a\0b\x07"
                                     "c\x7F"
                                     "d",
                                     7)),
            "abcd");
  EXPECT_EQ(EscapeMarkup("x\xC2\x85y"), "xy");  // C1 (NEL)
  EXPECT_EQ(EscapeMarkup("bad\xFF\xC0\x80"),
            "bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(EscapeMarkup(""), "");
}

TEST(JsonNestingWithin, CountsContainersOutsideStrings) {
  EXPECT_TRUE(JsonNestingWithin("", 1));
  EXPECT_TRUE(JsonNestingWithin("42", 0));
  EXPECT_TRUE(JsonNestingWithin(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_FALSE(JsonNestingWithin(R"({"a":[1,{"b":2}]})", 2));
  // Brackets and escaped quotes inside strings do not count.
  EXPECT_TRUE(JsonNestingWithin(R"({"a":"[[[{{{\"[[["})", 1));
  EXPECT_TRUE(JsonNestingWithin(R"(["\\", "[["])", 1));
  // Siblings do not add up.
  EXPECT_TRUE(JsonNestingWithin("[[],[],[[]]]", 3));
  EXPECT_FALSE(JsonNestingWithin(std::string(65, '[') + std::string(65, ']')));
  EXPECT_TRUE(JsonNestingWithin(std::string(64, '[') + std::string(64, ']')));
}

}  // namespace
}  // namespace ds
