#pragma once
// Transport policy for vendor REST calls: a token-bucket rate limiter and a
// retry/backoff schedule. Time is injected (Clock, Sleeper) so tests run
// without waiting real minutes.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace ts::vendor {

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
using Sleeper = std::function<void(std::chrono::milliseconds)>;

SteadyClock real_clock();
Sleeper real_sleeper();

/// Token bucket: `per_minute` tokens a minute, at most `burst` stored (the
/// bucket starts full). per_minute <= 0 means unlimited. Thread-safe.
class TokenBucket {
 public:
  TokenBucket(double per_minute, double burst, SteadyClock clock);
  /// Takes one token now and returns how long the caller must wait before
  /// sending (zero when a token was available). Callers that wait exactly this
  /// long never exceed the rate, even when they reserve concurrently.
  std::chrono::milliseconds reserve();

 private:
  double per_ms_;  // tokens per millisecond; 0 = unlimited
  double burst_;
  SteadyClock clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

struct RetryPolicy {
  int max_attempts = 4;                        // including the first
  std::chrono::milliseconds base_delay{500};   // delay before retry 1
  std::chrono::milliseconds max_delay{30000};  // cap for backoff and Retry-After
  double jitter = 0.25;                        // +- fraction of the delay
};

/// Delay before retry number `retry` (1 = first retry): base * 2^(retry-1),
/// spread by +-jitter using `random01` in [0, 1), capped at max_delay. A
/// Retry-After value, when given, is used instead (capped too).
std::chrono::milliseconds backoff_delay(const RetryPolicy& p, int retry,
                                        std::optional<std::chrono::milliseconds> retry_after,
                                        double random01);

/// Retry-After: delta seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
/// 07:28:00 GMT", relative to `now`). nullopt when unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

}  // namespace ts::vendor
