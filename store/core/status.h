#pragma once

// The error convention of talariafs: functions that can fail return
// Status (nothing on success) or Result<T> (a T on success). Both hold an
// Error on failure: a Code, the errno that caused it (0 if none) and a
// message that carries its context (file, offset, object id).
//
// Both types are [[nodiscard]]; drop one deliberately with IgnoreError().
// No exception crosses a talariafs API.
//
// Thread-compatible: const methods may be called concurrently.

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace talaria::core {

enum class Code {
  kNotFound,         // an object, file or key does not exist (ChunkNotFound)
  kCorruption,       // stored bytes are wrong: hash mismatch, bad frame or codec data
  kIoError,          // the OS or a backend failed (BackendError)
  kNoSpace,          // disk or map full
  kInvalidArgument,  // the caller asked for something malformed
  kParse,            // malformed input file; message names file and line
  kUnsupported,      // a format or version this build cannot handle
  kBusy,             // another process holds what is needed
};

// Stable lower-case name of a code ("not_found", "corruption", ...).
std::string_view CodeName(Code code);

class Error {
 public:
  Error(Code code, std::string message, int sys_errno = 0)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}

  Code code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  // The same error with "context: " put in front of the message.
  Error WithContext(std::string_view context) const;

  // "corruption: pack 3 offset 4096: frame checksum mismatch".
  std::string ToString() const;

 private:
  Code code_;
  int errno_;
  std::string message_;
};

template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using Base = tl::expected<T, Error>;
  using Base::Base;
  Result(const Base& b) : Base(b) {}        // NOLINT: implicit on purpose
  Result(Base&& b) : Base(std::move(b)) {}  // NOLINT: implicit on purpose

  // Explicitly discards the outcome.
  void IgnoreError() const {}
};

using Status = Result<void>;

inline Status OkStatus() { return {}; }

inline tl::unexpected<Error> MakeError(Code code, std::string message, int sys_errno = 0) {
  return tl::unexpected<Error>(Error(code, std::move(message), sys_errno));
}
inline tl::unexpected<Error> NotFound(std::string m) {
  return MakeError(Code::kNotFound, std::move(m));
}
inline tl::unexpected<Error> Corruption(std::string m) {
  return MakeError(Code::kCorruption, std::move(m));
}
inline tl::unexpected<Error> IoError(std::string m) {
  return MakeError(Code::kIoError, std::move(m));
}
inline tl::unexpected<Error> NoSpace(std::string m) {
  return MakeError(Code::kNoSpace, std::move(m));
}
inline tl::unexpected<Error> InvalidArgument(std::string m) {
  return MakeError(Code::kInvalidArgument, std::move(m));
}
inline tl::unexpected<Error> ParseError(std::string m) {
  return MakeError(Code::kParse, std::move(m));
}
inline tl::unexpected<Error> Unsupported(std::string m) {
  return MakeError(Code::kUnsupported, std::move(m));
}
inline tl::unexpected<Error> Busy(std::string m) { return MakeError(Code::kBusy, std::move(m)); }

// The one place an errno becomes an Error: ENOENT -> kNotFound,
// ENOSPC/EDQUOT -> kNoSpace, anything else -> kIoError. The message is
// "context: strerror(err)".
tl::unexpected<Error> ErrnoError(std::string_view context, int err);

// Propagates an error Error from a Result/Status unchanged.
inline tl::unexpected<Error> Propagate(const Error& e) { return tl::unexpected<Error>(e); }

}  // namespace talaria::core

#define TALARIA_CONCAT_INNER(a, b) a##b
#define TALARIA_CONCAT(a, b) TALARIA_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define TALARIA_RETURN_IF_ERROR(expr) \
  TALARIA_RETURN_IF_ERROR_IMPL(TALARIA_CONCAT(talaria_status_, __COUNTER__), expr)
#define TALARIA_RETURN_IF_ERROR_IMPL(tmp, expr)                                        \
  do {                                                                                 \
    auto&& tmp = (expr);                                                               \
    if (!tmp) return ::tl::unexpected<::talaria::core::Error>(std::move(tmp).error()); \
  } while (0)

// `lhs = value of expr`, or returns its error from the enclosing function.
#define TALARIA_ASSIGN_OR_RETURN(lhs, expr) \
  TALARIA_ASSIGN_OR_RETURN_IMPL(TALARIA_CONCAT(talaria_result_, __COUNTER__), lhs, expr)
#define TALARIA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                                \
  auto tmp = (expr);                                                                 \
  if (!tmp) return ::tl::unexpected<::talaria::core::Error>(std::move(tmp).error()); \
  lhs = std::move(*tmp)
