// The processing of one FIT-Connect submission by the subscriber, step by
// step as FIT-Connect prescribes (notes/fit-connect.md §3), each step
// persisted in the Journal before the next starts:
//
//   Fetch   the submission, its encrypted attachments and the case's event
//           log into the spool (kept: the encrypted original stays for
//           inspection when the submission is rejected)
//   Check   event log (signatures, claims, exactly one submit-submission,
//           its authentication tags) → metadata (tag, decrypt with our key,
//           syntax, version, schema, service, reply channel) → data (tag,
//           decrypt, schema the destination accepts, hash) → attachments
//           (tag, decrypt streaming, hash, completeness) → the gate
//   File    into the E-Akte, idempotent on the submission id
//   Answer  accept-submission with the authentication tags, only after
//           filing; reject-submission with problems when a check failed
//
// A failed check ends in a reject with the FIT-Connect problem of that
// check. A failure of ours or of a neighbour (network, clamd, disk) is not
// the sender's fault: the step is retried later with backoff.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "fitconnect/metadata.h"
#include "gate/gate.h"
#include "intake/data_schemas.h"
#include "intake/journal.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "records/store.h"
#include "submission_api/client.h"

namespace ds::intake {

// A destination the hub receives for, ready to use.
struct Destination {
  std::string id;
  std::string tenant;
  jose::KeyRing decryption_keys;  // current keys
  jose::KeyRing retired_keys;     // rolled-over keys
  bool accept_retired = false;
  std::optional<jose::Jwk> signing_key;  // for accept/reject events; required
  std::string callback_secret;
  // The Zustelldienst whose event tokens are trusted (its SET `iss`).
  std::string trusted_issuer;
  std::shared_ptr<submission_api::SubscriberClient> api;
};

struct ProcessorOptions {
  std::filesystem::path spool_dir;  // <data>/intake/spool
  gate::Policy gate_policy;
  jose::KeyPolicy key_policy;       // for event-log signature keys
  uint64_t max_attachment_bytes = 500ull << 20;
  bool keep_accepted_originals = false;
  // Called after each step of a submission (fetch, check, file, accept,
  // reject) with its duration, and with ok=false when the step failed
  // temporarily and will be retried. Optional; must be thread-safe.
  std::function<void(std::string_view step, double seconds, bool ok)> on_step;
};

// Outcome of one Process() call.
struct Outcome {
  State state = State::kReceived;  // state reached
  bool retry = false;              // a step failed temporarily
  std::string error;               // why, when retry
  std::string problems_json;       // the reject problems, when rejected
};

class Processor {
 public:
  // All pointers must outlive the processor.
  Processor(ProcessorOptions options, Journal* journal, records::Store* store,
            const gate::Gate* gate, const fitconnect::MetadataSchemas* metadata,
            const DataSchemas* data, Logger* logger);

  // Takes the submission of `entry` as far as it can go now. Thread-safe for
  // different submissions; callers never process one submission twice at
  // once (the journal's claims ensure it).
  Outcome Process(const Destination& destination, const JournalEntry& entry);

 private:
  struct Checked;

  Status Fetch(const Destination& d, const JournalEntry& e);
  Result<Checked> Check(const Destination& d, const JournalEntry& e);
  Result<std::string> File(const Destination& d, const JournalEntry& e, const Checked& c);
  Result<std::string> StoreSearchText(const gate::Verdict& v,
                                      const std::filesystem::path& plain_path,
                                      const std::string& address);
  Status Answer(const Destination& d, const JournalEntry& e, bool accept,
                const std::string& problems_json);

  std::filesystem::path SpoolOf(const JournalEntry& e) const;

  ProcessorOptions options_;
  Journal* journal_;
  records::Store* store_;
  const gate::Gate* gate_;
  const fitconnect::MetadataSchemas* metadata_;
  const DataSchemas* data_;
  Logger* logger_;
};

}  // namespace ds::intake
