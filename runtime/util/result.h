// The one error type libcordon returns, and Result<T> (a T or an Error). g++ 12 has no
// std::expected, so this is the small replacement STYLE.md asks for.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cordon {

struct Error {
  std::string step;   // concern that failed: "policy", "mounts", "seccomp", ...
  std::string op;     // the failing operation, written as the command a person would type
  int sys_errno = 0;  // errno right after the failing call; 0 when no syscall failed

  std::string to_string() const;  // "op: strerror(errno)" or just op
};

// Reads errno before anything else can clobber it.
Error sys_fail(std::string_view step, std::string op);
Error fail(std::string_view step, std::string op);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace cordon

// Our only control-flow macro: returns the error from the enclosing function.
#define CORDON_TRY(expr)                                   \
  do {                                                     \
    auto cordon_try_result_ = (expr);                      \
    if (!cordon_try_result_.ok()) return cordon_try_result_.error(); \
  } while (0)
