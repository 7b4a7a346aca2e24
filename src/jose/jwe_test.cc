#include "jose/jwe.h"

#include "core/encoding.h"
#include "jose/test_keys.h"

namespace ds::jose {
namespace {

using ds::testing::IsOk;
using ds::testing::StatusIs;
using testing::ReadFile;
using testing::VectorsDir;
using ::testing::Not;

std::string VectorJwe() {
  std::string s = ReadFile(VectorsDir() / "jose-utils" / "encodedString.txt");
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

KeyRing VectorRing() {
  KeyRing ring;
  ring.Add(testing::VectorEncryptionKey());
  return ring;
}

// Replaces segment `index` of a compact serialization with `text`.
std::string WithSegment(const std::string& compact, int index,
                        const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = compact.find('.', start)) != std::string::npos;
       start = dot + 1) {
    parts.push_back(compact.substr(start, dot - start));
  }
  parts.push_back(compact.substr(start));
  parts[index] = text;
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

std::string Segment(const std::string& compact, int index) {
  auto split = SplitCompactJwe(compact);
  std::string_view parts[] = {split->header, split->encrypted_key, split->iv,
                              split->ciphertext, split->tag};
  return std::string(parts[index]);
}

TEST(Jwe, DecryptsRealThavelMetadata) {
  auto out = Decrypt(VectorRing(), VectorJwe(), {});
  ASSERT_OK(out);
  EXPECT_EQ(out->plaintext,
            ReadFile(VectorsDir() / "derived" / "thavel-test-metadata.decrypted.json"));
  EXPECT_EQ(out->plaintext.size(), 1193u);
  EXPECT_EQ(out->header.zip, "DEF");
  EXPECT_EQ(out->header.cty, "application/json");
  EXPECT_EQ(out->kid_used, "C6GGNMBfIjHCQOF4ICeX6DRcWBmntEpvCTea_H3Pdi4");
}

TEST(Jwe, ReadsAuthenticationTagOfVector) {
  auto tag = AuthenticationTag(VectorJwe());
  ASSERT_OK(tag);
  EXPECT_EQ(*tag, "gZGx1fiD_gmTXJ2f_Esh_A");
  EXPECT_EQ(Segment(VectorJwe(), 2), "Qpp8Z_A0DohQ7iDP");
}

TEST(Jwe, RoundTripsWithAndWithoutDeflate) {
  const Jwk& key = testing::VectorEncryptionKey();
  for (bool deflate : {false, true}) {
    std::string text(5000, 'x');
    auto jwe = Encrypt(key.PublicOnly(), text,
                       {.cty = "application/json", .deflate = deflate});
    ASSERT_OK(jwe);
    auto header = ParseJweHeader(Segment(*jwe, 0));
    ASSERT_OK(header);
    EXPECT_EQ(header->kid, key.kid());
    EXPECT_EQ(header->cty, "application/json");
    EXPECT_EQ(header->zip, deflate ? "DEF" : "");
    auto out = Decrypt(key, *jwe, {});
    ASSERT_OK(out);
    EXPECT_EQ(out->plaintext, text);
  }
}

TEST(Jwe, RoundTripsEmptyPlaintext) {
  const Jwk& key = testing::VectorEncryptionKey();
  auto jwe = Encrypt(key, "", {});
  ASSERT_OK(jwe);
  EXPECT_EQ(Segment(*jwe, 3), "");
  auto out = Decrypt(key, *jwe, {});
  ASSERT_OK(out);
  EXPECT_EQ(out->plaintext, "");
}

TEST(KeyRing, FindsByKidThenByThumbprint) {
  KeyRing ring;
  ring.Add(testing::GeneratedEncryptionKey());
  ring.Add(testing::VectorEncryptionKey());
  EXPECT_EQ(ring.Find("enc-test")->kid(), "enc-test");
  const Jwk* by_tp = ring.Find(testing::GeneratedEncryptionKey().Thumbprint());
  ASSERT_NE(by_tp, nullptr);
  EXPECT_EQ(by_tp->kid(), "enc-test");
  EXPECT_EQ(ring.Find("unknown"), nullptr);
  EXPECT_EQ(ring.Find(""), nullptr);

  auto jwe = Encrypt(testing::GeneratedEncryptionKey(), "hi",
                     {.kid = testing::GeneratedEncryptionKey().Thumbprint()});
  auto out = Decrypt(ring, *jwe, {});
  ASSERT_OK(out);
  EXPECT_EQ(out->kid_used, "enc-test");
}

TEST(Jwe, RejectsUnknownKid) {
  auto jwe = Encrypt(testing::VectorEncryptionKey(), "hi", {.kid = "other"});
  EXPECT_THAT(Decrypt(VectorRing(), *jwe, {}),
              StatusIs(Code::kCheckFailed, "no decryption key for kid other"));
}

TEST(Jwe, RejectsAnyChangedHeaderCharacter) {
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "secret", {.cty = "application/json"});
  std::string header = Segment(jwe, 0);
  for (size_t i = 0; i < header.size(); ++i) {
    std::string bad = header;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_THAT(Decrypt(key, WithSegment(jwe, 0, bad), {}), Not(IsOk())) << i;
  }
}

TEST(Jwe, RejectsReencodedHeaderWithOtherCty) {
  // Valid header, valid key: only the AAD differs, so the tag must fail.
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "secret", {.cty = "application/json"});
  std::string header = Base64UrlEncode(
      R"({"alg":"RSA-OAEP-256","cty":"application/xml","enc":"A256GCM","kid":")" +
      key.kid() + "\"}");
  EXPECT_THAT(Decrypt(key, WithSegment(jwe, 0, header), {}),
              StatusIs(Code::kCheckFailed, "tag"));
}

// Flips each byte in turn of decoded segment `index` (every `step`-th byte).
void ExpectEveryByteFlipRejected(int index, size_t step) {
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "a short secret message for tamper tests", {});
  std::string bytes = *Base64UrlDecode(Segment(jwe, index));
  for (size_t i = 0; i < bytes.size(); i += step) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_THAT(Decrypt(key, WithSegment(jwe, index, Base64UrlEncode(bad)), {}),
                StatusIs(Code::kCheckFailed)) << "segment " << index << " byte " << i;
  }
  // Truncated and extended segments as well.
  EXPECT_THAT(Decrypt(key, WithSegment(jwe, index,
                                       Base64UrlEncode(bytes.substr(1))), {}),
              Not(IsOk()));
  EXPECT_THAT(Decrypt(key, WithSegment(jwe, index, Base64UrlEncode(bytes + "x")), {}),
              Not(IsOk()));
}

TEST(Jwe, RejectsChangedEncryptedKey) { ExpectEveryByteFlipRejected(1, 23); }
TEST(Jwe, RejectsChangedIv) { ExpectEveryByteFlipRejected(2, 1); }
TEST(Jwe, RejectsChangedCiphertext) { ExpectEveryByteFlipRejected(3, 1); }
TEST(Jwe, RejectsChangedTag) { ExpectEveryByteFlipRejected(4, 1); }

TEST(Jwe, ReportsForgedEncryptedKeyLikeATagMismatch) {
  // No padding oracle: a wrapped key that fails OAEP decoding yields the
  // same error as a wrong tag.
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "secret", {});
  std::string forged(512, '\x01');
  auto out = Decrypt(key, WithSegment(jwe, 1, Base64UrlEncode(forged)), {});
  std::string tag_error = Decrypt(key, WithSegment(jwe, 4, "AAAAAAAAAAAAAAAAAAAAAA"), {})
                              .status().message();
  EXPECT_THAT(out, StatusIs(Code::kCheckFailed));
  EXPECT_EQ(out.status().message(), tag_error);
}

TEST(Jwe, RejectsTamperedVectorTag) {
  std::string bad = WithSegment(VectorJwe(), 4, "gZGx1fiD_gmTXJ2f_Esh_Q");
  EXPECT_THAT(Decrypt(VectorRing(), bad, {}), StatusIs(Code::kCheckFailed, "tag"));
}

std::string WithHeader(const std::string& jwe, const std::string& json) {
  return WithSegment(jwe, 0, Base64UrlEncode(json));
}

TEST(Jwe, RejectsWrongAlgEncZipAndCrit) {
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "x", {});
  std::string kid = "\"kid\":\"" + key.kid() + "\"";
  struct Case { std::string header; Code code; std::string what; };
  std::vector<Case> cases = {
      {R"({"alg":"RSA-OAEP","enc":"A256GCM",)" + kid + "}", Code::kCheckFailed, "alg"},
      {R"({"alg":"RSA1_5","enc":"A256GCM",)" + kid + "}", Code::kCheckFailed, "alg"},
      {R"({"alg":"none","enc":"A256GCM",)" + kid + "}", Code::kCheckFailed, "alg"},
      {R"({"alg":"dir","enc":"A256GCM",)" + kid + "}", Code::kCheckFailed, "alg"},
      {R"({"enc":"A256GCM",)" + kid + "}", Code::kCheckFailed, "alg"},
      {R"({"alg":"RSA-OAEP-256","enc":"A128GCM",)" + kid + "}", Code::kCheckFailed, "enc"},
      {R"({"alg":"RSA-OAEP-256","enc":"A256CBC-HS512",)" + kid + "}", Code::kCheckFailed, "enc"},
      {R"({"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"GZIP",)" + kid + "}", Code::kCheckFailed, "zip"},
      {R"({"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["exp"],"exp":1,)" + kid + "}", Code::kCheckFailed, "crit"},
      {R"({"alg":"RSA-OAEP-256","enc":"A256GCM","jku":"https://x",)" + kid + "}", Code::kInvalidInput, "jku"},
      {R"({"alg":"RSA-OAEP-256","enc":"A256GCM","cty":5,)" + kid + "}", Code::kInvalidInput, "cty"},
      {R"(["alg"])", Code::kInvalidInput, "object"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(Decrypt(key, WithHeader(jwe, c.header), {}), StatusIs(c.code, c.what))
        << c.header;
  }
}

TEST(Jwe, RejectsShortKeys) {
  const Jwk& short_key = testing::VectorSigningKey2048();
  auto jwe = Encrypt(short_key, "x", {});
  ASSERT_OK(jwe);
  EXPECT_THAT(Decrypt(short_key, *jwe, {}), StatusIs(Code::kCheckFailed, "bits"));
  EXPECT_OK(Decrypt(short_key, *jwe, {.min_rsa_bits = 2048}));
}

TEST(Jwe, RejectsPublicKeyForDecryption) {
  const Jwk& key = testing::VectorEncryptionKey();
  auto jwe = Encrypt(key, "x", {});
  EXPECT_THAT(Decrypt(key.PublicOnly(), *jwe, {}), StatusIs(Code::kCheckFailed, "private"));
}

TEST(Jwe, CapsInflatedPlaintext) {
  const Jwk& key = testing::VectorEncryptionKey();
  std::string bomb(4u << 20, '\0');  // deflates to a few KB
  auto jwe = Encrypt(key, bomb, {.deflate = true});
  ASSERT_OK(jwe);
  EXPECT_LT(jwe->size(), 20000u);
  EXPECT_THAT(Decrypt(key, *jwe, {.max_plaintext = 1u << 20}),
              StatusIs(Code::kInvalidInput, "cap"));
  EXPECT_OK(Decrypt(key, *jwe, {.max_plaintext = 4u << 20}));
}

TEST(Jwe, RejectsMalformedSegments) {
  for (const char* bad : {"", "a.b.c.d", "a.b.c.d.e.f", ".b.c.d.e", "a..c.d.e",
                          "a.b..d.e", "a.b.c.d."}) {
    EXPECT_THAT(SplitCompactJwe(bad), StatusIs(Code::kInvalidInput)) << bad;
  }
  EXPECT_OK(SplitCompactJwe("a.b.c..e"));
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "x", {});
  EXPECT_THAT(Decrypt(key, WithSegment(jwe, 3, "a+b"), {}),
              StatusIs(Code::kInvalidInput, "ciphertext"));
  EXPECT_THAT(Decrypt(key, jwe + "\n", {}), StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::jose
