// OAuth2 client-credentials tokens (RFC 6749 §4.4, client_secret_post), as
// FIT-Connect's token endpoint takes them: form fields grant_type,
// client_id, client_secret [observed: notes §1].
#include <mutex>

#include "core/encoding.h"

#include "net/http.h"
#include "submission_api/client.h"

namespace ds::submission_api {

struct TokenSource::State {
  Endpoint endpoint;
  std::mutex mu;
  std::string token;        // guarded by mu
  int64_t expires_at = 0;   // guarded by mu
};

TokenSource::TokenSource(Endpoint endpoint)
    : state_(std::make_shared<State>()) {
  state_->endpoint = std::move(endpoint);
}

void TokenSource::Invalidate() {
  std::lock_guard lock(state_->mu);
  state_->token.clear();
  state_->expires_at = 0;
}

namespace {

// Maps an OAuth error response ({"error": "..."}) to a status.
Status TokenError(const net::ClientResponse& resp) {
  std::string error;
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    error = body["error"].get<std::string>();
  }
  std::string what = "token: HTTP " + std::to_string(resp.status) +
                     (error.empty() ? "" : " " + error);
  if (error == "invalid_scope") return Status(Code::kPermissionDenied, what);
  if (resp.status == 401 || error == "invalid_client") {
    return Status(Code::kUnauthenticated, what);
  }
  if (resp.status >= 500) return Unavailable(what);
  return InvalidInput(what);
}

}  // namespace

Result<std::string> TokenSource::Get() {
  std::lock_guard lock(state_->mu);
  const int64_t now = UnixNow();
  if (!state_->token.empty() && state_->expires_at - 60 > now) {
    return state_->token;
  }

  const Endpoint& ep = state_->endpoint;
  net::ClientRequest req;
  req.method = "POST";
  req.url = ep.token_url;
  req.timeout_seconds = ep.timeout_seconds;
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Accept"] = "application/json";
  req.body = "grant_type=client_credentials&client_id=" +
             net::UrlEncode(ep.client_id) +
             "&client_secret=" + net::UrlEncode(ep.client_secret);
  if (!ep.scope.empty()) req.body += "&scope=" + net::UrlEncode(ep.scope);

  auto resp = net::Fetch(req);
  if (!resp.ok()) return Status(resp.status()).Prepend("token");
  if (resp->status != 200) return TokenError(*resp);

  auto body = nlohmann::json::parse(resp->body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    return InvalidInput("token: response without access_token");
  }
  int64_t lifetime = 300;
  if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
    lifetime = body["expires_in"].get<int64_t>();
  }
  state_->token = body["access_token"].get<std::string>();
  state_->expires_at = now + lifetime;
  return state_->token;
}

std::string SubscribeScope(std::string_view destination_id) {
  return "https://schema.fitko.de/fit-connect/oauth/scopes/"
         "subscribe-destination:" +
         std::string(destination_id);
}

}  // namespace ds::submission_api
