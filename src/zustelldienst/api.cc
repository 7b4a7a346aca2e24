// The Submission API v1 routes of the stand-in. Handlers parse, check in the
// order a client's mistakes are most useful to learn about (auth, media
// type, syntax, existence, state, limits), then change state in one
// transaction. A refused request changes nothing.
#include "zustelldienst/api.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/encoding.h"
#include "core/files.h"
#include "jose/jwe.h"
#include "zustelldienst/admin.h"
#include "zustelldienst/callbacks.h"
#include "zustelldienst/problems.h"

namespace ds::zustelldienst {
namespace {

using Json = nlohmann::json;
using net::Request;
using net::Response;
namespace p = problem;

// Request plumbing.

Response ToResponse(ApiContext& ctx, const Status& s, const Request& req) {
  Response r = Response::Problem(s, req.path);
  if (s.problem() && s.problem()->type.ends_with(p::kUnsupportedMediaType)) {
    r.status = 415;
  }
  if (s.code() == Code::kUnauthenticated) r.headers["WWW-Authenticate"] = "Bearer";
  ctx.logger->Info("zd.refused",
                   {{"method", req.method}, {"status", r.status},
                    {"problem", s.problem() ? s.problem()->type : ""}});
  return r;
}

using Fn = Result<Response> (*)(ApiContext&, const Request&);

net::Handler Wrap(ApiContext& ctx, Fn fn) {
  return [&ctx, fn](const Request& req) {
    auto res = fn(ctx, req);
    if (!res.ok()) return ToResponse(ctx, res.status(), req);
    return std::move(res).value();
  };
}

bool MediaTypeIs(const Request& req, std::string_view type) {
  std::string ct = req.header("Content-Type");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  return net::CaseInsensitiveLess()(ct, type) == false &&
         net::CaseInsensitiveLess()(type, ct) == false;
}

Status RequireMediaType(const Request& req, std::string_view type) {
  if (MediaTypeIs(req, type)) return Status::Ok();
  return ApiError(Code::kInvalidInput, p::kUnsupportedMediaType,
                  "Content-Type must be " + std::string(type));
}

Result<Json> JsonBody(const Request& req) {
  DS_RETURN_IF_ERROR(RequireMediaType(req, "application/json"));
  auto text = req.ReadBody(size_t{1} << 30);
  if (!text.ok()) {
    return ApiError(Code::kTooLarge, p::kSubmissionTooLarge, "body too large");
  }
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return ApiError(Code::kInvalidInput, p::kSyntaxViolation,
                    "body is not a JSON object");
  }
  return j;
}

std::string Str(const Json& j, const char* name) {
  return j.contains(name) && j[name].is_string() ? j[name].get<std::string>()
                                                 : std::string();
}

Status Invalid(std::string detail) {
  return ApiError(Code::kInvalidInput, p::kInvalidRequest, std::move(detail));
}

// Authentication: Bearer tokens issued by POST /token.

Result<ClientRow> Authenticate(ApiContext& ctx, const Request& req) {
  std::string auth = req.header("Authorization");
  if (!auth.starts_with("Bearer ") || auth.size() < 8) {
    return ApiError(Code::kUnauthenticated, p::kUnauthorized,
                    "a Bearer access token is required");
  }
  DS_ASSIGN_OR_RETURN(auto client, ctx.store->ClientForToken(
                                       HashSecret(auth.substr(7)), UnixNow()));
  if (!client) {
    return ApiError(Code::kUnauthenticated, p::kUnauthorized,
                    "access token invalid or expired");
  }
  return *client;
}

Result<ClientRow> Authorize(ApiContext& ctx, const Request& req, Role role) {
  DS_ASSIGN_OR_RETURN(ClientRow client, Authenticate(ctx, req));
  if (client.role != role) {
    return ApiError(Code::kPermissionDenied, p::kForbidden,
                    role == Role::kSender
                        ? "the send-submissions scope is required"
                        : "a subscriber scope is required");
  }
  return client;
}

bool Subscribes(const ClientRow& c, std::string_view destination_id) {
  for (const auto& d : c.destinations) {
    if (d == destination_id) return true;
  }
  return false;
}

// Lookups that answer with the API's problems.

Result<DestinationRow> FindDestination(ApiContext& ctx, std::string_view id) {
  auto row = IsUuid(id) ? ctx.store->FindDestination(id)
                        : Result<std::optional<DestinationRow>>(std::nullopt);
  DS_RETURN_IF_ERROR(row);
  if (!*row) {
    return ApiError(Code::kNotFound, p::kDestinationNotFound,
                    "no destination with this id");
  }
  return **row;
}

Result<SubmissionRow> FindSubmission(ApiContext& ctx, std::string_view id) {
  auto row = IsUuid(id) ? ctx.store->FindSubmission(id)
                        : Result<std::optional<SubmissionRow>>(std::nullopt);
  DS_RETURN_IF_ERROR(row);
  if (!*row) {
    return ApiError(Code::kNotFound, p::kSubmissionNotFound,
                    "no submission with this id");
  }
  return **row;
}

// A sender sees only its own submissions.
Result<SubmissionRow> OwnSubmission(ApiContext& ctx, const Request& req,
                                    const ClientRow& sender) {
  DS_ASSIGN_OR_RETURN(SubmissionRow s,
                      FindSubmission(ctx, req.param("submissionId")));
  if (s.sender_client != sender.client_id) {
    return ApiError(Code::kNotFound, p::kSubmissionNotFound,
                    "no submission with this id");
  }
  return s;
}

// A subscriber sees submitted submissions of its destinations.
Result<SubmissionRow> PickupSubmission(ApiContext& ctx, const Request& req,
                                       const ClientRow& subscriber) {
  DS_ASSIGN_OR_RETURN(SubmissionRow s,
                      FindSubmission(ctx, req.param("submissionId")));
  if (s.state == kIncomplete) {
    return ApiError(Code::kNotFound, p::kSubmissionNotFound,
                    "submission not submitted yet");
  }
  if (!Subscribes(subscriber, s.destination_id)) {
    return ApiError(Code::kPermissionDenied, p::kForbidden,
                    "not a subscriber of the submission's destination");
  }
  return s;
}

Result<std::string> StateIn(Db& db, std::string_view id) {
  DS_ASSIGN_OR_RETURN(auto rows,
                      db.Query("SELECT state FROM submissions WHERE id=?1", {id}));
  if (rows.empty()) return NotFound("submission vanished");
  return rows[0][0].s;
}

Status RequireState(Db& db, std::string_view id, std::string_view state) {
  DS_ASSIGN_OR_RETURN(std::string now, StateIn(db, id));
  if (now == state) return Status::Ok();
  return ApiError(Code::kConflict, p::kSubmissionStateInvalid,
                  "submission is " + now + ", not " + std::string(state));
}

Json RefJson(const SubmissionRow& s) {
  return {{"destinationId", s.destination_id},
          {"submissionId", s.id},
          {"caseId", s.case_id}};
}

// Callback bodies (notes §6). new-submissions is documented; the shape of
// new-events is RECONSTRUCTED by analogy [unverified].
std::string CallbackBody(std::string_view type, const SubmissionRow& s) {
  Json body = {{"type", std::string(kCallbackBase) + std::string(type)},
               {"submissions", Json::array({RefJson(s)})}};
  if (type == "new-submissions") body["submissionIds"] = Json::array({s.id});
  return body.dump();
}

Status EnqueueFor(Db& db, std::string_view url, std::string_view secret,
                  std::string_view type, const SubmissionRow& s) {
  if (url.empty()) return Status::Ok();
  return EnqueueCallback(db, url, secret, CallbackBody(type, s), NowMs());
}

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

// --- OAuth token endpoint -------------------------------------------------

std::string FormDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)),
                                         nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      try {
        out[FormDecode(pair.substr(0, eq))] = FormDecode(pair.substr(eq + 1));
      } catch (const std::exception&) {
        // malformed escape: the field is dropped
      }
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

Response OAuthError(int status, std::string_view error) {
  return Response::Json(status, {{"error", error}});
}

std::vector<std::string> GrantedScopes(const ClientRow& c) {
  if (c.role == Role::kSender) {
    return {"https://schema.fitko.de/fit-connect/oauth/scopes/send-submissions"};
  }
  std::vector<std::string> out;
  for (const auto& d : c.destinations) {
    // RECONSTRUCTED [unverified], see submission_api::SubscribeScope.
    out.push_back(
        "https://schema.fitko.de/fit-connect/oauth/scopes/"
        "subscribe-destination:" + d);
  }
  return out;
}

Result<Response> PostToken(ApiContext& ctx, const Request& req) {
  if (!MediaTypeIs(req, "application/x-www-form-urlencoded")) {
    return OAuthError(400, "invalid_request");
  }
  auto body = req.ReadBody(64 * 1024);
  if (!body.ok()) return OAuthError(400, "invalid_request");
  auto form = ParseForm(*body);
  if (form["grant_type"] != "client_credentials") {
    return OAuthError(400, "unsupported_grant_type");
  }

  // Client authentication (client_secret_post).
  DS_ASSIGN_OR_RETURN(auto client, ctx.store->FindClient(form["client_id"]));
  if (!client || !ConstantTimeEquals(HashSecret(form["client_secret"]),
                                     client->secret_hash)) {
    return OAuthError(401, "invalid_client");
  }

  // Scopes: all granted ones, or the requested subset. A subscriber without
  // destinations gets invalid_scope [observed: notes §1].
  std::vector<std::string> granted = GrantedScopes(*client);
  if (granted.empty()) return OAuthError(400, "invalid_scope");
  std::string scope;
  if (!form["scope"].empty()) {
    std::string_view rest = form["scope"];
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string one(rest.substr(0, sp));
      if (!one.empty() &&
          std::find(granted.begin(), granted.end(), one) == granted.end()) {
        return OAuthError(400, "invalid_scope");
      }
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    scope = form["scope"];
  } else {
    for (const auto& s : granted) scope += (scope.empty() ? "" : " ") + s;
  }

  std::string token = RandomToken();
  int64_t lifetime = ctx.options.token_lifetime_seconds;
  DS_RETURN_IF_ERROR(ctx.store->InsertToken(HashSecret(token),
                                            client->client_id,
                                            UnixNow() + lifetime));
  Response r = Response::Json(200, {{"access_token", token},
                                    {"token_type", "Bearer"},
                                    {"expires_in", lifetime},
                                    {"scope", scope}});
  r.headers["Cache-Control"] = "no-store";
  return r;
}

// --- Destinations ---------------------------------------------------------

Result<Response> GetDestination(ApiContext& ctx, const Request& req) {
  DS_ASSIGN_OR_RETURN(ClientRow client, Authenticate(ctx, req));
  DS_ASSIGN_OR_RETURN(DestinationRow d,
                      FindDestination(ctx, req.param("destinationId")));
  Json doc = DestinationDocument(d);
  // The callback is shown to the destination's own subscriber only; the
  // secret is write-only [notes §2].
  if (client.role == Role::kSubscriber && Subscribes(client, d.id) &&
      !d.callback_url.empty()) {
    doc["callback"] = {{"url", d.callback_url}};
  }
  return Response::Json(200, doc);
}

Result<Response> GetKey(ApiContext& ctx, const Request& req) {
  DS_RETURN_IF_ERROR(Authenticate(ctx, req));
  DS_ASSIGN_OR_RETURN(DestinationRow d,
                      FindDestination(ctx, req.param("destinationId")));
  DS_ASSIGN_OR_RETURN(auto key, ctx.store->FindKey(d.id, req.param("kid")));
  if (!key) {
    return ApiError(Code::kNotFound, p::kKeyNotFound,
                    "the destination has no key with this kid");
  }
  return Response::Json(200, *key);
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
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(ctx.issuer(), s.id, case_id,
                                                 "create-submission",
                                                 Json::object()));
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
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(ctx.issuer(), s.id, s.case_id,
                                                 "submit-submission",
                                                 {{"authenticationTags", tags}}));
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

// --- Subscriber: pickup ---------------------------------------------------

Result<int64_t> QueryInt(const Request& req, const char* name, int64_t fallback,
                         int64_t min, int64_t max) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  int64_t v = 0;
  size_t used = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != it->second.size() || it->second.empty() || v < min || v > max) {
    return Invalid(std::string(name) + " must be an integer in [" +
                   std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

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

Status CheckEventBody(const SubscriberEvent& ev, const SubmissionRow& s) {
  if (ev.event_name == "accept-submission") {
    // The tags must be those of the submit-submission event (notes §4).
    if (!ev.body.contains("authenticationTags") ||
        ev.body["authenticationTags"] != s.authentication_tags) {
      return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                      "event: authenticationTags do not match the submission");
    }
    return Status::Ok();
  }
  const Json problems = ev.body.value("problems", Json());
  if (!problems.is_array() || problems.empty()) {
    return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                    "event: reject-submission needs problems");
  }
  for (const auto& pr : problems) {
    if (!pr.is_object() || Str(pr, "type").empty()) {
      return ApiError(Code::kCheckFailed, p::kInvalidEvent,
                      "event: every problem needs a type");
    }
  }
  return Status::Ok();
}

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

Result<Response> GetJwks(ApiContext& ctx, const Request&) {
  Response r = Response::Json(200, ctx.signer->Jwks());
  r.headers["Content-Type"] = "application/jwk-set+json";
  return r;
}

Result<Response> GetInfo(ApiContext&, const Request&) {
  return Response::Json(200, {{"name", "drehscheibe zustelldienst (stand-in)"},
                              {"apiVersion", "1"}});
}

}  // namespace

net::Router BuildRouter(ApiContext& ctx) {
  net::Router r;
  r.Add("POST", "/token", Wrap(ctx, PostToken));
  r.Add("GET", "/.well-known/jwks.json", Wrap(ctx, GetJwks));
  r.Add("GET", "/v1/info", Wrap(ctx, GetInfo));
  r.Add("GET", "/v1/destinations/{destinationId}", Wrap(ctx, GetDestination));
  r.Add("GET", "/v1/destinations/{destinationId}/keys/{kid}", Wrap(ctx, GetKey));
  r.Add("POST", "/v1/submissions", Wrap(ctx, Announce));
  r.Add("GET", "/v1/submissions", Wrap(ctx, ListSubmissions));
  r.Add("PUT", "/v1/submissions/{submissionId}", Wrap(ctx, Submit));
  r.Add("GET", "/v1/submissions/{submissionId}", Wrap(ctx, GetSubmission));
  r.Add("PUT", "/v1/submissions/{submissionId}/attachments/{attachmentId}",
        Wrap(ctx, UploadAttachment));
  r.Add("GET", "/v1/submissions/{submissionId}/attachments/{attachmentId}",
        Wrap(ctx, GetAttachment));
  r.Add("GET", "/v1/cases/{caseId}/events", Wrap(ctx, GetEvents));
  r.Add("POST", "/v1/cases/{caseId}/events", Wrap(ctx, PostEvent));
  return r;
}

Status RejectForTimeout(ApiContext& ctx, const SubmissionRow& s) {
  // RECONSTRUCTED [unverified]: the problem the real service puts into its
  // timeout rejection is not documented offline.
  Json problem = {
      {"type", "https://schema.fitko.de/fit-connect/events/problems/"
               "submission-not-picked-up"},
      {"title", "Einreichung nicht abgeholt"},
      {"detail", "Die Einreichung wurde nicht rechtzeitig abgeholt."},
      {"instance", "submission"}};
  DS_ASSIGN_OR_RETURN(auto set, ctx.signer->Sign(ctx.issuer(), s.id, s.case_id,
                                                 "reject-submission",
                                                 {{"problems", {problem}}}));
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
