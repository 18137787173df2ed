#pragma once
// Engine metrics in Prometheus text format (GET /metrics): runs by status,
// phase durations, events published, command latency, Redis reconnects.
// Counters only; no secrets ever appear here. Thread-safe.
#include <map>
#include <mutex>
#include <string>

#include "engine/pipeline.hpp"

namespace ts::service {

struct ExternalCounters {
  std::uint64_t events_published = 0, events_dropped = 0, events_coalesced = 0;
  std::uint64_t redis_reconnects = 0;
  std::size_t outbox = 0;
  std::uint64_t events_spilled = 0, events_spill_failed = 0, seq_reserve_failed = 0;
  long long db_outbox = 0;
};

class Metrics final : public engine::RunObserver {
 public:
  void on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary& s) override;
  void on_run_finished(const storage::RunRecord& r) override;
  void record_command(std::string_view command, int status, double seconds);
  std::string render(const ExternalCounters& ext) const;

 private:
  struct Sum {
    double seconds = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> runs_by_status_;
  std::map<std::string, Sum> phase_durations_;
  std::map<std::pair<std::string, int>, Sum> commands_;
};

/// Forwards every callback to several observers, in order.
class ObserverTee final : public engine::RunObserver {
 public:
  explicit ObserverTee(std::vector<engine::RunObserver*> targets) : targets_(std::move(targets)) {}
  void on_run_started(const storage::RunRecord& r) override;
  void on_phase_started(const storage::RunRecord& r, Phase p, int total) override;
  void on_progress(const storage::RunRecord& r, const engine::ProgressUpdate& u) override;
  void on_symbol_failed(const storage::RunRecord& r, const storage::SymbolOutcome& o) override;
  void on_storage_failed(const storage::RunRecord& r, const std::string& symbol,
                         const std::string& message) override;
  void on_detections(const storage::RunRecord& r, const Symbol& s, Timeframe tf,
                     const std::vector<storage::DetectionRow>& rows, std::string_view worker_id) override;
  void on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                           const std::vector<storage::TimeframeIndicators>& rows,
                           std::string_view worker_id) override;
  void on_phase_completed(const storage::RunRecord& r, const storage::PhaseSummary& s) override;
  void on_run_finished(const storage::RunRecord& r) override;

 private:
  std::vector<engine::RunObserver*> targets_;
};

}  // namespace ts::service
