#include "core/encoding.h"

#include "core/testing/testing.h"

namespace ds {
namespace {

TEST(Base64Url, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    bytes += static_cast<char>(i * 37);
  }
}

TEST(Base64Url, RejectsPaddingAndForeignCharacters) {
  EXPECT_THAT(Base64UrlDecode("YQ=="), testing::StatusIs(Code::kInvalidInput));
  EXPECT_THAT(Base64UrlDecode("a+b/"), testing::StatusIs(Code::kInvalidInput));
  EXPECT_THAT(Base64UrlDecode("a b"), testing::StatusIs(Code::kInvalidInput));
  EXPECT_THAT(Base64UrlDecode("YR"), testing::StatusIs(Code::kInvalidInput));  // non-canonical
}

TEST(Base64, DecodesStandardPadded) {
  EXPECT_EQ(*Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(Hex, RoundTrips) {
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(*HexDecode("01AB"), "\x01\xab");
  EXPECT_THAT(HexDecode("0g"), testing::StatusIs(Code::kInvalidInput));
}

TEST(Sha512, KnownAnswer) {
  EXPECT_EQ(HexEncode(Sha512("abc")).substr(0, 16), "ddaf35a193617aba");
}

TEST(Uuid, NewUuidsAreCanonicalAndDistinct) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_TRUE(IsUuid(a));
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_FALSE(IsUuid("not-a-uuid"));
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace ds
