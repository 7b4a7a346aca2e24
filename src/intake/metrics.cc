#include "intake/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>

namespace ds::intake {

namespace pm = prometheus;

struct Metrics::Impl {
  pm::Registry registry;
  pm::Family<pm::Counter>& submissions =
      pm::BuildCounter()
          .Name("drehscheibe_intake_submissions_total")
          .Help("Submissions answered, by destination, outcome and problem type")
          .Register(registry);
  pm::Family<pm::Counter>& retries =
      pm::BuildCounter()
          .Name("drehscheibe_intake_step_retries_total")
          .Help("Temporary failures of a processing step, retried later")
          .Register(registry);
  pm::Family<pm::Histogram>& durations =
      pm::BuildHistogram()
          .Name("drehscheibe_intake_step_duration_seconds")
          .Help("Duration of one processing step of one submission")
          .Register(registry);
  pm::Family<pm::Gauge>& queue =
      pm::BuildGauge()
          .Name("drehscheibe_intake_queue_depth")
          .Help("Open journal entries by destination and state")
          .Register(registry);
  pm::Family<pm::Counter>& callbacks =
      pm::BuildCounter()
          .Name("drehscheibe_intake_callbacks_total")
          .Help("FIT-Connect callbacks received, by verification result")
          .Register(registry);
  pm::Family<pm::Counter>& polls =
      pm::BuildCounter()
          .Name("drehscheibe_intake_polls_total")
          .Help("Pickup polls of a destination, by result")
          .Register(registry);
};

namespace {

// Upper bounds in seconds: a check of a small submission takes
// milliseconds, a 500 MB attachment through decryption and the gate minutes.
const pm::Histogram::BucketBoundaries& Buckets() {
  static const pm::Histogram::BucketBoundaries kBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
  return kBuckets;
}

}  // namespace

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::CountOutcome(std::string_view destination, bool accepted,
                           std::string_view problem_type) {
  impl_->submissions
      .Add({{"destination", std::string(destination)},
            {"outcome", accepted ? "accepted" : "rejected"},
            {"problem", std::string(problem_type)}})
      .Increment();
}

void Metrics::CountRetry(std::string_view step) {
  impl_->retries.Add({{"step", std::string(step)}}).Increment();
}

void Metrics::ObserveStep(std::string_view step, double seconds) {
  impl_->durations.Add({{"step", std::string(step)}}, Buckets()).Observe(seconds);
}

void Metrics::CountCallback(std::string_view destination, bool accepted) {
  impl_->callbacks
      .Add({{"destination", std::string(destination)},
            {"result", accepted ? "accepted" : "refused"}})
      .Increment();
}

void Metrics::CountPoll(std::string_view destination, bool ok) {
  impl_->polls
      .Add({{"destination", std::string(destination)}, {"result", ok ? "ok" : "error"}})
      .Increment();
}

std::string Metrics::Render(Journal& journal, const std::vector<std::string>& destinations) {
  for (const std::string& d : destinations) {
    Result<std::vector<JournalEntry>> open = journal.List(d, /*only_open=*/true);
    if (!open.ok()) continue;
    std::map<State, int> by_state;
    for (State s : {State::kReceived, State::kFetched, State::kChecked, State::kFiled,
                    State::kRejecting}) {
      by_state[s] = 0;
    }
    for (const JournalEntry& e : *open) ++by_state[e.state];
    for (const auto& [state, n] : by_state) {
      impl_->queue.Add({{"destination", d}, {"state", std::string(StateName(state))}})
          .Set(n);
    }
  }
  return pm::TextSerializer().Serialize(impl_->registry.Collect());
}

}  // namespace ds::intake
