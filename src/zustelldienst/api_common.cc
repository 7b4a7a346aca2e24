// Plumbing shared by the stand-in's route files.
#include "zustelldienst/api_common.h"

#include "core/encoding.h"
#include "fitconnect/callback.h"
#include "zustelldienst/admin.h"

namespace ds::zustelldienst::api {


// Request plumbing.

Response ToResponse(ApiContext& ctx, const Status& s, const Request& req) {
  Response r = Response::Problem(s, req.path);
  if (s.problem() && s.problem()->type.ends_with(p::kUnsupportedMediaType)) {
    r.status = 415;
    // The problem document repeats the status (RFC 7807); keep them equal.
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      body["status"] = 415;
      r.body = body.dump();
    }
  }
  if (s.code() == Code::kUnauthenticated) r.headers["WWW-Authenticate"] = "Bearer";
  ctx.logger->Info("zd.refused",
                   {{"method", req.method}, {"status", r.status},
                    {"problem", s.problem() ? s.problem()->type : ""}});
  return r;
}

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
  if (type == "new-submissions") {
    return fitconnect::NewSubmissionsCallbackBody(
        {{s.destination_id, s.id, s.case_id}});
  }
  return Json{{"type", fitconnect::kCallbackNewEvents},
              {"submissions", Json::array({RefJson(s)})}}
      .dump();
}

Status EnqueueFor(Db& db, std::string_view url, std::string_view secret,
                  std::string_view type, const SubmissionRow& s) {
  if (url.empty()) return Status::Ok();
  return EnqueueCallback(db, url, secret, CallbackBody(type, s), NowMs());
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

}  // namespace ds::zustelldienst::api
