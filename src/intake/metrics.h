// Operational metrics of the intake, exposed in the Prometheus text format
// at GET /metrics of the hub:
//
//   drehscheibe_intake_submissions_total{destination,outcome,problem}
//       finished submissions: outcome "accepted" or "rejected"; problem is
//       the FIT-Connect problem type of a rejection ("" when accepted)
//   drehscheibe_intake_step_retries_total{step}
//       temporary failures of a step (network, clamd, disk), retried later
//   drehscheibe_intake_step_duration_seconds{step}
//       histogram per step: fetch, check, file, accept, reject
//   drehscheibe_intake_queue_depth{destination,state}
//       open journal entries, read from the journal at scrape time
//   drehscheibe_intake_callbacks_total{destination,result}
//       callbacks received: "accepted" (valid HMAC) or "refused"
//   drehscheibe_intake_polls_total{destination,result}
//       pickup polls: "ok" or "error"
//
// Labels carry identifiers only (destination ids, step and problem names),
// never personal data. Counters restart at zero with the process, as
// Prometheus expects. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "intake/journal.h"

namespace ds::intake {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void CountOutcome(std::string_view destination, bool accepted,
                    std::string_view problem_type);
  void CountRetry(std::string_view step);
  void ObserveStep(std::string_view step, double seconds);
  void CountCallback(std::string_view destination, bool accepted);
  void CountPoll(std::string_view destination, bool ok);

  // The text exposition (version 0.0.4). Queue depth is read from `journal`
  // for `destinations`; a journal error leaves the gauges at their last value.
  std::string Render(Journal& journal, const std::vector<std::string>& destinations);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ds::intake
