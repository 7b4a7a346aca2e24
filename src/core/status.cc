#include "core/status.h"

#include <string>

namespace ds {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "Ok";
    case Code::kInvalidInput: return "InvalidInput";
    case Code::kCheckFailed: return "CheckFailed";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kConflict: return "Conflict";
    case Code::kUnauthenticated: return "Unauthenticated";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kTooLarge: return "TooLarge";
    case Code::kUsage: return "Usage";
    case Code::kUnavailable: return "Unavailable";
    case Code::kEnvironment: return "Environment";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

Status& Status::Prepend(std::string_view step) {
  if (!ok()) message_ = std::string(step) + ": " + message_;
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "Ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status InvalidInput(std::string m) { return {Code::kInvalidInput, std::move(m)}; }
Status CheckFailed(std::string m) { return {Code::kCheckFailed, std::move(m)}; }
Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
Status EnvironmentError(std::string m) { return {Code::kEnvironment, std::move(m)}; }
Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }

}  // namespace ds
