// A Prüfstand run: the catalogue against one target, into a protocol.
//
//   std::vector<ds::gate::Sample> samples = ds::gate::GenerateSamples();
//   DS_ASSIGN_OR_RETURN(auto target, ds::pruefstand::MakeGateTarget({}));
//   ds::pruefstand::RunOptions o;
//   o.progress = [](int n, int total, const std::string& id) { ... };
//   DS_ASSIGN_OR_RETURN(nlohmann::json protocol,
//                       ds::pruefstand::Run(*target, samples, o));
//   DS_RETURN_IF_ERROR(ds::pruefstand::WriteProtocol(protocol, out_dir));
//
// Safety: the samples are harmless by construction (inert markers,
// `.invalid` hosts, loopback port 9, policy-size bombs). Run refuses a
// target that contacts anything outside loopback unless `authorised_by`
// names who authorised the test; the protocol records it.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "gate/samples.h"
#include "pruefstand/target.h"

namespace ds::pruefstand {

// True if the URL's host is 127.0.0.0/8, ::1 or "localhost".
bool IsLoopbackUrl(std::string_view url);

// OK if every URL is loopback or `authorised_by` is not blank; otherwise
// kUsage naming the first URL outside loopback.
Status CheckTargetAllowed(const std::vector<std::string>& urls,
                          std::string_view authorised_by);

struct RunOptions {
  // Who authorised a test of a platform outside loopback (a person or an
  // office, with the date of the authorisation if there is one).
  std::string authorised_by;
  // Samples delivered at once (fitconnect, upload); the gate runs one at a
  // time so that its timings stay comparable.
  int parallel = 1;
  // Subset: keep samples whose id or threat is listed ("T10", "control",
  // "T41-overlap-3"); empty keeps all.
  std::vector<std::string> only;
  // Subset: at most this many samples per threat class (0: all). Applied
  // after `only`; the protocol records the selection.
  int per_threat = 0;
  // Called after each sample from the delivering thread (serialised).
  std::function<void(int done, int total, const std::string& sample_id)>
      progress;
  // Stamped into the protocol (tool.version).
  std::string tool_version = "0.1.0";
};

// Delivers the selected samples and builds the protocol (see
// docs/pruefstand-protocol.md). Errors: kUsage for a target outside
// loopback without authorisation or a selection that keeps no sample.
// Failures of single deliveries are rows with outcome "error", not errors.
Result<nlohmann::json> Run(Target& target,
                           const std::vector<gate::Sample>& catalogue,
                           const RunOptions& options);

// Writes `dir`/protocol.json and `dir`/report.html (creating `dir`).
Status WriteProtocol(const nlohmann::json& protocol,
                     const std::filesystem::path& dir);

}  // namespace ds::pruefstand
