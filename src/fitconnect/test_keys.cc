#include "fitconnect/test_keys.h"

#include <fstream>
#include <sstream>

#include <unistd.h>

namespace ds::fitconnect::testing {
namespace {

// ctest runs every test in its own process, so "once per suite" would
// mean once per test; generated keys are therefore cached in the build tree
// (test keys only) and regenerated if the cache is missing or unreadable.
const jose::Jwk& Generate(const std::string& kid) {
  std::filesystem::path cache =
      std::filesystem::path(DS_FITCONNECT_TEST_KEY_CACHE) / (kid + ".jwk");
  std::ifstream in(cache, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (auto cached = jose::Jwk::Parse(text.str());
      cached.ok() && cached->is_private() && cached->kid() == kid) {
    return *new jose::Jwk(std::move(cached).value());
  }

  auto key = jose::Jwk::Generate(4096, kid, "PS512");
  if (!key.ok()) std::abort();
  std::filesystem::create_directories(cache.parent_path());
  std::filesystem::path tmp = cache;
  tmp += "." + std::to_string(::getpid());
  std::ofstream(tmp, std::ios::binary) << key->PrivateJson().dump();
  std::filesystem::rename(tmp, cache);
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
