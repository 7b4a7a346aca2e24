// JWS compact serialization with PS512 (RSASSA-PSS, SHA-512, MGF1-SHA-512,
// salt length 64).
#include "jose/jws.h"

#include <openssl/rsa.h>

#include "core/encoding.h"
#include "jose/internal.h"

namespace ds::jose {
namespace {

constexpr int kPssSaltBytes = 64;

Status SetPss(EVP_PKEY_CTX* pctx) {
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kPssSaltBytes) != 1) {
    return internal::SslFailure(Code::kInternal, "jws", "PSS parameters");
  }
  return Status::Ok();
}

}  // namespace

Result<ParsedJws> ParseJws(std::string_view compact) {
  std::string_view parts[3];
  if (internal::SplitDots(compact, parts, 3) != 3) {
    return InvalidInput("parse: a compact JWS has exactly three segments");
  }
  if (parts[0].empty() || parts[2].empty()) {
    return InvalidInput("parse: empty JWS header or signature");
  }
  ParsedJws out;
  auto header_text = Base64UrlDecode(parts[0]);
  if (!header_text.ok()) return InvalidInput("parse: header is not base64url");
  DS_ASSIGN_OR_RETURN(out.header,
                      internal::ParseJsonObject(*header_text, "parse: header"));
  auto payload = Base64UrlDecode(parts[1]);
  if (!payload.ok()) return InvalidInput("parse: payload is not base64url");
  auto signature = Base64UrlDecode(parts[2]);
  if (!signature.ok()) return InvalidInput("parse: signature is not base64url");
  out.header_b64 = std::string(parts[0]);
  out.payload = std::move(*payload);
  out.signature = std::move(*signature);
  out.signing_input =
      std::string(compact.substr(0, parts[0].size() + 1 + parts[1].size()));
  return out;
}

Result<std::string> SignPs512(const Jwk& private_key, nlohmann::json header,
                              std::string_view payload) {
  if (!private_key.is_private()) return InvalidInput("sign: not a private key");
  if (header.is_null()) header = nlohmann::json::object();
  if (!header.is_object()) return InvalidInput("sign: header is not an object");
  header["alg"] = "PS512";
  if (!header.contains("kid") && !private_key.kid().empty()) {
    header["kid"] = private_key.kid();
  }
  std::string input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload);

  internal::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestSignInit(md.get(), &pctx, EVP_sha512(), nullptr,
                                private_key.pkey()) != 1) {
    return internal::SslFailure(Code::kInternal, "sign", "init");
  }
  DS_RETURN_IF_ERROR(SetPss(pctx));
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(md.get(), nullptr, &len, in, input.size()) != 1) {
    return internal::SslFailure(Code::kInternal, "sign", "size");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     in, input.size()) != 1) {
    return internal::SslFailure(Code::kInternal, "sign", "RSASSA-PSS");
  }
  sig.resize(len);
  return input + "." + Base64UrlEncode(sig);
}

Result<ParsedJws> VerifyPs512(std::string_view compact, const Jwk& public_key,
                              int min_rsa_bits) {
  DS_ASSIGN_OR_RETURN(ParsedJws jws, ParseJws(compact));

  // Algorithm and key requirements first.
  auto alg = jws.header.find("alg");
  if (alg == jws.header.end() || *alg != "PS512") {
    return CheckFailed("verify: alg must be PS512");
  }
  if (jws.header.contains("crit")) return CheckFailed("verify: crit is not supported");
  if (!public_key.alg().empty() && public_key.alg() != "PS512") {
    return CheckFailed("verify: key is for alg " + public_key.alg() + ", not PS512");
  }
  if (public_key.bits() < min_rsa_bits) {
    return CheckFailed("verify: RSA key has " + std::to_string(public_key.bits()) +
                       " bits, at least " + std::to_string(min_rsa_bits) +
                       " required");
  }
  if (jws.signature.size() != internal::ModulusBytes(public_key.pkey())) {
    return CheckFailed("verify: signature length does not match the key");
  }

  // Signature.
  internal::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!md || EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha512(), nullptr,
                                  public_key.pkey()) != 1) {
    return internal::SslFailure(Code::kInternal, "verify", "init");
  }
  DS_RETURN_IF_ERROR(SetPss(pctx));
  int rc = EVP_DigestVerify(
      md.get(), reinterpret_cast<const unsigned char*>(jws.signature.data()),
      jws.signature.size(),
      reinterpret_cast<const unsigned char*>(jws.signing_input.data()),
      jws.signing_input.size());
  if (rc != 1) {
    internal::OpenSslError();
    return CheckFailed("verify: signature invalid");
  }
  return jws;
}

}  // namespace ds::jose
