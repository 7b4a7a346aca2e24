// Key policy checks (CheckPublicKey) and self-signed test certificates.
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "jose/internal.h"
#include "jose/jwk.h"

namespace ds::jose {
namespace {

using internal::X509Ptr;
using StorePtr =
    std::unique_ptr<X509_STORE, internal::Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<
    X509_STORE_CTX, internal::Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using StackPtr = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)>;

Result<X509Ptr> ParseDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr ||
      p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(cert);
    internal::OpenSslError();
    return CheckFailed("x5c: not a DER certificate");
  }
  return X509Ptr(cert);
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool IsSelfSigned(X509* cert) {
  return X509_check_issued(cert, cert) == X509_V_OK &&
         X509_verify(cert, X509_get0_pubkey(cert)) == 1;
}

// Validates x5c (leaf first) against the anchors; in test mode a
// self-signed last certificate counts as an anchor too.
Status CheckChain(const Jwk& key, const KeyPolicy& policy) {
  std::vector<X509Ptr> chain;
  for (const auto& der : key.x5c()) {
    DS_ASSIGN_OR_RETURN(X509Ptr cert, ParseDer(der));
    chain.push_back(std::move(cert));
  }
  if (EVP_PKEY_eq(X509_get0_pubkey(chain[0].get()), key.pkey()) != 1) {
    return CheckFailed("x5c: leaf certificate key differs from the JWK key");
  }

  StorePtr store(X509_STORE_new());
  for (const auto& der : policy.trust_anchors_der) {
    DS_ASSIGN_OR_RETURN(X509Ptr anchor, ParseDer(der));
    X509_STORE_add_cert(store.get(), anchor.get());
  }
  if (policy.test_mode && IsSelfSigned(chain.back().get())) {
    X509_STORE_add_cert(store.get(), chain.back().get());
  }
  StackPtr untrusted(sk_X509_new_null(),
                     [](STACK_OF(X509)* s) { sk_X509_free(s); });
  for (size_t i = 1; i < chain.size(); ++i) {
    sk_X509_push(untrusted.get(), chain[i].get());
  }

  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(),
                                  untrusted.get()) != 1) {
    return internal::SslFailure(Code::kInternal, "x5c", "store setup");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    internal::OpenSslError();
    return CheckFailed(std::string("x5c: chain not trusted (") +
                       X509_verify_cert_error_string(err) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status CheckPublicKey(const Jwk& key, std::string_view purpose,
                      const KeyPolicy& policy) {
  bool enc = purpose == "RSA-OAEP-256";
  if (!enc && purpose != "PS512") {
    return InvalidInput("key check: unknown purpose " + std::string(purpose));
  }

  // Size and declared use.
  if (key.bits() < policy.min_rsa_bits) {
    return CheckFailed("key check: RSA key has " + std::to_string(key.bits()) +
                       " bits, at least " + std::to_string(policy.min_rsa_bits) +
                       " required");
  }
  if (!key.alg().empty() && key.alg() != purpose) {
    return CheckFailed("key check: alg is " + key.alg() + ", expected " +
                       std::string(purpose));
  }
  if (key.alg().empty() && !policy.test_mode) {
    return CheckFailed("key check: alg missing");
  }
  const char* op = enc ? "wrapKey" : "verify";
  if (!key.key_ops().empty() && !Contains(key.key_ops(), op)) {
    return CheckFailed(std::string("key check: key_ops lacks ") + op);
  }
  if (!key.use().empty() && key.use() != (enc ? "enc" : "sig")) {
    return CheckFailed("key check: use is " + key.use());
  }

  // Certificate chain.
  if (key.x5c().empty()) {
    if (policy.test_mode) return Status::Ok();
    return CheckFailed("key check: x5c missing");
  }
  Status chain = CheckChain(key, policy);
  if (!chain.ok()) return chain.Prepend("key check");
  return Status::Ok();
}

Result<std::string> SelfSignedCertificate(const Jwk& key,
                                          std::string_view common_name,
                                          int valid_days) {
  if (!key.is_private()) return InvalidInput("certificate: needs a private key");
  X509Ptr cert(X509_new());
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  internal::BnPtr serial_bn(BN_bin2bn(serial, sizeof serial, nullptr));

  X509_NAME* name = X509_get_subject_name(cert.get());
  bool ok =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) &&
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, nullptr) &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1 &&
      X509_set_pubkey(cert.get(), key.pkey()) == 1;
  if (!ok) return internal::SslFailure(Code::kInternal, "certificate", "fields");

  // Signed with RSASSA-PSS / SHA-512, as the Verwaltungs-PKI does.
  internal::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  ok = md &&
       EVP_DigestSignInit(md.get(), &pctx, EVP_sha512(), nullptr, key.pkey()) == 1 &&
       EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) == 1 &&
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) == 1 &&
       X509_sign_ctx(cert.get(), md.get()) > 0;
  if (!ok) return internal::SslFailure(Code::kInternal, "certificate", "signing");

  int len = i2d_X509(cert.get(), nullptr);
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert.get(), &p);
  return der;
}

}  // namespace ds::jose
