// API tokens and the authorisation check.
#include "api/auth.h"

#include <openssl/rand.h>

#include "core/encoding.h"
#include "core/text.h"

namespace ds::api {
namespace {

constexpr std::string_view kPrefix = "ds1_";
constexpr size_t kIdHexLength = 32;   // 16 random bytes
constexpr size_t kSecretLength = 43;  // base64url of 32 random bytes

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    return Internal("api token: no randomness");
  }
  return out;
}

std::string SecretHash(std::string_view secret) {
  return HexEncode(Sha256(secret));
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status Refused() {
  return Status(Code::kUnauthenticated, "a valid bearer token is required");
}

// Splits "ds1_<id>_<secret>"; false if the shape is wrong.
bool SplitToken(std::string_view token, std::string_view* id,
                std::string_view* secret) {
  if (token.size() != kPrefix.size() + kIdHexLength + 1 + kSecretLength ||
      token.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  *id = token.substr(kPrefix.size(), kIdHexLength);
  if (token[kPrefix.size() + kIdHexLength] != '_') return false;
  *secret = token.substr(kPrefix.size() + kIdHexLength + 1);
  return IsLowerHex(*id);
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kClerk:
      return "clerk";
    case Role::kTenantAdmin:
      return "tenant-admin";
    case Role::kOperator:
      return "operator";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kClerk, Role::kTenantAdmin, Role::kOperator}) {
    if (RoleName(r) == name) return r;
  }
  return InvalidInput("role must be clerk, tenant-admin or operator");
}

bool RoleAllows(Role role, Permission permission) {
  switch (permission) {
    case Permission::kReadMetadata:
      return true;
    case Permission::kReadContent:
    case Permission::kEdit:
      return role == Role::kClerk || role == Role::kTenantAdmin;
    case Permission::kReadAudit:
    case Permission::kConfigure:
      return role == Role::kTenantAdmin;
  }
  return false;
}

Status CheckPrincipalName(std::string_view what, const std::string& name) {
  if (name.empty()) return InvalidInput(std::string(what) + " is required");
  if (name.size() > 128) {
    return InvalidInput(std::string(what) + " is longer than 128 bytes");
  }
  if (!IsPlainText(name)) {
    return InvalidInput(std::string(what) +
                        " contains invalid UTF-8, control, bidi or invisible "
                        "characters");
  }
  return Status::Ok();
}

Result<IssuedToken> CreateApiToken(records::Store& store,
                                   const std::string& tenant,
                                   const std::string& user, Role role,
                                   const std::string& actor) {
  DS_RETURN_IF_ERROR(CheckPrincipalName("tenant", tenant));
  DS_RETURN_IF_ERROR(CheckPrincipalName("user", user));
  DS_ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(kIdHexLength / 2));
  DS_ASSIGN_OR_RETURN(std::string secret_bytes, RandomBytes(32));
  std::string secret = Base64UrlEncode(secret_bytes);

  IssuedToken out;
  out.record.id = HexEncode(id_bytes);
  out.record.tenant = tenant;
  out.record.user = user;
  out.record.role = std::string(RoleName(role));
  out.record.secret_hash = SecretHash(secret);
  DS_RETURN_IF_ERROR(store.AddApiToken(out.record, actor));
  out.token = std::string(kPrefix) + out.record.id + "_" + secret;
  return out;
}

Result<Principal> Authenticate(records::Store& store,
                               const net::Request& request) {
  // Shape: "Bearer <token>" (scheme case-insensitive, RFC 7235).
  std::string header = request.header("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return Refused();
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return Refused();
  }
  std::string_view id, secret;
  if (!SplitToken(std::string_view(header).substr(kScheme.size()), &id,
                  &secret)) {
    return Refused();
  }

  // Look the row up by its id, then compare the secret's hash in constant
  // time. An unknown id costs the same hash and comparison.
  Result<records::ApiToken> row = store.GetApiToken(std::string(id));
  if (!row.ok() && row.status().code() != Code::kNotFound) {
    return Unavailable("authenticate: token store unreadable");
  }
  std::string expected = row.ok() ? row->secret_hash : std::string(64, '0');
  bool match = ConstantTimeEquals(SecretHash(secret), expected);
  if (!row.ok() || !match || row->revoked_at) return Refused();

  Result<Role> role = ParseRole(row->role);
  if (!role.ok()) return Refused();
  return Principal{row->user, row->tenant, *role, row->id};
}

Result<Principal> Authorize(records::Store& store, const net::Request& request,
                            Permission needed) {
  DS_ASSIGN_OR_RETURN(Principal who, Authenticate(store, request));
  if (!RoleAllows(who.role, needed)) {
    return Status(
        Code::kPermissionDenied,
        "role " + std::string(RoleName(who.role)) + " may not do this");
  }
  return who;
}

}  // namespace ds::api
