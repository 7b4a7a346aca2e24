// The Submission API v1 routes of the stand-in: the router, the OAuth token
// endpoint and the public reads. Sender and subscriber routes live in
// api_sender.cc and api_subscriber.cc.
#include "zustelldienst/api.h"

#include <algorithm>

#include "core/encoding.h"
#include "zustelldienst/admin.h"
#include "zustelldienst/api_common.h"

namespace ds::zustelldienst {
namespace api {
namespace {

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
}  // namespace api

net::Router BuildRouter(ApiContext& ctx) {
  using namespace api;  // NOLINT: the routes of this folder
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

}  // namespace ds::zustelldienst
