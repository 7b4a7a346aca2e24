// Helpers shared by the Prüfstand's targets (private to src/pruefstand).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "gate/samples.h"
#include "pruefstand/target.h"

namespace ds::pruefstand::internal {

// Outcome::kError with `reason`.
Delivery ErrorDelivery(std::string reason);

// Adds "title_de" to every finding that lacks it.
nlohmann::json WithGermanTitles(nlohmann::json findings);

// Reads a rendition (at most 256 MiB).
Result<std::string> ReadSmallFile(const std::filesystem::path& path);

// A platform reported the sample as neutralised: `rendition` is its stored
// cleaned copy (or why it could not be read). Neutralised only if the copy
// exists and carries no "ZDT-" marker; otherwise accepted unchanged, with
// the reason. Fills d.neutralisation.
Delivery RateRendition(Delivery d, const gate::Sample& sample,
                       const Result<std::string>& rendition);

// True if the sample's declared file name is valid UTF-8 (JSON can carry
// it).
bool IsUtf8(std::string_view text);

// At most `max` bytes of a platform's answer, control characters replaced,
// cut at a UTF-8 boundary.
std::string Excerpt(std::string_view body, size_t max = 200);

}  // namespace ds::pruefstand::internal
