// Internal to ds_xdomea: reading Dokumente of a validated message and
// their primary files (shared by import and receive).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "records/store.h"
#include "xdomea/dom.h"
#include "xdomea/inspect.h"

namespace ds::xdomea::internal {

// Where primary files come from: the zip's entries or, for a bare message,
// plain files in side_dir.
struct FileSource {
  const Package& package;
  std::filesystem::path side_dir;
  Limits limits;
};

// The primary document of a Dokument's latest Version (last in document
// order; its first Format with a Primaerdokument), or nullopt.
struct PrimaryRef {
  std::string dateiname;
  std::string original_name;  // DateinameOriginal, else Dateiname
  std::string mime_type;      // from the Dateiformat code
};
std::optional<PrimaryRef> LatestPrimary(const xmlNode* dokument);

// The bytes of a primary file. kInvalidInput if the message names a file
// the package does not hold (or an unsafe name for side_dir).
Result<std::string> LoadPrimary(const FileSource& source,
                                const std::string& dateiname);

// Stores the primary file of `dokument` in the FileStore after inspecting
// it, and describes it for filing. nullopt if the Dokument has no primary
// file.
Result<std::optional<records::IncomingDocument>> StoreDokument(
    records::Store& store, const Inspector& inspect, const FileSource& source,
    const xmlNode* dokument);

}  // namespace ds::xdomea::internal
