// Private pieces shared by jwe.cc and jwe_stream.cc.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "jose/jwe.h"
#include "jose/jwk.h"

namespace ds::jose::internal {

constexpr size_t kCekBytes = 32;
constexpr size_t kIvBytes = 12;
constexpr size_t kTagBytes = 16;

// The protected header for `key` and `options`, base64url-encoded.
std::string EncodeJweHeader(const Jwk& key, const EncryptOptions& options);

// RSA-OAEP-256 wrap / unwrap of a content encryption key.
Result<std::string> WrapKey(const Jwk& key, std::string_view cek);
// Unwraps with `key`, after checking its size against `min_rsa_bits`.
Result<std::string> UnwrapKey(const Jwk& key, std::string_view encrypted_key,
                              int min_rsa_bits);

// Picks the key for `header.kid` from the ring; kCheckFailed if none.
Result<const Jwk*> SelectKey(const KeyRing& keys, const JweHeader& header);

}  // namespace ds::jose::internal
