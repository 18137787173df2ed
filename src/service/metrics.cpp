#include "service/metrics.hpp"

#include <fmt/format.h>

namespace ts::service {

void Metrics::on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary& s) {
  std::lock_guard lock(mu_);
  auto& sum = phase_durations_[std::string(to_string(s.phase))];
  sum.seconds += s.duration_seconds;
  ++sum.count;
}

void Metrics::on_run_finished(const storage::RunRecord& r) {
  std::lock_guard lock(mu_);
  ++runs_by_status_[std::string(to_string(r.status))];
}

void Metrics::record_command(std::string_view command, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto& sum = commands_[{std::string(command), status}];
  sum.seconds += seconds;
  ++sum.count;
}

std::string Metrics::render(const ExternalCounters& ext) const {
  std::lock_guard lock(mu_);
  std::string out;
  auto line = [&](std::string_view f, const auto&... args) {
    fmt::format_to(std::back_inserter(out), fmt::runtime(f), args...);
  };
  line("# HELP tickstock_runs_total Processing runs finished, by final status.\n");
  line("# TYPE tickstock_runs_total counter\n");
  for (const auto status : kRunStatusNames)
    if (is_terminal(*parse_run_status(status))) {
      const auto it = runs_by_status_.find(std::string(status));
      line("tickstock_runs_total{{status=\"{}\"}} {}\n", status,
           it == runs_by_status_.end() ? 0 : it->second);
    }
  line("# HELP tickstock_phase_duration_seconds Time spent in each phase.\n");
  line("# TYPE tickstock_phase_duration_seconds summary\n");
  for (const auto& [phase, s] : phase_durations_) {
    line("tickstock_phase_duration_seconds_sum{{phase=\"{}\"}} {}\n", phase, s.seconds);
    line("tickstock_phase_duration_seconds_count{{phase=\"{}\"}} {}\n", phase, s.count);
  }
  line("# HELP tickstock_command_duration_seconds Command handling time, by command and HTTP status.\n");
  line("# TYPE tickstock_command_duration_seconds summary\n");
  for (const auto& [key, s] : commands_) {
    line("tickstock_command_duration_seconds_sum{{command=\"{}\",status=\"{}\"}} {}\n", key.first, key.second,
         s.seconds);
    line("tickstock_command_duration_seconds_count{{command=\"{}\",status=\"{}\"}} {}\n", key.first,
         key.second, s.count);
  }
  line("# HELP tickstock_events_published_total Events handed to Redis (stream + pub/sub).\n");
  line("# TYPE tickstock_events_published_total counter\ntickstock_events_published_total {}\n",
       ext.events_published);
  line(
      "# HELP tickstock_events_dropped_total Events lost because an outbox (memory or database) was full "
      "while Redis was down.\n");
  line("# TYPE tickstock_events_dropped_total counter\ntickstock_events_dropped_total {}\n",
       ext.events_dropped);
  line("# HELP tickstock_progress_coalesced_total Progress events folded into later ones.\n");
  line("# TYPE tickstock_progress_coalesced_total counter\ntickstock_progress_coalesced_total {}\n",
       ext.events_coalesced);
  line("# HELP tickstock_redis_reconnects_total Redis reconnections.\n");
  line("# TYPE tickstock_redis_reconnects_total counter\ntickstock_redis_reconnects_total {}\n",
       ext.redis_reconnects);
  line("# HELP tickstock_event_outbox Events waiting for Redis in memory.\n");
  line("# TYPE tickstock_event_outbox gauge\ntickstock_event_outbox {}\n", ext.outbox);
  line("# HELP tickstock_event_outbox_db Events waiting for Redis in the database outbox.\n");
  line("# TYPE tickstock_event_outbox_db gauge\ntickstock_event_outbox_db {}\n", ext.db_outbox);
  line("# HELP tickstock_events_spilled_total Events written to the database outbox while Redis was down.\n");
  line("# TYPE tickstock_events_spilled_total counter\ntickstock_events_spilled_total {}\n",
       ext.events_spilled);
  line(
      "# HELP tickstock_events_spill_failed_total Events the database outbox could not take (kept in "
      "memory instead).\n");
  line("# TYPE tickstock_events_spill_failed_total counter\ntickstock_events_spill_failed_total {}\n",
       ext.events_spill_failed);
  line(
      "# HELP tickstock_seq_reserve_failed_total seq high-water reads or writes that failed (seq reuse "
      "possible after a crash).\n");
  line("# TYPE tickstock_seq_reserve_failed_total counter\ntickstock_seq_reserve_failed_total {}\n",
       ext.seq_reserve_failed);
  return out;
}

#define TS_TEE(call)         \
  for (auto* t : targets_) { \
    if (t) t->call;          \
  }

void ObserverTee::on_run_started(const storage::RunRecord& r) { TS_TEE(on_run_started(r)) }
void ObserverTee::on_phase_started(const storage::RunRecord& r, Phase p, int total) {
  TS_TEE(on_phase_started(r, p, total))
}
void ObserverTee::on_progress(const storage::RunRecord& r, const engine::ProgressUpdate& u) {
  TS_TEE(on_progress(r, u))
}
void ObserverTee::on_symbol_failed(const storage::RunRecord& r, const storage::SymbolOutcome& o) {
  TS_TEE(on_symbol_failed(r, o))
}
void ObserverTee::on_storage_failed(const storage::RunRecord& r, const std::string& symbol,
                                    const std::string& message) {
  TS_TEE(on_storage_failed(r, symbol, message))
}
void ObserverTee::on_detections(const storage::RunRecord& r, const Symbol& s, Timeframe tf,
                                const std::vector<storage::DetectionRow>& rows, std::string_view worker_id) {
  TS_TEE(on_detections(r, s, tf, rows, worker_id))
}
void ObserverTee::on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                                      const std::vector<storage::TimeframeIndicators>& rows,
                                      std::string_view worker_id) {
  TS_TEE(on_indicator_values(r, s, rows, worker_id))
}
void ObserverTee::on_phase_completed(const storage::RunRecord& r, const storage::PhaseSummary& s) {
  TS_TEE(on_phase_completed(r, s))
}
void ObserverTee::on_run_finished(const storage::RunRecord& r) { TS_TEE(on_run_finished(r)) }

#undef TS_TEE

}  // namespace ts::service
