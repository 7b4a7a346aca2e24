// Streaming JWE decryption and encryption in bounded memory.
#include "jose/jwe.h"
#include "jose/jwe_internal.h"

namespace ds::jose {

// Not yet: streaming; the next commit replaces these.
Result<StreamResult> DecryptStream(const KeyRing&, int, int,
                                   const StreamOptions&) {
  return Internal("decrypt stream: not yet implemented");
}

Status EncryptStream(const Jwk&, int, int, const EncryptOptions&) {
  return Internal("encrypt stream: not yet implemented");
}

}  // namespace ds::jose
