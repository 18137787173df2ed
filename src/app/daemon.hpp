#pragma once
// Daemon: the composition root of `tickstock engine` (and `tickstock up`).
// Wires storage, the bar provider, the RunManager, the EventPublisher, the
// command Dispatcher (Redis channel + HTTP API), the ScheduleService and the
// heartbeat. Tests start it in-process with an injected clock.
//
// start() fails fast (Result error) when Redis or the database is unreachable
// or the configuration is invalid. stop() is graceful: the HTTP API and the
// scheduler stop, the active run is interrupted (status `interrupted`), and
// pending events are flushed to Redis.
#include <chrono>
#include <functional>
#include <memory>

#include "app/config.hpp"
#include "core/result.hpp"

namespace ts::storage {
class Storage;
}

namespace ts::app {

class Daemon {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit Daemon(
      EngineConfig config, Clock clock = [] { return std::chrono::system_clock::now(); });
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  Status<> start();
  void stop();
  /// The HTTP API's bound port (0 when disabled or not started).
  unsigned short http_port() const;
  storage::Storage& storage();
  /// Blocks until no run is active.
  void wait_idle();
  /// Starts a manual run of `universe` now (no market check), as a trigger
  /// command would. Returns the run id.
  Result<std::string> run_now(const std::string& universe);
  /// Number of runs in the history.
  std::size_t run_count();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ts::app
