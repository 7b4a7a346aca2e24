// JWS compact serialization (RFC 7515) with PS512 only: RSASSA-PSS, SHA-512,
// MGF1-SHA-512, salt length 64, as FIT-Connect prescribes for Security Event
// Tokens. `alg` other than PS512 (including `none`) and `crit` are refused.
//
//   DS_ASSIGN_OR_RETURN(std::string jws,
//       ds::jose::SignPs512(key, {{"typ", "secevent+jwt"}}, payload_json));
//   DS_ASSIGN_OR_RETURN(auto v, ds::jose::VerifyPs512(jws, key.PublicOnly()));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "jose/jwk.h"

namespace ds::jose {

struct ParsedJws {
  nlohmann::json header;
  std::string header_b64;
  std::string payload;  // decoded bytes
  std::string signature;  // decoded bytes
  std::string signing_input;  // header_b64 + "." + payload_b64
};

// Splits and decodes without verifying. kInvalidInput on structure errors.
Result<ParsedJws> ParseJws(std::string_view compact);

// Signs `payload` with a private key. `header` gets alg PS512 and the key's
// kid added (a kid in `header` wins).
Result<std::string> SignPs512(const Jwk& private_key, nlohmann::json header,
                              std::string_view payload);

// Verifies signature and algorithm; the key's size must be at least
// `min_rsa_bits`. kCheckFailed on a bad signature.
Result<ParsedJws> VerifyPs512(std::string_view compact, const Jwk& public_key,
                              int min_rsa_bits = 4096);

}  // namespace ds::jose
