// Test helpers of the gate: write bytes to a file and inspect them.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/log.h"
#include "gate/gate.h"

namespace ds::gate::testutil {

inline std::filesystem::path WriteBytes(const std::filesystem::path& dir,
                                        const std::string& name,
                                        const std::string& bytes) {
  std::filesystem::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

inline bool HasCode(const Verdict& v, const std::string& code) {
  return std::any_of(v.findings.begin(), v.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

inline std::string Codes(const Verdict& v) {
  std::string s;
  for (const Finding& f : v.findings) s += f.code + "(" + f.message + ") ";
  return s;
}

// A logger that drops everything (verdict lines would flood test output).
inline Logger* QuietLogger() {
  static Logger* logger = [] {
    auto* l = new Logger();
    l->set_level(LogLevel::kOff);
    return l;
  }();
  return logger;
}

// Every inspectable type, no clamd required: the CLI's --no-clamd mode.
inline Policy ScanPolicy() {
  Policy p;
  p.allow_all_inspectable = true;
  p.require_virus_scan = false;
  return p;
}

}  // namespace ds::gate::testutil
