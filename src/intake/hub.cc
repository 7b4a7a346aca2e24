#include "intake/hub.h"

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <utility>
#include <thread>

#include "core/encoding.h"
#include "core/files.h"
#include "fitconnect/callback.h"
#include "intake/journal_sql.h"

namespace ds::intake {
namespace {

// A claim on a journal entry lasts this long unless renewed; after a hub
// process dies, its submissions wait at most this long for another one.
constexpr int kLeaseSeconds = 60;
constexpr auto kRenewClaimsEvery = std::chrono::seconds(15);

}  // namespace

Hub::Hub(HubSetup setup)
    : setup_(std::move(setup)),
      logger_(setup_.logger ? setup_.logger : &DefaultLogger()) {}

Hub::~Hub() = default;

Result<std::unique_ptr<Hub>> Hub::Create(HubSetup setup) {
  std::unique_ptr<Hub> hub(new Hub(std::move(setup)));
  HubSetup& s = hub->setup_;

  DS_RETURN_IF_ERROR(EnsureDir(s.data_dir));
  if (s.processor.spool_dir.empty()) s.processor.spool_dir = s.data_dir / "intake" / "spool";
  DS_RETURN_IF_ERROR(EnsureDir(s.processor.spool_dir));
  Metrics* metrics = &hub->metrics_;
  auto caller_on_step = s.processor.on_step;
  s.processor.on_step = [metrics, caller_on_step](std::string_view step, double seconds, bool ok) {
    if (ok) metrics->ObserveStep(step, seconds);
    else metrics->CountRetry(step);
    if (caller_on_step) caller_on_step(step, seconds, ok);
  };

  if (s.database_url.empty()) {
    DS_ASSIGN_OR_RETURN(hub->journal_, OpenSqliteJournal(s.data_dir / "intake" / "journal.sqlite",
                                                         /*release_claims=*/true));
  } else {
    DS_ASSIGN_OR_RETURN(hub->journal_, OpenPostgresJournal(s.database_url));
  }
  DS_ASSIGN_OR_RETURN(hub->store_, records::Store::Open(s.data_dir, s.database_url));
  DS_ASSIGN_OR_RETURN(auto schemas, fitconnect::MetadataSchemas::Load(s.specs_dir));
  hub->metadata_ = std::make_unique<fitconnect::MetadataSchemas>(std::move(schemas));
  hub->gate_ = std::make_unique<gate::Gate>(hub->logger_);
  hub->processor_ = std::make_unique<Processor>(
      s.processor, hub->journal_.get(), hub->store_.get(), hub->gate_.get(),
      hub->metadata_.get(), &s.data_schemas, hub->logger_);
  return hub;
}

const Destination* Hub::FindDestination(const std::string& id) const {
  for (const Destination& d : setup_.destinations) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

Result<int> Hub::PollOnce() {
  int fresh = 0;
  Status first;
  for (const Destination& d : setup_.destinations) {
    int64_t offset = 0;
    Status st;
    for (;;) {
      Result<submission_api::SubscriberClient::Page> page =
          d.api->ListSubmissions(d.id, offset, 100);
      if (!page.ok()) {
        st = page.status();
        break;
      }
      for (const auto& ref : page->submissions) {
        Result<bool> added = journal_->Receive(ref.submission_id, ref.case_id, d.id);
        if (!added.ok()) return added.status();
        if (*added) {
          ++fresh;
          logger_->Info("intake.received", {{"submission", ref.submission_id},
                                            {"destination", d.id}, {"via", "poll"}});
        }
      }
      offset += static_cast<int64_t>(page->submissions.size());
      if (page->submissions.empty() || offset >= page->total_count) break;
    }
    (void)journal_->NotePoll(d.id, UnixNow(), st.ok() ? "" : st.message());
    metrics_.CountPoll(d.id, st.ok());
    if (!st.ok()) {
      logger_->Warn("intake.poll_failed", {{"destination", d.id},
                                           {"code", std::string(CodeName(st.code()))}});
      if (first.ok()) first = st;
    }
  }
  if (!first.ok() && fresh == 0) return first;
  return fresh;
}

ProcessCounts Hub::ProcessDue() {
  ProcessCounts counts;
  for (;;) {
    Result<std::vector<JournalEntry>> due =
        journal_->ClaimDue(setup_.max_parallel, UnixNow(), kLeaseSeconds);
    if (!due.ok() || due->empty()) break;

    std::vector<std::pair<JournalEntry, std::future<Outcome>>> running;
    for (const JournalEntry& e : *due) {
      const Destination* d = FindDestination(e.destination_id);
      if (!d) {
        (void)journal_->Fail(e.submission_id, "destination no longer configured",
                             UnixNow() + 3600);
        continue;
      }
      running.emplace_back(e, std::async(std::launch::async,
                                         [this, d, e] { return processor_->Process(*d, e); }));
    }
    // The claims are renewed while the work runs: a long submission keeps
    // its claim, and the claims of a hub process that died go back to the
    // other processes within one lease.
    std::vector<std::string> claimed;
    for (const auto& [e, f] : running) claimed.push_back(e.submission_id);
    bool progress = false;
    for (auto& [e, f] : running) {
      while (f.wait_for(kRenewClaimsEvery) != std::future_status::ready) {
        int64_t now = UnixNow();
        Status renewed = journal_->ExtendClaims(claimed, now, now + kLeaseSeconds);
        if (!renewed.ok()) {
          logger_->Warn("intake.claims_not_renewed", {{"error", renewed.message()}});
        }
      }
      Outcome o = f.get();
      CountFinished(e, o);
      if (o.retry) ++counts.retrying;
      else progress = true;
      if (o.state == State::kAccepted) ++counts.accepted;
      if (o.state == State::kRejected) ++counts.rejected;
    }
    if (!progress) break;  // everything left waits for its retry time
  }
  return counts;
}

void Hub::CountFinished(const JournalEntry& e, const Outcome& o) {
  if (o.state == State::kAccepted && e.state != State::kAccepted) {
    metrics_.CountOutcome(e.destination_id, true, "");
  }
  if (o.state != State::kRejected || e.state == State::kRejected) return;
  nlohmann::json problems = nlohmann::json::parse(o.problems_json, nullptr, false);
  bool counted = false;
  if (problems.is_array()) {
    for (const auto& p : problems) {
      if (!p.is_object() || !p.contains("type") || !p["type"].is_string()) continue;
      metrics_.CountOutcome(e.destination_id, false, p["type"].get<std::string>());
      counted = true;
    }
  }
  if (!counted) metrics_.CountOutcome(e.destination_id, false, "unknown");
}

net::Response Hub::HandleCallback(const net::Request& r) {
  std::string id = r.param("destinationId");
  const Destination* d = FindDestination(id);
  if (!d || d->callback_secret.empty()) {
    return net::Response::Problem(NotFound("no callback for this destination"), r.path);
  }
  auto header = [&](const char* name) -> std::optional<std::string_view> {
    auto it = r.headers.find(name);
    if (it == r.headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  Result<std::string> body = r.ReadBody(1 << 20);
  if (!body.ok()) return net::Response::Problem(body.status(), r.path);
  Status ok = fitconnect::VerifyCallback(d->callback_secret, header("callback-authentication"),
                                         header("callback-timestamp"), *body, UnixNow());
  if (!ok.ok()) {
    logger_->Warn("intake.callback_refused", {{"destination", id},
                                              {"remote", r.remote_address}});
    metrics_.CountCallback(id, false);
    return net::Response::Problem(ok, r.path);
  }
  Result<fitconnect::CallbackNotification> note = fitconnect::ParseCallbackBody(*body);
  if (!note.ok()) return net::Response::Problem(note.status(), r.path);

  (void)journal_->NoteCallback(id, UnixNow());
  metrics_.CountCallback(id, true);
  for (const auto& s : note->submissions) {
    if (s.case_id.empty()) continue;  // deprecated form: polling will list it
    if (!s.destination_id.empty() && s.destination_id != id) continue;
    Result<bool> added = journal_->Receive(s.submission_id, s.case_id, id);
    if (added.ok() && *added) {
      logger_->Info("intake.received", {{"submission", s.submission_id},
                                        {"destination", id}, {"via", "callback"}});
    }
  }
  Wake();
  return net::Response::Empty(204);
}

void Hub::AddRoutes(net::Router& router) {
  router.Add("POST", "/callbacks/fit-connect/{destinationId}",
             [this](const net::Request& r) { return HandleCallback(r); });
  router.Add("GET", "/metrics", [this](const net::Request&) {
    std::vector<std::string> ids;
    for (const Destination& d : setup_.destinations) ids.push_back(d.id);
    return net::Response::Text(200, metrics_.Render(*journal_, ids),
                               "text/plain; version=0.0.4; charset=utf-8");
  });
}

void Hub::Wake() {
  std::lock_guard<std::mutex> lock(wake_mu_);
  woken_ = true;
  wake_cv_.notify_all();
}

void Hub::Run(const std::atomic<bool>& stop) {
  int64_t next_poll = 0;
  while (!stop.load()) {
    if (UnixNow() >= next_poll) {
      (void)PollOnce();
      next_poll = UnixNow() + setup_.poll_seconds;
    }
    ProcessDue();

    std::unique_lock<std::mutex> lock(wake_mu_);
    wake_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return woken_ || stop.load(); });
    woken_ = false;
  }
}

}  // namespace ds::intake
