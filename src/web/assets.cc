// Lookup of the embedded assets and their content-hashed URLs.
#include "web/assets.h"

#include <cstddef>
#include <vector>

#include "core/encoding.h"

namespace ds::web::internal {

struct EmbeddedFile {
  const char* name;
  const char* data;
  std::size_t size;
};
extern const EmbeddedFile kEmbeddedFiles[];  // assets_data.cc (generated)

namespace {

std::string_view TypeOf(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

const std::vector<Asset>& All() {
  static const std::vector<Asset> assets = [] {
    std::vector<Asset> out;
    for (const EmbeddedFile* f = kEmbeddedFiles; f->name; ++f) {
      std::string_view data(f->data, f->size);
      out.push_back({.name = f->name,
                     .content_type = TypeOf(f->name),
                     .data = data,
                     .hash = HexEncode(Sha256(data)).substr(0, 16)});
    }
    return out;
  }();
  return assets;
}

}  // namespace

const Asset* FindAsset(std::string_view name) {
  for (const Asset& a : All()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string AssetUrl(std::string_view name) {
  const Asset* a = FindAsset(name);
  return a ? "/static/" + a->hash + "/" + std::string(name) : "/static/-";
}

}  // namespace ds::web::internal
