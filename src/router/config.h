// The router's part of the hub configuration: [routing], [[routing.targets]]
// and [[routing.rules]] in the same TOML file as the rest of the hub
// (docs/router.md, deploy/drehscheibe.toml). Read once at start; secrets
// are files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "router/rules.h"

namespace ds::router {

// One Fachverfahren (or DMS) that receives cases.
struct TargetConfig {
  std::string id;      // unique in the hub: letters, digits, '-', '_'
  std::string tenant;  // the Mandant whose cases it may receive
  // Transport kind: "webhook" (signed HTTP POST), "feed" (the
  // Fachverfahren pulls GET /api/v1/feeds/{id}) or "xdomea" (a 0605
  // package per case, into exchange_dir or POSTed to url; its transport is
  // registered by the program, xdomea_transport.h). transport.h says how
  // to add a kind.
  std::string kind = "webhook";
  std::string url;                // webhook, xdomea: http(s) URL
  std::string secret;             // webhook, xdomea over HTTP: HMAC key
                                  // (from secret_file)
  std::filesystem::path ca_file;  // PEM trust for https; "" = system
  // xdomea: the directory a DMS polls (exactly one of exchange_dir, url).
  std::filesystem::path exchange_dir;
  std::string xdomea_version = "3.1.0";  // "3.1.0" or "3.0.0"
  std::string xdomea_sender;     // Absender institution; "" = the tenant
  std::string xdomea_receiver;   // Empfaenger institution; "" = the target id
  std::string xdomea_container;  // optional IDContainer in the DMS
  int timeout_seconds = 30;      // per attempt
  int max_attempts = 10;         // then the delivery is a dead letter
  int64_t backoff_initial_ms = 1000;  // first retry delay (before jitter)
  int64_t backoff_max_ms = 3600'000;  // cap of the doubling delay
};

struct RoutingConfig {
  std::vector<TargetConfig> targets;
  // Rules from the file, each with its tenant. The REST API can replace a
  // tenant's rules; those are kept in the database and win over the file.
  std::vector<Rule> rules;
  // Base URL that webhook payloads use for document links (the hub's
  // public address, e.g. "https://hub.kreis-a.de"); "" = relative links.
  std::string public_base_url;
  int poll_ms = 500;           // how often the loop looks for new work
  int64_t lease_ms = 120'000;  // how long a claim holds before another
                               // router process may take the work over
};

// Reads [routing] from `reader` and records every problem in it (keys as in
// the file); the caller calls reader.Finish(). An absent [routing] yields
// an empty configuration: nothing is routed, every case stays in the
// Posteingang.
RoutingConfig LoadRoutingConfig(ConfigReader& reader);

// The target with `id`, or nullptr.
const TargetConfig* FindTarget(const RoutingConfig& config,
                               const std::string& id);

}  // namespace ds::router
