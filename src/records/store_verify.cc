// VerifyAudit: the hash chain of every tenant and every stored blob.
#include <set>

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
  }

  return Status::Ok();
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
