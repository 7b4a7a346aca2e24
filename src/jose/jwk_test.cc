#include "jose/jwk.h"

#include "core/encoding.h"
#include "jose/test_keys.h"

namespace ds::jose {
namespace {

using ds::testing::StatusIs;
using testing::ReadFile;
using testing::VectorsDir;

TEST(Jwk, ParsesVectorPrivateKey) {
  const Jwk& key = testing::VectorEncryptionKey();
  EXPECT_TRUE(key.is_private());
  EXPECT_EQ(key.bits(), 4096);
  EXPECT_EQ(key.kid(), "C6GGNMBfIjHCQOF4ICeX6DRcWBmntEpvCTea_H3Pdi4");
  EXPECT_EQ(key.alg(), "RSA-OAEP-256");
  EXPECT_EQ(key.key_ops(), std::vector<std::string>{"unwrapKey"});
}

TEST(Jwk, PrivateJsonRoundTripsToTheSameMembers) {
  auto original = nlohmann::json::parse(
      ReadFile(VectorsDir() / "jose-utils" / "privateKey.txt"));
  nlohmann::json out = testing::VectorEncryptionKey().PrivateJson();
  for (const char* m : {"n", "e", "d", "p", "q", "dp", "dq", "qi", "kid", "alg"}) {
    EXPECT_EQ(out[m], original[m]) << m;
  }
  auto reparsed = Jwk::FromJson(out);
  ASSERT_OK(reparsed);
  EXPECT_TRUE(reparsed->SamePublicKey(testing::VectorEncryptionKey()));
}

TEST(Jwk, PublicJsonHasNoPrivateMembersAndPublicKeyOps) {
  nlohmann::json pub = testing::VectorEncryptionKey().PublicJson();
  for (const char* m : {"d", "p", "q", "dp", "dq", "qi"}) {
    EXPECT_FALSE(pub.contains(m)) << m;
  }
  EXPECT_EQ(pub["key_ops"], nlohmann::json::array({"wrapKey"}));
  Jwk only = testing::VectorEncryptionKey().PublicOnly();
  EXPECT_FALSE(only.is_private());
  EXPECT_TRUE(only.SamePublicKey(testing::VectorEncryptionKey()));
}

TEST(Jwk, ThumbprintMatchesRfc7638Example) {
  // RFC 7638 §3.1 example key and thumbprint.
  const char* kRfcKey = R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})";
  auto key = Jwk::Parse(kRfcKey);
  ASSERT_OK(key);
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(Jwk, VectorKidIsItsOwnThumbprint) {
  // The GovOS vector puts the thumbprint into kid (see notes §5).
  EXPECT_EQ(testing::VectorEncryptionKey().Thumbprint(),
            testing::VectorEncryptionKey().kid());
}

TEST(Jwk, RejectsNonRsaAndMissingMembers) {
  EXPECT_THAT(Jwk::Parse(R"({"kty":"EC","crv":"P-256"})"),
              StatusIs(Code::kInvalidInput, "kty"));
  EXPECT_THAT(Jwk::Parse(R"({"kty":"RSA","e":"AQAB"})"),
              StatusIs(Code::kInvalidInput, "member n"));
  EXPECT_THAT(Jwk::Parse("[1]"), StatusIs(Code::kInvalidInput));
  EXPECT_THAT(Jwk::Parse("{"), StatusIs(Code::kInvalidInput));
}

TEST(Jwk, RejectsPrivateKeyWithMissingCrtMember) {
  auto json = testing::VectorEncryptionKey().PrivateJson();
  json.erase("qi");
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "member qi"));
}

TEST(Jwk, RejectsPrivateKeyWhoseFactorsDoNotMatch) {
  auto json = testing::VectorEncryptionKey().PrivateJson();
  json["p"] = testing::VectorSigningKey4096().PrivateJson()["p"];
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "p*q"));
}

TEST(Jwk, RejectsBadBase64AndWrongTypes) {
  auto json = testing::VectorEncryptionKey().PublicJson();
  json["n"] = "abc=";
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "member n"));
  json = testing::VectorEncryptionKey().PublicJson();
  json["kid"] = 5;
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "member kid"));
  json = testing::VectorEncryptionKey().PublicJson();
  json["x5c"] = {"not base64!"};
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "x5c"));
}

TEST(Jwk, RejectsZeroAndOversizedParameters) {
  auto json = testing::VectorEncryptionKey().PrivateJson();
  json["dp"] = "AA";
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "member dp is zero"));
  json = testing::VectorEncryptionKey().PublicJson();
  json["n"] = Base64UrlEncode(std::string(16384 / 8 + 1, '\x7f'));
  EXPECT_THAT(Jwk::FromJson(json), StatusIs(Code::kInvalidInput, "member n is too long"));
}

TEST(Jwk, GeneratesKeyWithFitConnectMembers) {
  const Jwk& key = testing::GeneratedSigningKey();
  EXPECT_EQ(key.bits(), 4096);
  EXPECT_TRUE(key.is_private());
  EXPECT_EQ(key.alg(), "PS512");
  nlohmann::json pub = key.PublicJson();
  EXPECT_EQ(pub["key_ops"], nlohmann::json::array({"verify"}));
  EXPECT_EQ(pub["e"], "AQAB");
  EXPECT_EQ(pub["n"].get<std::string>().size(), 683u);
  EXPECT_THAT(Jwk::Generate(4096, "x", "RS256"), StatusIs(Code::kInvalidInput));
}

TEST(Jwk, FromPkeySharesTheKey) {
  const Jwk& key = testing::VectorSigningKey2048();
  auto copy = Jwk::FromPkey(key.pkey(), "other", "PS512");
  ASSERT_OK(copy);
  EXPECT_TRUE(copy->is_private());
  EXPECT_TRUE(copy->SamePublicKey(key));
  EXPECT_FALSE(copy->SamePublicKey(testing::VectorSigningKey4096()));
}

TEST(Jwks, ParsesVectorSetAndFindsByKid) {
  auto jwks = Jwks::Parse(ReadFile(VectorsDir() / "jose-utils" / "jwks.json"));
  ASSERT_OK(jwks);
  ASSERT_EQ(jwks->keys().size(), 1u);
  const Jwk* key = jwks->FindByKid("32858147-f090-43a9-b2fd-d26ae5b41c03");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->bits(), 4096);
  EXPECT_EQ(jwks->FindByKid("nope"), nullptr);
  EXPECT_EQ(jwks->PublicJson()["keys"].size(), 1u);
}

TEST(Jwks, RejectsSetWithOneBrokenKey) {
  EXPECT_THAT(Jwks::Parse(R"({"keys":[{"kty":"RSA","e":"AQAB"}]})"),
              StatusIs(Code::kInvalidInput, "key 0"));
  EXPECT_THAT(Jwks::Parse(R"({"nokeys":[]})"), StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::jose
