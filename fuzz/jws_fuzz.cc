// Fuzzes the compact JWS parser and PS512 verification.
#include <cstdint>
#include <string_view>

#include "fuzz_keys.h"
#include "jose/jws.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ds::jose;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseJws(input);
  if (parsed.ok()) (void)parsed->header.dump();
  (void)VerifyPs512(input, ds::fuzz::FuzzKey(), 2048);
  return 0;
}
