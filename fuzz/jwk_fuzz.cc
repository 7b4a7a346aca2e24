// Fuzzes the JWK and JWK Set parsers and the serializers of what they accept.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jose/jwk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ds::jose;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto key = Jwk::Parse(input);
  if (key.ok()) {
    // What we accept must serialize and re-parse to the same key.
    auto again = Jwk::FromJson(key->PrivateJson());
    if (!again.ok() || !again->SamePublicKey(*key)) abort();
    (void)key->Thumbprint();
    (void)key->PublicOnly().PublicJson().dump();
    (void)CheckPublicKey(*key, "PS512", {.min_rsa_bits = 1024, .test_mode = true});
  }
  auto set = Jwks::Parse(input);
  if (set.ok()) (void)set->PublicJson().dump();
  return 0;
}
