// Byte encodings used across the protocol code: base64url without padding
// (JOSE), standard base64 (x5c), lower-case hex (hashes, HMACs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds {

std::string Base64UrlEncode(std::string_view bytes);
// Rejects padding, whitespace and characters outside the base64url alphabet.
Result<std::string> Base64UrlDecode(std::string_view text);

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view text);

// SHA-256 / SHA-512 of bytes, raw.
std::string Sha256(std::string_view bytes);
std::string Sha512(std::string_view bytes);

// A random (version 4) UUID in lower-case canonical form.
std::string NewUuid();
// True if `text` is a canonical UUID (any case, any version).
bool IsUuid(std::string_view text);

// Constant-time equality of two byte strings of possibly different length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Seconds since the Unix epoch.
int64_t UnixNow();

}  // namespace ds
