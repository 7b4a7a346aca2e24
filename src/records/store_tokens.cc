// API tokens in the records database: stored as hashes, checked by ds_api.
#include "core/encoding.h"
#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {
using internal::Row;

namespace {

constexpr const char* kTokenColumns =
    "id, tenant, user_name, role, secret_hash, created_at, revoked_at";

ApiToken TokenFromRow(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2),  r.Text(3),
          r.Text(4), r.Int(5),  r.OptInt(6)};
}

}  // namespace

Status Store::AddApiToken(const ApiToken& t, const std::string& actor) {
  if (t.id.empty() || t.tenant.empty() || t.user.empty() || t.role.empty() ||
      t.secret_hash.size() != 64) {
    return InvalidInput(
        "add api token: id, tenant, user, role and hash "
        "required");
  }
  int64_t now = t.created_at != 0 ? t.created_at : UnixNow();
  std::lock_guard<std::mutex> lock(mu_);
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, t.tenant, now));
    DS_ASSIGN_OR_RETURN(
        auto taken, db_->Query("SELECT 1 FROM api_token WHERE id = ?", {t.id}));
    if (!taken.empty()) return Status(Code::kAlreadyExists, "token id taken");
    DS_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO api_token (id, tenant, user_name, role, secret_hash, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        {t.id, t.tenant, t.user, t.role, t.secret_hash, now}));
    return Audit(t.tenant, actor, kActionConfigure, {t.id},
                 {{"object", "api-token"}, {"role", t.role}});
  });
  if (!st.ok()) return st.Prepend("add api token");
  return st;
}

Result<ApiToken> Store::GetApiToken(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows,
                      db_->Query(std::string("SELECT ") + kTokenColumns +
                                     " FROM api_token WHERE id = ?",
                                 {id}));
  if (rows.empty()) return NotFound("api token not found");
  return TokenFromRow(rows[0]);
}

Result<std::vector<ApiToken>> Store::ListApiTokens(const std::string& tenant,
                                                   bool with_revoked) {
  std::string sql = std::string("SELECT ") + kTokenColumns +
                    " FROM api_token WHERE tenant = ?";
  if (!with_revoked) sql += " AND revoked_at IS NULL";
  sql += " ORDER BY created_at, id";
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, {tenant}));
  std::vector<ApiToken> out;
  for (const Row& r : rows) out.push_back(TokenFromRow(r));
  return out;
}

Status Store::RevokeApiToken(const std::string& tenant, const std::string& id,
                             const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT 1 FROM api_token WHERE tenant = ? AND id = ?",
                   {tenant, id}));
    if (rows.empty()) return NotFound("revoke: api token not found");
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE api_token SET revoked_at = ? WHERE tenant = ? AND id = ? "
        "AND revoked_at IS NULL",
        {UnixNow(), tenant, id}));
    return Audit(tenant, actor, kActionConfigure, {id},
                 {{"object", "api-token"}, {"revoked", true}});
  });
}

}  // namespace ds::records
