// Internal: the transport both Submission API clients share.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "net/http.h"
#include "submission_api/client.h"

namespace ds::submission_api {

// An HTTP error response as a status: the code from the HTTP status, the
// problem (if the body is RFC 7807) attached, the message naming `step`.
Status StatusFromResponse(const net::ClientResponse& response,
                          std::string_view step);

class Connection {
 public:
  explicit Connection(Endpoint endpoint);

  struct Call {
    std::string method = "GET";
    std::string path;  // after {api_url}, e.g. "/v1/submissions"
    std::string content_type;
    std::string body;
    std::filesystem::path body_file;
    std::filesystem::path out_file;
    bool transfer = false;  // use the transfer timeout
  };

  // Performs an authorized call. A 401 drops the token and retries once.
  // Statuses >= 300 become errors via StatusFromResponse(step).
  Result<net::ClientResponse> Do(const Call& call, std::string_view step);
  Result<nlohmann::json> GetJson(const std::string& path, std::string_view step);

  // Unauthenticated GET (/.well-known/jwks.json).
  Result<nlohmann::json> GetPublicJson(const std::string& path,
                                       std::string_view step);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  TokenSource tokens_;
};

// Shared by both clients.
Result<DestinationInfo> GetDestinationVia(Connection& conn,
                                          std::string_view destination_id);
Result<nlohmann::json> GetKeyVia(Connection& conn,
                                 std::string_view destination_id,
                                 std::string_view kid);
Result<EventLog> GetEventsVia(Connection& conn, std::string_view case_id);

}  // namespace ds::submission_api
