// Changing the store: Akten, metadata, assignment, routing state, zdA,
// legal holds, retention classes; and reading the audit trail.
#include <algorithm>

#include "core/encoding.h"
#include "core/text.h"
#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {
using internal::Param;
using internal::Params;
using internal::Row;

namespace {

// Fails with kNotFound unless `id` exists in `table` for the tenant.
Status Exists(internal::Db& db, const std::string& table,
              const std::string& tenant, const std::string& id) {
  DS_ASSIGN_OR_RETURN(auto rows,
                      db.Query("SELECT 1 FROM " + table +
                                   " WHERE tenant = ? AND id = ?",
                               {tenant, id}));
  if (rows.empty()) return NotFound(table + " " + id + " not found");
  return Status::Ok();
}

// Metadata that people type (Betreff, Aktenzeichen, the service's name):
// at most 1000 characters of plain text, since it is shown to clerks, searched
// and written into xdomea messages. Text that renders differently from what
// it is (controls, bidi overrides, zero-width characters) is refused, from
// the REST API and the web pages alike. A `required` field is not blank.
Status CheckTypedText(const char* field, const std::string& text,
                      bool required) {
  if (!IsPlainText(text)) {
    return InvalidInput(std::string(field) +
                        " contains control, bidirectional or invisible "
                        "characters");
  }
  // Characters, as the form's maxlength counts them (valid UTF-8 by now).
  size_t chars = std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (chars > 1000) {
    return InvalidInput(std::string(field) + " is longer than 1000 characters");
  }
  if (required && text.find_first_not_of(" \t") == std::string::npos) {
    return InvalidInput(std::string(field) + " must not be empty");
  }
  return Status::Ok();
}

Param OptInt(const std::optional<int>& v) {
  if (!v) return nullptr;
  return int64_t{*v};
}

}  // namespace

Result<std::string> Store::CreateAkte(const std::string& tenant,
                                      const AkteInput& in,
                                      const std::string& actor) {
  if (tenant.empty()) return InvalidInput("create akte: tenant missing");
  DS_RETURN_IF_ERROR(CheckTypedText("betreff", in.betreff, true));
  DS_RETURN_IF_ERROR(CheckTypedText("kennzeichen", in.kennzeichen, false));
  DS_RETURN_IF_ERROR(CheckTypedText("federfuehrung", in.federfuehrung, false));
  std::string id = NewUuid();
  std::lock_guard<std::mutex> lock(mu_);
  Status st = internal::InTransaction(*db_, [&]() -> Status {
    int64_t now = UnixNow();
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, tenant, now));
    DS_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO akte (id, tenant, betreff, kennzeichen, federfuehrung, "
        "vertraulichkeit, retention_years, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {id, tenant, in.betreff, in.kennzeichen, in.federfuehrung,
         in.vertraulichkeit, OptInt(in.retention_years), now}));
    return Audit(tenant, actor, kActionCreate, {id}, {{"object", "akte"}});
  });
  if (!st.ok()) return st.Prepend("create akte");
  return id;
}

Result<Akte> Store::GetAkte(const std::string& tenant, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT betreff, kennzeichen, federfuehrung, vertraulichkeit, "
                 "retention_years, created_at, closed_at, legal_hold "
                 "FROM akte WHERE tenant = ? AND id = ?",
                 {tenant, id}));
  if (rows.empty()) return NotFound("akte " + id + " not found");
  const Row& r = rows[0];
  Akte a;
  a.id = id;
  a.tenant = tenant;
  a.meta = {r.Text(0), r.Text(1), r.Text(2), r.Text(3), std::nullopt};
  if (auto years = r.OptInt(4)) a.meta.retention_years = static_cast<int>(*years);
  a.created_at = r.Int(5);
  a.closed_at = r.OptInt(6);
  a.legal_hold = r.Int(7) != 0;
  return a;
}

Status Store::ChangeAkte(const std::string& tenant, const std::string& id,
                         const AkteChange& c, const std::string& actor) {
  std::string sets;
  Params params;
  std::vector<std::string> fields;
  auto add = [&](const char* column, Param value) {
    sets += std::string(sets.empty() ? "" : ", ") + column + " = ?";
    params.push_back(std::move(value));
    fields.emplace_back(column);
  };
  if (c.betreff) {
    DS_RETURN_IF_ERROR(CheckTypedText("betreff", *c.betreff, true));
    add("betreff", *c.betreff);
  }
  if (c.kennzeichen) {
    DS_RETURN_IF_ERROR(CheckTypedText("kennzeichen", *c.kennzeichen, false));
    add("kennzeichen", *c.kennzeichen);
  }
  if (c.federfuehrung) {
    DS_RETURN_IF_ERROR(
        CheckTypedText("federfuehrung", *c.federfuehrung, false));
    add("federfuehrung", *c.federfuehrung);
  }
  if (c.vertraulichkeit) add("vertraulichkeit", *c.vertraulichkeit);
  if (c.retention_years) add("retention_years", OptInt(c.retention_years));
  if (sets.empty()) return Status::Ok();
  params.emplace_back(tenant);
  params.emplace_back(id);

  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, "akte", tenant, id));
    DS_RETURN_IF_ERROR(CheckWritable(tenant, id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE akte SET " + sets + " WHERE tenant = ? AND id = ?", params));
    return Audit(tenant, actor, kActionChangeMetadata, {id},
                 {{"object", "akte"}, {"fields", fields}});
  });
}

Status Store::ChangeVorgang(const std::string& tenant, const std::string& id,
                            const VorgangChange& c, const std::string& actor) {
  std::string sets;
  Params params;
  std::vector<std::string> fields;
  if (c.subject) {
    DS_RETURN_IF_ERROR(CheckTypedText("subject", *c.subject, true));
    sets = "subject = ?";
    params.emplace_back(*c.subject);
    fields.emplace_back("subject");
  }
  if (c.service_name) {
    DS_RETURN_IF_ERROR(CheckTypedText("service_name", *c.service_name, true));
    sets += std::string(sets.empty() ? "" : ", ") + "service_name = ?";
    params.emplace_back(*c.service_name);
    fields.emplace_back("service_name");
  }
  if (sets.empty()) return Status::Ok();
  params.emplace_back(tenant);
  params.emplace_back(id);

  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, "vorgang", tenant, id));
    DS_RETURN_IF_ERROR(CheckWritable(tenant, id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE vorgang SET " + sets + " WHERE tenant = ? AND id = ?",
        params));
    DS_RETURN_IF_ERROR(IndexVorgang(tenant, id));
    return Audit(tenant, actor, kActionChangeMetadata, {id},
                 {{"object", "vorgang"}, {"fields", fields}});
  });
}

Status Store::AssignToAkte(const std::string& tenant,
                           const std::string& vorgang_id,
                           const std::string& akte_id,
                           const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, "vorgang", tenant, vorgang_id));
    DS_RETURN_IF_ERROR(Exists(*db_, "akte", tenant, akte_id));
    DS_RETURN_IF_ERROR(CheckWritable(tenant, vorgang_id));
    DS_RETURN_IF_ERROR(CheckWritable(tenant, akte_id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE vorgang SET akte_id = ? WHERE tenant = ? AND id = ?",
        {akte_id, tenant, vorgang_id}));
    return Audit(tenant, actor, kActionAssign, {vorgang_id, akte_id},
                 {{"object", "vorgang"}});
  });
}

Status Store::RecordRouting(const std::string& tenant,
                            const std::string& vorgang_id,
                            const std::string& state,
                            const std::string& detail,
                            const std::string& actor) {
  if (state.empty()) return InvalidInput("record routing: empty state");
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, "vorgang", tenant, vorgang_id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE vorgang SET state = ?, routing_detail = ? "
        "WHERE tenant = ? AND id = ?",
        {state, detail, tenant, vorgang_id}));
    return Audit(tenant, actor, kActionRoute, {vorgang_id},
                 {{"state", state}, {"detail", detail}});
  });
}

Status Store::CloseVorgang(const std::string& tenant, const std::string& id,
                           int64_t at, const std::string& actor) {
  if (at == 0) at = UnixNow();
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, "vorgang", tenant, id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE vorgang SET closed_at = ? WHERE tenant = ? AND id = ?",
        {at, tenant, id}));
    return Audit(tenant, actor, kActionClose, {id},
                 {{"object", "vorgang"}, {"at", at}});
  });
}

Status Store::SetLegalHold(const std::string& tenant, const std::string& kind,
                           const std::string& id, bool hold,
                           const std::string& actor) {
  if (kind != "vorgang" && kind != "akte") {
    return InvalidInput("legal hold: kind must be vorgang or akte");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(Exists(*db_, kind, tenant, id));
    DS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE " + kind + " SET legal_hold = ? WHERE tenant = ? AND id = ?",
        {int64_t{hold ? 1 : 0}, tenant, id}));
    return Audit(tenant, actor, kActionLegalHold, {id},
                 {{"object", kind}, {"hold", hold}});
  });
}

Status Store::SetRetention(const std::string& tenant,
                           const std::string& doc_class, int retention_days,
                           const std::string& actor) {
  if (doc_class.empty() || retention_days < 0) {
    return InvalidInput("set retention: class and days >= 0 required");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return internal::InTransaction(*db_, [&]() -> Status {
    DS_RETURN_IF_ERROR(internal::EnsureTenant(*db_, tenant, UnixNow()));
    DS_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO document_class (tenant, name, retention_days) "
        "VALUES (?, ?, ?) ON CONFLICT (tenant, name) "
        "DO UPDATE SET retention_days = excluded.retention_days",
        {tenant, doc_class, int64_t{retention_days}}));
    return Audit(tenant, actor, kActionConfigure, {},
                 {{"document_class", doc_class}, {"days", retention_days}});
  });
}

Result<std::vector<AuditEntry>> Store::ReadAudit(const std::string& tenant,
                                                 int64_t from_seq, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT seq, time, actor, action, object_ids, details, "
                 "prev_hash, hash FROM audit WHERE tenant = ? AND seq >= ? "
                 "ORDER BY seq LIMIT ?",
                 {tenant, from_seq, int64_t{limit}}));
  std::vector<AuditEntry> out;
  for (const Row& r : rows) {
    out.push_back({tenant, r.Int(0), r.Int(1), r.Text(2), r.Text(3),
                   internal::IdsFromJson(r.Text(4)), r.Text(5), r.Text(6),
                   r.Text(7)});
  }
  return out;
}

}  // namespace ds::records
