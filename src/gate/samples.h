// The harmless manipulated-sample catalogue (threat classes T01-T77 of
// notes/manipulated-files.md) with benign controls, generated at run time.
//
// Every sample is deterministic, carries an inert marker "ZDT-<id>-<sha8>"
// in its payload position, points only at `.invalid` hosts, loopback
// port 9 or non-existent programs, and uses policy-size bombs (a few
// hundred MiB at most when inflated). Nothing here is stored in the
// repository; EICAR is assembled at run time.
//
//   for (const Sample& s : GenerateSamples()) {
//     WriteFile(dir / s.id, s.bytes);
//     auto v = gate.Inspect(dir / s.id, {s.mime_type, s.filename}, policy);
//     bool ok = (v->decision == Decision::kClean) == (s.expect ==
//                                                     Expect::kClean);
//   }
//
// Used by the gate's tests and by the Prüfstand (policy: every inspectable
// type allowed, i.e. Policy::allow_all_inspectable).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ds::gate {

enum class Expect {
  kClean,     // benign control: a false positive if not clean
  kNotClean,  // attack: must be neutralised, quarantined or rejected
};

struct Sample {
  std::string id;           // "T10-js-names", "control-pdf"
  std::string threat;       // "T10" or "control"
  std::string description;  // English, one line
  Expect expect = Expect::kNotClean;
  std::string expected_code;  // a finding code the gate reports ("" if any)
  std::string filename;       // the declared name (may be hostile)
  std::string mime_type;      // the declared Content-Type
  std::string bytes;
  bool needs_clamd = false;   // only a virus scanner can tell
};

// The whole catalogue in a fixed order.
std::vector<Sample> GenerateSamples();

// "ZDT-<id>-<first 8 hex of SHA-256(id)>".
std::string Marker(std::string_view id);

// The 68-byte EICAR anti-virus test string (kept reversed in the source).
std::string EicarString();

}  // namespace ds::gate
