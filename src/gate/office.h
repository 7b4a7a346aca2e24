// Internal: Office Open XML and OpenDocument checks on the entries of a
// zip (T32-T35, T37-T39).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "gate/inspect.h"

namespace ds::gate::internal {

// Entry names of a zip and the text of the parts the checks read.
class OfficeParts {
 public:
  static constexpr size_t kMaxPartBytes = 16u << 20;

  void Add(const std::string& name, const std::string& content);
  // "docx", "xlsx", "pptx", "odt", "ods", "odp" or "zip".
  std::string DetectedType() const;

  std::set<std::string> names;               // as in the archive
  std::map<std::string, std::string> parts;  // kept parts by name
};

void CheckOfficeParts(const OfficeParts& parts, const std::string& type_id,
                      Report& report);

}  // namespace ds::gate::internal
