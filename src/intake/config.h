// The hub's configuration (`drehscheibe serve --config FILE`), read once at
// start and checked as a whole; see deploy/drehscheibe.toml for the annotated
// format. Paths to keys and secrets are files, so that secrets never appear
// in the configuration itself or in the environment of other processes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace ds::intake {

// One FIT-Connect destination (Zustellpunkt) the hub receives for.
struct DestinationConfig {
  std::string id;       // destinationId (UUID)
  std::string tenant;   // Mandant that files its cases
  std::string client_id;
  std::string client_secret;                       // read from client_secret_file
  std::vector<std::filesystem::path> decryption_keys;  // private JWKs, newest first
  std::filesystem::path signing_key;               // private PS512 JWK
  std::string callback_secret;                     // read from callback_secret_file; may be empty
  // What to do with a submission encrypted to a key that is listed under
  // retired_keys: "reject" (FIT-Connect's rule) or "accept".
  std::vector<std::filesystem::path> retired_keys;
  std::string retired_key_policy = "reject";
};

// A data schema (Fachdatenschema) the hub validates form data against.
struct DataSchemaConfig {
  std::string uri;                 // the schemaUri senders name
  std::filesystem::path file;      // JSON Schema (.json) or XSD (.xsd)
};

struct HubConfig {
  std::string listen = "127.0.0.1:8470";
  bool test_mode = false;  // accept self-signed key chains; never in production
  // [database] url: PostgreSQL for the E-Akte and the intake journal, so
  // that several hub processes share the work; empty: SQLite in the data
  // directory (one process).
  std::string database_url;
  std::string submission_api;  // base URL incl. /v1
  std::string token_url;
  int poll_seconds = 30;
  int max_parallel = 4;
  uint64_t max_attachment_bytes = 500ull << 20;
  std::string clamd_socket;  // empty: no virus scan (attachments quarantined)
  std::vector<std::string> allowed_types;  // empty: the gate's default list
  std::vector<std::filesystem::path> trust_anchors;  // PEM/DER root certificates
  std::vector<DestinationConfig> destinations;
  std::vector<DataSchemaConfig> data_schemas;
};

// Reads and checks the configuration; the status lists every problem with
// its key (kEnvironment).
Result<HubConfig> LoadHubConfig(ConfigReader& reader);

}  // namespace ds::intake
