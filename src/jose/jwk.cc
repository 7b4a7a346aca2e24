// Jwk and Jwks: RSA JWKs (RFC 7517/7518 §6.3) over OpenSSL 3 EVP_PKEY.
#include "jose/jwk.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>

#include "core/encoding.h"
#include "jose/internal.h"

namespace ds::jose {

using internal::BnPtr;
using internal::PkeyPtr;

struct Jwk::Rep {
  PkeyPtr pkey;
  bool is_private = false;
  int bits = 0;
  std::string kid, alg, use;
  std::vector<std::string> key_ops;
  std::vector<std::string> x5c;
};

namespace {

// JWK member names of the RSA parameters, in OpenSSL's parameter names.
struct RsaParam {
  const char* jwk;
  const char* ossl;
};
constexpr std::array<RsaParam, 8> kRsaParams = {{
    {"n", OSSL_PKEY_PARAM_RSA_N},
    {"e", OSSL_PKEY_PARAM_RSA_E},
    {"d", OSSL_PKEY_PARAM_RSA_D},
    {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
    {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
}};

// RSA moduli above 16384 bits are refused (OpenSSL's own limit for use).
constexpr size_t kMaxParamBytes = 16384 / 8;

Result<BnPtr> DecodeBigNum(const nlohmann::json& json, const char* member) {
  auto it = json.find(member);
  if (it == json.end() || !it->is_string()) {
    return InvalidInput(std::string("jwk: member ") + member +
                        " missing or not a string");
  }
  auto bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.ok() || bytes->empty()) {
    return InvalidInput(std::string("jwk: member ") + member +
                        " is not base64url");
  }
  if (bytes->size() > kMaxParamBytes) {
    return InvalidInput(std::string("jwk: member ") + member + " is too long");
  }
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                         static_cast<int>(bytes->size()), nullptr);
  if (bn == nullptr) return internal::SslFailure(Code::kInternal, "jwk", "BN");
  BnPtr owned(bn);
  if (BN_is_zero(bn)) {
    return InvalidInput(std::string("jwk: member ") + member + " is zero");
  }
  return owned;
}

Result<std::string> OptionalString(const nlohmann::json& json,
                                   const char* member) {
  auto it = json.find(member);
  if (it == json.end()) return std::string();
  if (!it->is_string()) {
    return InvalidInput(std::string("jwk: member ") + member +
                        " is not a string");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> StringArray(const nlohmann::json& json,
                                             const char* member) {
  std::vector<std::string> out;
  auto it = json.find(member);
  if (it == json.end()) return out;
  if (!it->is_array()) {
    return InvalidInput(std::string("jwk: member ") + member +
                        " is not an array");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return InvalidInput(std::string("jwk: member ") + member +
                          " holds a non-string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

// Builds an EVP_PKEY from the decoded parameters (2 public or 8 private).
Result<PkeyPtr> PkeyFromParams(const std::vector<BnPtr>& params) {
  bool priv = params.size() == kRsaParams.size();
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  for (size_t i = 0; i < params.size(); ++i) {
    OSSL_PARAM_BLD_push_BN(bld, kRsaParams[i].ossl, params[i].get());
  }
  OSSL_PARAM* ossl_params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);

  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  int ok = ctx && ossl_params && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
           EVP_PKEY_fromdata(ctx.get(), &pkey,
                             priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                             ossl_params) == 1;
  OSSL_PARAM_free(ossl_params);
  if (!ok) {
    return internal::SslFailure(Code::kInvalidInput, "jwk", "not a usable RSA key");
  }
  return PkeyPtr(pkey);
}

// Cheap consistency check of a private key: n == p*q and e*d == 1 mod
// lcm-ish is left to OpenSSL's use; p*q catches mixed-up keys.
Status CheckFactors(const std::vector<BnPtr>& params) {
  BnPtr product(BN_new());
  std::unique_ptr<BN_CTX, internal::Deleter<BN_CTX, BN_CTX_free>> bn_ctx(
      BN_CTX_new());
  if (!product || !bn_ctx ||
      BN_mul(product.get(), params[3].get(), params[4].get(), bn_ctx.get()) != 1) {
    return internal::SslFailure(Code::kInternal, "jwk", "BN_mul");
  }
  if (BN_cmp(product.get(), params[0].get()) != 0) {
    return InvalidInput("jwk: p*q does not equal n");
  }
  return Status::Ok();
}

std::string BigNumParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return "";
  BnPtr owned(bn);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  std::string out = Base64UrlEncode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return out;
}

bool HasPrivateParts(EVP_PKEY* pkey) {
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) != 1) return false;
  BN_clear_free(d);
  return true;
}

// The public counterpart of a private key operation (RFC 7517 §4.3).
std::string PublicOp(const std::string& op) {
  if (op == "unwrapKey") return "wrapKey";
  if (op == "sign") return "verify";
  if (op == "decrypt") return "encrypt";
  return op;
}

}  // namespace

Result<Jwk> Jwk::Parse(std::string_view json_text) {
  DS_ASSIGN_OR_RETURN(nlohmann::json json,
                      internal::ParseJsonObject(json_text, "jwk"));
  return FromJson(json);
}

Result<Jwk> Jwk::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return InvalidInput("jwk: not a JSON object");
  auto kty = json.find("kty");
  if (kty == json.end() || *kty != "RSA") {
    return InvalidInput("jwk: member kty must be \"RSA\"");
  }
  if (json.contains("oth")) {
    return InvalidInput("jwk: member oth (multi-prime RSA) is not supported");
  }

  // Key material: n, e, and for a private key all CRT parameters.
  bool priv = json.contains("d");
  size_t count = priv ? kRsaParams.size() : 2;
  std::vector<BnPtr> params;
  for (size_t i = 0; i < count; ++i) {
    DS_ASSIGN_OR_RETURN(BnPtr bn, DecodeBigNum(json, kRsaParams[i].jwk));
    params.push_back(std::move(bn));
  }
  if (priv) DS_RETURN_IF_ERROR(CheckFactors(params));
  DS_ASSIGN_OR_RETURN(PkeyPtr pkey, PkeyFromParams(params));

  // Metadata members.
  auto rep = std::make_shared<Rep>();
  DS_ASSIGN_OR_RETURN(rep->kid, OptionalString(json, "kid"));
  DS_ASSIGN_OR_RETURN(rep->alg, OptionalString(json, "alg"));
  DS_ASSIGN_OR_RETURN(rep->use, OptionalString(json, "use"));
  DS_ASSIGN_OR_RETURN(rep->key_ops, StringArray(json, "key_ops"));
  DS_ASSIGN_OR_RETURN(std::vector<std::string> x5c, StringArray(json, "x5c"));
  for (const auto& cert : x5c) {
    auto der = Base64Decode(cert);
    if (!der.ok() || der->empty()) {
      return InvalidInput("jwk: member x5c holds a non-base64 certificate");
    }
    rep->x5c.push_back(std::move(*der));
  }
  rep->bits = EVP_PKEY_get_bits(pkey.get());
  rep->is_private = priv;
  rep->pkey = std::move(pkey);
  return Jwk(std::move(rep));
}

Result<Jwk> Jwk::Generate(int bits, std::string kid, std::string alg) {
  if (alg != "RSA-OAEP-256" && alg != "PS512") {
    return InvalidInput("jwk: generate supports RSA-OAEP-256 and PS512 only");
  }
  if (bits < 2048) return InvalidInput("jwk: generate needs at least 2048 bits");
  EVP_PKEY* raw = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (raw == nullptr) {
    return internal::SslFailure(Code::kInternal, "jwk", "RSA key generation");
  }
  PkeyPtr pkey(raw);
  auto rep = std::make_shared<Rep>();
  rep->kid = std::move(kid);
  rep->alg = alg;
  rep->use = alg == "PS512" ? "sig" : "enc";
  rep->key_ops = {alg == "PS512" ? "sign" : "unwrapKey"};
  rep->bits = EVP_PKEY_get_bits(pkey.get());
  rep->is_private = true;
  rep->pkey = std::move(pkey);
  return Jwk(std::move(rep));
}

Result<Jwk> Jwk::FromPkey(EVP_PKEY* pkey, std::string kid, std::string alg) {
  if (pkey == nullptr || !EVP_PKEY_is_a(pkey, "RSA")) {
    return InvalidInput("jwk: not an RSA key");
  }
  EVP_PKEY_up_ref(pkey);
  auto rep = std::make_shared<Rep>();
  rep->pkey.reset(pkey);
  rep->kid = std::move(kid);
  rep->alg = std::move(alg);
  rep->bits = EVP_PKEY_get_bits(pkey);
  rep->is_private = HasPrivateParts(pkey);
  return Jwk(std::move(rep));
}

bool Jwk::is_private() const { return rep_->is_private; }
int Jwk::bits() const { return rep_->bits; }
const std::string& Jwk::kid() const { return rep_->kid; }
const std::string& Jwk::alg() const { return rep_->alg; }
const std::string& Jwk::use() const { return rep_->use; }
const std::vector<std::string>& Jwk::key_ops() const { return rep_->key_ops; }
const std::vector<std::string>& Jwk::x5c() const { return rep_->x5c; }
EVP_PKEY* Jwk::pkey() const { return rep_->pkey.get(); }

Jwk Jwk::WithX5c(std::vector<std::string> der_chain) const {
  auto rep = std::make_shared<Rep>();
  EVP_PKEY_up_ref(rep_->pkey.get());
  rep->pkey.reset(rep_->pkey.get());
  rep->is_private = rep_->is_private;
  rep->bits = rep_->bits;
  rep->kid = rep_->kid;
  rep->alg = rep_->alg;
  rep->use = rep_->use;
  rep->key_ops = rep_->key_ops;
  rep->x5c = std::move(der_chain);
  return Jwk(std::move(rep));
}

nlohmann::json Jwk::PublicJson() const {
  nlohmann::json j;
  j["kty"] = "RSA";
  j["n"] = BigNumParam(pkey(), OSSL_PKEY_PARAM_RSA_N);
  j["e"] = BigNumParam(pkey(), OSSL_PKEY_PARAM_RSA_E);
  if (!kid().empty()) j["kid"] = kid();
  if (!alg().empty()) j["alg"] = alg();
  if (!use().empty()) j["use"] = use();
  if (!key_ops().empty()) {
    std::vector<std::string> ops;
    for (const auto& op : key_ops()) {
      std::string pub = PublicOp(op);
      if (std::find(ops.begin(), ops.end(), pub) == ops.end()) ops.push_back(pub);
    }
    j["key_ops"] = ops;
  }
  if (!x5c().empty()) {
    nlohmann::json chain = nlohmann::json::array();
    for (const auto& der : x5c()) chain.push_back(Base64Encode(der));
    j["x5c"] = chain;
  }
  return j;
}

nlohmann::json Jwk::PrivateJson() const {
  nlohmann::json j = PublicJson();
  if (!key_ops().empty()) j["key_ops"] = key_ops();
  if (!is_private()) return j;
  for (size_t i = 2; i < kRsaParams.size(); ++i) {
    j[kRsaParams[i].jwk] = BigNumParam(pkey(), kRsaParams[i].ossl);
  }
  return j;
}

Jwk Jwk::PublicOnly() const {
  if (!is_private()) return *this;
  nlohmann::json j = PublicJson();
  auto parsed = FromJson(j);
  assert(parsed.ok());
  return std::move(parsed).value();
}

std::string Jwk::Thumbprint() const {
  // RFC 7638 §3.2: required members only, lexicographic order, no spaces.
  std::string canonical = "{\"e\":\"" + BigNumParam(pkey(), OSSL_PKEY_PARAM_RSA_E) +
                          "\",\"kty\":\"RSA\",\"n\":\"" +
                          BigNumParam(pkey(), OSSL_PKEY_PARAM_RSA_N) + "\"}";
  return Base64UrlEncode(Sha256(canonical));
}

bool Jwk::SamePublicKey(const Jwk& other) const {
  return EVP_PKEY_eq(pkey(), other.pkey()) == 1;
}

Result<Jwks> Jwks::Parse(std::string_view json_text) {
  DS_ASSIGN_OR_RETURN(nlohmann::json json,
                      internal::ParseJsonObject(json_text, "jwks"));
  return FromJson(json);
}

Result<Jwks> Jwks::FromJson(const nlohmann::json& json) {
  auto keys = json.find("keys");
  if (!json.is_object() || keys == json.end() || !keys->is_array()) {
    return InvalidInput("jwks: member keys missing or not an array");
  }
  Jwks out;
  for (size_t i = 0; i < keys->size(); ++i) {
    auto key = Jwk::FromJson((*keys)[i]);
    if (!key.ok()) {
      return std::move(key).TakeStatus().Prepend("jwks: key " + std::to_string(i));
    }
    out.Add(std::move(*key));
  }
  return out;
}

const Jwk* Jwks::FindByKid(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

nlohmann::json Jwks::PublicJson() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& key : keys_) keys.push_back(key.PublicJson());
  return {{"keys", keys}};
}

}  // namespace ds::jose
