#pragma once
// Result<T, E>: the return type for parsing and validation (no exceptions).
// I/O and service failures throw instead (see errors in each module).
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace ts {

/// A validation or parse failure: a stable machine code (UPPER_SNAKE) plus a
/// human message that names what was wrong and where.
struct Error {
  std::string code;
  std::string message;
};

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}
inline Unexpected<Error> fail(std::string code, std::string message) {
  return {Error{std::move(code), std::move(message)}};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <class U>
  Result(Unexpected<U> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

/// Result<void>: success carries nothing.
struct Ok {};
template <class E = Error>
using Status = Result<Ok, E>;

}  // namespace ts
