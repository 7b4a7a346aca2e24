// JWE compact serialization: RSA-OAEP-256 + A256GCM, optional zip DEF.
#include "jose/jwe.h"

#include <openssl/rsa.h>
#include <zlib.h>

#include <algorithm>
#include <array>

#include "core/encoding.h"
#include "jose/internal.h"
#include "jose/jwe_internal.h"

namespace ds::jose {

using internal::kCekBytes;
using internal::kIvBytes;
using internal::kTagBytes;

namespace {

constexpr char kTagMismatch[] =
    "decrypt: authentication tag mismatch (or content key unwrap failed)";

// Header members we understand. Anything else (jku, jwk, x5u, epk, p2s, ...)
// is refused, so that no sender can make us act on a member we ignore.
// `typ` is tolerated (some JOSE libraries add it). `zip: DEF` occurs in real
// FIT-Connect traffic (GovOS/ThAVEL), so receivers inflate it; whether FITKO
// allows senders to use it is [unverified] (notes/fit-connect.md §5), hence
// Encrypt uses it only on request.
constexpr std::array<std::string_view, 6> kAllowedHeaderMembers = {
    "alg", "enc", "kid", "cty", "zip", "typ"};

Result<std::string> Decoded(std::string_view b64, std::string_view step,
                            std::string_view what) {
  std::string bytes(b64.size() * 3 / 4, '\0');
  long n = internal::DecodeBase64UrlInto(b64, bytes.data());
  if (n < 0) {
    return InvalidInput(std::string(step) + ": " + std::string(what) +
                        " is not base64url");
  }
  bytes.resize(static_cast<size_t>(n));
  return bytes;
}

std::string Encoded(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  out.resize(internal::EncodeBase64UrlInto(bytes, out.data()));
  return out;
}

Result<std::string> Deflate(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("deflate: init failed");
  }
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Internal("deflate: failed");
  return out;
}

Result<std::string> Inflate(std::string_view in, size_t cap) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Internal("inflate: init failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    size_t produced = sizeof buf - z.avail_out;
    if (out.size() + produced > cap) {
      inflateEnd(&z);
      return InvalidInput("inflate: plaintext exceeds the cap of " +
                          std::to_string(cap) + " bytes");
    }
    out.append(buf, produced);
    if (rc == Z_OK && produced == 0 && z.avail_in == 0) break;
  }
  bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return InvalidInput("inflate: not valid raw DEFLATE");
  if (trailing) return InvalidInput("inflate: data after the DEFLATE stream");
  return out;
}

// Decodes the base64url ciphertext and decrypts it in cache-sized pieces
// (decode, then AES-GCM in place while the piece is still in cache), then
// checks the tag. On any failure the partial plaintext is wiped.
Result<std::string> DecodeAndDecrypt(std::string_view cek, std::string_view iv,
                                     std::string_view aad,
                                     std::string_view ciphertext_b64,
                                     std::string_view tag) {
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  auto u = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  int len = 0;
  bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, u(cek), u(iv)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) == 1;
  if (!ok) return internal::SslFailure(Code::kInternal, "decrypt", "AES-GCM setup");

  constexpr size_t kPieceChars = 64 * 1024;  // a multiple of 4
  std::string out(ciphertext_b64.size() * 3 / 4, '\0');
  size_t written = 0;
  while (!ciphertext_b64.empty()) {
    std::string_view piece = ciphertext_b64.substr(0, kPieceChars);
    ciphertext_b64.remove_prefix(piece.size());
    long n = internal::DecodeBase64UrlInto(piece, out.data() + written);
    auto* bytes = reinterpret_cast<unsigned char*>(out.data()) + written;
    if (n < 0 || EVP_DecryptUpdate(ctx.get(), bytes, &len, bytes,
                                   static_cast<int>(n)) != 1) {
      OPENSSL_cleanse(out.data(), out.size());
      return InvalidInput("parse: ciphertext is not base64url");
    }
    written += static_cast<size_t>(n);
  }
  out.resize(written);

  unsigned char final_block[16];
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          const_cast<char*>(tag.data())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    internal::OpenSslError();
    return CheckFailed(kTagMismatch);
  }
  return out;
}

Result<std::string> AesGcmEncrypt(std::string_view cek, std::string_view iv,
                                  std::string_view aad, std::string_view pt,
                                  std::string* tag) {
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  auto u = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  std::string out(pt.size(), '\0');
  tag->assign(kTagBytes, '\0');
  int len = 0, final_len = 0;
  bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, u(cek), u(iv)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        u(pt), static_cast<int>(pt.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len,
                          &final_len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag->data()) == 1;
  if (!ok) return internal::SslFailure(Code::kInternal, "encrypt", "AES-GCM");
  return out;
}

}  // namespace

namespace internal {

std::string EncodeJweHeader(const Jwk& key, const EncryptOptions& options) {
  nlohmann::json header = {{"alg", "RSA-OAEP-256"}, {"enc", "A256GCM"}};
  std::string kid = options.kid.empty() ? key.kid() : options.kid;
  if (!kid.empty()) header["kid"] = kid;
  if (!options.cty.empty()) header["cty"] = options.cty;
  if (options.deflate) header["zip"] = "DEF";
  return Base64UrlEncode(header.dump());
}

Result<std::string> WrapKey(const Jwk& key, std::string_view cek) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  size_t len = 0;
  bool ok = ctx && EVP_PKEY_encrypt_init(ctx.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_encrypt(ctx.get(), nullptr, &len,
                             reinterpret_cast<const unsigned char*>(cek.data()),
                             cek.size()) == 1;
  if (!ok) return SslFailure(Code::kInternal, "wrap", "RSA-OAEP-256 setup");
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                       reinterpret_cast<const unsigned char*>(cek.data()),
                       cek.size()) != 1) {
    return SslFailure(Code::kInternal, "wrap", "RSA-OAEP-256");
  }
  out.resize(len);
  return out;
}

// A failed OAEP decoding is not reported: the content key becomes random
// bytes and the tag check fails instead (RFC 7516 §11.5). Otherwise the
// error text would tell a sender whether a forged encrypted key had valid
// OAEP padding (a Manger-style oracle), and intake echoes errors into
// reject problems.
Result<std::string> UnwrapKey(const Jwk& key, std::string_view encrypted_key,
                              int min_rsa_bits) {
  if (!key.is_private()) return CheckFailed("key: not a private key");
  if (key.bits() < min_rsa_bits) {
    return CheckFailed("key: RSA key has " + std::to_string(key.bits()) +
                       " bits, at least " + std::to_string(min_rsa_bits) +
                       " required");
  }
  if (encrypted_key.size() != ModulusBytes(key.pkey())) {
    return CheckFailed("unwrap: encrypted key length does not match the key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  bool ok = ctx && EVP_PKEY_decrypt_init(ctx.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) == 1;
  if (!ok) return SslFailure(Code::kInternal, "unwrap", "RSA-OAEP-256 setup");
  std::string cek(ModulusBytes(key.pkey()), '\0');
  size_t len = cek.size();
  int rc = EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(cek.data()),
                            &len,
                            reinterpret_cast<const unsigned char*>(encrypted_key.data()),
                            encrypted_key.size());
  DS_ASSIGN_OR_RETURN(std::string random_cek, RandomBytes(kCekBytes));
  if (rc != 1 || len != kCekBytes) {
    OpenSslError();
    OPENSSL_cleanse(cek.data(), cek.size());
    return random_cek;
  }
  cek.resize(len);
  return cek;
}

Result<const Jwk*> SelectKey(const KeyRing& keys, const JweHeader& header) {
  const Jwk* key = keys.Find(header.kid);
  if (key == nullptr) {
    return CheckFailed("key: no decryption key for kid " +
                       (header.kid.empty() ? std::string("(none)") : header.kid));
  }
  return key;
}

}  // namespace internal

Result<CompactJwe> SplitCompactJwe(std::string_view compact) {
  std::string_view parts[5];
  if (internal::SplitDots(compact, parts, 5) != 5) {
    return InvalidInput("parse: a compact JWE has exactly five segments");
  }
  for (int i : {0, 1, 2, 4}) {
    if (parts[i].empty()) return InvalidInput("parse: empty JWE segment");
  }
  return CompactJwe{parts[0], parts[1], parts[2], parts[3], parts[4]};
}

Result<JweHeader> ParseJweHeader(std::string_view header_b64) {
  DS_ASSIGN_OR_RETURN(std::string text,
                      Decoded(header_b64, "header", "protected header"));
  DS_ASSIGN_OR_RETURN(nlohmann::json json,
                      internal::ParseJsonObject(text, "header"));
  if (json.contains("crit")) return CheckFailed("header: crit is not supported");
  for (const auto& [name, value] : json.items()) {
    if (std::find(kAllowedHeaderMembers.begin(), kAllowedHeaderMembers.end(),
                  name) == kAllowedHeaderMembers.end()) {
      return InvalidInput("header: member " + name + " is not allowed");
    }
    if (!value.is_string()) {
      return InvalidInput("header: member " + name + " is not a string");
    }
  }

  JweHeader header;
  header.alg = json.value("alg", "");
  header.enc = json.value("enc", "");
  header.kid = json.value("kid", "");
  header.cty = json.value("cty", "");
  header.zip = json.value("zip", "");
  if (header.alg != "RSA-OAEP-256") {
    return CheckFailed("header: alg must be RSA-OAEP-256, got \"" +
                       header.alg.substr(0, 32) + "\"");
  }
  if (header.enc != "A256GCM") {
    return CheckFailed("header: enc must be A256GCM, got \"" +
                       header.enc.substr(0, 32) + "\"");
  }
  if (!header.zip.empty() && header.zip != "DEF") {
    return CheckFailed("header: zip must be absent or DEF");
  }
  return header;
}

Result<std::string> AuthenticationTag(std::string_view compact) {
  DS_ASSIGN_OR_RETURN(CompactJwe jwe, SplitCompactJwe(compact));
  DS_ASSIGN_OR_RETURN(std::string tag, Decoded(jwe.tag, "parse", "tag"));
  if (tag.size() != kTagBytes) return InvalidInput("parse: tag is not 16 bytes");
  return std::string(jwe.tag);
}

const Jwk* KeyRing::Find(std::string_view kid) const {
  if (kid.empty()) return nullptr;
  for (const auto& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  for (const auto& key : keys_) {
    if (key.Thumbprint() == kid) return &key;
  }
  return nullptr;
}

Result<std::string> Encrypt(const Jwk& key, std::string_view plaintext,
                            const EncryptOptions& options) {
  if (key.bits() < 2048) return InvalidInput("encrypt: RSA key below 2048 bits");
  std::string header_b64 = internal::EncodeJweHeader(key, options);

  std::string deflated;
  if (options.deflate) {
    DS_ASSIGN_OR_RETURN(deflated, Deflate(plaintext));
    plaintext = deflated;
  }
  DS_ASSIGN_OR_RETURN(std::string cek, internal::RandomBytes(kCekBytes));
  DS_ASSIGN_OR_RETURN(std::string iv, internal::RandomBytes(kIvBytes));
  DS_ASSIGN_OR_RETURN(std::string encrypted_key, internal::WrapKey(key, cek));
  std::string tag;
  auto ciphertext = AesGcmEncrypt(cek, iv, header_b64, plaintext, &tag);
  OPENSSL_cleanse(cek.data(), cek.size());
  if (!ciphertext.ok()) return ciphertext.status();

  return header_b64 + "." + Base64UrlEncode(encrypted_key) + "." +
         Base64UrlEncode(iv) + "." + Encoded(*ciphertext) + "." +
         Base64UrlEncode(tag);
}

namespace {

Result<Decrypted> DecryptWith(const Jwk* key, const KeyRing* ring,
                              std::string_view compact,
                              const DecryptOptions& options) {
  // Parse and check the structure and the header before any key operation.
  DS_ASSIGN_OR_RETURN(CompactJwe jwe, SplitCompactJwe(compact));
  DS_ASSIGN_OR_RETURN(JweHeader header, ParseJweHeader(jwe.header));
  DS_ASSIGN_OR_RETURN(std::string encrypted_key,
                      Decoded(jwe.encrypted_key, "parse", "encrypted key"));
  DS_ASSIGN_OR_RETURN(std::string iv, Decoded(jwe.iv, "parse", "iv"));
  DS_ASSIGN_OR_RETURN(std::string tag, Decoded(jwe.tag, "parse", "tag"));
  if (iv.size() != kIvBytes) return InvalidInput("parse: iv is not 12 bytes");
  if (tag.size() != kTagBytes) return InvalidInput("parse: tag is not 16 bytes");
  if (jwe.ciphertext.size() % 4 == 1) {
    return InvalidInput("parse: ciphertext is not base64url");
  }
  if (header.zip.empty() && jwe.ciphertext.size() / 4 * 3 > options.max_plaintext) {
    return InvalidInput("decrypt: plaintext exceeds the cap");
  }

  // Key: select, unwrap the content key, decrypt and verify the tag.
  if (key == nullptr) {
    DS_ASSIGN_OR_RETURN(key, internal::SelectKey(*ring, header));
  }
  DS_ASSIGN_OR_RETURN(std::string cek,
                      internal::UnwrapKey(*key, encrypted_key, options.min_rsa_bits));
  auto plaintext = DecodeAndDecrypt(cek, iv, jwe.header, jwe.ciphertext, tag);
  OPENSSL_cleanse(cek.data(), cek.size());
  if (!plaintext.ok()) return plaintext.status();

  Decrypted out;
  if (header.zip == "DEF") {
    DS_ASSIGN_OR_RETURN(out.plaintext, Inflate(*plaintext, options.max_plaintext));
  } else {
    out.plaintext = std::move(*plaintext);
  }
  out.header = std::move(header);
  out.kid_used = key->kid();
  return out;
}

}  // namespace

Result<Decrypted> Decrypt(const KeyRing& keys, std::string_view compact,
                          const DecryptOptions& options) {
  return DecryptWith(nullptr, &keys, compact, options);
}

Result<Decrypted> Decrypt(const Jwk& key, std::string_view compact,
                          const DecryptOptions& options) {
  return DecryptWith(&key, nullptr, compact, options);
}

}  // namespace ds::jose
