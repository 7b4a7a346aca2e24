#include "records/audit.h"

#include "core/encoding.h"

namespace ds::records {
namespace {

void Field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ':';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

}  // namespace

std::string CanonicalAuditBytes(const AuditEntry& e) {
  std::string out = "drehscheibe-audit-v1\n";
  Field(out, "tenant", e.tenant);
  Field(out, "seq", std::to_string(e.seq));
  Field(out, "time", std::to_string(e.time));
  Field(out, "actor", e.actor);
  Field(out, "action", e.action);
  Field(out, "objects", std::to_string(e.object_ids.size()));
  for (const std::string& id : e.object_ids) Field(out, "object", id);
  Field(out, "details", e.details);
  Field(out, "prev_hash", e.prev_hash);
  return out;
}

std::string AuditHash(const AuditEntry& e) {
  return HexEncode(Sha256(CanonicalAuditBytes(e)));
}

nlohmann::json AuditReport::ToJson() const {
  nlohmann::json problems_json = nlohmann::json::array();
  for (const AuditProblem& p : problems) {
    problems_json.push_back({{"kind", p.kind},
                             {"tenant", p.tenant},
                             {"seq", p.seq},
                             {"detail", p.detail}});
  }
  return {{"ok", ok()},
          {"tenants", tenants},
          {"entries", entries},
          {"rows_checked", rows_checked},
          {"blobs_checked", blobs_checked},
          {"problems", problems_json}};
}

}  // namespace ds::records
