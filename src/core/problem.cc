#include "core/problem.h"

#include <nlohmann/json.hpp>

namespace ds {

int ExitCode(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kInvalidInput:
    case Code::kCheckFailed:
    case Code::kNotFound:
    case Code::kAlreadyExists:
    case Code::kConflict:
    case Code::kUnauthenticated:
    case Code::kPermissionDenied:
    case Code::kTooLarge:
      return 1;
    case Code::kUsage:
    case Code::kUnavailable:
    case Code::kEnvironment:
    case Code::kInternal:
      return 2;
  }
  return 2;
}

int HttpStatus(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return 200;
    case Code::kInvalidInput: return 400;
    case Code::kUsage: return 400;
    case Code::kCheckFailed: return 422;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kConflict: return 409;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kTooLarge: return 413;
    case Code::kUnavailable: return 503;
    case Code::kEnvironment: return 500;
    case Code::kInternal: return 500;
  }
  return 500;
}

namespace {

std::string Kebab(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

nlohmann::json ProblemJson(const Status& status, std::string_view instance) {
  nlohmann::json body;
  if (status.problem()) {
    body["type"] = status.problem()->type;
    body["title"] = status.problem()->title;
    if (!status.problem()->instance.empty()) {
      body["instance"] = status.problem()->instance;
    }
  } else {
    body["type"] = std::string(kProblemBase) + Kebab(CodeName(status.code()));
    body["title"] = std::string(CodeName(status.code()));
  }
  body["status"] = HttpStatus(status);
  body["detail"] = status.message();
  if (!instance.empty() && !body.contains("instance")) {
    body["instance"] = std::string(instance);
  }
  return body;
}

}  // namespace ds
