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
// * Memory stays bounded: at most one symbol's series per worker thread.
// * Observers are called from worker threads, serialised by the pipeline; an
//   observer that throws is logged and ignored (it never breaks a run).
#include <atomic>
#include <memory>
#include <optional>
#include <string>
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

struct RunRequest {
  std::string run_id;  // "" = generate a UUID v4
  TriggerType trigger = TriggerType::manual;
  std::vector<Phase> phases{kAllPhases.begin(), kAllPhases.end()};
  Universe universe;
  TradingDate from, to;
  bool full = false;
  bool store_history = false;      // store indicator values for every bar, not only new dates
  double min_success_ratio = 0.8;  // a phase below this share of successful symbols fails the run
  unsigned threads = 0;            // 0 = hardware concurrency
  std::string parent_run_id;
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
  virtual void on_detections(const storage::RunRecord&, const Symbol&, Timeframe,
                             const std::vector<storage::DetectionRow>&) {}
  /// After a symbol's indicator values are committed, when the request asked for them.
  virtual void on_indicator_values(const storage::RunRecord&, const Symbol&,
                                   const std::vector<storage::TimeframeIndicators>&) {}
  virtual void on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary&) {}
  virtual void on_run_finished(const storage::RunRecord&) {}
};

/// Runs one processing run to a terminal state and returns its final record.
/// Throws only when the run cannot even be recorded (StorageError on insert).
storage::RunRecord run_pipeline(const RunRequest& req, storage::Storage& db,
                                const ingest::BarProvider& provider, const CancellationToken& cancel,
                                RunObserver* observer = nullptr);

}  // namespace ts::engine
