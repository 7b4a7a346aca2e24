// The sender gateway: an authenticated HTTP endpoint for application
// portals built without FIT-Connect. A portal posts a plain
// multipart/form-data application (fields, form data, files); the gateway
// checks it and sends it over FIT-Connect as the portal's sender
// (submission_api::SendApplication: destination and key check, metadata,
// encryption, announce, upload, submit), and later reports the state from
// the case's verified event log.
//
//   DS_ASSIGN_OR_RETURN(ds::gateway::Config config,
//                       ds::gateway::LoadConfig("gateway.toml"));
//   config.data_dir = ds::ResolveDataDir(flag);
//   DS_ASSIGN_OR_RETURN(auto gw, ds::gateway::Gateway::Start(config, &logger));
//   // POST {gw->base_url()}/gateway/v1/applications
//   // GET  {gw->base_url()}/gateway/v1/applications/{submissionId}
//
// Endpoints, fields, problem types and curl examples: docs/gateway.md.
// Portals authenticate with `Authorization: Bearer <token>`; the gateway
// keeps only SHA-256 hashes of tokens and compares them in constant time.
// A portal sees only the submissions it sent (others are 404).
//
// Requests are refused before anything is sent: a refused request never
// reaches the Zustelldienst. A failure during sending can leave an
// announced, incomplete submission at the Zustelldienst, which is never
// delivered (FIT-Connect removes it); the portal gets a 422 or 503 problem
// and may send again.
//
// State (which portal sent which submission, the last state seen) lives in
// <data_dir>/gateway/gateway.db and survives restarts; uploads are spooled
// under <data_dir>/gateway/spool and removed after each request.
//
// Logs carry portal ids, submission ids, counts, sizes and durations only:
// never tokens, form content or file names.
#pragma once

#include <memory>
#include <string>

#include "core/log.h"
#include "core/status.h"
#include "gateway/config.h"

namespace ds::gateway {

class Gateway {
 public:
  // Opens the store, binds `config.listen` and serves on background
  // threads. kUnavailable if the address is taken, kEnvironment for data
  // directory problems. `logger` (default DefaultLogger()) must outlive the
  // gateway.
  static Result<std::unique_ptr<Gateway>> Start(const Config& config,
                                                Logger* logger = nullptr);
  virtual ~Gateway() = default;

  virtual std::string base_url() const = 0;  // http://host:port
  // Stops serving; running requests finish first.
  virtual void Stop() = 0;
};

}  // namespace ds::gateway
