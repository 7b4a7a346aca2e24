// Sender routes: announce, upload attachments, submit. Checks run in the
// order a client's mistakes are most useful to learn about (auth, media
// type, syntax, existence, state, limits); state changes run in one
// transaction afterwards, so a refused request changes nothing.
#include <algorithm>
#include <cstdio>
#include <set>

#include "core/encoding.h"
#include "core/files.h"
#include "fitconnect/integrity.h"
#include "fitconnect/set.h"
#include "jose/jwe.h"
#include "zustelldienst/api_common.h"

namespace ds::zustelldienst::api {
namespace {

// Facts about a compact JWE, from memory or a spooled file.
struct JweFacts {
  jose::JweHeader header;
  std::string tag;
  uint64_t size = 0;
};

Status BadJwe(std::string_view what, std::string_view why) {
  return ApiError(Code::kCheckFailed, p::kInvalidJwe,
                  std::string(what) + " is not a compact JWE: " +
                      std::string(why));
}

Result<JweFacts> InspectJwe(std::string_view compact, std::string_view what) {
  auto parts = jose::SplitCompactJwe(compact);
  if (!parts.ok()) return BadJwe(what, parts.status().message());
  auto header = jose::ParseJweHeader(parts->header);
  if (!header.ok()) return BadJwe(what, header.status().message());
  return JweFacts{*header, std::string(parts->tag), compact.size()};
}

// Streams over a spooled body once: five base64url segments, the header
// (first segment, bounded) and the tag (after the last dot, bounded).
Result<JweFacts> InspectJweFile(const std::filesystem::path& path,
                                std::string_view what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return EnvironmentError("open spooled body");
  std::string header, tail;
  int dots = 0;
  uint64_t size = 0;
  bool bad_char = false;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
    for (size_t i = 0; i < n; ++i) {
      char c = buf[i];
      if (c == '.') {
        ++dots;
        tail.clear();
        continue;
      }
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) bad_char = true;
      if (dots == 0 && header.size() < 16384) header += c;
      if (dots == 4 && tail.size() < 1024) tail += c;
    }
    size += n;
  }
  std::fclose(f);
  if (bad_char) return BadJwe(what, "character outside base64url");
  if (dots != 4) return BadJwe(what, "not five segments");
  auto h = jose::ParseJweHeader(header);
  if (!h.ok()) return BadJwe(what, h.status().message());
  if (tail.empty()) return BadJwe(what, "empty tag");
  return JweFacts{*h, tail, size};
}

// FIT-Connect requires `cty` on metadata and data; the v2 service answers
// 422 without it [observed: notes §2, §5].
Status RequireCty(const JweFacts& jwe, std::string_view what,
                  std::initializer_list<std::string_view> allowed) {
  if (jwe.header.cty.empty()) {
    return ApiError(Code::kCheckFailed, p::kInvalidContentType,
                    std::string(what) + ": JWE header has no cty");
  }
  for (auto a : allowed) {
    if (jwe.header.cty == a) return Status::Ok();
  }
  return ApiError(Code::kCheckFailed, p::kInvalidContentType,
                  std::string(what) + ": cty " + jwe.header.cty +
                      " not allowed");
}

// --- Sender: announce, upload, submit -------------------------------------

Status CheckAnnouncedIds(const Json& ids, int max) {
  if (!ids.is_array()) return Invalid("announcedAttachments must be an array");
  if (static_cast<int>(ids.size()) > max) {
    return ApiError(Code::kTooLarge, p::kTooManyAttachments,
                    "at most " + std::to_string(max) + " attachments");
  }
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!id.is_string() || !IsUuid(id.get<std::string>())) {
      return Invalid("announcedAttachments must hold UUIDs");
    }
    if (!seen.insert(id.get<std::string>()).second) {
      return Invalid("announcedAttachments holds an id twice");
    }
  }
  return Status::Ok();
}

Status CheckService(const DestinationRow& d, const Json& service_type) {
  std::string identifier = Str(service_type, "identifier");
  for (const auto& s : d.services) {
    if (Str(s, "identifier") == identifier) return Status::Ok();
  }
  return ApiError(Code::kCheckFailed, p::kServiceNotAccepted,
                  "the destination does not offer this service");
}

}  // namespace

Result<Response> Announce(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sender, Authorize(ctx, req, Role::kSender));
  DS_ASSIGN_OR_RETURN(Json body, JsonBody(req));

  // Shape.
  std::string destination_id = Str(body, "destinationId");
  if (!IsUuid(destination_id)) return Invalid("destinationId must be a UUID");
  Json ids = body.value("announcedAttachments", Json::array());
  DS_RETURN_IF_ERROR(
      CheckAnnouncedIds(ids, ctx.options.limits.max_attachments));
  Json service_type = body.value("serviceType", Json());
  if (!service_type.is_object() || Str(service_type, "identifier").empty()) {
    return Invalid("serviceType.identifier is required");
  }
  Json callback = body.value("callback", Json());
  if (!callback.is_null() &&
      (!callback.is_object() || Str(callback, "url").empty())) {
    return Invalid("callback must be {url, secret}");
  }

  // Destination, service, case.
  DS_ASSIGN_OR_RETURN(DestinationRow d, FindDestination(ctx, destination_id));
  if (d.status != "active") {
    return ApiError(Code::kCheckFailed, p::kDestinationStateInvalid,
                    "destination is " + d.status);
  }
  DS_RETURN_IF_ERROR(CheckService(d, service_type));
  std::string case_id = NewUuid();
  if (body.contains("caseId")) {
    case_id = Str(body, "caseId");
    DS_ASSIGN_OR_RETURN(bool exists,
                        IsUuid(case_id) ? ctx.store->CaseExists(case_id, d.id)
                                        : Result<bool>(false));
    if (!exists) {
      return ApiError(Code::kNotFound, p::kCaseNotFound,
                      "no case with this id at the destination");
    }
  }

  // Create, with the create-submission event.
  SubmissionRow s;
  s.id = NewUuid();
  s.case_id = case_id;
  s.destination_id = d.id;
  s.sender_client = sender.client_id;
  s.service_type = service_type;
  s.announced = ids.get<std::vector<std::string>>();
  s.state = kIncomplete;
  s.created_at = UnixNow();
  s.callback_url = Str(callback, "url");
  s.callback_secret = Str(callback, "secret");
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(fitconnect::CreateSubmission(
                                     ctx.issuer(), s.id, case_id)));
  DS_RETURN_IF_ERROR(ctx.store->Transaction([&](Db& db) {
    DS_RETURN_IF_ERROR(InsertSubmission(db, s));
    return AppendEvent(db, case_id, s.id, set.jti, "create-submission",
                       set.token);
  }));
  ctx.logger->Info("zd.announced", {{"submission", s.id},
                                    {"destination", d.id},
                                    {"attachments", static_cast<int>(s.announced.size())}});
  return Response::Json(201, RefJson(s));
}

Result<Response> UploadAttachment(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sender, Authorize(ctx, req, Role::kSender));
  DS_ASSIGN_OR_RETURN(SubmissionRow s, OwnSubmission(ctx, req, sender));
  std::string attachment_id = req.param("attachmentId");
  if (std::find(s.announced.begin(), s.announced.end(), attachment_id) ==
      s.announced.end()) {
    return ApiError(Code::kCheckFailed, p::kAttachmentNotAnnounced,
                    "attachment id was not announced");
  }
  if (s.state != kIncomplete) {
    return ApiError(Code::kConflict, p::kSubmissionStateInvalid,
                    "submission is " + s.state);
  }
  DS_RETURN_IF_ERROR(RequireMediaType(req, "application/jose"));

  // Limits: per attachment and per submission.
  const Limits& lim = ctx.options.limits;
  if (req.body_size > lim.max_attachment_bytes) {
    return ApiError(Code::kTooLarge, p::kAttachmentTooLarge,
                    "attachment above " +
                        std::to_string(lim.max_attachment_bytes) + " bytes");
  }
  DS_ASSIGN_OR_RETURN(auto stored, ctx.store->Attachments(s.id));
  uint64_t others = 0;
  for (const auto& a : stored) {
    if (a.attachment_id != attachment_id) others += a.size;
  }
  if (others + req.body_size > lim.max_submission_bytes) {
    return ApiError(Code::kTooLarge, p::kSubmissionTooLarge,
                    "submission above " +
                        std::to_string(lim.max_submission_bytes) + " bytes");
  }

  // Structure only: the stand-in never decrypts.
  DS_ASSIGN_OR_RETURN(JweFacts jwe,
                      req.body_file.empty()
                          ? InspectJwe(req.body, "attachment")
                          : InspectJweFile(req.body_file, "attachment"));

  // Keep the file: move the spooled body (same file system) or write it.
  std::filesystem::path path = ctx.store->AttachmentPath(s.id, attachment_id);
  DS_RETURN_IF_ERROR(EnsureDir(path.parent_path()));
  if (!req.body_file.empty()) {
    std::error_code ec;
    std::filesystem::rename(req.body_file, path, ec);
    if (ec) return EnvironmentError("store attachment: " + ec.message());
    DS_RETURN_IF_ERROR(SyncDir(path.parent_path()));
  } else {
    DS_RETURN_IF_ERROR(WriteFileAtomic(path, req.body));
  }
  DS_RETURN_IF_ERROR(ctx.store->Transaction([&](Db& db) {
    DS_RETURN_IF_ERROR(RequireState(db, s.id, kIncomplete));
    return UpsertAttachment(db, s.id, {attachment_id, jwe.size, path, jwe.tag});
  }));
  return Response::Empty(204);
}

Result<Response> Submit(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow sender, Authorize(ctx, req, Role::kSender));
  DS_ASSIGN_OR_RETURN(SubmissionRow s, OwnSubmission(ctx, req, sender));
  DS_ASSIGN_OR_RETURN(Json body, JsonBody(req));
  if (s.state != kIncomplete) {
    return ApiError(Code::kConflict, p::kSubmissionStateInvalid,
                    "submission is " + s.state);
  }

  // Metadata and data: compact JWEs with a fitting cty.
  std::string metadata = Str(body, "encryptedMetadata");
  if (metadata.empty()) return Invalid("encryptedMetadata is required");
  if (body.contains("encryptedData") && !body["encryptedData"].is_string()) {
    return Invalid("encryptedData must be a string");
  }
  std::string data = Str(body, "encryptedData");
  DS_ASSIGN_OR_RETURN(JweFacts meta, InspectJwe(metadata, "encryptedMetadata"));
  DS_RETURN_IF_ERROR(RequireCty(meta, "encryptedMetadata", {"application/json"}));
  Json tags = {{"metadata", meta.tag}, {"attachments", Json::object()}};
  uint64_t total = metadata.size() + data.size();
  if (!data.empty()) {
    DS_ASSIGN_OR_RETURN(JweFacts d, InspectJwe(data, "encryptedData"));
    DS_RETURN_IF_ERROR(RequireCty(d, "encryptedData",
                                  {"application/json", "application/xml"}));
    tags["data"] = d.tag;
  }

  // Every announced attachment must be there.
  DS_ASSIGN_OR_RETURN(auto stored, ctx.store->Attachments(s.id));
  std::vector<std::string> missing;
  for (const auto& id : s.announced) {
    auto it = std::find_if(stored.begin(), stored.end(), [&](const auto& a) {
      return a.attachment_id == id;
    });
    if (it == stored.end()) {
      missing.push_back(id);
      continue;
    }
    tags["attachments"][id] = it->tag;
    total += it->size;
  }
  if (!missing.empty()) {
    return ApiError(Code::kCheckFailed, p::kMissingAttachments,
                    std::to_string(missing.size()) +
                        " announced attachment(s) not uploaded, first " +
                        missing.front());
  }
  if (total > ctx.options.limits.max_submission_bytes) {
    return ApiError(Code::kTooLarge, p::kSubmissionTooLarge,
                    "submission above " +
                        std::to_string(ctx.options.limits.max_submission_bytes) +
                        " bytes");
  }

  // Submit: state, submit-submission event, callback to the destination.
  DS_ASSIGN_OR_RETURN(DestinationRow d, FindDestination(ctx, s.destination_id));
  s.state = kSubmitted;
  s.encrypted_metadata = metadata;
  s.encrypted_data = data;
  s.submitted_at = UnixNow();
  s.authentication_tags = tags;
  DS_ASSIGN_OR_RETURN(auto auth, fitconnect::AuthenticationTags::FromJson(tags));
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(fitconnect::SubmitSubmission(
                                     ctx.issuer(), s.id, s.case_id, auth)));
  DS_RETURN_IF_ERROR(ctx.store->Transaction([&](Db& db) {
    DS_RETURN_IF_ERROR(RequireState(db, s.id, kIncomplete));
    DS_RETURN_IF_ERROR(SaveSubmitted(db, s));
    DS_RETURN_IF_ERROR(
        AppendEvent(db, s.case_id, s.id, set.jti, "submit-submission", set.token));
    return EnqueueFor(db, d.callback_url, d.callback_secret, "new-submissions", s);
  }));
  ctx.wake_worker();
  ctx.logger->Info("zd.submitted", {{"submission", s.id},
                                    {"destination", d.id},
                                    {"bytes", total}});
  // RECONSTRUCTED: the v1 response body; the ids are what clients read.
  return Response::Json(200, RefJson(s));
}

}  // namespace ds::zustelldienst::api
