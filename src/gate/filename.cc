// Checks of the client-declared file name (T71-T75). The name is only ever
// displayed after these checks; storage uses generated ids.
#include <set>

#include "core/text.h"
#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

constexpr size_t kMaxNameBytes = 255;

bool IsSeparator(char32_t c) {
  return c == '/' || c == '\\' || c == 0xFF0F || c == 0xFF3C ||
         c == 0x2215 || c == 0x2044 || c == 0x29F5;
}

bool IsReserved(std::string_view name) {
  std::string base = Lower(name.substr(0, name.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  static const std::set<std::string, std::less<>> reserved = {
      "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5",
      "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4",
      "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"};
  return reserved.count(base) > 0;
}

std::vector<std::string> Extensions(std::string_view name) {
  std::vector<std::string> exts;
  size_t start = name.find_first_not_of('.');  // ".bashrc" has none
  if (start == std::string_view::npos) return exts;
  size_t dot = name.find('.', start);
  while (dot != std::string_view::npos) {
    size_t next = name.find('.', dot + 1);
    exts.push_back(Lower(name.substr(dot + 1, next - dot - 1)));
    dot = next;
  }
  return exts;
}

}  // namespace

std::vector<Finding> CheckFileName(std::string_view name) {
  std::vector<Finding> out;
  std::set<std::string> seen;
  auto add = [&](std::string code, Severity sev, std::string msg) {
    if (seen.insert(code).second) out.push_back({code, sev, msg, false});
  };
  if (name.empty()) {
    add("filename.missing", Severity::kInfo, "no file name was declared");
    return out;
  }
  if (name.size() > kMaxNameBytes) {
    add("filename.too_long", Severity::kReject,
        "file name has " + std::to_string(name.size()) + " bytes (max 255)");
  }
  std::vector<char32_t> cps;
  if (!DecodeUtf8(name, &cps)) {
    add("filename.invalid_utf8", Severity::kReject,
        "file name is not valid UTF-8");
    return out;
  }

  for (char32_t c : cps) {
    if (IsControlChar(c)) {
      add("filename.control_char", Severity::kReject,
          "file name contains control characters (NUL, CR, LF, ESC, ...)");
    } else if (IsBidiControl(c)) {
      add("filename.bidi", Severity::kReject,
          "file name contains bidirectional override characters that "
          "disguise its extension");
    } else if (IsInvisibleChar(c)) {
      add("filename.invisible", Severity::kReject,
          "file name contains invisible characters");
    } else if (IsSeparator(c)) {
      add("filename.path", Severity::kReject,
          "file name contains a path separator");
    } else if (c == ':') {
      add("filename.stream", Severity::kReject,
          "file name contains ':' (drive letter or NTFS data stream)");
    }
  }
  std::string lower = Lower(name);
  for (const char* enc : {"%2e%2e", "%2f", "%5c", "%00", "%c0%af"}) {
    if (lower.find(enc) != std::string::npos) {
      add("filename.path", Severity::kReject,
          "file name contains an encoded path separator or NUL");
    }
  }
  if (name == "." || name == "..") {
    add("filename.path", Severity::kReject, "file name is a directory");
  }
  if (name.back() == '.' || name.back() == ' ') {
    add("filename.trailing_dot", Severity::kReject,
        "file name ends with a dot or space (Windows strips it)");
  }
  if (IsReserved(name)) {
    add("filename.reserved", Severity::kReject,
        "file name is a reserved Windows device name");
  }

  std::vector<std::string> exts = Extensions(name);
  if (!exts.empty() && IsExecutableExtension(exts.back())) {
    add("filename.executable_extension", Severity::kReject,
        "file name ends in a program extension ." + exts.back());
  }
  if (exts.size() >= 2) {
    const std::string& inner = exts[exts.size() - 2];
    if (inner != exts.back() && IsKnownExtension(inner)) {
      add("filename.double_extension", Severity::kReview,
          "file name has two extensions (." + inner + "." + exts.back() +
              ")");
    }
  }
  return out;
}

}  // namespace ds::gate::internal
