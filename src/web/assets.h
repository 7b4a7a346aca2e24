// Internal to ds_web: the static assets (htmx, the stylesheet), embedded
// into the binary at build time from web/static/ (embed_assets.cmake).
#pragma once

#include <string>
#include <string_view>

namespace ds::web::internal {

struct Asset {
  std::string_view name;          // "ui.css", "htmx.min.js"
  std::string_view content_type;  // with charset
  std::string_view data;
  std::string hash;  // first 16 hex digits of its SHA-256
};

// The asset called `name`, or nullptr.
const Asset* FindAsset(std::string_view name);

// "/static/<hash>/<name>": changes whenever the content does, so that the
// long cache lifetime never serves an old version.
std::string AssetUrl(std::string_view name);

}  // namespace ds::web::internal
