#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "jose/internal.h"
#include "jose/jwk.h"
#include "jose/test_keys.h"

namespace ds::jose {
namespace {

using ds::testing::StatusIs;
using internal::X509Ptr;

std::string ToDer(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &p);
  return der;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `subject_key` named `cn`, issued by `issuer` (nullptr:
// self-issued) and signed with `signing_key`.
X509Ptr MakeCert(const Jwk& subject_key, const char* cn, X509* issuer,
                 const Jwk& signing_key, bool ca) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ca ? 1 : 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer)
                                          : X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), subject_key.pkey());
  AddExtension(cert.get(), issuer ? issuer : cert.get(), NID_basic_constraints,
               ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (ca) AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign");
  X509_sign(cert.get(), signing_key.pkey(), EVP_sha512());
  return cert;
}

struct Chain {
  std::string root_der, leaf_der, other_root_der;
};

const Chain& TestChain() {
  static const Chain chain = [] {
    const Jwk& ca_key = testing::VectorSigningKey4096();
    X509Ptr root = MakeCert(ca_key, "Test Root", nullptr, ca_key, true);
    X509Ptr leaf = MakeCert(testing::VectorEncryptionKey(), "Destination",
                            root.get(), ca_key, false);
    const Jwk& other = testing::GeneratedSigningKey();
    X509Ptr other_root = MakeCert(other, "Test Root", nullptr, other, true);
    return Chain{ToDer(root.get()), ToDer(leaf.get()), ToDer(other_root.get())};
  }();
  return chain;
}

Jwk EncryptionPublicKey() { return testing::VectorEncryptionKey().PublicOnly(); }

TEST(CheckPublicKey, AcceptsChainToTrustAnchor) {
  Jwk key = EncryptionPublicKey().WithX5c({TestChain().leaf_der, TestChain().root_der});
  KeyPolicy policy{.trust_anchors_der = {TestChain().root_der}};
  EXPECT_OK(CheckPublicKey(key, "RSA-OAEP-256", policy));
  // The root need not be in x5c when it is an anchor.
  EXPECT_OK(CheckPublicKey(EncryptionPublicKey().WithX5c({TestChain().leaf_der}),
                           "RSA-OAEP-256", policy));
}

TEST(CheckPublicKey, RejectsChainToOtherAnchor) {
  Jwk key = EncryptionPublicKey().WithX5c({TestChain().leaf_der, TestChain().root_der});
  KeyPolicy policy{.trust_anchors_der = {TestChain().other_root_der}};
  EXPECT_THAT(CheckPublicKey(key, "RSA-OAEP-256", policy),
              StatusIs(Code::kCheckFailed, "not trusted"));
  EXPECT_THAT(CheckPublicKey(key, "RSA-OAEP-256", {}),
              StatusIs(Code::kCheckFailed, "not trusted"));
}

TEST(CheckPublicKey, RejectsLeafWithOtherKey) {
  // The chain is valid, but certifies another key than the JWK's.
  Jwk key = testing::VectorSigningKey4096().PublicOnly().WithX5c(
      {TestChain().leaf_der, TestChain().root_der});
  KeyPolicy policy{.trust_anchors_der = {TestChain().root_der}};
  EXPECT_THAT(CheckPublicKey(key, "PS512", policy),
              StatusIs(Code::kCheckFailed, "leaf certificate key differs"));
}

TEST(CheckPublicKey, AcceptsSelfSignedOnlyInTestMode) {
  const Jwk& key = testing::GeneratedEncryptionKey();
  auto cert = SelfSignedCertificate(key, "drehscheibe test", 30);
  ASSERT_OK(cert);
  Jwk pub = key.PublicOnly().WithX5c({*cert});
  EXPECT_OK(CheckPublicKey(pub, "RSA-OAEP-256", {.test_mode = true}));
  EXPECT_THAT(CheckPublicKey(pub, "RSA-OAEP-256", {}),
              StatusIs(Code::kCheckFailed, "not trusted"));
  // Pinned as an anchor, a self-signed certificate is fine in production.
  EXPECT_OK(CheckPublicKey(pub, "RSA-OAEP-256", {.trust_anchors_der = {*cert}}));
}

TEST(CheckPublicKey, SelfSignedCertificateRoundTripsThroughJwk) {
  const Jwk& key = testing::GeneratedSigningKey();
  auto cert = SelfSignedCertificate(key, "sig", 1);
  ASSERT_OK(cert);
  auto parsed = Jwk::FromJson(key.WithX5c({*cert}).PublicJson());
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->x5c().size(), 1u);
  EXPECT_EQ(parsed->x5c()[0], *cert);
  EXPECT_OK(CheckPublicKey(*parsed, "PS512", {.test_mode = true}));
  EXPECT_THAT(SelfSignedCertificate(key.PublicOnly(), "x", 1),
              StatusIs(Code::kInvalidInput));
}

TEST(CheckPublicKey, RequiresX5cOutsideTestMode) {
  EXPECT_THAT(CheckPublicKey(EncryptionPublicKey(), "RSA-OAEP-256", {}),
              StatusIs(Code::kCheckFailed, "x5c missing"));
  EXPECT_OK(CheckPublicKey(EncryptionPublicKey(), "RSA-OAEP-256", {.test_mode = true}));
}

TEST(CheckPublicKey, RejectsGarbageCertificate) {
  Jwk key = EncryptionPublicKey().WithX5c({"not der"});
  EXPECT_THAT(CheckPublicKey(key, "RSA-OAEP-256", {.test_mode = true}),
              StatusIs(Code::kCheckFailed, "DER"));
}

TEST(CheckPublicKey, RejectsWrongSizeAlgOpsAndUse) {
  KeyPolicy test{.test_mode = true};
  EXPECT_THAT(CheckPublicKey(testing::VectorSigningKey2048(), "PS512", test),
              StatusIs(Code::kCheckFailed, "bits"));
  EXPECT_THAT(CheckPublicKey(EncryptionPublicKey(), "PS512", test),
              StatusIs(Code::kCheckFailed, "alg"));
  auto json = EncryptionPublicKey().PublicJson();
  json["key_ops"] = {"encrypt"};
  EXPECT_THAT(CheckPublicKey(*Jwk::FromJson(json), "RSA-OAEP-256", test),
              StatusIs(Code::kCheckFailed, "key_ops"));
  json = EncryptionPublicKey().PublicJson();
  json["use"] = "sig";
  EXPECT_THAT(CheckPublicKey(*Jwk::FromJson(json), "RSA-OAEP-256", test),
              StatusIs(Code::kCheckFailed, "use"));
  EXPECT_THAT(CheckPublicKey(EncryptionPublicKey(), "RS256", test),
              StatusIs(Code::kInvalidInput));
}

}  // namespace
}  // namespace ds::jose
