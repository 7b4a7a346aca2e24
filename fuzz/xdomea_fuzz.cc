// Fuzzes the xdomea package and message reader: the first input byte picks
// the mode (even: the rest is a zip package, odd: an XML message), then the
// package is read with small limits and its message parsed and validated
// against the XSDs of $DREHSCHEIBE_SPECS. Whatever it accepts must keep the
// reader's promises: flat, checked names and a message within the limits.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/config.h"
#include "xdomea/xdomea.h"

namespace {

const ds::xdomea::Limits kLimits{.max_package_bytes = 1 << 20,
                                 .max_entries = 64,
                                 .max_entry_bytes = 1 << 20,
                                 .max_total_bytes = 4 << 20,
                                 .max_xml_bytes = 1 << 20};

const ds::xdomea::Validator& TheValidator() {
  static const ds::xdomea::Validator v(ds::ResolveSpecsDir(""), kLimits);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  ds::xdomea::Package package;
  if ((data[0] & 1) == 0) {
    auto read = ds::xdomea::ReadPackage(input, kLimits);
    if (!read.ok()) return 0;
    package = std::move(*read);
    if (package.message_name.empty() ||
        package.xml.size() > kLimits.max_xml_bytes) {
      abort();
    }
    for (const auto& [name, bytes] : package.files) {
      if (name.find('/') != std::string::npos || name.find("..") == 0) abort();
    }
  } else {
    package.message_name = "message.xml";
    package.xml = std::string(input);
  }

  auto report = TheValidator().ValidatePackage(package);
  if (report.ok() && report->version.size() != 5) abort();
  return 0;
}
