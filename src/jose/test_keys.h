// Keys shared by the jose tests: the published FIT-Connect test vectors and
// one generated RSA-4096 pair per process (keygen is slow).
#pragma once

#include <string>

#include "core/testing/testing.h"
#include "jose/jwk.h"

namespace ds::jose::testing {

std::string ReadFile(const std::filesystem::path& path);
std::filesystem::path VectorsDir();  // specs/fit-connect/test-vectors

// privateKey.txt: RSA-4096, RSA-OAEP-256, the ThAVEL test destination.
const Jwk& VectorEncryptionKey();
// jwks2.json: RSA-4096 and RSA-2048 private PS512 keys.
const Jwk& VectorSigningKey4096();
const Jwk& VectorSigningKey2048();
// Generated once per process.
const Jwk& GeneratedEncryptionKey();
const Jwk& GeneratedSigningKey();

}  // namespace ds::jose::testing
