// `drehscheibe demo`: a local Zustelldienst and the hub in one process, on
// the embedded defaults (data directory, SQLite, files), fed with sample
// applications sent over FIT-Connect as a portal would send them.
//
// The first run creates the demo's keys (RSA-4096, a few seconds), a
// destination, a sender and a subscriber client under <data>/demo; later
// runs reuse them, so the data directory keeps one consistent history and
// `drehscheibe audit verify` checks what the demo filed.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"

namespace ds::demo {

struct DemoOptions {
  std::filesystem::path data_dir;
  std::filesystem::path specs_dir;
  int count = 3;                       // applications to send
  bool once = true;                    // process, summarise, return
  std::string hub_listen = "127.0.0.1:8470";  // page and callbacks
  std::string clamd_socket;            // empty: no virus scan
  // A TOML file with [[routing.targets]] and [[routing.rules]] (keys as in
  // the hub's configuration) added to the demo's routing; its rules are
  // tried before the demo's catch-all rule. "" = none.
  std::filesystem::path routing_file;
  int timeout_seconds = 180;           // for --once
  Logger* logger = nullptr;
  // Progress lines for a person ("sent 2/3", "hub at http://...").
  std::function<void(const std::string&)> progress;
  // Without `once`: runs until this becomes true.
  const std::atomic<bool>* stop = nullptr;
};

struct DemoCase {
  std::string label;
  std::string submission_id;
  std::string case_id;
  std::string state;        // accepted, rejected, or the intake state reached
  std::string vorgang_id;   // when filed
  std::string problems;     // JSON of reject problems
};

struct DemoSummary {
  int sent = 0;
  int received = 0;   // submissions the hub has in its journal from this run
  int accepted = 0;
  int rejected = 0;
  int pending = 0;
  int filed_total = 0;  // Vorgänge in the E-Akte, all runs
  int delivered = 0;    // cases the demo Fachverfahren received (this run)
  // xdomea packages in the demo DMS's exchange directory (all runs).
  int dms_packages = 0;
  std::filesystem::path dms_dir;
  std::string hub_url;
  bool virus_scan = false;
  std::vector<DemoCase> cases;
};

Result<DemoSummary> RunDemo(const DemoOptions& options);

}  // namespace ds::demo
