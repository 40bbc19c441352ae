// Result<T>: the value of an operation that can fail in an expected way, or the Error saying why.
// Errors travel as values through forum/ and store/; http/ maps ErrorCode to a status in one place.
// Thread-safety: plain values; safe to move between threads, not to share mutably.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace kindred {

// Closed set: http/error_mapping.cc gives each one status code, and nothing else may be invented.
enum class ErrorCode {
  kNotFound,
  kUnauthenticated,
  kForbidden,
  kInvalidInput,  // names the field in Error::field
  kConflict,
  kTooLarge,
  kRateLimited,  // says when to retry in Error::retry_after_seconds
  kUnavailable,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  // A stable, machine-readable key ("title_too_short"); clients and tests match on it.
  std::string key;
  // Calm, plain words for a person, ready to show as they are.
  std::string message;
  // The form or JSON field the problem is about, empty when it is about no single field.
  std::string field;
  int retry_after_seconds = 0;

  static Error NotFound(std::string key, std::string message) {
    return {ErrorCode::kNotFound, std::move(key), std::move(message), {}, 0};
  }
  static Error Unauthenticated(std::string message) {
    return {ErrorCode::kUnauthenticated, "login_required", std::move(message), {}, 0};
  }
  static Error Forbidden(std::string key, std::string message) {
    return {ErrorCode::kForbidden, std::move(key), std::move(message), {}, 0};
  }
  static Error Invalid(std::string field, std::string key, std::string message) {
    return {ErrorCode::kInvalidInput, std::move(key), std::move(message), std::move(field), 0};
  }
  static Error Conflict(std::string key, std::string message, std::string field = {}) {
    return {ErrorCode::kConflict, std::move(key), std::move(message), std::move(field), 0};
  }
  static Error TooLarge(std::string message) { return {ErrorCode::kTooLarge, "too_large", std::move(message), {}, 0}; }
  static Error RateLimited(int retry_after_seconds);
  static Error Internal(std::string message) { return {ErrorCode::kInternal, "internal", std::move(message), {}, 0}; }
};

// Either a T or an Error. Result<void> carries only success or the Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> Ok() { return {}; }

// Propagates the error of an expression that yields a Result, as `?` does in Rust.
#define KINDRED_TRY(expr)                            \
  do {                                               \
    auto kindred_try_result_ = (expr);               \
    if (!kindred_try_result_.ok()) {                 \
      return std::move(kindred_try_result_).error(); \
    }                                                \
  } while (false)

}  // namespace kindred
