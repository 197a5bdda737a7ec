// Typed errors for everything a user, a file or the network can cause.
//
// Stages return Result<T>; one place per front end (CLI exit code, HTTP
// status + JSON) maps an Errc to what the user sees. Programming errors are
// assertions, not Errors.
#pragma once

#include <cassert>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace namix {

enum class Errc {
  invalid_argument,  // bad request / CLI usage: duration <= 0, unknown theme   -> 400, exit 2
  not_found,         // input file or object missing                           -> 404, exit 3
  unreadable,        // exists but cannot be read (permissions, a directory)   -> 400, exit 3
  not_audio,         // the bytes are not a supported audio format             -> 415, exit 4
  undecodable,       // audio, but truncated/corrupt/empty; a transcript or    -> 422, exit 4
                     // chapters file that is empty, unrecognised, not UTF-8,
                     // or over 20 MB
  too_large,         // upload or download over the size cap                   -> 413, exit 4
  unauthorized,      // missing API key                                        -> 401
  forbidden,         // wrong key, bad/expired signature, refused address      -> 403, exit 6
  throttled,         // token bucket empty                                     -> 429
  upstream_failed,   // fetching the episode failed (404, refused, DNS)        -> 502, exit 6
  upstream_timeout,  // fetching the episode timed out                         -> 504, exit 6
  unavailable,       // storage down, queue full, draining                     -> 503, exit 5
  storage_full,      // no space left on the disk or in the storage's quota    -> 507, exit 5
  io_error,          // writing the output failed                              -> 500, exit 5
  internal,          // our own bug                                            -> 500, exit 1
};

std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // one line: what was wrong and what to do
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

// The most of one piece of user input (a theme name, a number as typed, a
// URL, a key) that an error message quotes: enough to recognise it, short
// enough that a 60 kB name cannot become a 60 kB message or log line.
inline constexpr std::size_t kMaxQuotedInputBytes = 100;

// `text` as an error message may quote it: at most kMaxQuotedInputBytes,
// cut at a character boundary and ended with "…" when cut; control
// characters and bytes that are not UTF-8 become '?', so the message stays
// one line of valid UTF-8 (a JSON error body can always carry it).
std::string quoted_input(std::string_view text);

// The code of a failed write from its errno: storage_full when the disk or
// the user's quota is full (ENOSPC, EDQUOT), which is not the program's
// fault and passes once space is freed; `otherwise` for the rest.
Errc write_failure_code(int errno_value, Errc otherwise = Errc::io_error);

// A minimal std::expected stand-in (C++20 has none): either a value or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace namix

// Propagates an error from an expression returning Result<...>.
#define NAMIX_TRY(expr)                                            \
  do {                                                             \
    auto namix_try_result_ = (expr);                               \
    if (!namix_try_result_.ok()) return namix_try_result_.error(); \
  } while (false)
