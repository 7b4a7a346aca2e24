// The router: distributes filed Vorgänge from the E-Akte to Fachverfahren
// and takes their answers back (docs/router.md).
//
// Delivery is driven by the E-Akte's committed state, never by memory:
// Store::FileSubmission commits every Vorgang with state "new" (the
// outbox); RouteNew claims such Vorgänge, evaluates the tenant's rules and
// writes one delivery per target in one transaction; DeliverDue then sends
// each target's deliveries in order with retries, exponential backoff with
// jitter and, after the target's max_attempts, a dead letter that an
// operator can list and redeliver. A crash anywhere resumes from the
// tables; receivers drop repeats by the idempotency key (at least once).
//
//   DS_ASSIGN_OR_RETURN(auto router,
//       ds::router::Router::Open(store, {.data_dir = dir, .config = cfg}));
//   std::thread loop([&] { router->Run(stop); });     // or, step by step:
//   router->RouteNew();  router->DeliverDue();
//
// Thread-safety: Run on one thread; the other members may be called from
// API threads at the same time. Several processes may run routers on one
// PostgreSQL database (claims with FOR UPDATE SKIP LOCKED and leases).
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "gate/gate.h"
#include "records/store.h"
#include "router/config.h"
#include "router/outbox.h"
#include "router/rules.h"
#include "router/transport.h"

namespace ds::router {

struct RouterOptions {
  std::filesystem::path data_dir;  // SQLite: <data_dir>/records.sqlite
  std::string database_url;        // PostgreSQL (the E-Akte's); "" = SQLite
  RoutingConfig config;
  TransportRegistry transports = TransportRegistry::WithDefaults();
  Logger* logger = nullptr;  // nullptr: DefaultLogger()
  // The gate's policy for documents from Fachverfahren (FileDocument): PDF
  // only; set clamd_socket as for the intake. Without clamd a document is
  // filed as quarantined unless require_virus_scan is false.
  gate::Policy document_policy = {.allowed_types = {"pdf"}};
  std::string actor = "router";  // audit actor of the router's own acts
};

// Where a case would go (dry run) or went.
struct RoutePlan {
  RouteDecision decision;
  bool form_read = false;  // the form data was JSON and was looked at
};

// A status report from a Fachverfahren (the way back).
struct StatusInput {
  std::string status;  // short code, e.g. "in-bearbeitung", "beschieden"
  std::string note;    // free text for the file, not sent anywhere
  bool notify = true;  // record an answer to the citizen
};

// A document (a Bescheid) from a Fachverfahren.
struct DocumentInput {
  std::string filename;
  std::string mime_type;  // declared; checked against the content
  std::string content;    // the bytes
  std::string doc_class;  // retention class, "" = "default"
  bool bescheid = true;   // answer the citizen with it
};

struct DocumentReceipt {
  std::string dokument_id;
  std::string outgoing_id;  // "" if no answer was recorded
};

class Router {
 public:
  // Opens the router's own connection to the E-Akte's database and creates
  // its tables. `store` must outlive the router. kInvalidInput for a
  // target kind without transport.
  static Result<std::unique_ptr<Router>> Open(records::Store& store,
                                              RouterOptions options);

  // Claims new Vorgänge and writes their deliveries; returns how many
  // cases it routed (or left in the Posteingang).
  Result<int> RouteNew(int limit = 100);
  // Attempts every due delivery (at most `limit`); returns how many were
  // attempted.
  Result<int> DeliverDue(int limit = 1000);
  // RouteNew and DeliverDue until `stop`, sleeping poll_ms when idle.
  void Run(const std::atomic<bool>& stop);

  // Where a Vorgang would go now, without delivering or recording anything
  // but the audited read of its form data.
  Result<RoutePlan> DryRunVorgang(const std::string& tenant,
                                  const std::string& vorgang_id,
                                  const std::string& actor);
  // Where a case with these facts would go.
  Result<RoutePlan> DryRun(const std::string& tenant, const CaseFacts& facts);

  // The tenant's rules: stored through the API, else the file's.
  Result<std::vector<Rule>> Rules(const std::string& tenant,
                                  bool* from_api = nullptr);
  // Replaces the tenant's rules; every target must exist and belong to the
  // tenant (kInvalidInput). Audited as "configure".
  Status SetRules(const std::string& tenant, const std::vector<Rule>& rules,
                  const std::string& actor);

  // Dead letter back into the queue; audited.
  Status Redeliver(const std::string& tenant, const std::string& delivery_id,
                   const std::string& actor);

  // The pull feed of a target of kind "feed": its pending deliveries after
  // `cursor` (a seq), each with its payload. kNotFound for an unknown
  // target or one of another tenant or kind.
  struct FeedItem {
    Delivery delivery;
    std::string body;  // the payload a webhook would carry
  };
  Result<std::vector<FeedItem>> ReadFeed(const std::string& tenant,
                                         const std::string& target,
                                         int64_t cursor, int limit,
                                         const std::string& actor);
  Result<int> Ack(const std::string& tenant, const std::string& target,
                  const std::vector<std::string>& delivery_ids,
                  const std::string& actor);

  // The way back: a status report, audited, with an answer to the citizen
  // recorded on the submission's reply channel.
  Result<StatusReport> ReportStatus(const std::string& tenant,
                                    const std::string& vorgang_id,
                                    const StatusInput& in,
                                    const std::string& actor);
  // Files a document into the Vorgang after the gate looked at it
  // (options.document_policy): kCheckFailed if the gate rejects it (not a
  // PDF, active content, a threat), kTooLarge above kMaxDocumentBytes; a
  // quarantined document is filed with that verdict. Audited by the Store;
  // with `bescheid` an answer to the citizen is recorded as well.
  Result<DocumentReceipt> FileDocument(const std::string& tenant,
                                       const std::string& vorgang_id,
                                       const DocumentInput& in,
                                       const std::string& actor);

  // The payload of a delivery (docs/router.md).
  Result<std::string> Payload(const Delivery& d);

  Outbox& outbox() { return *outbox_; }
  const RoutingConfig& config() const { return options_.config; }
  records::Store& store() { return store_; }

  static constexpr int64_t kMaxDocumentBytes = 50ll << 20;

 private:
  Router(records::Store& store, RouterOptions options,
         std::unique_ptr<Outbox> outbox);
  Result<std::optional<nlohmann::json>> FormOf(const records::Vorgang& v,
                                               const std::string& actor);
  Status RouteOne(const NewCase& c);
  Status Record(const std::string& tenant, const std::string& vorgang_id);
  // One attempt of the head delivery; true if delivered.
  Result<bool> TryDelivery(const TargetConfig& target, Transport& transport,
                           const Delivery& d);
  int64_t Backoff(const TargetConfig& target, int attempts);
  Status RecordAnswer(const std::string& tenant, const std::string& vorgang_id,
                      const std::string& kind, const std::string& reference,
                      const std::string& actor, std::string* id);
  Logger& log() { return options_.logger ? *options_.logger : DefaultLogger(); }

  records::Store& store_;
  RouterOptions options_;
  std::unique_ptr<Outbox> outbox_;
  std::map<std::string, std::unique_ptr<Transport>> transports_;  // by target
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // guarded by rng_mu_; jitter only
};

// Milliseconds since the Unix epoch.
int64_t NowMs();

}  // namespace ds::router
