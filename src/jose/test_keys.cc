#include "jose/test_keys.h"

#include <fstream>
#include <sstream>

namespace ds::jose::testing {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path VectorsDir() {
  return ds::testing::SpecsDir() / "fit-connect" / "test-vectors";
}

const Jwk& VectorEncryptionKey() {
  static const Jwk key = *Jwk::Parse(
      ReadFile(VectorsDir() / "jose-utils" / "privateKey.txt"));
  return key;
}

static const Jwks& Jwks2() {
  static const Jwks keys =
      *Jwks::Parse(ReadFile(VectorsDir() / "jose-utils" / "jwks2.json"));
  return keys;
}

const Jwk& VectorSigningKey4096() {
  return *Jwks2().FindByKid("14a70431-01e6-4d67-867d-d678a3686f4b");
}

const Jwk& VectorSigningKey2048() {
  return *Jwks2().FindByKid("6508dbcd-ab3b-4edb-a42b-37bc69f38fed");
}

const Jwk& GeneratedEncryptionKey() {
  static const Jwk key = *Jwk::Generate(4096, "enc-test", "RSA-OAEP-256");
  return key;
}

const Jwk& GeneratedSigningKey() {
  static const Jwk key = *Jwk::Generate(4096, "sig-test", "PS512");
  return key;
}

}  // namespace ds::jose::testing
