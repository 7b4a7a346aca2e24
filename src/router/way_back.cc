// The way back and the pull side: the feed for Fachverfahren that cannot
// receive calls, redelivery, status reports, documents (Bescheide) and the
// answers to the citizen that follow from them.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "gate/findings.h"
#include "gate/gate.h"
#include "router/router.h"

namespace ds::router {
namespace {

bool ValidStatus(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

// The reply channel's name from the submission's replyChannel object
// ({"eMail": {...}}, {"fitConnect": {...}}, ...); "none" if there is none.
std::string ChannelName(const std::string& reply_channel_json) {
  nlohmann::json j = nlohmann::json::parse(reply_channel_json, nullptr, false);
  if (!j.is_object() || j.empty()) return "none";
  return j.begin().key();
}

records::Verdict FromGate(gate::Decision d) {
  switch (d) {
    case gate::Decision::kClean:
      return records::Verdict::kClean;
    case gate::Decision::kNeutralised:
      return records::Verdict::kNeutralised;
    case gate::Decision::kQuarantined:
      return records::Verdict::kQuarantined;
    case gate::Decision::kRejected:
      return records::Verdict::kRejected;
  }
  return records::Verdict::kRejected;
}

// Removes a temporary file when it goes out of scope.
struct TempFile {
  std::filesystem::path path;
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

}  // namespace

// ---- dead letters and the feed --------------------------------------------

Status Router::Redeliver(const std::string& tenant,
                         const std::string& delivery_id,
                         const std::string& actor) {
  DS_ASSIGN_OR_RETURN(Delivery d, outbox_->Get(tenant, delivery_id));
  DS_RETURN_IF_ERROR(outbox_->Requeue(tenant, delivery_id, NowMs()));
  DS_RETURN_IF_ERROR(
      store_.AppendAudit(tenant, actor, records::kActionRoute, {d.vorgang_id},
                         {{"redeliver", d.id}, {"target", d.target}}));
  return store_.RecordRouting(tenant, d.vorgang_id, "routing",
                              "redelivery to " + d.target, actor);
}

Result<std::vector<Router::FeedItem>> Router::ReadFeed(
    const std::string& tenant, const std::string& target, int64_t cursor,
    int limit, const std::string& actor) {
  const TargetConfig* t = FindTarget(options_.config, target);
  if (!t || t->tenant != tenant || t->kind != "feed") {
    return NotFound("no feed " + target);
  }
  DS_ASSIGN_OR_RETURN(std::vector<Delivery> ds,
                      outbox_->Feed(tenant, target, cursor, limit));
  std::vector<FeedItem> out;
  for (Delivery& d : ds) {
    DS_ASSIGN_OR_RETURN(std::string body, Payload(d));
    out.push_back({.delivery = std::move(d), .body = std::move(body)});
  }
  (void)actor;  // reading the feed hands out metadata and links, no content
  return out;
}

Result<int> Router::Ack(const std::string& tenant, const std::string& target,
                        const std::vector<std::string>& ids,
                        const std::string& actor) {
  const TargetConfig* t = FindTarget(options_.config, target);
  if (!t || t->tenant != tenant || t->kind != "feed") {
    return NotFound("no feed " + target);
  }
  DS_ASSIGN_OR_RETURN(int changed, outbox_->Ack(tenant, target, ids, NowMs()));
  if (changed == 0) return 0;
  for (const std::string& id : ids) {
    DS_ASSIGN_OR_RETURN(Delivery d, outbox_->Get(tenant, id));
    DS_ASSIGN_OR_RETURN(std::string state, outbox_->CaseState(d.vorgang_id));
    DS_RETURN_IF_ERROR(store_.RecordRouting(tenant, d.vorgang_id, state,
                                            target + " acknowledged", actor));
  }
  return changed;
}

// ---- the way back ---------------------------------------------------------

Status Router::RecordAnswer(const std::string& tenant,
                            const std::string& vorgang_id,
                            const std::string& kind,
                            const std::string& reference,
                            const std::string& actor, std::string* id) {
  DS_ASSIGN_OR_RETURN(std::string reply,
                      outbox_->ReplyChannel(tenant, vorgang_id));
  OutgoingAnswer a{.id = NewUuid(),
                   .vorgang_id = vorgang_id,
                   .kind = kind,
                   .reference = reference,
                   .channel = ChannelName(reply),
                   // This hub sends on no reply channel yet: every answer
                   // waits as an outgoing letter that the API lists.
                   .state = "pending",
                   .created_ms = NowMs()};
  DS_RETURN_IF_ERROR(outbox_->AddOutgoing(tenant, a));
  *id = a.id;
  return store_.AppendAudit(tenant, actor, records::kActionRoute, {vorgang_id},
                            {{"answer", a.id},
                             {"kind", kind},
                             {"channel", a.channel},
                             {"sent", false}});
}

Result<StatusReport> Router::ReportStatus(const std::string& tenant,
                                          const std::string& vorgang_id,
                                          const StatusInput& in,
                                          const std::string& actor) {
  if (!ValidStatus(in.status)) {
    return InvalidInput("status: 1-64 characters a-z, 0-9 and '-'");
  }
  if (in.note.size() > 2000) return InvalidInput("note: at most 2000 bytes");
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      store_.GetVorgang(tenant, vorgang_id));
  StatusReport r{.id = NewUuid(),
                 .vorgang_id = v.id,
                 .source = actor,
                 .status = in.status,
                 .note = in.note,
                 .created_ms = NowMs()};
  DS_RETURN_IF_ERROR(outbox_->AddStatus(tenant, r));
  DS_RETURN_IF_ERROR(store_.AppendAudit(
      tenant, actor, records::kActionRoute, {v.id},
      {{"direction", "back"}, {"status", in.status}, {"report", r.id}}));
  if (in.notify) {
    std::string answer;
    DS_RETURN_IF_ERROR(
        RecordAnswer(tenant, v.id, "status", r.id, actor, &answer));
  }
  return r;
}

Result<DocumentReceipt> Router::FileDocument(const std::string& tenant,
                                             const std::string& vorgang_id,
                                             const DocumentInput& in,
                                             const std::string& actor) {
  if (in.content.empty()) return InvalidInput("document: empty body");
  if (static_cast<int64_t>(in.content.size()) > kMaxDocumentBytes) {
    return TooLarge("document: above " + std::to_string(kMaxDocumentBytes) +
                    " bytes");
  }
  if (in.filename.empty() || in.filename.size() > 255) {
    return InvalidInput("document: filename of 1-255 bytes required");
  }
  DS_ASSIGN_OR_RETURN(records::Vorgang v,
                      store_.GetVorgang(tenant, vorgang_id));

  // The gate, as for every file from outside: type by content against the
  // allow-list, active content, file name, virus scan where configured.
  TempFile tmp{std::filesystem::temp_directory_path() /
               ("ds-router-" + NewUuid())};
  DS_RETURN_IF_ERROR(WriteFileAtomic(tmp.path, in.content));
  gate::Gate gate(&log());
  DS_ASSIGN_OR_RETURN(
      gate::Verdict verdict,
      gate.Inspect(tmp.path,
                   {.mime_type = in.mime_type, .filename = in.filename},
                   options_.document_policy));
  nlohmann::json findings = nlohmann::json::array();
  for (const gate::Finding& f : verdict.findings) {
    findings.push_back({{"code", f.code},
                        {"severity", gate::SeverityName(f.severity)},
                        {"message", f.message}});
  }
  if (verdict.decision == gate::Decision::kRejected) {
    std::string codes;
    for (const gate::Finding& f : verdict.findings) {
      if (f.severity == gate::Severity::kReject) codes += " " + f.code;
    }
    return Status(Code::kCheckFailed, "document rejected by the gate:" + codes);
  }

  DS_ASSIGN_OR_RETURN(records::BlobInfo blob,
                      store_.files().PutBytes(in.content));
  records::IncomingDocument doc{
      .purpose = in.bescheid ? "bescheid" : "attachment",
      .filename = in.filename,
      .mime_type =
          verdict.detected_mime.empty() ? in.mime_type : verdict.detected_mime,
      .content_address = blob.address,
      .size = blob.size,
      .doc_class = in.doc_class,
      .verdict = FromGate(verdict.decision),
      .findings_json = findings.dump()};
  DocumentReceipt out;
  DS_ASSIGN_OR_RETURN(out.dokument_id,
                      store_.AddDokument(tenant, v.id, doc, actor));
  if (in.bescheid) {
    DS_RETURN_IF_ERROR(RecordAnswer(tenant, v.id, "bescheid", out.dokument_id,
                                    actor, &out.outgoing_id));
  }
  log().Info("router.document_filed",
             {{"vorgang_id", v.id},
              {"dokument_id", out.dokument_id},
              {"bytes", static_cast<int64_t>(blob.size)},
              {"verdict", gate::DecisionName(verdict.decision)}});
  return out;
}

}  // namespace ds::router
