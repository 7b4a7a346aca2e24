#include "fitconnect/test_keys.h"

#include <fstream>
#include <sstream>

namespace ds::fitconnect::testing {
namespace {

const jose::Jwk& Generate(const char* kid) {
  auto key = jose::Jwk::Generate(4096, kid, "PS512");
  if (!key.ok()) std::abort();
  return *new jose::Jwk(std::move(key).value());
}

}  // namespace

std::string ReadVector(const std::string& relative) {
  std::ifstream in(ds::testing::SpecsDir() / "fit-connect" / "test-vectors" /
                   relative, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  return text;
}

const jose::Jwk& DeliveryServiceKey() {
  static const jose::Jwk& key = Generate("zd-test-1");
  return key;
}

const jose::Jwk& DestinationKey() {
  static const jose::Jwk& key = Generate("dest-test-1");
  return key;
}

}  // namespace ds::fitconnect::testing
