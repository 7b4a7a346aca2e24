// The hub's intake loop: learns of new submissions by callback (HMAC
// verified) or by polling each destination, records them in the journal
// and processes due ones with bounded concurrency.
//
//   DS_ASSIGN_OR_RETURN(auto hub, ds::intake::Hub::Create(setup));
//   hub->AddRoutes(router);          // POST /callbacks/fit-connect/{destinationId},
//                                    // GET /metrics (intake/metrics.h)
//   hub->Run(stop);                  // until `stop` is set
//
// Thread-safety: Run() on one thread; callbacks arrive on the HTTP server's
// threads; PollOnce/ProcessDue may be called directly (tests, demo --once)
// when Run() is not running.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "fitconnect/metadata.h"
#include "gate/gate.h"
#include "intake/data_schemas.h"
#include "intake/journal.h"
#include "intake/metrics.h"
#include "intake/processor.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::intake {

struct HubSetup {
  std::filesystem::path data_dir;
  std::filesystem::path specs_dir;
  // PostgreSQL connection string for the E-Akte and the journal; empty:
  // SQLite in data_dir. Files always live in data_dir (shared storage when
  // several hub processes run on different machines).
  std::string database_url;
  std::vector<Destination> destinations;
  DataSchemas data_schemas;
  ProcessorOptions processor;   // spool_dir defaults to <data>/intake/spool
  int poll_seconds = 30;
  int max_parallel = 4;
  Logger* logger = nullptr;     // DefaultLogger() if null
};

// Counts of one ProcessDue() run.
struct ProcessCounts {
  int accepted = 0;
  int rejected = 0;
  int retrying = 0;
};

class Hub {
 public:
  static Result<std::unique_ptr<Hub>> Create(HubSetup setup);
  ~Hub();

  // Lists every destination's pending submissions and journals new ones.
  // Returns how many were new. Errors per destination are noted in the
  // journal (intake status) and logged; the first is returned.
  Result<int> PollOnce();

  // Processes every due journal entry, up to max_parallel at a time.
  ProcessCounts ProcessDue();

  // Registers the callback endpoint and GET /metrics on `router`.
  void AddRoutes(net::Router& router);

  // Polls and processes until `stop` becomes true; wakes early on callbacks.
  void Run(const std::atomic<bool>& stop);
  void Wake();

  Journal& journal() { return *journal_; }
  records::Store& store() { return *store_; }
  Metrics& metrics() { return metrics_; }

 private:
  explicit Hub(HubSetup setup);
  const Destination* FindDestination(const std::string& id) const;
  net::Response HandleCallback(const net::Request& request);
  void CountFinished(const JournalEntry& entry, const Outcome& outcome);

  HubSetup setup_;
  Logger* logger_;
  Metrics metrics_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<records::Store> store_;
  std::unique_ptr<gate::Gate> gate_;
  std::unique_ptr<fitconnect::MetadataSchemas> metadata_;
  std::unique_ptr<Processor> processor_;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;  // guarded by wake_mu_
};

}  // namespace ds::intake
