// Internal: plumbing shared by the route files of the stand-in (api.cc,
// api_sender.cc, api_subscriber.cc): problem responses, authentication,
// lookups that answer with API problems, state checks in transactions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "net/http.h"
#include "zustelldienst/api.h"
#include "zustelldienst/problems.h"
#include "zustelldienst/store.h"

namespace ds::zustelldienst::api {

using Json = nlohmann::json;
using net::Request;
using net::Response;
namespace p = problem;

// A handler returns a response or a status carrying an API problem.
using Fn = Result<Response> (*)(ApiContext&, const Request&);
net::Handler Wrap(ApiContext& ctx, Fn fn);

bool MediaTypeIs(const Request& req, std::string_view type);
// 415 unsupported-media-type unless the Content-Type is `type`.
Status RequireMediaType(const Request& req, std::string_view type);
// A JSON object body (415, 400 request-syntax-violation).
Result<Json> JsonBody(const Request& req);
std::string Str(const Json& j, const char* name);  // "" if absent
Status Invalid(std::string detail);                  // 400 invalid-request

// The client of the Bearer token (401 unauthorized).
Result<ClientRow> Authenticate(ApiContext& ctx, const Request& req);
// ... with the given role (403 insufficient-scope).
Result<ClientRow> Authorize(ApiContext& ctx, const Request& req, Role role);
bool Subscribes(const ClientRow& c, std::string_view destination_id);

Result<DestinationRow> FindDestination(ApiContext& ctx, std::string_view id);
Result<SubmissionRow> FindSubmission(ApiContext& ctx, std::string_view id);
// A sender sees only its own submissions (404 otherwise).
Result<SubmissionRow> OwnSubmission(ApiContext& ctx, const Request& req,
                                    const ClientRow& sender);
// A subscriber sees submitted submissions of its destinations.
Result<SubmissionRow> PickupSubmission(ApiContext& ctx, const Request& req,
                                       const ClientRow& subscriber);
// Inside a transaction: 409 submission-state-invalid unless in `state`.
Status RequireState(Db& db, std::string_view id, std::string_view state);

Json RefJson(const SubmissionRow& s);  // {destinationId, submissionId, caseId}
// Queues a callback of `type` ("new-submissions", "new-events") if `url`.
Status EnqueueFor(Db& db, std::string_view url, std::string_view secret,
                  std::string_view type, const SubmissionRow& s);
// An integer query parameter in [min, max] (400 otherwise).
Result<int64_t> QueryInt(const Request& req, const char* name, int64_t fallback,
                         int64_t min, int64_t max);

// Routes (api_sender.cc, api_subscriber.cc).
Result<Response> Announce(ApiContext& ctx, const Request& req);
Result<Response> UploadAttachment(ApiContext& ctx, const Request& req);
Result<Response> Submit(ApiContext& ctx, const Request& req);
Result<Response> ListSubmissions(ApiContext& ctx, const Request& req);
Result<Response> GetSubmission(ApiContext& ctx, const Request& req);
Result<Response> GetAttachment(ApiContext& ctx, const Request& req);
Result<Response> GetEvents(ApiContext& ctx, const Request& req);
Result<Response> PostEvent(ApiContext& ctx, const Request& req);

}  // namespace ds::zustelldienst::api
