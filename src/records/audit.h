// The audit trail of the E-Akte: append-only, one hash chain per tenant.
//
// Each entry names who did what to which objects. `hash` is SHA-256 over
// the canonical serialization of the entry (CanonicalAuditBytes), which
// includes `prev_hash`, the hash of the entry before (64 zeros for seq 1).
// Changing, removing, inserting or reordering entries breaks the chain;
// VerifyAudit (Store, and `drehscheibe audit verify`) finds it.
//
// Entries carry ids, counts, verdicts and service keys, never personal data
// (no names, subjects, filenames or form content): they outlive retention.
//
// Limits: someone who can write the database can rebuild a whole chain from
// the altered entry on; the chain proves integrity only relative to a head
// hash kept elsewhere. Not yet: anchoring the head outside the database
// (e.g. periodic signed checkpoints); until then, truncating the newest
// entries together with audit_head goes unnoticed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ds::records {

// Actions used by the store. Other parts may add their own verbs.
inline constexpr std::string_view kActionCreate = "create";
inline constexpr std::string_view kActionReadContent = "read-content";
inline constexpr std::string_view kActionChangeMetadata = "change-metadata";
inline constexpr std::string_view kActionRoute = "route";
inline constexpr std::string_view kActionExport = "export";
inline constexpr std::string_view kActionDelete = "delete";
inline constexpr std::string_view kActionAssign = "assign";
inline constexpr std::string_view kActionClose = "close";
inline constexpr std::string_view kActionLegalHold = "legal-hold";
inline constexpr std::string_view kActionConfigure = "configure";

struct AuditEntry {
  std::string tenant;
  int64_t seq = 0;    // 1, 2, 3, ... per tenant
  int64_t time = 0;   // unix seconds
  std::string actor;  // "intake", "router", a user id
  std::string action;
  std::vector<std::string> object_ids;
  std::string details;    // canonical JSON object (sorted keys)
  std::string prev_hash;  // hex
  std::string hash;       // hex
};

// The hash of the entry before seq 1.
inline const std::string kGenesisHash(64, '0');

// The bytes that `hash` covers: a versioned, length-prefixed rendering of
// every field except `hash`, so that no two entries serialise alike.
std::string CanonicalAuditBytes(const AuditEntry& e);
// Lower-case hex SHA-256 of CanonicalAuditBytes.
std::string AuditHash(const AuditEntry& e);

struct AuditProblem {
  // "chain", "head", "row-changed", "row-unsealed", "row-missing",
  // "blob-corrupted", "blob-missing"
  std::string kind;
  std::string tenant;  // "" for blobs
  int64_t seq = 0;     // 0 for blobs
  std::string detail;  // address or explanation, no personal data
};

struct AuditReport {
  int64_t tenants = 0;
  int64_t entries = 0;
  int64_t rows_checked = 0;  // Vorgänge, Dokumente and Akten against seals
  int64_t blobs_checked = 0;
  std::vector<AuditProblem> problems;
  bool ok() const { return problems.empty(); }
  nlohmann::json ToJson() const;
};

}  // namespace ds::records
