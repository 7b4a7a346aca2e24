// The Beast- and curl-free parts of the HTTP contract: header comparison,
// request helpers, response builders and the router.
#include "net/http.h"

#include <cctype>
#include <fstream>

#include "core/files.h"
#include "core/problem.h"

namespace ds::net {

bool CaseInsensitiveLess::operator()(std::string_view a,
                                     std::string_view b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i]));
    int cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::string Request::param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

std::string Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Result<std::string> Request::ReadBody(size_t max) const {
  if (body_file.empty()) {
    if (body.size() > max) return TooLarge("request body above limit");
    return body;
  }
  Result<std::string> content = ReadFile(body_file, max);
  if (content.ok()) return content;
  // The spool file's path and the server's errno are not the client's
  // business: answer in the same words as for an in-memory body.
  if (content.status().code() == Code::kTooLarge)
    return TooLarge("request body above limit");
  return Internal("request body could not be read back");
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump();
  return r;
}

Response Response::Text(int status, std::string body,
                        std::string content_type) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::Problem(const Status& status, std::string_view instance) {
  Response r;
  r.status = HttpStatus(status);
  r.headers["Content-Type"] = "application/problem+json";
  r.body = ProblemJson(status, instance).dump();
  return r;
}

namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool IsParam(const std::string& s) {
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(
      {std::move(method), SplitPath(pattern), std::move(handler)});
}

void Router::Use(std::function<std::optional<Response>(Request&)> middleware) {
  middleware_.push_back(std::move(middleware));
}

void Router::OnUnmatched(
    std::function<std::optional<Response>(const Request&, int status)> f) {
  unmatched_ = std::move(f);
}

Response Router::Dispatch(Request& request) const {
  for (const auto& m : middleware_) {
    if (auto r = m(request)) return *r;
  }

  std::vector<std::string> parts = SplitPath(request.path);
  bool path_matched = false;
  std::string allow;  // the methods of the routes whose path matched
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      const std::string& seg = route.segments[i];
      if (IsParam(seg)) {
        params[seg.substr(1, seg.size() - 2)] = parts[i];
      } else {
        match = seg == parts[i];
      }
    }
    if (!match) continue;
    path_matched = true;
    if (route.method != request.method) {
      if (allow.find(route.method) == std::string::npos) {
        allow += (allow.empty() ? "" : ", ") + route.method;
      }
      continue;
    }
    request.params = std::move(params);
    return route.handler(request);
  }

  const int status = path_matched ? 405 : 404;
  if (unmatched_) {
    if (std::optional<Response> r = unmatched_(request, status)) {
      r->status = status;
      if (path_matched) r->headers["Allow"] = allow;
      return *r;
    }
  }
  if (path_matched) {
    // No status code of ours means 405; the problem says it itself.
    nlohmann::json body = ProblemJson(
        Status(Code::kInvalidInput, "method not allowed"), request.path);
    body["type"] = std::string(kProblemBase) + "method-not-allowed";
    body["title"] = "MethodNotAllowed";
    body["status"] = 405;
    Response r = Response::Json(405, body);
    r.headers["Content-Type"] = "application/problem+json";
    r.headers["Allow"] = allow;
    return r;
  }
  return Response::Problem(NotFound("no such resource"), request.path);
}

}  // namespace ds::net
