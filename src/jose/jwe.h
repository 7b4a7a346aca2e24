// JWE compact serialization (RFC 7516) as FIT-Connect uses it: RSA-OAEP-256
// key wrap of a fresh 256-bit content key, A256GCM content encryption, AAD =
// ASCII of the protected-header segment, optional `zip: DEF` on input.
//
// Header checks are strict: alg must be RSA-OAEP-256, enc A256GCM, zip absent
// or DEF, `crit` refused. Errors say which step failed (parse, header, key,
// unwrap, decrypt, inflate) and are kCheckFailed or kInvalidInput; a tag
// mismatch is kCheckFailed.
//
//   DS_ASSIGN_OR_RETURN(std::string jwe,
//       ds::jose::Encrypt(destination_key, data, {.cty = "application/json"}));
//   DS_ASSIGN_OR_RETURN(auto out, ds::jose::Decrypt(keyring, jwe, {}));
//   Use(out.plaintext);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "jose/jwk.h"

namespace ds::jose {

struct JweHeader {
  std::string alg;
  std::string enc;
  std::string kid;
  std::string cty;  // empty if absent
  std::string zip;  // empty or "DEF"
};

// The five segments of a compact JWE, still base64url-encoded.
struct CompactJwe {
  std::string_view header;
  std::string_view encrypted_key;
  std::string_view iv;
  std::string_view ciphertext;
  std::string_view tag;
};

// Splits into five segments without decoding; kInvalidInput unless there are
// exactly five and none but the ciphertext is empty.
Result<CompactJwe> SplitCompactJwe(std::string_view compact);

// Parses and checks the protected header (allow-lists, crit).
Result<JweHeader> ParseJweHeader(std::string_view header_b64);

// The authentication tag segment (5th), as FIT-Connect's authenticationTags
// carry it.
Result<std::string> AuthenticationTag(std::string_view compact);

struct EncryptOptions {
  std::string cty;       // content type, e.g. "application/json"
  bool deflate = false;  // set zip: DEF and compress (for tests of receivers)
  std::string kid;       // defaults to the key's kid
};

// Encrypts for a public (or private) RSA key.
Result<std::string> Encrypt(const Jwk& key, std::string_view plaintext,
                            const EncryptOptions& options);

// Several private decryption keys at once, so that keys can be rolled over.
// A JWE is matched by its `kid` against each key's kid, then against each
// key's RFC 7638 thumbprint (some senders put the thumbprint into kid).
class KeyRing {
 public:
  void Add(Jwk private_key) { keys_.push_back(std::move(private_key)); }
  const std::vector<Jwk>& keys() const { return keys_; }
  // The key for `kid`, or nullptr.
  const Jwk* Find(std::string_view kid) const;

 private:
  std::vector<Jwk> keys_;
};

struct DecryptOptions {
  // Cap on the plaintext after inflating `zip: DEF` (decompression bombs).
  size_t max_plaintext = 64u << 20;
  int min_rsa_bits = 4096;
};

struct Decrypted {
  JweHeader header;
  std::string plaintext;
  std::string kid_used;  // kid of the key that decrypted it
};

// Decrypts with the key that `kid` selects. kNotFound-free: an unknown kid is
// kCheckFailed ("no decryption key for kid ...").
Result<Decrypted> Decrypt(const KeyRing& keys, std::string_view compact,
                          const DecryptOptions& options);
Result<Decrypted> Decrypt(const Jwk& key, std::string_view compact,
                          const DecryptOptions& options);

// Streaming, for attachments up to 500 MB in bounded memory.
//
// Reads a compact JWE from file descriptor `in` and writes the plaintext to
// `out` (a regular file the caller owns). The plaintext written is not valid
// until the function returns OK: on any error, including a tag mismatch
// detected at the end, the caller must discard `out`. `zip: DEF` is
// inflated with `max_plaintext` as cap. Also returns the SHA-512 of the
// plaintext, so that FIT-Connect hashes need no second pass.
struct StreamResult {
  JweHeader header;
  uint64_t plaintext_bytes = 0;
  std::string sha512;             // raw 64 bytes
  std::string authentication_tag; // base64url, the 5th segment
};
struct StreamOptions {
  uint64_t max_plaintext = 600ull << 20;
  uint64_t max_input = 700ull << 20;
  int min_rsa_bits = 4096;
};
Result<StreamResult> DecryptStream(const KeyRing& keys, int in, int out,
                                   const StreamOptions& options);

// Encrypts from fd `in` to fd `out` as a compact JWE, in bounded memory.
Status EncryptStream(const Jwk& key, int in, int out, const EncryptOptions& options);

}  // namespace ds::jose
