#pragma once
// The processing pipeline: import -> cache_sync -> indicators -> patterns over a
// universe, symbol by symbol, spread over worker threads.
//
// * Runs are incremental by default: import fetches only bars after the last
//   stored date; later phases work from per-(symbol, phase) watermarks and store
//   results only for the new dates, computed over the full stored history so
//   they are exact. `full` recomputes everything in range.
// * Per-symbol failures are recorded (run_symbols) and never stop the run,
//   except two no later symbol could survive: a rejected API key and a
//   database failure (storage::StorageError). A database failure stops the
//   run at once: on_storage_failed, then the run ends `failed`. Each symbol's
//   phase results are one transaction, so the symbol being written when the
//   database failed leaves nothing behind. When even the terminal record
//   cannot be stored, the returned record (and on_run_finished) still carry
//   the terminal status; the stored row is then behind (see RunManager).
// * Cancellation is cooperative: the token is checked between symbols; a
//   cancelled run keeps every symbol's committed phase results.
// * Resumption: a request with trigger `resume` and a parent_run_id carries
//   over every (symbol, phase) the parent recorded as `ok` (committed in the
//   same transaction as its results): it is recorded `ok` again in the new run
//   (attempts 0, message naming the parent) and not redone. Everything else is
//   processed as usual, so parent + child leave exactly the rows one
//   uninterrupted run would. A chain of resumes works because each child
//   records the carried outcomes too.
// * Memory stays bounded: at most one symbol's series per worker thread.
// * Observers are called from worker threads, serialised by the pipeline; an
//   observer that throws is logged and ignored (it never breaks a run).
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_types.hpp"
#include "core/universe.hpp"
#include "ingest/provider.hpp"
#include "storage/storage.hpp"
#include "ta/function.hpp"

namespace ts::engine {

/// Why a run is being stopped: a user's cancel ends it `cancelled`; an engine
/// shutdown (SIGTERM) ends it `interrupted`.
enum class StopReason : unsigned char { none, cancel, shutdown };

class CancellationToken {
 public:
  /// Async-signal-safe. The first reason given wins.
  void request(StopReason why = StopReason::cancel) noexcept {
    auto expected = StopReason::none;
    reason_.compare_exchange_strong(expected, why, std::memory_order_relaxed);
  }
  bool requested() const noexcept { return reason() != StopReason::none; }
  StopReason reason() const noexcept { return reason_.load(std::memory_order_relaxed); }

 private:
  std::atomic<StopReason> reason_{StopReason::none};
};

/// patterns_detected events are alerts: by default only the detections on each
/// symbol's newest 5 daily bars are published (every detection is stored).
inline constexpr int kDefaultAlertBars = 5;

class ShardExecutor;

struct RunRequest {
  std::string run_id;  // "" = generate a UUID v4
  TriggerType trigger = TriggerType::manual;
  std::vector<Phase> phases{kAllPhases.begin(), kAllPhases.end()};
  Universe universe;
  TradingDate from, to;
  bool full = false;
  bool store_history = false;        // store indicator values for every bar, not only new dates
  double min_success_ratio = 0.8;    // a phase below this share of successful symbols fails the run
  unsigned threads = 0;              // 0 = phase_threads() decides
  /// Niceness the phase threads add to themselves (setpriority on the thread,
  /// Linux): symbol work is batch work and must not delay the latency-bound
  /// processes sharing the cores (the dashboard's event path, Redis). 0 keeps
  /// the engine's own priority. It cannot be taken back by an unprivileged
  /// process, which is why the phase threads are fresh threads.
  int thread_nice = 10;
  std::string parent_run_id;         // retry: the run retried; resume: the interrupted run continued
  std::string provider_description;  // recorded in parameters
  /// Observers get on_indicator_values for every stored row (off by default:
  /// it is one event per value on the wire).
  bool publish_indicator_values = false;
  /// Indicators phase: the studies to compute (empty = the default set) and the
  /// timeframes (empty = daily, weekly and monthly).
  std::vector<ta::Call> studies;
  std::vector<Timeframe> timeframes;
  /// Patterns phase: pattern registry names to keep (empty = every pattern).
  std::vector<std::string> patterns;
  /// Observers get on_detections only for detections on each symbol's newest
  /// `alert_bars` daily bars; 0 = every detection. A daily run's new bar is
  /// always among them, while a 10-year backfill or a --full recompute
  /// (~1,600 detections per symbol) does not flood the event stream: the
  /// stream is capped, and a flood would trim away what reconnecting consumers
  /// need to replay. Stored detections are not affected.
  int alert_bars = kDefaultAlertBars;
  /// Distributed workers (docs/architecture.md, "Distributed workers"): when
  /// set and its begin_run() accepts the run, the per-symbol phases after
  /// import are handed to worker processes instead of the engine's threads.
  /// Null = the single-process path. Not recorded in the parameters.
  ShardExecutor* executor = nullptr;
};

struct ProgressUpdate {
  Phase phase;
  int completed = 0;  // symbols finished (ok or failed)
  int failed = 0;
  int total = 0;
  std::string current_symbol;
  double percent = 0;      // 0..100
  double eta_seconds = 0;  // remaining, from the phase's average so far
  long long count = 0;     // phase's records so far (bars, indicator rows, detections)
  std::string worker_id;   // the worker process that did current_symbol ("" = this process)
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_run_started(const storage::RunRecord&) {}
  virtual void on_phase_started(const storage::RunRecord&, Phase, int /*total*/) {}
  virtual void on_progress(const storage::RunRecord&, const ProgressUpdate&) {}
  virtual void on_symbol_failed(const storage::RunRecord&, const storage::SymbolOutcome&) {}
  /// The database refused a read or write (StorageError: read-only, disk
  /// full, locked): sent once per run, before the run ends `failed`.
  /// `symbol` is the one being processed ("" outside per-symbol work).
  virtual void on_storage_failed(const storage::RunRecord&, const std::string& /*symbol*/,
                                 const std::string& /*message*/) {}
  /// After a symbol's detections are committed (only when there are some).
  /// `worker_id`: the worker process that committed them ("" = this process).
  virtual void on_detections(const storage::RunRecord&, const Symbol&, Timeframe,
                             const std::vector<storage::DetectionRow>&, std::string_view /*worker_id*/) {}
  /// After a symbol's indicator values are committed, when the request asked for them.
  virtual void on_indicator_values(const storage::RunRecord&, const Symbol&,
                                   const std::vector<storage::TimeframeIndicators>&,
                                   std::string_view /*worker_id*/) {}
  virtual void on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary&) {}
  virtual void on_run_finished(const storage::RunRecord&) {}
};

/// Applies a run's recorded parameters (processing_runs.parameters, as
/// run_pipeline writes them) to `req`: range, phases, full, store_history,
/// min_success_ratio, publish_indicator_values, studies, timeframes and
/// patterns. The universe is left alone (resolving a name needs storage; the
/// JSON holds `universe` and, for custom lists, `symbols`). INVALID_PARAMETER
/// when the JSON is not an object or holds an unparsable date, phase, study
/// or timeframe.
Status<> apply_recorded_parameters(std::string_view parameters_json, RunRequest& req);

/// What processing one symbol in one phase gave, before the run records it.
struct SymbolReport {
  bool ok = true;
  std::string error_code, message;
  long long count = 0;                                 // records written (bars, indicator rows, detections)
  bool storage_failure = false;                        // the database refused (StorageError): the run stops
  double ms = 0;                                       // wall time of the symbol
  storage::LayerSeconds layers{};                      // CPU seconds per layer (this process only)
  std::string worker_id{};                             // "" = this process
  std::vector<storage::DetectionRow> alerts{};         // patterns: the detections observers get
  std::vector<storage::TimeframeIndicators> values{};  // indicators: when the request publishes them
};

/// The per-symbol work of the phases after import (cache_sync, indicators,
/// patterns), shared by the engine's threads and by `tickstock worker`: the
/// same code commits the same rows wherever it runs. Each call is one
/// idempotent transaction per symbol (results, the run_symbols `ok` outcome
/// and the watermark), so doing a symbol twice leaves the rows of once.
/// A failed outcome is not written here: the run records it.
/// Thread-safety: one SymbolWork per thread (it holds scratch columns).
class SymbolWork {
 public:
  SymbolWork(const RunRequest& req, std::string run_id, storage::Storage& db);
  ~SymbolWork();
  SymbolWork(const SymbolWork&) = delete;
  SymbolWork& operator=(const SymbolWork&) = delete;
  /// Never throws: a StorageError sets storage_failure (code STORAGE_FAILED),
  /// any other exception gives code INTERNAL. `phase` must not be import.
  SymbolReport process(Phase phase, const Symbol& sym);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Hands a run's per-symbol phases to other processes (service::RedisShards:
/// Redis Streams and `tickstock worker`). The pipeline calls begin_run once,
/// then run_phase for each phase after import when begin_run said yes, then
/// end_run. Implementations must not throw from end_run.
class ShardExecutor {
 public:
  virtual ~ShardExecutor() = default;
  /// true: this run's phases after import go to workers (e.g. `workers = auto`
  /// and a worker is alive); false: the engine's threads do them.
  virtual bool begin_run(const storage::RunRecord& run, const RunRequest& req) = 0;
  using OnResult = std::function<void(const Symbol&, SymbolReport)>;
  /// Processes `symbols` elsewhere. Calls on_result at most once per symbol,
  /// from the calling thread, and returns when every shard of the phase is
  /// acknowledged (the phase barrier) or, once `stop()` (a cancellation or a
  /// fatal failure) turns true, after telling the workers to stop.
  /// Returns the symbols it hands back to the engine's own threads, without a
  /// result: those of a phase the workers can no longer finish (every worker
  /// is gone), and every symbol of the run's later phases. Empty otherwise.
  [[nodiscard]] virtual std::vector<Symbol> run_phase(const storage::RunRecord& run, Phase phase,
                                                      const std::vector<Symbol>& symbols,
                                                      const std::function<bool()>& stop,
                                                      const OnResult& on_result) = 0;
  virtual void end_run(const storage::RunRecord& run) = 0;
};

/// Adds `nice` (0 = no change) to the calling thread's niceness, capped at 19:
/// for batch threads (the phase threads, a worker's consumer threads) that
/// must not delay latency-bound work on the same cores. Best effort: a refusal
/// is logged once per process. It cannot be taken back by an unprivileged
/// process, so call it on a thread made for the batch work.
void lower_this_thread_priority(int nice);

/// The phase threads a run uses: `configured`, or when 0 the machine's cores
/// times the storage's threads_per_core().
unsigned phase_threads(unsigned configured, const storage::Storage& db);

/// Runs one processing run to a terminal state and returns its final record.
/// Throws only when the run cannot even be recorded (StorageError on insert).
storage::RunRecord run_pipeline(const RunRequest& req, storage::Storage& db,
                                const ingest::BarProvider& provider, const CancellationToken& cancel,
                                RunObserver* observer = nullptr);

}  // namespace ts::engine
