// A local, faithful stand-in of the FIT-Connect delivery service
// (Zustelldienst), Submission API v1, for development, integration tests and
// demos without the internet.
//
// It serves the API paths of notes/fit-connect.md §2 with OAuth2 client
// credentials, keeps encrypted content as it arrives (it never decrypts),
// keeps a signed event log per case, calls destinations back with
// HMAC-authenticated callbacks, and rejects submissions nobody picked up in
// time. State lives in SQLite (WAL) and files under the data directory and
// survives restarts. Every point where the real service's behaviour had to
// be reconstructed is marked RECONSTRUCTED here or in docs/zustelldienst.md.
//
// In-process use (the demo and tests):
//
//   ds::zustelldienst::Options o{.listen = "127.0.0.1:0", .data_dir = dir};
//   DS_ASSIGN_OR_RETURN(auto zd, ds::zustelldienst::Service::Start(o));
//   DS_ASSIGN_OR_RETURN(std::string dest, zd->admin().CreateDestination(spec));
//   DS_ASSIGN_OR_RETURN(auto sub, zd->admin().CreateClient(
//       ds::zustelldienst::Role::kSubscriber, {dest}, "intake"));
//   // then ds::submission_api::SubscriberClient({.api_url = zd->base_url(),
//   //     .token_url = zd->token_url(), .client_id = sub.client_id, ...})
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "jose/jwk.h"

namespace ds::zustelldienst {

enum class Role { kSender, kSubscriber };

struct ClientCredentials {
  std::string client_id;
  std::string client_secret;  // shown once; only a hash is stored
  Role role = Role::kSender;
  std::vector<std::string> destinations;  // subscribers only
};

struct SubmissionSchemaSpec {
  std::string schema_uri;
  std::string mime_type = "application/json";
};

struct ServiceSpec {
  std::string identifier;  // e.g. urn:de:fim:leika:leistung:99...
  std::string name;
  std::vector<std::string> regions;  // e.g. urn:de:bund:destatis:...:rs:<ARS>
  std::vector<SubmissionSchemaSpec> submission_schemas;
};

struct DestinationSpec {
  std::string id;  // empty: a fresh UUID
  std::string status = "active";
  std::vector<ServiceSpec> services;
  std::vector<std::string> metadata_versions = {"1.0.0", "2.1.0"};
  // Names of the offered reply channels: eMail, deMail, fink, elster,
  // fitConnect, idBundDeMailbox.
  std::vector<std::string> reply_channels = {"eMail"};
  std::string callback_url;     // empty: no callbacks
  std::string callback_secret;
  // Public keys; the encryption key's kid becomes encryptionKid.
  std::optional<jose::Jwk> encryption_key;
  std::vector<jose::Jwk> signature_keys;
};

// Setup of the store: clients, destinations, keys. Usable with or without a
// running service (the CLI opens the data directory directly; SQLite WAL
// lets both run at once). Thread-safe.
class Admin {
 public:
  static Result<std::unique_ptr<Admin>> Open(const std::filesystem::path& data_dir);
  virtual ~Admin() = default;

  // A new OAuth client. Subscribers are bound to existing destinations
  // (kNotFound otherwise).
  virtual Result<ClientCredentials> CreateClient(
      Role role, const std::vector<std::string>& destinations,
      std::string_view name) = 0;
  // Registers a client with given credentials (stable ids from a setup
  // file). kAlreadyExists if the id is taken.
  virtual Status ImportClient(const ClientCredentials& credentials,
                              std::string_view name) = 0;
  // A new destination; returns its id. kAlreadyExists for a taken id,
  // kInvalidInput for keys of the wrong kind (checked with
  // ds::jose::CheckPublicKey in test mode).
  virtual Result<std::string> CreateDestination(const DestinationSpec& spec) = 0;
  // Registers a further public key (encryption if its alg is RSA-OAEP-256,
  // signature if PS512). `make_current` makes an encryption key the
  // destination's encryptionKid.
  virtual Status RegisterKey(std::string_view destination_id,
                             const jose::Jwk& public_key,
                             bool make_current = true) = 0;
  virtual Status SetCallback(std::string_view destination_id,
                             std::string_view url, std::string_view secret) = 0;
  // The destination document as GET /v1/destinations/{id} serves it.
  virtual Result<nlohmann::json> DestinationJson(std::string_view id) = 0;
};

// Reads [[destination]] and [[client]] tables from a TOML setup file and
// creates what is not there yet (destinations and clients with a given id
// are skipped if they exist). Key file paths are relative to the file.
// Returns the credentials of clients created now, generated ones included.
// See docs/zustelldienst.md for the format.
Result<std::vector<ClientCredentials>> ApplySetupFile(
    Admin& admin, const std::filesystem::path& toml_file);

struct Limits {
  uint64_t max_attachment_bytes = 500ull << 20;  // per encrypted attachment
  int max_attachments = 100;
  uint64_t max_submission_bytes = 2ull << 30;    // all JWEs of a submission
};

struct Options {
  std::string listen = "127.0.0.1:8480";
  std::filesystem::path data_dir;  // required
  // The URL the service is reached at (SET `iss`, jwks). Default: the
  // server's base URL.
  std::string public_url;
  int threads = 4;
  Limits limits;
  int64_t token_lifetime_seconds = 1800;
  // The service rejects submissions not accepted or rejected within this
  // time after submit (FIT-Connect: 14 days).
  int64_t pickup_timeout_seconds = 14 * 24 * 3600;
  // Callback retry backoff: doubles from initial to max until a 2xx.
  int64_t callback_initial_backoff_ms = 1000;
  int64_t callback_max_backoff_ms = 10 * 60 * 1000;
  int64_t callback_timeout_seconds = 10;
  // How often the background worker looks for due work (timeouts, retries).
  int64_t sweep_interval_ms = 500;
  Logger* logger = nullptr;  // default: ds::DefaultLogger()
};

class Service {
 public:
  // Opens the store (creating it and the service's SET signing key on first
  // start), binds and serves. kUnavailable if the address is taken,
  // kEnvironment for data directory problems.
  static Result<std::unique_ptr<Service>> Start(const Options& options);
  virtual ~Service() = default;

  virtual std::string base_url() const = 0;   // API root; paths /v1/...
  virtual std::string token_url() const = 0;  // {base_url}/token
  virtual Admin& admin() = 0;
  // The service's SET verification keys ({"keys": [...]}).
  virtual nlohmann::json Jwks() const = 0;
  // Stops serving and the background work.
  virtual void Stop() = 0;
};

}  // namespace ds::zustelldienst
