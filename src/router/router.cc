#include "router/router.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "core/time.h"

namespace ds::router {
namespace {

constexpr int64_t kMaxFormBytes = 4 << 20;
constexpr int kClaimBatch = 32;  // deliveries of a target claimed at once

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Router::Router(records::Store& store, RouterOptions options,
               std::unique_ptr<Outbox> outbox)
    : store_(store),
      options_(std::move(options)),
      outbox_(std::move(outbox)),
      rng_(std::random_device{}()) {}

Result<std::unique_ptr<Router>> Router::Open(records::Store& store,
                                             RouterOptions options) {
  DS_ASSIGN_OR_RETURN(auto outbox,
                      Outbox::Open(options.data_dir, options.database_url));
  std::unique_ptr<Router> router(
      new Router(store, std::move(options), std::move(outbox)));
  for (const TargetConfig& t : router->options_.config.targets) {
    if (t.kind == "feed") continue;  // pulled, nothing to send
    DS_ASSIGN_OR_RETURN(auto transport, router->options_.transports.Make(t));
    router->transports_[t.id] = std::move(transport);
  }
  return router;
}

// ---- rules --------------------------------------------------------------

Result<std::vector<Rule>> Router::Rules(const std::string& tenant,
                                        bool* from_api) {
  DS_ASSIGN_OR_RETURN(auto stored, outbox_->LoadRules(tenant));
  if (from_api) *from_api = stored.has_value();
  if (stored) return std::move(*stored);
  std::vector<Rule> out;
  for (const Rule& r : options_.config.rules) {
    if (r.tenant == tenant) out.push_back(r);
  }
  return out;
}

Status Router::SetRules(const std::string& tenant,
                        const std::vector<Rule>& rules,
                        const std::string& actor) {
  std::set<std::string> names;
  for (const Rule& r : rules) {
    DS_RETURN_IF_ERROR(CheckRule(r));
    if (!names.insert(r.name).second) {
      return InvalidInput("rule " + r.name + ": the name is used twice");
    }
    for (const std::string& id : r.targets) {
      const TargetConfig* t = FindTarget(options_.config, id);
      if (!t || t->tenant != tenant) {
        return InvalidInput("rule " + r.name + ": unknown target " + id);
      }
    }
  }
  DS_RETURN_IF_ERROR(outbox_->SaveRules(tenant, rules, actor, NowMs()));
  return store_.AppendAudit(tenant, actor, records::kActionConfigure, {},
                            {{"object", "routing-rules"},
                             {"rules", static_cast<int64_t>(rules.size())}});
}

Result<std::optional<nlohmann::json>> Router::FormOf(const records::Vorgang& v,
                                                     const std::string& actor) {
  for (const records::Dokument& d : v.dokumente) {
    if (d.position != 0) continue;
    for (const records::Format& f : d.formats) {
      if (f.kind != "original" || f.content_address.empty() ||
          f.mime_type.find("json") == std::string::npos ||
          f.size > kMaxFormBytes) {
        continue;
      }
      // Audited as a read of content by the router.
      DS_ASSIGN_OR_RETURN(std::string text,
                          store_.ReadContent(v.tenant, f.id, actor));
      nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded()) return std::optional<nlohmann::json>();
      return std::optional<nlohmann::json>(std::move(j));
    }
  }
  return std::optional<nlohmann::json>();
}

Result<RoutePlan> Router::DryRun(const std::string& tenant,
                                 const CaseFacts& facts) {
  DS_ASSIGN_OR_RETURN(std::vector<Rule> rules, Rules(tenant));
  return RoutePlan{.decision = Evaluate(rules, facts),
                   .form_read = facts.form.has_value()};
}

Result<RoutePlan> Router::DryRunVorgang(const std::string& tenant,
                                        const std::string& vorgang_id,
                                        const std::string& actor) {
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      store_.GetVorgang(tenant, vorgang_id));
  DS_ASSIGN_OR_RETURN(std::vector<Rule> rules, Rules(tenant));
  CaseFacts facts{.service_identifier = v.service_identifier,
                  .destination_id = v.destination_id,
                  .data_schema = v.data_schema};
  if (NeedsForm(rules, !v.data_schema.empty())) {
    DS_ASSIGN_OR_RETURN(facts.form, FormOf(v, actor));
  }
  return RoutePlan{.decision = Evaluate(rules, facts),
                   .form_read = facts.form.has_value()};
}

// ---- routing new cases ----------------------------------------------------

Result<int> Router::RouteNew(int limit) {
  const int64_t lease = options_.config.lease_ms;
  DS_ASSIGN_OR_RETURN(std::vector<NewCase> cases,
                      outbox_->ClaimNew(limit, NowMs(), lease));
  for (const NewCase& c : cases) {
    Status st = RouteOne(c);
    if (!st.ok()) {
      // The claim runs out and the case is routed again later.
      log().Warn("router.route_failed",
                 {{"vorgang_id", c.vorgang_id}, {"error", st.message()}});
    }
  }

  // Cases whose routing state did not reach the E-Akte (crash in between).
  DS_ASSIGN_OR_RETURN(auto unrecorded,
                      outbox_->Unrecorded(NowMs() - lease, limit));
  for (const NewCase& c : unrecorded) {
    Status st = Record(c.tenant, c.vorgang_id);
    if (!st.ok()) {
      log().Warn("router.record_failed",
                 {{"vorgang_id", c.vorgang_id}, {"error", st.message()}});
    }
  }
  return static_cast<int>(cases.size());
}

Status Router::RouteOne(const NewCase& c) {
  DS_ASSIGN_OR_RETURN(RoutePlan plan,
                      DryRunVorgang(c.tenant, c.vorgang_id, options_.actor));

  // Only configured targets of the case's tenant receive it.
  std::vector<std::string> targets;
  for (const std::string& id : plan.decision.targets) {
    const TargetConfig* t = FindTarget(options_.config, id);
    if (t && t->tenant == c.tenant) {
      targets.push_back(id);
    } else {
      log().Warn("router.unknown_target",
                 {{"vorgang_id", c.vorgang_id}, {"target", id}});
    }
  }
  DS_RETURN_IF_ERROR(
      outbox_->SaveRoute(c, plan.decision.rule, targets, NowMs()));

  std::string state = targets.empty() ? "manual" : "routing";
  std::string detail =
      targets.empty() ? "no rule matched; stays in the Posteingang"
                      : "rule " + plan.decision.rule + ": " + Join(targets);
  DS_RETURN_IF_ERROR(store_.RecordRouting(c.tenant, c.vorgang_id, state, detail,
                                          options_.actor));
  log().Info("router.routed",
             {{"vorgang_id", c.vorgang_id},
              {"state", state},
              {"targets", static_cast<int64_t>(targets.size())}});
  return Status::Ok();
}

Status Router::Record(const std::string& tenant,
                      const std::string& vorgang_id) {
  DS_ASSIGN_OR_RETURN(std::vector<Delivery> ds,
                      outbox_->ForVorgang(tenant, vorgang_id));
  DS_ASSIGN_OR_RETURN(std::string state, outbox_->CaseState(vorgang_id));
  std::string detail;
  for (const Delivery& d : ds) {
    detail += (detail.empty() ? "" : ", ") + d.target + " " + d.state;
  }
  if (ds.empty()) detail = "no rule matched; stays in the Posteingang";
  return store_.RecordRouting(tenant, vorgang_id, state, detail,
                              options_.actor);
}

// ---- delivery -----------------------------------------------------------

Result<int> Router::DeliverDue(int limit) {
  int attempted = 0;
  for (const TargetConfig& target : options_.config.targets) {
    auto it = transports_.find(target.id);
    if (it == transports_.end()) continue;  // feed: pulled
    // A run must end within the lease even if every attempt takes the full
    // timeout, or another router could take its tail over.
    const int batch = static_cast<int>(std::clamp<int64_t>(
        options_.config.lease_ms / (int64_t{target.timeout_seconds} * 1000), 1,
        kClaimBatch));
    bool blocked = false;
    while (!blocked && attempted < limit) {
      DS_ASSIGN_OR_RETURN(
          std::vector<Delivery> run,
          outbox_->ClaimHeads(target.id, NowMs(), options_.config.lease_ms,
                              std::min(batch, limit - attempted)));
      if (run.empty()) break;
      for (size_t i = 0; i < run.size(); ++i) {
        if (blocked) {
          DS_RETURN_IF_ERROR(outbox_->Release(run[i].id));
          continue;
        }
        ++attempted;
        DS_ASSIGN_OR_RETURN(bool delivered,
                            TryDelivery(target, *it->second, run[i]));
        // Strict order per target: a failed head waits for its backoff,
        // and the deliveries behind it wait too.
        blocked = !delivered;
      }
    }
  }
  return attempted;
}

Result<bool> Router::TryDelivery(const TargetConfig& target,
                                 Transport& transport, const Delivery& d) {
  auto start = std::chrono::steady_clock::now();
  Result<std::string> body = Payload(d);
  Result<router::Attempt> r =
      body.ok() ? transport.Deliver({.delivery_id = d.id,
                                     .idempotency_key = d.id,
                                     .vorgang_id = d.vorgang_id,
                                     .tenant = d.tenant,
                                     .attempt = d.attempts + 1,
                                     .body = *body})
                : Result<router::Attempt>(body.status());
  bool delivered = r.ok() && r->delivered;
  bool permanent = !delivered && r.ok() && r->permanent;
  std::string detail = r.ok() ? r->detail : r.status().message();
  if (permanent) detail += " (refused for good, not retried)";
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count();
  log().Info("router.attempt", {{"delivery_id", d.id},
                                {"target", target.id},
                                {"attempt", int64_t{d.attempts + 1}},
                                {"delivered", delivered},
                                {"permanent", permanent},
                                {"detail", detail},
                                {"ms", ms}});

  // What the receiver said about its filing (a DMS's ids) belongs to the
  // case's record, before the outcome is: a crash in between repeats the
  // attempt, and a second entry is better than none.
  if (r.ok() && !r->receipt.empty()) {
    nlohmann::json receipt = nlohmann::json::parse(r->receipt, nullptr, false);
    if (receipt.is_object()) {
      DS_RETURN_IF_ERROR(store_.AppendAudit(
          d.tenant, options_.actor, records::kActionRoute, {d.vorgang_id},
          {{"target", target.id},
           {"delivery_id", d.id},
           {"delivered", delivered},
           {"receipt", std::move(receipt)}}));
    }
  }
  if (delivered) {
    DS_RETURN_IF_ERROR(outbox_->Delivered(d.id, NowMs()));
  } else if (permanent || d.attempts + 1 >= target.max_attempts) {
    DS_RETURN_IF_ERROR(outbox_->Dead(d.id, detail));
    log().Warn("router.dead_letter",
               {{"delivery_id", d.id}, {"target", target.id}});
  } else {
    DS_RETURN_IF_ERROR(outbox_->Retry(
        d.id, detail, NowMs() + Backoff(target, d.attempts + 1)));
    return false;
  }
  DS_RETURN_IF_ERROR(Record(d.tenant, d.vorgang_id));
  return delivered;
}

int64_t Router::Backoff(const TargetConfig& target, int attempts) {
  int64_t delay = target.backoff_initial_ms;
  for (int i = 1; i < attempts && delay < target.backoff_max_ms; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, target.backoff_max_ms);
  // Jitter: somewhere in the upper half, so that targets coming back do
  // not get every router's retries at the same instant.
  std::lock_guard<std::mutex> lock(rng_mu_);
  std::uniform_int_distribution<int64_t> jitter(delay / 2, delay);
  return jitter(rng_);
}

void Router::Run(const std::atomic<bool>& stop) {
  log().Info(
      "router.started",
      {{"targets", static_cast<int64_t>(options_.config.targets.size())}});
  while (!stop.load()) {
    int work = 0;
    Result<int> routed = RouteNew();
    if (routed.ok()) {
      work += *routed;
    } else {
      log().Warn("router.loop",
                 {{"step", "route"}, {"error", routed.status().message()}});
    }
    Result<int> delivered = DeliverDue();
    if (delivered.ok()) {
      work += *delivered;
    } else {
      log().Warn("router.loop", {{"step", "deliver"},
                                 {"error", delivered.status().message()}});
    }
    if (work > 0) continue;
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(options_.config.poll_ms);
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(options_.config.poll_ms, 20)));
    }
  }
}

// ---- payload ------------------------------------------------------------

Result<std::string> Router::Payload(const Delivery& d) {
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      store_.GetVorgang(d.tenant, d.vorgang_id));
  const std::string& base = options_.config.public_base_url;
  nlohmann::json docs = nlohmann::json::array();
  for (const records::Dokument& doc : v.dokumente) {
    nlohmann::json formats = nlohmann::json::array();
    for (const records::Format& f : doc.formats) {
      formats.push_back(
          {{"id", f.id},
           {"kind", f.kind},
           {"mime_type", f.mime_type},
           {"size", f.size},
           {"filename", f.filename},
           {"content_url", base + "/api/v1/formats/" + f.id + "/content"}});
    }
    docs.push_back({{"id", doc.id},
                    {"position", doc.position},
                    {"purpose", doc.purpose},
                    {"verdict", records::VerdictName(doc.verdict)},
                    {"formats", formats}});
  }
  nlohmann::json body = {
      {"delivery_id", d.id},
      {"idempotency_key", d.id},
      {"target", d.target},
      {"vorgang",
       {{"id", v.id},
        {"tenant", v.tenant},
        {"submission_id", v.submission_id},
        {"case_id", v.case_id},
        {"destination_id", v.destination_id},
        {"service_identifier", v.service_identifier},
        {"service_name", v.service_name},
        {"data_schema", v.data_schema.empty() ? nlohmann::json()
                                              : nlohmann::json(v.data_schema)},
        {"subject", v.subject},
        {"received_at", Rfc3339Utc(v.received_at)},
        {"worst_verdict", records::VerdictName(v.worst_verdict)}}},
      {"dokumente", docs}};
  return body.dump();
}

}  // namespace ds::router
