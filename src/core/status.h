// Status and Result<T>: the one error channel of the core.
//
// Every fallible function in drehscheibe returns a `Status` (no value) or a
// `Result<T>` (a value or a status). Codes are coarse and say what the caller
// can do about the failure; the message says which step failed and why, for
// an operator, and never contains personal data, form content, keys or tokens.
// A status may carry a FIT-Connect problem (type URI and instance) when the
// failure is one that must be reported to a sender as a reject problem.
//
// The translation of codes to HTTP problem responses and CLI exit codes lives
// in one place, core/problem.h.
//
// Example:
//
//   ds::Result<Jwk> key = ds::jose::ParseJwk(text);
//   if (!key.ok()) return key.status();
//   Use(*key);
//
// C++20 has no std::expected; see doc/adr/0002-error-type.md for the choice.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ds {

// When adding a code, also extend CodeName() in status.cc and the mapping in
// problem.cc (HTTP status and exit code).
enum class Code {
  kOk = 0,
  kInvalidInput,        // malformed or forbidden input; exit 1, HTTP 400
  kCheckFailed,         // a verification step failed (signature, hash,
                        // tag, schema, threat found); exit 1, HTTP 422
  kNotFound,            // exit 1, HTTP 404
  kAlreadyExists,       // exit 1, HTTP 409
  kConflict,            // state does not allow the operation; exit 1, 409
  kUnauthenticated,     // exit 1, HTTP 401
  kPermissionDenied,    // exit 1, HTTP 403
  kTooLarge,            // a size or count limit; exit 1, HTTP 413
  kUsage,               // wrong command-line use; exit 2, HTTP 400
  kUnavailable,         // a neighbour (network, clamd, database) failed;
                        // retry may help; exit 2, HTTP 503
  kEnvironment,         // configuration, files, permissions; exit 2, 500
  kInternal,            // a bug; exit 2, HTTP 500
};

std::string_view CodeName(Code code);

// A FIT-Connect reject problem attached to a status (RFC 7807 subset).
struct Problem {
  std::string type;      // full URI, e.g. .../events/problems/hash-mismatch
  std::string title;
  std::string instance;  // "metadata", "data", "attachment:{id}", ...
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {
    assert(code != Code::kOk);
  }

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<Problem>& problem() const { return problem_; }

  // Attaches a FIT-Connect problem; returns *this for chaining.
  Status& WithProblem(Problem problem) {
    problem_ = std::move(problem);
    return *this;
  }

  // Prefixes the message with the step that failed ("decrypt metadata: ...").
  Status& Prepend(std::string_view step);

  // "CheckFailed: decrypt metadata: tag mismatch"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::optional<Problem> problem_;
};

Status InvalidInput(std::string message);
Status CheckFailed(std::string message);
Status NotFound(std::string message);
Status Unavailable(std::string message);
Status Internal(std::string message);
Status EnvironmentError(std::string message);
Status TooLarge(std::string message);

// A value or an error status. Accessing the value of an error is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  Status TakeStatus() && { return ok() ? Status() : std::get<Status>(std::move(state_)); }

  T& value() & { assert(ok()); return std::get<T>(state_); }
  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ds

// Returns early from the enclosing function with the status of `expr` if it
// is not OK. `expr` may be a Status or a Result. The status is copied out
// before the full expression ends, so that `DS_RETURN_IF_ERROR(f().status())`
// does not keep a reference into f()'s destroyed result.
#define DS_RETURN_IF_ERROR(expr)                                   \
  do {                                                             \
    ::ds::Status ds_status_ = ::ds::internal::StatusOf((expr));    \
    if (!ds_status_.ok()) return ds_status_;                       \
  } while (0)

#define DS_CONCAT_INNER_(a, b) a##b
#define DS_CONCAT_(a, b) DS_CONCAT_INNER_(a, b)

// DS_ASSIGN_OR_RETURN(auto x, Fallible()); assigns the value or returns the
// error status.
#define DS_ASSIGN_OR_RETURN(lhs, expr) \
  DS_ASSIGN_OR_RETURN_IMPL_(DS_CONCAT_(ds_result_, __LINE__), lhs, expr)
#define DS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).TakeStatus(); \
  lhs = std::move(tmp).value()

namespace ds::internal {
inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) { return r.status(); }
}  // namespace ds::internal
