#pragma once
// RunManager: the daemon's single-active-run executor. Transport-agnostic: the
// command dispatcher (Redis and HTTP) and the scheduler call it.
//
// * At most one run is active; start() during a run fails with ALREADY_RUNNING
//   and names the active run.
// * A client-chosen run_id is an idempotency key: starting an id that already
//   exists returns that run instead of a second one.
// * Runs execute on a background thread; start() returns once the run is
//   recorded in the database (so get_run works at once).
// * shutdown() stops the active run cooperatively and marks it `interrupted`.
// * A run whose terminal record the database refused (it failed because the
//   database is read-only, full or locked) is kept in memory and written
//   before the next run starts and at shutdown; until then `unrecorded()`
//   returns it, so status queries can report the truth. A process that dies
//   first leaves it `running`, and the next start marks it `interrupted`.
// Thread-safety: every method may be called from any thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/pipeline.hpp"

namespace ts::engine {

struct ManagerError {
  std::string code;  // protocol error code: ALREADY_RUNNING, MARKET_CLOSED, NOT_FOUND, INVALID_PARAMETER,
                     // INTERNAL, STORAGE_FAILED (the database refused to record the run)
  std::string message;
  std::string active_run_id;  // set with ALREADY_RUNNING
};

struct StartOutcome {
  std::string run_id;
  RunStatus status;
  bool existing = false;  // the run_id was already known: nothing new started
};

/// Live view of the active run for status queries and heartbeats.
struct ActiveRun {
  storage::RunRecord record;  // as of the last progress callback
  std::optional<ProgressUpdate> progress;
};

class RunManager {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// `observer` (may be null) receives every callback of every run; it must
  /// outlive the manager. `clock` is injectable for tests (market check).
  RunManager(storage::Storage& db, const ingest::BarProvider& provider, RunObserver* observer, Clock clock);
  ~RunManager();
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  /// Starts `req` in the background. Without skip_market_check, a day that is
  /// not an NYSE trading day (in New York, by the injected clock) is refused
  /// with MARKET_CLOSED.
  Result<StartOutcome, ManagerError> start(RunRequest req, bool skip_market_check);
  /// Cancels the active run (or the named one, which must be the active run).
  /// NOT_FOUND when nothing matching is running. Returns the run id.
  Result<std::string, ManagerError> cancel(const std::optional<std::string>& run_id);
  std::optional<ActiveRun> active() const;
  /// Interrupts the active run (status `interrupted`) and waits for it.
  void shutdown();
  /// Blocks until no run is active.
  void wait_idle();
  /// The last finished run when the database has not stored its terminal
  /// state yet (nullopt otherwise).
  std::optional<storage::RunRecord> unrecorded() const;
  std::chrono::system_clock::time_point now() const { return clock_(); }
  /// Distributed workers: every later run gets `executor` (RunRequest::executor)
  /// unless its request names one. Null = the single-process path. Set before
  /// the first start(); it must outlive the manager.
  void set_executor(ShardExecutor* executor) { executor_ = executor; }

 private:
  class Tap;
  void worker(RunRequest req);
  /// Keeps `done` as unrecorded_ when the database does not show it terminal.
  void keep_if_unrecorded(const storage::RunRecord& done);
  /// Writes unrecorded_ if there is one; keeps it when the database still
  /// refuses. Called with mu_ held.
  void record_unrecorded_locked();

  storage::Storage& db_;
  const ingest::BarProvider& provider_;
  RunObserver* observer_;
  Clock clock_;
  ShardExecutor* executor_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  std::unique_ptr<CancellationToken> token_;
  std::optional<ActiveRun> active_;
  bool recorded_ = false;    // the active run's row exists
  std::string start_error_;  // the run could not even be recorded
  bool start_storage_error_ = false;  // ... because the database refused
  std::optional<storage::RunRecord> unrecorded_;
  bool running_ = false;
};

}  // namespace ts::engine
