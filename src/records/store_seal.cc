// Seals: every audit entry that records a change to a Vorgang, Dokument or
// Akte carries, per changed object, the SHA-256 of the object's rows as they
// are after the change. `audit verify` recomputes them, so a row edited,
// inserted or replaced behind the store's back (with database access but
// without the store) no longer passes as long as the audit chain holds.
//
// Seal format 1 (details["seals"] = {"<id>": "<hex>"}): SHA-256 of the
// compact JSON array [kind, row, children], where `row` lists the columns
// named below in that order (SQL NULL as null, every other value as the
// text the database returns) and `children` are the event log (Vorgang) or
// the versions with their formats (Dokument). Derived data that the store
// rebuilds (the search text) is left out. Columns are named, not `*`, so
// that a column added later does not change the seals of older rows; such
// a column is listed last and joins the row only where it is not NULL
// (Vorgang: data_schema).
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "records/sql.h"
#include "records/store_internal.h"

namespace ds::records::internal {
namespace {

constexpr const char* kVorgangColumns =
    "id, tenant, akte_id, submission_id, case_id, destination_id, "
    "service_identifier, service_name, subject, reply_channel, received_at, "
    "state, routing_detail, worst_verdict, closed_at, legal_hold, "
    "data_schema";
// Trailing columns of kVorgangColumns added after seal format 1 was fixed.
constexpr size_t kVorgangLaterColumns = 1;
constexpr const char* kDokumentColumns =
    "id, vorgang_id, tenant, position, purpose, attachment_id, doc_class, "
    "verdict, findings, created_at, deleted_at";
constexpr const char* kAkteColumns =
    "id, tenant, betreff, kennzeichen, federfuehrung, vertraulichkeit, "
    "retention_years, created_at, closed_at, legal_hold";

nlohmann::json Cells(const Row& row) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < row.size(); ++i) {
    out.push_back(row.IsNull(i) ? nlohmann::json()
                                : nlohmann::json(row.Text(i)));
  }
  return out;
}

Result<nlohmann::json> Rows(Db& db, const std::string& sql,
                            const std::string& id) {
  DS_ASSIGN_OR_RETURN(auto rows, db.Query(sql, {id}));
  nlohmann::json out = nlohmann::json::array();
  for (const Row& r : rows) out.push_back(Cells(r));
  return out;
}

}  // namespace

Result<std::string> RowSeal(Db& db, const std::string& id) {
  DS_ASSIGN_OR_RETURN(
      auto kind,
      db.Query("SELECT 'vorgang' FROM vorgang WHERE id = ? UNION ALL "
               "SELECT 'dokument' FROM dokument WHERE id = ? UNION ALL "
               "SELECT 'akte' FROM akte WHERE id = ?",
               {id, id, id}));
  if (kind.empty()) return std::string();
  std::string k = kind[0].Text(0);
  nlohmann::json row, children = nlohmann::json::array();
  if (k == "vorgang") {
    DS_ASSIGN_OR_RETURN(row, Rows(db,
                                  std::string("SELECT ") + kVorgangColumns +
                                      " FROM vorgang WHERE id = ?",
                                  id));
    for (nlohmann::json& cells : row) {
      for (size_t i = 0;
           i < kVorgangLaterColumns && !cells.empty() && cells.back().is_null();
           ++i) {
        cells.erase(cells.size() - 1);
      }
    }
    DS_ASSIGN_OR_RETURN(children, Rows(db,
                                       "SELECT position, token FROM event_log "
                                       "WHERE vorgang_id = ? ORDER BY position",
                                       id));
  } else if (k == "dokument") {
    DS_ASSIGN_OR_RETURN(row, Rows(db,
                                  std::string("SELECT ") + kDokumentColumns +
                                      " FROM dokument WHERE id = ?",
                                  id));
    DS_ASSIGN_OR_RETURN(
        children,
        Rows(db,
             "SELECT v.id, v.number, v.created_at, f.id, f.kind, "
             "f.rendition_of, f.content_address, f.mime_type, f.size, "
             "f.filename FROM version v JOIN format f ON f.version_id = v.id "
             "WHERE v.dokument_id = ? ORDER BY v.number, f.id",
             id));
  } else {
    DS_ASSIGN_OR_RETURN(row, Rows(db,
                                  std::string("SELECT ") + kAkteColumns +
                                      " FROM akte WHERE id = ?",
                                  id));
  }
  nlohmann::json sealed = nlohmann::json::array({k, row, children});
  return HexEncode(Sha256(sealed.dump()));
}

Result<nlohmann::json> SealsOf(Db& db, const std::vector<std::string>& ids) {
  nlohmann::json seals = nlohmann::json::object();
  for (const std::string& id : ids) {
    DS_ASSIGN_OR_RETURN(std::string seal, RowSeal(db, id));
    if (!seal.empty()) seals[id] = seal;
  }
  return seals;
}

Result<std::vector<SealedObject>> SealedObjects(Db& db) {
  DS_ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT tenant, id, 'Vorgang' FROM vorgang UNION ALL "
               "SELECT tenant, id, 'Dokument' FROM dokument UNION ALL "
               "SELECT tenant, id, 'Akte' FROM akte"));
  std::vector<SealedObject> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back({r.Text(0), r.Text(1), r.Text(2)});
  return out;
}

}  // namespace ds::records::internal
