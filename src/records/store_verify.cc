// VerifyAudit: the hash chain of every tenant, the seals of the current
// rows against it, and every stored blob.
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "records/sql.h"
#include "records/store.h"
#include "records/store_internal.h"

namespace ds::records {
using internal::Row;

namespace {

constexpr int64_t kPage = 5000;

struct ChainState {
  int64_t last_seq = 0;
  std::string last_hash = kGenesisHash;
};

// The newest seal of each object, by object id.
struct SealRef {
  std::string tenant;
  int64_t seq = 0;
  std::string seal;
};
using Seals = std::unordered_map<std::string, SealRef>;

// Takes the seals of one entry (later entries replace earlier seals).
void NoteSeals(const AuditEntry& e, Seals& seals) {
  if (e.details.find("\"seals\"") == std::string::npos) return;
  auto details = nlohmann::json::parse(e.details, nullptr, false);
  if (!details.is_object() || !details.contains("seals") ||
      !details["seals"].is_object()) {
    return;
  }
  for (const auto& [id, seal] : details["seals"].items()) {
    if (seal.is_string())
      seals[id] = {e.tenant, e.seq, seal.get<std::string>()};
  }
}

// Reads the entries of `tenant` after `after` (in seq order) into `seals`.
Status ReadSealsAfter(internal::Db& db, const std::string& tenant,
                      int64_t after, Seals& seals) {
  DS_ASSIGN_OR_RETURN(
      auto rows, db.Query("SELECT seq, details FROM audit WHERE tenant = ? "
                          "AND seq > ? ORDER BY seq",
                          {tenant, after}));
  for (const Row& r : rows) {
    AuditEntry e;
    e.tenant = tenant;
    e.seq = r.Int(0);
    e.details = r.Text(1);
    NoteSeals(e, seals);
  }
  return Status::Ok();
}

// Checks one stored entry against the chain so far.
void CheckEntry(const AuditEntry& e, ChainState& chain, AuditReport* report) {
  auto problem = [&](std::string detail) {
    report->problems.push_back({"chain", e.tenant, e.seq, std::move(detail)});
  };
  if (e.seq != chain.last_seq + 1) {
    problem("sequence jumps from " + std::to_string(chain.last_seq) + " to " +
            std::to_string(e.seq) + " (entry removed or reordered)");
  } else if (e.prev_hash != chain.last_hash) {
    problem("prev_hash does not match the entry before");
  }
  if (AuditHash(e) != e.hash) {
    problem("hash does not match the entry's content (entry altered)");
  }
  chain.last_seq = e.seq;
  chain.last_hash = e.hash;
}

// Every Vorgang, Dokument and Akte must equal its newest seal, and every
// sealed object must still exist: the store never deletes these rows
// (retention empties them), so a missing one was removed behind its back.
// Another hub process (PostgreSQL) may change rows while the chain is read:
// objects that differ are checked once more against the entries written
// meanwhile.
Status CheckSeals(internal::Db& db, Seals& seals,
                  const std::map<std::string, int64_t>& chain_end,
                  AuditReport* report) {
  DS_ASSIGN_OR_RETURN(auto objects, internal::SealedObjects(db));
  // A seal counts only in the chain of the object's own tenant.
  auto differs = [&](const internal::SealedObject& o) -> Result<bool> {
    auto it = seals.find(o.id);
    if (it == seals.end() || it->second.tenant != o.tenant) return true;
    DS_ASSIGN_OR_RETURN(std::string now, internal::RowSeal(db, o.id));
    return now != it->second.seal;
  };
  report->rows_checked = static_cast<int64_t>(objects.size());
  std::unordered_set<std::string> present;
  std::vector<const internal::SealedObject*> differing;
  for (const internal::SealedObject& o : objects) {
    present.insert(o.id);
    DS_ASSIGN_OR_RETURN(bool d, differs(o));
    if (d) differing.push_back(&o);
  }
  for (const auto& [id, ref] : seals) {
    if (present.count(id) == 0) {
      report->problems.push_back(
          {"row-missing", ref.tenant, ref.seq,
           id + " was sealed in entry " + std::to_string(ref.seq) +
               " and no longer exists (deleted outside the store)"});
    }
  }
  if (differing.empty()) return Status::Ok();

  std::set<std::string> reread;
  for (const internal::SealedObject* o : differing) {
    if (!reread.insert(o->tenant).second) continue;
    auto end = chain_end.find(o->tenant);
    DS_RETURN_IF_ERROR(ReadSealsAfter(
        db, o->tenant, end == chain_end.end() ? 0 : end->second, seals));
  }
  for (const internal::SealedObject* o : differing) {
    DS_ASSIGN_OR_RETURN(bool d, differs(*o));
    if (!d) continue;
    auto it = seals.find(o->id);
    if (it == seals.end() || it->second.tenant != o->tenant) {
      report->problems.push_back(
          {"row-unsealed", o->tenant, 0,
           o->kind + " " + o->id +
               " has no sealed audit entry (inserted outside the store)"});
    } else {
      report->problems.push_back(
          {"row-changed", o->tenant, it->second.seq,
           o->kind + " " + o->id + " differs from its state sealed in entry " +
               std::to_string(it->second.seq) +
               " (changed outside the store)"});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AuditReport> Store::VerifyAudit() {
  AuditReport report;
  DS_RETURN_IF_ERROR(VerifyChains(&report));
  // Blobs are re-hashed without holding the store: filing goes on meanwhile.
  DS_RETURN_IF_ERROR(CheckBlobReferences(&report));
  return report;
}

Status Store::VerifyChains(AuditReport* out) {
  std::lock_guard<std::mutex> lock(mu_);
  AuditReport& report = *out;

  DS_ASSIGN_OR_RETURN(
      auto tenants,
      db_->Query("SELECT tenant FROM audit_head UNION "
                 "SELECT DISTINCT tenant FROM audit ORDER BY 1"));
  Seals seals;
  std::map<std::string, int64_t> chain_end;  // tenant -> last seq read
  for (const Row& t : tenants) {
    std::string tenant = t.Text(0);
    ++report.tenants;
    ChainState chain;

    // Page through the chain in seq order.
    for (int64_t from = 0;;) {
      DS_ASSIGN_OR_RETURN(
          auto rows,
          db_->Query("SELECT seq, time, actor, action, object_ids, details, "
                     "prev_hash, hash FROM audit WHERE tenant = ? AND seq > ? "
                     "ORDER BY seq LIMIT ?",
                     {tenant, from, kPage}));
      for (const Row& r : rows) {
        AuditEntry e{tenant, r.Int(0), r.Int(1), r.Text(2), r.Text(3),
                     internal::IdsFromJson(r.Text(4)), r.Text(5), r.Text(6),
                     r.Text(7)};
        CheckEntry(e, chain, out);
        NoteSeals(e, seals);
        ++report.entries;
        from = e.seq;
      }
      if (static_cast<int64_t>(rows.size()) < kPage) break;
    }

    // The head must name the last entry (catches removal of the newest).
    DS_ASSIGN_OR_RETURN(
        auto head, db_->Query("SELECT seq, hash FROM audit_head WHERE "
                              "tenant = ?",
                              {tenant}));
    if (head.empty() || head[0].Int(0) != chain.last_seq ||
        head[0].Text(1) != chain.last_hash) {
      report.problems.push_back(
          {"head", tenant, chain.last_seq,
           "audit head does not match the last entry (entries removed or "
           "appended outside the store)"});
    }
    chain_end[tenant] = chain.last_seq;
  }

  return CheckSeals(*db_, seals, chain_end, out);
}

// Re-hashes every blob and checks that every referenced blob exists.
Status Store::CheckBlobReferences(AuditReport* report) {
  DS_RETURN_IF_ERROR(files_.ForEach([&](const std::string& address) -> Status {
    ++report->blobs_checked;
    Status st = files_.Verify(address);
    if (st.code() == Code::kCheckFailed) {
      report->problems.push_back({"blob-corrupted", "", 0, address});
    } else if (!st.ok() && st.code() != Code::kNotFound) {
      return st;  // kNotFound: removed by retention while we listed
    }
    return Status::Ok();
  }));

  std::lock_guard<std::mutex> lock(mu_);
  DS_ASSIGN_OR_RETURN(
      auto refs, db_->Query("SELECT DISTINCT content_address FROM format "
                            "WHERE content_address IS NOT NULL"));
  for (const Row& r : refs) {
    if (!files_.Contains(r.Text(0))) {
      report->problems.push_back({"blob-missing", "", 0, r.Text(0)});
    }
  }
  return Status::Ok();
}

}  // namespace ds::records
