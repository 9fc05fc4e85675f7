// Status and Result<T>: errors as values.
//
// Every operation that can fail because of its input returns a Status (ok, or a code plus a
// message naming what was wrong and where) or a Result<T> (a T, or a non-ok Status). Exceptions
// never cross module boundaries. Messages are for humans and logs: they must never contain secrets.
#ifndef S3ML_CORE_STATUS_H_
#define S3ML_CORE_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace s3ml {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the input is malformed or out of range
  kNotFound,           // a named thing does not exist
  kAlreadyExists,
  kPermissionDenied,   // a policy refused: attestation, signature, identity
  kFailedPrecondition, // the system is not in a state that allows the call
  kOutOfRange,         // a read past the end of a buffer, a time outside a validity window
  kUnimplemented,      // a known but unsupported feature (e.g. an operator)
  kResourceExhausted,  // a size limit or a full queue
  kUnavailable,        // a peer or service could not be reached; retrying may help
  kDataLoss,           // stored data is corrupt, tampered with or rolled back
  kDeadlineExceeded,
  kInternal,           // a bug or a failing library call
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: tensor 3 has a negative dimension" (or "OK").
  std::string ToString() const;

  // Returns a copy whose message is "context: message", keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: a value or an error. REQUIRES: the Status given on construction is not ok.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error, or an ok Status when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace s3ml

// Propagates a non-ok Status from an expression returning Status.
#define S3ML_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::s3ml::Status s3ml_status_ = (expr);       \
    if (!s3ml_status_.ok()) return s3ml_status_; \
  } while (0)

#define S3ML_CONCAT_INNER_(a, b) a##b
#define S3ML_CONCAT_(a, b) S3ML_CONCAT_INNER_(a, b)

// S3ML_ASSIGN_OR_RETURN(auto x, ExprReturningResult()); declares x or returns the error.
#define S3ML_ASSIGN_OR_RETURN(lhs, expr) \
  S3ML_ASSIGN_OR_RETURN_IMPL_(S3ML_CONCAT_(s3ml_result_, __LINE__), lhs, expr)
#define S3ML_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // S3ML_CORE_STATUS_H_
