#include "core/testing/testing.h"

#include <cstdlib>
#include <random>

namespace ds::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device rd;
  fs::path base = fs::temp_directory_path();
  for (;;) {
    path_ = base / ("ds-test-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(path_, ec)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path SourceDir() { return fs::path(DS_SOURCE_DIR); }

fs::path SpecsDir() {
  if (const char* env = std::getenv("DREHSCHEIBE_SPECS"); env && *env) return env;
  return SourceDir().parent_path() / "shared" / "specs";
}

}  // namespace ds::testing
