// HTTP/1.1 server and client, kept behind plain structs so that the heavy
// Boost.Beast and libcurl headers stay in server.cc and client.cc.
//
// Server:
//
//   ds::net::Router router;
//   router.Add("GET", "/v1/destinations/{id}", [&](const ds::net::Request& r) {
//     return ds::net::Response::Json(200, Lookup(r.param("id")));
//   });
//   DS_ASSIGN_OR_RETURN(auto server,
//       ds::net::HttpServer::Start({.listen = "127.0.0.1:0"},
//       std::move(router)));
//   std::string base = server->base_url();   // "http://127.0.0.1:41234"
//
// Handlers run on the server's worker threads and must be thread-safe.
// Bodies above `spool_threshold` are written to a temporary file
// (Request::body_file) instead of memory, and responses can stream a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::net {

// Header names compare case-insensitively.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;
  std::string target;  // path and query as received
  std::string path;    // decoded path without query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;  // from {name} in the route
  Headers headers;
  std::string body;                 // empty if spooled
  std::filesystem::path body_file;  // set if the body was spooled to disk
  uint64_t body_size = 0;
  std::string remote_address;

  std::string param(std::string_view name) const;
  std::string header(std::string_view name) const;  // "" if absent
  // The body, read from the spool file if needed (up to `max`).
  Result<std::string> ReadBody(size_t max = 64u << 20) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::filesystem::path file;  // if set, streamed as the body

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body, std::string content_type);
  static Response Empty(int status);
  // RFC 7807 problem response for a status (core/problem.h).
  static Response Problem(const Status& status, std::string_view instance);
};

using Handler = std::function<Response(const Request&)>;

// Routes by method and path pattern. Segments written {name} match one path
// segment and are available as Request::params. The first match wins.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Called for every request before routing; may return a response to stop.
  void Use(std::function<std::optional<Response>(Request&)> middleware);
  // Called when no route matches (`status` 404) or none for the method
  // (405); may return the response to send instead of the problem JSON
  // (e.g. an HTML page for a browser). Status and Allow are set after it.
  void OnUnmatched(
      std::function<std::optional<Response>(const Request&, int status)> f);
  Response Dispatch(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::vector<std::function<std::optional<Response>(Request&)>> middleware_;
  std::function<std::optional<Response>(const Request&, int)> unmatched_;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  int threads = 2;
  uint64_t max_body = 64ull << 20;        // larger bodies get 413
  uint64_t spool_threshold = 1ull << 20;  // larger bodies go to a file
  std::filesystem::path spool_dir;        // default: temp directory
  int read_timeout_seconds = 60;
};

class HttpServer {
 public:
  // Binds and starts serving in background threads. kUnavailable if the
  // address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                   Router router);
  virtual ~HttpServer() = default;
  virtual uint16_t port() const = 0;
  virtual std::string base_url() const = 0;  // http://host:port
  // Stops accepting, finishes running requests, joins the threads.
  virtual void Stop() = 0;
};

// Client.
struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::filesystem::path body_file;  // upload from a file instead of `body`
  std::filesystem::path out_file;   // write the response body to a file
  int timeout_seconds = 60;
  uint64_t max_response = 64ull << 20;  // for in-memory bodies
  // PEM file of CA certificates that https peers must chain to, instead of
  // the system's trust store (e.g. an authority's own PKI). Empty: system.
  std::filesystem::path ca_file;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;  // empty if written to out_file
};

// Performs one request. Network failures are kUnavailable; any HTTP status
// is a successful Fetch (the caller interprets it). Error messages name the
// URL as RedactedUrl gives it.
Result<ClientResponse> Fetch(const ClientRequest& request);

// `url` as it may appear in logs, errors and pages: credentials in the
// user-info part and the query and fragment (where API keys tend to be)
// become "***". "https://u:p@h/x?k=v" -> "https://***@h/x?***".
std::string RedactedUrl(std::string_view url);

// Percent-encodes for a query value.
std::string UrlEncode(std::string_view value);

}  // namespace ds::net
