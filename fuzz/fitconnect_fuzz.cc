// Fuzzes the parsers of ds_fitconnect that see untrusted bytes: metadata
// (JSON syntax, version, schema validation with the real schemas when
// $DREHSCHEIBE_SPECS is set), XML Fachdaten under the hardened parser, SET
// structure and claims, and callback bodies and headers.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "fitconnect/callback.h"
#include "fitconnect/metadata.h"
#include "fitconnect/schema.h"
#include "fitconnect/set.h"

namespace {

const ds::fitconnect::MetadataSchemas* Schemas() {
  static const auto* schemas = []() -> ds::fitconnect::MetadataSchemas* {
    const char* specs = std::getenv("DREHSCHEIBE_SPECS");
    if (specs == nullptr) return nullptr;
    auto loaded = ds::fitconnect::MetadataSchemas::Load(specs);
    if (!loaded.ok()) return nullptr;
    return new ds::fitconnect::MetadataSchemas(std::move(loaded).value());
  }();
  return schemas;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ds::fitconnect;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const MetadataSchemas* schemas = Schemas()) {
    (void)ParseMetadata(input, *schemas);
  }
  (void)CheckXmlWellFormed(input, XmlLimits{.max_bytes = 1 << 20});
  (void)InspectSet(input);
  (void)ParseCallbackBody(input);
  (void)VerifyCallback("secret", input.substr(0, 128),
                       input.substr(0, size < 12 ? size : 12), input, 1000);
  return 0;
}
