#include "vendor/transport.hpp"

#include <date/date.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <string>
#include <thread>

namespace ts::vendor {

SteadyClock real_clock() {
  return [] { return std::chrono::steady_clock::now(); };
}
Sleeper real_sleeper() {
  return [](std::chrono::milliseconds d) {
    if (d.count() > 0) std::this_thread::sleep_for(d);
  };
}

TokenBucket::TokenBucket(double per_minute, double burst, SteadyClock clock)
    : per_ms_(per_minute > 0 ? per_minute / 60000.0 : 0.0),
      burst_(std::max(1.0, burst)),
      clock_(std::move(clock)),
      tokens_(burst_),
      last_(clock_()) {}

std::chrono::milliseconds TokenBucket::reserve() {
  if (per_ms_ == 0) return std::chrono::milliseconds{0};
  std::lock_guard lock(mu_);
  const auto now = clock_();
  const double elapsed = std::chrono::duration<double, std::milli>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * per_ms_);
    last_ = now;
  }
  tokens_ -= 1.0;  // may go negative: the debt is the queue of waiting callers
  if (tokens_ >= 0) return std::chrono::milliseconds{0};
  return std::chrono::milliseconds{static_cast<long long>(std::ceil(-tokens_ / per_ms_))};
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& p, int retry,
                                        std::optional<std::chrono::milliseconds> retry_after,
                                        double random01) {
  if (retry_after) return std::clamp(*retry_after, std::chrono::milliseconds{0}, p.max_delay);
  const double base = static_cast<double>(p.base_delay.count()) * std::pow(2.0, std::max(0, retry - 1));
  const double spread = 1.0 + p.jitter * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
  const double ms = std::min(base * spread, static_cast<double>(p.max_delay.count()));
  return std::chrono::milliseconds{static_cast<long long>(std::max(0.0, ms))};
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  const auto r = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (r.ec == std::errc{} && r.ptr == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds{seconds * 1000};
  }
  std::istringstream in{std::string(value)};
  date::sys_seconds when;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", when);
  if (in.fail()) return std::nullopt;
  const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  return std::max(delta, std::chrono::milliseconds{0});
}

}  // namespace ts::vendor
