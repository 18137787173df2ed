#pragma once
// Logging and callback invocation that never throw into the bus's callers or
// into hiredis (a C library: an exception unwinding through it is fatal).
#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace ts::bus::detail {

template <class... Args>
void log(spdlog::level::level_enum level, spdlog::format_string_t<Args...> fmt, Args&&... args) noexcept {
  try {
    spdlog::log(level, fmt, std::forward<Args>(args)...);
  } catch (...) {
  }
}

/// Calls a user callback; an exception it throws is logged and swallowed.
template <class F, class... Args>
void invoke_safely(const char* what, F& fn, Args&&... args) noexcept {
  if (!fn) return;
  try {
    fn(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    log(spdlog::level::err, "bus: {} callback threw: {}", what, e.what());
  } catch (...) {
    log(spdlog::level::err, "bus: {} callback threw a non-standard exception", what);
  }
}

}  // namespace ts::bus::detail
