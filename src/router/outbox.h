// Internal to ds_router: the router's tables in the E-Akte's database and
// every statement on them. The E-Akte's own `vorgang` rows are the outbox:
// FileSubmission commits each Vorgang with state "new" in the filing
// transaction, and the router claims those rows from here.
//
// Tables (created by Migrate, idempotent), and a partial index on the
// E-Akte's vorgang rows in state "new" (router_vorgang_new):
//   router_case      one row per Vorgang the router has taken up: claimed
//                    (lease) or routed (deliveries written)
//   router_delivery  one row per (Vorgang, target): pending, delivered or
//                    dead; `seq` orders the deliveries of a target
//   router_ruleset   rules a tenant-admin set through the API (win over
//                    the configuration file)
//   router_status    status reports of Fachverfahren (the way back)
//   router_outgoing  answers to the citizen, per Vorgang, with the reply
//                    channel and whether they were sent
//
// The Outbox owns its own connection to the database (the Store's is
// private to the Store); it serialises its calls with a mutex, so it may be
// used from the loop and from API threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "router/rules.h"
#include "sql/db.h"

namespace ds::router {

struct Delivery {
  int64_t seq = 0;
  std::string id;  // also the idempotency key
  std::string vorgang_id;
  std::string tenant;
  std::string target;
  std::string state;  // "pending", "delivered", "dead"
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  int64_t filed_at = 0;  // the Vorgang's received_at (unix seconds)
  int64_t created_ms = 0;
  std::optional<int64_t> delivered_ms;
};

struct StatusReport {
  std::string id;
  std::string vorgang_id;
  std::string source;  // the reporting user (token's user)
  std::string status;  // e.g. "in-bearbeitung", "beschieden"
  std::string note;
  std::string dokument_id;  // "" or the filed Bescheid
  int64_t created_ms = 0;
};

struct OutgoingAnswer {
  int64_t seq = 0;
  std::string id;
  std::string vorgang_id;
  std::string kind;       // "status" or "bescheid"
  std::string reference;  // status report id or Dokument id
  std::string channel;    // reply channel ("eMail", "fitConnect", ... "none")
  std::string state;      // "pending": recorded, not sent by this hub
  int64_t created_ms = 0;
};

// A Vorgang the router claimed.
struct NewCase {
  std::string vorgang_id;
  std::string tenant;
  std::string destination_id;
  std::string service_identifier;
  int64_t received_at = 0;
};

class Outbox {
 public:
  // Connects to the E-Akte's database: PostgreSQL if `database_url` is
  // set, else <data_dir>/records.sqlite. Runs Migrate.
  static Result<std::unique_ptr<Outbox>> Open(
      const std::filesystem::path& data_dir, const std::string& database_url);

  explicit Outbox(std::unique_ptr<sql::Db> db) : db_(std::move(db)) {}
  Status Migrate();

  // Claims up to `limit` Vorgänge in state "new" that no router holds (or
  // whose claim lease ran out), oldest first. PostgreSQL: FOR UPDATE SKIP
  // LOCKED, so several hub processes take different cases.
  Result<std::vector<NewCase>> ClaimNew(int limit, int64_t now_ms,
                                        int64_t lease_ms);
  // Writes one pending delivery per target (order kept) and marks the
  // case routed, in one transaction. Repeating it changes nothing.
  Status SaveRoute(const NewCase& c, const std::string& rule,
                   const std::vector<std::string>& targets, int64_t now_ms);
  // Cases routed more than `before_ms` ago whose Vorgang is still "new" in
  // the E-Akte (a crash between SaveRoute and RecordRouting).
  Result<std::vector<NewCase>> Unrecorded(int64_t before_ms, int limit);

  // The first pending delivery of `target` (strict order per target), if it
  // is due and not held by another attempt; it is then held for lease_ms.
  Result<std::optional<Delivery>> ClaimHead(const std::string& target,
                                            int64_t now_ms, int64_t lease_ms);
  // Up to `max` deliveries from the head of the target's order, all due
  // and free, held for lease_ms (one transaction for a run of deliveries).
  Result<std::vector<Delivery>> ClaimHeads(const std::string& target,
                                           int64_t now_ms, int64_t lease_ms,
                                           int max);
  // Gives up the hold on a claimed delivery that was not attempted.
  Status Release(const std::string& id);
  Status Delivered(const std::string& id, int64_t now_ms);
  Status Retry(const std::string& id, const std::string& error,
               int64_t next_ms);
  Status Dead(const std::string& id, const std::string& error);
  // Dead letter back to pending, attempts reset. kNotFound / kConflict if
  // not a dead letter of the tenant.
  Status Requeue(const std::string& tenant, const std::string& id,
                 int64_t now_ms);

  Result<Delivery> Get(const std::string& tenant, const std::string& id);
  Result<std::vector<Delivery>> ForVorgang(const std::string& tenant,
                                           const std::string& vorgang_id);
  // A tenant's deliveries in `state` ("" = all), oldest first, after seq.
  Result<std::vector<Delivery>> List(const std::string& tenant,
                                     const std::string& state,
                                     int64_t after_seq, int limit);
  // "routing", "delivered" or "failed" from the Vorgang's deliveries;
  // "manual" if it has none (no rule matched: a clerk decides).
  Result<std::string> CaseState(const std::string& vorgang_id);

  // Pending deliveries of a feed target after the cursor, in order.
  Result<std::vector<Delivery>> Feed(const std::string& tenant,
                                     const std::string& target,
                                     int64_t after_seq, int limit);
  // Marks pending deliveries of the target delivered; returns how many
  // changed (already acknowledged ids count 0). kNotFound for an id that
  // is not a delivery of this tenant and target.
  Result<int> Ack(const std::string& tenant, const std::string& target,
                  const std::vector<std::string>& ids, int64_t now_ms);

  // Rules set through the API; nullopt if the tenant has none stored.
  Result<std::optional<std::vector<Rule>>> LoadRules(const std::string& tenant);
  Status SaveRules(const std::string& tenant, const std::vector<Rule>& rules,
                   const std::string& actor, int64_t now_ms);

  // The way back.
  Result<std::string> ReplyChannel(const std::string& tenant,
                                   const std::string& vorgang_id);
  Status AddStatus(const std::string& tenant, const StatusReport& report);
  Result<std::vector<StatusReport>> StatusOf(const std::string& tenant,
                                             const std::string& vorgang_id);
  Status AddOutgoing(const std::string& tenant, const OutgoingAnswer& answer);
  // vorgang_id "" = the whole tenant.
  Result<std::vector<OutgoingAnswer>> ListOutgoing(
      const std::string& tenant, const std::string& vorgang_id,
      const std::string& state, int64_t after_seq, int limit);

 private:
  std::string Lock() const;  // " FOR UPDATE" on PostgreSQL

  std::mutex mu_;  // serialises use of db_
  std::unique_ptr<sql::Db> db_;
};

}  // namespace ds::router
