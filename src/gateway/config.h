// Configuration of the sender gateway: where it listens, how it reaches
// FIT-Connect as a sender, the limits it enforces and the portals it
// serves. Read from TOML (docs/gateway.md has an annotated example):
//
//   [gateway]
//   listen = "127.0.0.1:8490"
//   [fitconnect]
//   api_url = "https://submission-api-testing.fit-connect.fitko.dev"
//   token_url = "https://auth-testing.fit-connect.fitko.dev/token"
//   client_id = "..."
//   client_secret_file = "/etc/drehscheibe/gateway-client-secret"
//   [[portal]]
//   id = "buergerportal"
//   token_sha256 = "<64 hex digits>"
//     [[portal.destination]]
//     id = "<destination uuid>"
//     services = ["urn:de:fim:leika:leistung:99123456760610"]
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "submission_api/client.h"

namespace ds::gateway {

// FIT-Connect's limits [notes §2 "Attachment limits"] apply to encrypted
// attachments: 500 MiB each, 2 GiB per submission. Base64url makes a JWE
// 4/3 of its plaintext, so the plaintext limits are three quarters of
// those, less room for the JWE header and wrapped key.
inline constexpr uint64_t kJweOverhead = 4096;
inline constexpr uint64_t kMaxAttachmentPlaintext =
    ((500ull << 20) - kJweOverhead) / 4 * 3;
inline constexpr uint64_t kMaxSubmissionPlaintext =
    ((2ull << 30) - 102 * kJweOverhead) / 4 * 3;
inline constexpr int kMaxAttachments = 100;

struct Limits {
  uint64_t max_attachment_bytes = kMaxAttachmentPlaintext;
  uint64_t max_total_bytes = kMaxSubmissionPlaintext;  // data + attachments
  uint64_t max_data_bytes = 32ull << 20;  // Fachdaten, held in memory
  int max_attachments = kMaxAttachments;
};

// What a portal may send to: a destination and the services it offers.
struct PortalDestination {
  std::string id;
  std::vector<std::string> services;
};

struct Portal {
  std::string id;            // a label used in logs and the gateway's store
  std::string token_sha256;  // lower-case hex SHA-256 of its API token
  std::vector<PortalDestination> destinations;

  bool Allows(std::string_view destination, std::string_view service) const;
};

struct Config {
  std::string listen = "127.0.0.1:8490";
  // Base of the statusUrl the gateway returns; default the listen URL.
  std::string public_url;
  int threads = 4;
  std::filesystem::path data_dir;  // state under <data_dir>/gateway
  submission_api::Endpoint fitconnect;
  // Accept self-signed destination keys (test systems only).
  bool test_keys = false;
  Limits limits;
  std::vector<Portal> portals;
};

// Reads a TOML file (environment overrides as core/config.h describes).
// kEnvironment listing every problem: missing URLs or credentials, a
// token_sha256 that is not 64 hex digits, duplicate portal ids or token
// hashes, limits above FIT-Connect's. `data_dir` is set by the caller.
Result<Config> LoadConfig(const std::filesystem::path& file);
Result<Config> ParseConfig(std::string_view toml);

// A new random API token for a portal (43 characters, base64url of 32
// random bytes) and the hex SHA-256 that goes into the configuration.
struct NewToken {
  std::string token;
  std::string sha256;
};
NewToken GenerateToken();
std::string TokenHash(std::string_view token);

}  // namespace ds::gateway
