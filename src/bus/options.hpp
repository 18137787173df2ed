#pragma once
// Connection settings shared by every async bus component.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "bus/url.hpp"

namespace ts::bus {

/// Reconnection delays: attempt n (0-based) waits
///   d = min(max, initial * multiplier^n), then a uniform draw in [d*(1-jitter), d].
/// Jitter spreads the reconnects of many clients after a server restart.
struct Backoff {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{5000};  ///< the cap
  double multiplier = 2.0;
  double jitter = 0.5;  ///< 0 = none, 1 = "full jitter"

  /// `unit` is a number in [0, 1) (a random draw; 0 gives the longest delay).
  std::chrono::milliseconds delay(unsigned attempt, double unit) const noexcept;
};

enum class ConnectionState { connecting, ready, down, closed };
std::string_view to_string(ConnectionState s) noexcept;

struct ConnectionOptions {
  RedisUrl url;
  /// CLIENT SETNAME (visible in CLIENT LIST) and the prefix of log lines, e.g. "engine-pub".
  std::string name = "tickstock";
  std::chrono::milliseconds connect_timeout{2000};
  /// A reply that takes longer than this means the server is gone: the
  /// connection is dropped and re-established (hiredis 0.14 has no timeouts).
  std::chrono::milliseconds command_timeout{5000};
  Backoff backoff;
  /// true: if the FIRST connection attempt fails (unreachable, bad password,
  /// bad db), start() reports that error and the component stays closed.
  /// Once connected, a component always reconnects.
  bool fail_fast = true;
  /// Called on the I/O thread on every state change (for /health and logs).
  std::function<void(ConnectionState)> on_state;
};

}  // namespace ts::bus
