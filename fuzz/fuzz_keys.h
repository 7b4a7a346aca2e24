// Keys for the JOSE fuzz targets: RSA-2048, generated once per process (the
// fuzzers lower min_rsa_bits to 2048 so that the key operations are cheap).
#pragma once

#include "jose/jwk.h"

namespace ds::fuzz {

inline const jose::Jwk& FuzzKey() {
  static const jose::Jwk key = *jose::Jwk::Generate(2048, "k", "RSA-OAEP-256");
  return key;
}

}  // namespace ds::fuzz
