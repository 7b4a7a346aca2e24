// Subscriber routes (pickup, event log) and the service's own timeout
// reject.
#include <algorithm>

#include "core/encoding.h"
#include "fitconnect/integrity.h"
#include "fitconnect/set.h"
#include "zustelldienst/api_common.h"
#include "zustelldienst/events.h"

namespace ds::zustelldienst::api {

Result<Response> ListSubmissions(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sub, Authorize(ctx, req, Role::kSubscriber));
  DS_ASSIGN_OR_RETURN(int64_t offset, QueryInt(req, "offset", 0, 0, INT64_MAX));
  DS_ASSIGN_OR_RETURN(int64_t limit, QueryInt(req, "limit", 100, 1, 500));
  std::vector<std::string> destinations = sub.destinations;
  auto it = req.query.find("destinationId");
  if (it != req.query.end()) {
    if (!Subscribes(sub, it->second)) {
      return ApiError(Code::kPermissionDenied, p::kForbidden,
                      "not a subscriber of this destination");
    }
    destinations = {it->second};
  }
  int64_t total = 0;
  DS_ASSIGN_OR_RETURN(auto rows, ctx.store->PendingPickup(destinations, offset,
                                                          limit, &total));
  Json list = Json::array();
  for (const auto& s : rows) list.push_back(RefJson(s));
  return Response::Json(200, {{"count", list.size()},
                              {"offset", offset},
                              {"totalCount", total},
                              {"submissions", list}});
}

Result<Response> GetSubmission(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sub, Authorize(ctx, req, Role::kSubscriber));
  DS_ASSIGN_OR_RETURN(SubmissionRow s, PickupSubmission(ctx, req, sub));
  Json j = RefJson(s);
  j["serviceType"] = s.service_type;
  j["attachments"] = s.announced;
  j["encryptedMetadata"] = s.encrypted_metadata;
  if (!s.encrypted_data.empty()) j["encryptedData"] = s.encrypted_data;
  return Response::Json(200, j);
}

Result<Response> GetAttachment(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sub, Authorize(ctx, req, Role::kSubscriber));
  DS_ASSIGN_OR_RETURN(SubmissionRow s, PickupSubmission(ctx, req, sub));
  DS_ASSIGN_OR_RETURN(auto stored, ctx.store->Attachments(s.id));
  for (const auto& a : stored) {
    if (a.attachment_id != req.param("attachmentId")) continue;
    Response r;
    r.status = 200;
    r.headers["Content-Type"] = "application/jose";
    r.file = a.path;
    return r;
  }
  return ApiError(Code::kNotFound, p::kAttachmentNotFound,
                  "no attachment with this id");
}

// --- Event log ------------------------------------------------------------

Result<std::vector<SubmissionRow>> CaseFor(ApiContext& ctx, const Request& req,
                                           const ClientRow& client) {
  std::string case_id = req.param("caseId");
  auto subs = IsUuid(case_id) ? ctx.store->CaseSubmissions(case_id)
                              : Result<std::vector<SubmissionRow>>(
                                    std::vector<SubmissionRow>());
  DS_RETURN_IF_ERROR(subs);
  bool allowed = false;
  for (const auto& s : *subs) {
    allowed = allowed || (client.role == Role::kSender
                              ? s.sender_client == client.client_id
                              : Subscribes(client, s.destination_id));
  }
  if (subs->empty() || !allowed) {
    return ApiError(Code::kNotFound, p::kCaseNotFound, "no case with this id");
  }
  return *subs;
}

Result<Response> GetEvents(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow client, Authenticate(ctx, req));
  DS_RETURN_IF_ERROR(CaseFor(ctx, req, client));
  DS_ASSIGN_OR_RETURN(int64_t offset, QueryInt(req, "offset", 0, 0, INT64_MAX));
  DS_ASSIGN_OR_RETURN(int64_t limit, QueryInt(req, "limit", 100, 1, 500));
  int64_t total = 0;
  DS_ASSIGN_OR_RETURN(auto events, ctx.store->Events(req.param("caseId"),
                                                     offset, limit, &total));
  return Response::Json(200, {{"offset", offset},
                              {"count", events.size()},
                              {"totalCount", total},
                              {"eventLog", events}});
}

namespace {

Status CheckEventBody(const SubscriberEvent& ev, const SubmissionRow& s) {
  if (ev.type == fitconnect::EventType::kAcceptSubmission) {
    // The tags must be those of the submit-submission event (notes §4).
    auto stored = fitconnect::AuthenticationTags::FromJson(s.authentication_tags);
    if (!stored.ok() || !ev.claims.authentication_tags ||
        !(*ev.claims.authentication_tags == *stored)) {
      return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                      "event: authenticationTags do not match the submission");
    }
    return Status::Ok();
  }
  if (ev.claims.problems.empty()) {
    return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                    "event: reject-submission needs problems");
  }
  return Status::Ok();
}

}  // namespace

Result<Response> PostEvent(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sub, Authorize(ctx, req, Role::kSubscriber));
  DS_ASSIGN_OR_RETURN(auto subs, CaseFor(ctx, req, sub));
  DS_RETURN_IF_ERROR(RequireMediaType(req, "application/jose"));
  auto token = req.ReadBody(1 << 20);
  if (!token.ok()) {
    return ApiError(Code::kTooLarge, p::kInvalidEvent, "event above 1 MiB");
  }

  // Verify the SET against the destination's registered signature keys.
  const std::string case_id = req.param("caseId");
  const std::string destination_id = subs.front().destination_id;
  DS_ASSIGN_OR_RETURN(
      SubscriberEvent ev,
      VerifySubscriberEvent(*token, destination_id, case_id,
                            [&](std::string_view kid) {
                              return ctx.store->FindKey(destination_id, kid,
                                                        "signature");
                            }));
  auto it = std::find_if(subs.begin(), subs.end(), [&](const auto& s) {
    return s.id == ev.submission_id;
  });
  if (it == subs.end()) {
    return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                    "event: sub is not a submission of this case");
  }
  DS_RETURN_IF_ERROR(CheckEventBody(ev, *it));

  // Record, change state, tell the sender.
  const SubmissionRow& s = *it;
  std::string state = ev.event_name == "accept-submission" ? std::string(kAccepted)
                                                           : std::string(kRejected);
  Status st = ctx.store->Transaction([&](Db& db) {
    DS_RETURN_IF_ERROR(RequireState(db, s.id, kSubmitted));
    Status a = AppendEvent(db, case_id, s.id, ev.jti, ev.event_name, *token);
    if (a.code() == Code::kAlreadyExists) {
      return ApiError(Code::kConflict, p::kDuplicateEvent,
                      "an event with this jti exists");
    }
    DS_RETURN_IF_ERROR(a);
    DS_RETURN_IF_ERROR(SetSubmissionState(db, s.id, state));
    return EnqueueFor(db, s.callback_url, s.callback_secret, "new-events", s);
  });
  DS_RETURN_IF_ERROR(st);
  ctx.wake_worker();
  ctx.logger->Info("zd.event", {{"submission", s.id}, {"event", ev.event_name}});
  return Response::Empty(204);
}

}  // namespace ds::zustelldienst::api

namespace ds::zustelldienst {

using namespace api;  // NOLINT: the helpers of this folder

Status RejectForTimeout(ApiContext& ctx, const SubmissionRow& s) {
  // RECONSTRUCTED [unverified]: the problem the real service puts into its
  // timeout rejection is not documented offline.
  fitconnect::RejectProblem problem{
      "https://schema.fitko.de/fit-connect/events/problems/"
      "submission-not-picked-up",
      "Einreichung nicht abgeholt",
      "Die Einreichung wurde nicht rechtzeitig abgeholt.", "submission"};
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(fitconnect::RejectSubmission(
                                     ctx.issuer(), s.id, s.case_id, {problem})));
  DS_ASSIGN_OR_RETURN(auto d, ctx.store->FindDestination(s.destination_id));
  DS_RETURN_IF_ERROR(ctx.store->Transaction([&](Db& db) {
    DS_RETURN_IF_ERROR(RequireState(db, s.id, kSubmitted));
    DS_RETURN_IF_ERROR(
        AppendEvent(db, s.case_id, s.id, set.jti, "reject-submission", set.token));
    DS_RETURN_IF_ERROR(SetSubmissionState(db, s.id, kRejected));
    DS_RETURN_IF_ERROR(
        EnqueueFor(db, s.callback_url, s.callback_secret, "new-events", s));
    if (!d) return Status::Ok();
    return EnqueueFor(db, d->callback_url, d->callback_secret, "new-events", s);
  }));
  ctx.logger->Info("zd.pickup_timeout", {{"submission", s.id}});
  return Status::Ok();
}

}  // namespace ds::zustelldienst
