#include "submission_api/connection.h"

namespace ds::submission_api {
namespace {

Code CodeForHttp(int status) {
  switch (status) {
    case 400: return Code::kInvalidInput;
    case 401: return Code::kUnauthenticated;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kConflict;
    case 413: return Code::kTooLarge;
    case 415:
    case 422: return Code::kCheckFailed;
    default: break;
  }
  if (status >= 500) return Code::kUnavailable;
  return Code::kInvalidInput;
}

}  // namespace

Status StatusFromResponse(const net::ClientResponse& response,
                          std::string_view step) {
  std::string message =
      std::string(step) + ": HTTP " + std::to_string(response.status);
  Status status(CodeForHttp(response.status), "");

  // The service's problem, if the body is one.
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("type") && body["type"].is_string()) {
    Problem problem;
    problem.type = body["type"].get<std::string>();
    if (body.contains("title") && body["title"].is_string()) {
      problem.title = body["title"].get<std::string>();
    }
    if (body.contains("instance") && body["instance"].is_string()) {
      problem.instance = body["instance"].get<std::string>();
    }
    message += " " + problem.type;
    if (body.contains("detail") && body["detail"].is_string()) {
      message += ": " + body["detail"].get<std::string>();
    }
    status = Status(status.code(), message);
    status.WithProblem(std::move(problem));
    return status;
  }
  return Status(status.code(), message);
}

Connection::Connection(Endpoint endpoint)
    : endpoint_(std::move(endpoint)), tokens_(endpoint_) {}

Result<net::ClientResponse> Connection::Do(const Call& call,
                                           std::string_view step) {
  for (int attempt = 0;; ++attempt) {
    DS_ASSIGN_OR_RETURN(std::string token, tokens_.Get());

    net::ClientRequest req;
    req.method = call.method;
    req.url = endpoint_.api_url + call.path;
    req.headers["Authorization"] = "Bearer " + token;
    req.headers["Accept"] = "application/json, application/problem+json";
    if (!call.content_type.empty()) {
      req.headers["Content-Type"] = call.content_type;
    }
    req.body = call.body;
    req.body_file = call.body_file;
    req.out_file = call.out_file;
    req.timeout_seconds = call.transfer ? endpoint_.transfer_timeout_seconds
                                        : endpoint_.timeout_seconds;

    auto resp = net::Fetch(req);
    if (!resp.ok()) return Status(resp.status()).Prepend(step);
    if (resp->status == 401 && attempt == 0) {
      tokens_.Invalidate();
      continue;
    }
    if (resp->status >= 300) {
      // An error body written to out_file is read back for the problem.
      if (!call.out_file.empty() && resp->body.empty()) {
        std::error_code ec;
        if (std::filesystem::file_size(call.out_file, ec) < 65536 && !ec) {
          FILE* f = std::fopen(call.out_file.c_str(), "rb");
          if (f) {
            char buf[65536];
            size_t n = std::fread(buf, 1, sizeof buf, f);
            std::fclose(f);
            resp->body.assign(buf, n);
          }
        }
      }
      return StatusFromResponse(*resp, step);
    }
    return resp;
  }
}

Result<nlohmann::json> Connection::GetJson(const std::string& path,
                                           std::string_view step) {
  DS_ASSIGN_OR_RETURN(auto resp, Do({.path = path}, step));
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  if (body.is_discarded()) {
    return InvalidInput(std::string(step) + ": response is not JSON");
  }
  return body;
}

Result<nlohmann::json> Connection::GetPublicJson(const std::string& path,
                                                 std::string_view step) {
  net::ClientRequest req;
  req.url = endpoint_.api_url + path;
  req.timeout_seconds = endpoint_.timeout_seconds;
  auto resp = net::Fetch(req);
  if (!resp.ok()) return Status(resp.status()).Prepend(step);
  if (resp->status != 200) return StatusFromResponse(*resp, step);
  auto body = nlohmann::json::parse(resp->body, nullptr, false);
  if (body.is_discarded()) {
    return InvalidInput(std::string(step) + ": response is not JSON");
  }
  return body;
}

namespace {

std::string StringField(const nlohmann::json& j, const char* name) {
  if (j.is_object() && j.contains(name) && j[name].is_string()) {
    return j[name].get<std::string>();
  }
  return "";
}

}  // namespace

bool DestinationInfo::AcceptsService(std::string_view identifier) const {
  if (!services.is_array()) return false;
  for (const auto& s : services) {
    if (StringField(s, "identifier") == identifier) return true;
  }
  return false;
}

Result<DestinationInfo> GetDestinationVia(Connection& conn,
                                          std::string_view destination_id) {
  DS_ASSIGN_OR_RETURN(
      nlohmann::json j,
      conn.GetJson("/v1/destinations/" + net::UrlEncode(destination_id),
                   "get destination"));
  DestinationInfo info;
  info.destination_id = StringField(j, "destinationId");
  info.status = StringField(j, "status");
  info.encryption_kid = StringField(j, "encryptionKid");
  if (j.contains("metadataVersions") && j["metadataVersions"].is_array()) {
    for (const auto& v : j["metadataVersions"]) {
      if (v.is_string()) info.metadata_versions.push_back(v.get<std::string>());
    }
  }
  info.services = j.value("services", nlohmann::json::array());
  info.reply_channels = j.value("replyChannels", nlohmann::json::object());
  info.raw = std::move(j);
  return info;
}

Result<nlohmann::json> GetKeyVia(Connection& conn,
                                 std::string_view destination_id,
                                 std::string_view kid) {
  return conn.GetJson("/v1/destinations/" + net::UrlEncode(destination_id) +
                          "/keys/" + net::UrlEncode(kid),
                      "get destination key");
}

Result<EventLog> GetEventsVia(Connection& conn, std::string_view case_id) {
  EventLog log;
  const int64_t kLimit = 500;
  for (int64_t offset = 0;;) {
    DS_ASSIGN_OR_RETURN(
        nlohmann::json j,
        conn.GetJson("/v1/cases/" + net::UrlEncode(case_id) +
                         "/events?offset=" + std::to_string(offset) +
                         "&limit=" + std::to_string(kLimit),
                     "get events"));
    if (!j.contains("eventLog") || !j["eventLog"].is_array()) {
      return InvalidInput("get events: response without eventLog");
    }
    for (const auto& e : j["eventLog"]) {
      if (!e.is_string()) return InvalidInput("get events: event not a string");
      log.events.push_back(e.get<std::string>());
    }
    int64_t total = j.value("totalCount", int64_t{0});
    offset += static_cast<int64_t>(j["eventLog"].size());
    if (j["eventLog"].empty() || offset >= total) break;
  }
  return log;
}

}  // namespace ds::submission_api
