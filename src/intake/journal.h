// The intake journal: one row per submission the hub has seen, with the
// state of its processing, persisted before each step.
//
//   received ─► fetched ─► checked ─► filed ─► accepted
//        │          │          └──────► rejecting ─► rejected
//        └──────────┴─► (a failed check: rejecting)
//
// States only move forward. A crash between two states repeats the work of
// the later step, which is idempotent: fetching and checking only write to
// the submission's own spool directory and to the content-addressed store,
// filing is idempotent on the submission id, and an answer is posted only
// after the event log shows that none was posted before.
//
// Thread-safety: implementations serialise access internally; several hub
// processes may share one PostgreSQL journal (claims skip rows locked by
// another process).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ds::intake {

enum class State {
  kReceived,   // listed by the Zustelldienst, nothing fetched yet
  kFetched,    // encrypted originals and event log are in the spool
  kChecked,    // every FIT-Connect check and the gate passed
  kFiled,      // the Vorgang exists in the E-Akte
  kAccepted,   // accept-submission posted (terminal)
  kRejecting,  // a check failed; problems recorded, reject not yet posted
  kRejected,   // reject-submission posted (terminal)
};

std::string_view StateName(State state);
Result<State> ParseState(std::string_view name);
bool IsTerminal(State state);

struct JournalEntry {
  std::string submission_id;
  std::string case_id;
  std::string destination_id;
  State state = State::kReceived;
  int attempts = 0;            // failed attempts of the current step
  int64_t next_attempt_at = 0; // unix seconds; 0 = now
  std::string last_error;      // operator text, no personal data
  std::string problems_json;   // reject problems (FIT-Connect), when rejecting
  std::string vorgang_id;      // when filed
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct DestinationStatus {
  std::string destination_id;
  int64_t last_poll_at = 0;
  int64_t last_callback_at = 0;
  std::string last_error;
  int64_t last_error_at = 0;
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Records a submission as received unless it is known; returns true if new.
  virtual Result<bool> Receive(const std::string& submission_id,
                               const std::string& case_id,
                               const std::string& destination_id) = 0;

  // Moves a submission forward. kConflict if `to` is not after its state.
  virtual Status Advance(const std::string& submission_id, State to,
                         const std::string& vorgang_id = "",
                         const std::string& problems_json = "") = 0;

  // Records a failed attempt of the current step and when to retry.
  virtual Status Fail(const std::string& submission_id, const std::string& error,
                      int64_t retry_at) = 0;

  virtual Result<std::optional<JournalEntry>> Get(const std::string& submission_id) = 0;

  // Up to `limit` non-terminal entries whose retry time has come, oldest
  // first. Entries handed out are claimed for `lease_seconds` so that other
  // workers (and other processes) skip them.
  virtual Result<std::vector<JournalEntry>> ClaimDue(int limit, int64_t now,
                                                     int lease_seconds) = 0;
  // Moves the claims on `submission_ids` that are still held (claimed
  // until after `now`, not finished) to `until`: a worker renews its claims
  // while a long submission runs, so that the lease can stay short.
  virtual Status ExtendClaims(const std::vector<std::string>& submission_ids, int64_t now,
                              int64_t until) = 0;

  virtual Result<std::vector<JournalEntry>> List(const std::string& destination_id,
                                                 bool only_open) = 0;

  virtual Status NotePoll(const std::string& destination_id, int64_t at,
                          const std::string& error) = 0;
  virtual Status NoteCallback(const std::string& destination_id, int64_t at) = 0;
  virtual Result<std::vector<DestinationStatus>> Destinations() = 0;
};

}  // namespace ds::intake
