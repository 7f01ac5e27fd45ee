// Errors as values across boundaries (STYLE.md practice 3).
//
// A Status is ok or carries a code, a message and optionally the name of the
// field at fault. Result<T> is a value or a non-ok Status. The HTTP layer maps
// each code to exactly one HTTP status and one problem+json body.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace limpide {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (HTTP 400)
  kNotFound,            // the named thing does not exist (404)
  kConflict,            // the write conflicts with current state (409)
  kPermissionDenied,    // authenticated but not allowed (403)
  kUnauthenticated,     // no or bad credentials (401)
  kFailedPrecondition,  // the system is not in a state that allows it (409/412)
  kResourceExhausted,   // a limit was hit: body size, rate (413/429)
  kUnavailable,         // a dependency is down; retrying may help (503)
  kInternal,            // a broken invariant: a bug (500)
};

// Stable lower_snake name of a code, used in logs and in problem+json `type`.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(ErrorCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg, std::string field = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(field)};
  }
  static Status NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {ErrorCode::kConflict, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {ErrorCode::kFailedPrecondition, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {ErrorCode::kResourceExhausted, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Name of the input field at fault (query parameter, JSON pointer…), or empty.
  const std::string& field() const { return field_; }
  // The same refusal in French, for the web pages (empty when the message has
  // no French text; docs/procedure.md, "Messages in two languages"). The
  // message stays the API's English text.
  const std::string& french() const { return french_; }
  Status WithFrench(std::string french) && {
    french_ = std::move(french);
    return std::move(*this);
  }
  // "invalid_argument: message (field)" for logs and CLI output.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string field_;
  std::string french_;
};

// A value of type T, or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace limpide

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define LIMPIDE_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::limpide::Status limpide_status_ = (expr);        \
    if (!limpide_status_.ok()) return limpide_status_; \
  } while (0)
