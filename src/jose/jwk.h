// JSON Web Keys (RFC 7517) for RSA, as FIT-Connect uses them.
//
// A Jwk owns one RSA key, public or private, with the JWK members FIT-Connect
// relies on: `kid`, `alg`, `use`, `key_ops` and `x5c`. Keys are immutable and
// cheap to copy (the OpenSSL key is shared); all methods are thread-safe.
//
//   DS_ASSIGN_OR_RETURN(ds::jose::Jwk key, ds::jose::Jwk::Parse(text));
//   if (key.bits() < 4096) ...
//   std::string tp = key.Thumbprint();   // RFC 7638, base64url SHA-256
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ds::jose {

class Jwk {
 public:
  // Parses a JWK object. Accepts only kty RSA; requires n and e, and for a
  // private key d, p, q, dp, dq, qi. Unknown members are ignored. Errors are
  // kInvalidInput naming the member.
  static Result<Jwk> Parse(std::string_view json_text);
  static Result<Jwk> FromJson(const nlohmann::json& json);

  // A fresh RSA key pair with e = 65537. `alg` is "RSA-OAEP-256" (key_ops
  // wrapKey/unwrapKey) or "PS512" (key_ops sign/verify). Slow for 4096 bits
  // (about a second).
  static Result<Jwk> Generate(int bits, std::string kid, std::string alg);

  // Wraps an existing OpenSSL key (takes a reference).
  static Result<Jwk> FromPkey(EVP_PKEY* pkey, std::string kid, std::string alg);

  bool is_private() const;
  int bits() const;
  const std::string& kid() const;
  const std::string& alg() const;                    // may be empty
  const std::string& use() const;                    // may be empty
  const std::vector<std::string>& key_ops() const;   // may be empty
  // DER certificates of `x5c`, leaf first (decoded from base64).
  const std::vector<std::string>& x5c() const;

  // A copy with the given x5c chain (DER, leaf first).
  Jwk WithX5c(std::vector<std::string> der_chain) const;

  // The public part as a JWK object (kty, n, e, kid, alg, use, key_ops, x5c).
  nlohmann::json PublicJson() const;
  // All members including the private ones. Never log this.
  nlohmann::json PrivateJson() const;
  Jwk PublicOnly() const;

  // RFC 7638 thumbprint: base64url(SHA-256({"e":..,"kty":"RSA","n":..})).
  std::string Thumbprint() const;

  // True if both hold the same public key (n and e).
  bool SamePublicKey(const Jwk& other) const;

  // The OpenSSL key; valid as long as this Jwk or a copy lives.
  EVP_PKEY* pkey() const;

 private:
  struct Rep;
  explicit Jwk(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

// A JWK Set ({"keys":[...]}). Keys that fail to parse are an error, not
// skipped, so that a broken key set is noticed.
class Jwks {
 public:
  static Result<Jwks> Parse(std::string_view json_text);
  static Result<Jwks> FromJson(const nlohmann::json& json);

  explicit Jwks(std::vector<Jwk> keys = {}) : keys_(std::move(keys)) {}
  const std::vector<Jwk>& keys() const { return keys_; }
  void Add(Jwk key) { keys_.push_back(std::move(key)); }

  // The key whose kid equals `kid`, or nullptr.
  const Jwk* FindByKid(std::string_view kid) const;
  nlohmann::json PublicJson() const;

 private:
  std::vector<Jwk> keys_;
};

// Policy for keys that FIT-Connect destinations and the delivery service
// publish. In production the x5c chain must lead to a configured trust
// anchor; test mode also accepts self-signed chains and keys without x5c.
struct KeyPolicy {
  int min_rsa_bits = 4096;
  bool test_mode = false;
  // DER certificates trusted as roots (the Verwaltungs-PKI roots).
  std::vector<std::string> trust_anchors_der;
};

// Checks a public key that is to be used for `purpose` ("RSA-OAEP-256" for
// encryption, "PS512" for signatures): size, alg, key_ops / use, and unless
// in test mode the x5c chain against the trust anchors, with the leaf's key
// equal to the JWK's. kCheckFailed with the reason otherwise.
Status CheckPublicKey(const Jwk& key, std::string_view purpose,
                      const KeyPolicy& policy);

// A self-signed X.509 certificate (DER) for `key` (a private key), for test
// chains: `drehscheibe keys generate` and tests use it.
Result<std::string> SelfSignedCertificate(const Jwk& key, std::string_view common_name,
                                          int valid_days);

}  // namespace ds::jose
