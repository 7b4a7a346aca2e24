#include "jose/jws.h"

#include <openssl/rsa.h>

#include "core/encoding.h"
#include "jose/internal.h"
#include "jose/test_keys.h"

namespace ds::jose {
namespace {

using ds::testing::IsOk;
using ds::testing::StatusIs;
using testing::ReadFile;
using testing::VectorsDir;

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

const Jwks& VectorJwks() {
  static const Jwks jwks =
      *Jwks::Parse(ReadFile(VectorsDir() / "jose-utils" / "jwks.json"));
  return jwks;
}

TEST(Jws, VerifiesRealTestingSet) {
  std::string jwt =
      Trimmed(ReadFile(VectorsDir() / "derived" / "set-testing-create-submission.jwt"));
  auto parsed = ParseJws(jwt);
  ASSERT_OK(parsed);
  const Jwk* key = VectorJwks().FindByKid(parsed->header["kid"].get<std::string>());
  ASSERT_NE(key, nullptr);
  auto verified = VerifyPs512(jwt, *key);
  ASSERT_OK(verified);
  EXPECT_EQ(verified->header["typ"], "secevent+jwt");
  auto payload = nlohmann::json::parse(verified->payload);
  EXPECT_EQ(payload["txn"], "case:c9f0db91-9355-451a-b2a5-7a9be10ce765");
}

TEST(Jws, RejectsDocsExampleSetWithVectorKey) {
  std::string jwt =
      Trimmed(ReadFile(VectorsDir() / "derived" / "set-docs-example-submit-submission.jwt"));
  auto parsed = ParseJws(jwt);
  ASSERT_OK(parsed);
  EXPECT_EQ(VectorJwks().FindByKid(parsed->header["kid"].get<std::string>()), nullptr);
  EXPECT_THAT(VerifyPs512(jwt, VectorJwks().keys()[0]),
              StatusIs(Code::kCheckFailed));
}

TEST(Jws, ParsesRoutingExampleStructure) {
  auto parsed = ParseJws(
      Trimmed(ReadFile(VectorsDir() / "derived" / "routing-destination-signature-example.jws")));
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->header["alg"], "PS512");
  EXPECT_EQ(parsed->signature.size(), 512u);
}

TEST(Jws, SignsAndVerifiesRoundTrip) {
  const Jwk& key = testing::VectorSigningKey4096();
  auto jws = SignPs512(key, {{"typ", "secevent+jwt"}}, R"({"a":1})");
  ASSERT_OK(jws);
  auto v = VerifyPs512(*jws, key.PublicOnly());
  ASSERT_OK(v);
  EXPECT_EQ(v->payload, R"({"a":1})");
  EXPECT_EQ(v->header["kid"], key.kid());
  EXPECT_EQ(v->header["alg"], "PS512");
  EXPECT_EQ(v->header["typ"], "secevent+jwt");
}

TEST(Jws, HeaderKidWinsOverKeyKid) {
  const Jwk& key = testing::VectorSigningKey4096();
  auto jws = SignPs512(key, {{"kid", "mine"}}, "x");
  ASSERT_OK(jws);
  EXPECT_EQ(ParseJws(*jws)->header["kid"], "mine");
}

TEST(Jws, RejectsAnyChangedByte) {
  const Jwk& key = testing::VectorSigningKey4096();
  std::string jws = *SignPs512(key, {{"typ", "secevent+jwt"}}, R"({"sub":"x"})");
  // Flip one character in each segment (keeping base64url valid).
  for (size_t pos : {size_t{3}, jws.find('.') + 3, jws.rfind('.') + 3, jws.size() - 5}) {
    std::string bad = jws;
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    EXPECT_THAT(VerifyPs512(bad, key), ::testing::Not(IsOk())) << pos;
  }
}

TEST(Jws, RejectsAlgNoneAndOtherAlgs) {
  const Jwk& key = testing::VectorSigningKey4096();
  std::string jws = *SignPs512(key, {}, "x");
  std::string rest = jws.substr(jws.find('.'));
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"PS256"})",
                             R"({"alg":"RS512"})", R"({"typ":"jwt"})"}) {
    EXPECT_THAT(VerifyPs512(Base64UrlEncode(header) + rest, key),
                StatusIs(Code::kCheckFailed, "alg")) << header;
  }
  EXPECT_THAT(VerifyPs512(Base64UrlEncode(R"({"alg":"none"})") + ".eA.", key),
              StatusIs(Code::kInvalidInput));
}

TEST(Jws, RejectsCrit) {
  const Jwk& key = testing::VectorSigningKey4096();
  auto jws = SignPs512(key, {{"crit", {"exp"}}, {"exp", 1}}, "x");
  ASSERT_OK(jws);
  EXPECT_THAT(VerifyPs512(*jws, key), StatusIs(Code::kCheckFailed, "crit"));
}

TEST(Jws, RejectsShortKey) {
  const Jwk& key = testing::VectorSigningKey2048();
  auto jws = SignPs512(key, {}, "x");
  ASSERT_OK(jws);
  EXPECT_THAT(VerifyPs512(*jws, key), StatusIs(Code::kCheckFailed, "bits"));
  EXPECT_OK(VerifyPs512(*jws, key, 2048));
}

TEST(Jws, RejectsKeyDeclaredForAnotherAlg) {
  // Like jose-utils' jwks.pub_fail: the same key with alg PS256.
  const Jwk& key = testing::VectorSigningKey4096();
  std::string jws = *SignPs512(key, {}, "x");
  auto json = key.PublicJson();
  json["alg"] = "PS256";
  EXPECT_THAT(VerifyPs512(jws, *Jwk::FromJson(json)),
              StatusIs(Code::kCheckFailed, "PS256"));
}

// Signs `input` with PS512 but a salt of `salt` bytes.
std::string SignWithSalt(const Jwk& key, const std::string& input, int salt) {
  internal::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(md.get(), &pctx, EVP_sha512(), nullptr, key.pkey());
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512());
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt);
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(md.get(), nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 in, input.size());
  return input + "." + Base64UrlEncode(sig);
}

TEST(Jws, RequiresPssSaltOf64Bytes) {
  const Jwk& key = testing::VectorSigningKey4096();
  std::string input =
      Base64UrlEncode(R"({"alg":"PS512"})") + "." + Base64UrlEncode("payload");
  EXPECT_OK(VerifyPs512(SignWithSalt(key, input, 64), key));
  EXPECT_THAT(VerifyPs512(SignWithSalt(key, input, 32), key),
              StatusIs(Code::kCheckFailed, "signature"));
  EXPECT_THAT(VerifyPs512(SignWithSalt(key, input, 0), key),
              StatusIs(Code::kCheckFailed, "signature"));
  EXPECT_THAT(VerifyPs512(SignWithSalt(key, input, 65), key),
              StatusIs(Code::kCheckFailed, "signature"));
}

TEST(Jws, RejectsMalformedStructure) {
  for (const char* bad : {"", "a", "a.b", "a.b.c.d", ".eA.c", "e30.eA."}) {
    EXPECT_THAT(ParseJws(bad), StatusIs(Code::kInvalidInput)) << bad;
  }
}

}  // namespace
}  // namespace ds::jose
