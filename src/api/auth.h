// Authentication and per-tenant authorisation for the hub's HTTP faces.
//
// Every caller is a Principal: a user acting in exactly one tenant with one
// role. The REST API (api/api.h) resolves it from an API token sent as
// `Authorization: Bearer <token>`; the web UI will add session login for
// people and is meant to call the same Authorize() for every request.
//
//   // `drehscheibe records token create` does this and prints the token once:
//   DS_ASSIGN_OR_RETURN(auto issued,
//       ds::api::CreateApiToken(store, "kreis-a", "m.muster", Role::kClerk,
//                               "cli"));
//   // In a handler:
//   DS_ASSIGN_OR_RETURN(Principal who,
//       ds::api::Authorize(store, request, Permission::kReadContent));
//   store.GetVorgang(who.tenant, id);   // never a tenant from the request
//
// Tokens look like "ds1_<id>_<secret>": the id (32 hex digits) finds the
// stored row, the secret (43 base64url characters, 256 random bits) is
// checked against its stored SHA-256 in constant time. The secret itself is
// never stored or logged.
//
// Thread-safety: all functions are safe to call from several threads.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::api {

enum class Role {
  kClerk,        // Sachbearbeitung: reads cases and content, files, edits
  kTenantAdmin,  // a clerk who may also read the tenant's audit trail
  kOperator,     // IT operations: metadata only, no content, no changes
};
std::string_view RoleName(Role role);  // "clerk", "tenant-admin", "operator"
Result<Role> ParseRole(std::string_view name);

// What a call needs. Checked before any id in the request is looked up, so
// a refusal never depends on whether an object exists.
enum class Permission {
  kReadMetadata,  // lists, case and Akte metadata, verdicts, event log
  kReadContent,   // document content and full-text search over it
  kEdit,          // create Akten, assign, change metadata
  kReadAudit,     // the tenant's audit trail
  kConfigure,     // the tenant's routing rules, redelivery of dead letters
};
bool RoleAllows(Role role, Permission permission);

// A tenant or user name as an operator types it: 1 to 128 bytes of plain
// text (valid UTF-8, no controls, bidi or invisible characters), since it
// appears in audit entries, logs and pages. kInvalidInput naming `what`.
Status CheckPrincipalName(std::string_view what, const std::string& name);

struct Principal {
  std::string user;    // user id; the audit actor of the principal's acts
  std::string tenant;  // the only tenant whose data it may see
  Role role = Role::kOperator;
  std::string token_id;  // "" for sessions (later)
};

struct IssuedToken {
  std::string token;  // the bearer token; shown once, never stored
  records::ApiToken record;
};

// Makes a new random token for `user` in `tenant` and stores its hash.
// `actor` is recorded in the tenant's audit trail. kInvalidInput for a
// tenant or user that CheckPrincipalName refuses.
Result<IssuedToken> CreateApiToken(records::Store& store,
                                   const std::string& tenant,
                                   const std::string& user, Role role,
                                   const std::string& actor);

// Who is calling. kUnauthenticated, with one message for every case, if
// the Authorization header is missing, not a Bearer token, malformed,
// unknown, revoked or has the wrong secret. kUnavailable if the store
// cannot be read. Not yet: session cookies of the web UI.
Result<Principal> Authenticate(records::Store& store,
                               const net::Request& request);

// The one check for every call: authenticates the request and checks that
// the principal's role allows `needed`. kUnauthenticated or
// kPermissionDenied (HTTP 401 / 403).
Result<Principal> Authorize(records::Store& store, const net::Request& request,
                            Permission needed);

}  // namespace ds::api
