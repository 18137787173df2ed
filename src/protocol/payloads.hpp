#pragma once
// Payload builders: plain input structs in, the payload JSON out, one builder
// per payload kind (events.hpp) plus the command results and the status
// snapshot. Every builder's output validates against its schema under
// docs/schemas/ (payloads_test.cpp). No engine dependency: the engine copies
// its records into these structs.
//
// Counts are numbers of symbols unless named otherwise; durations and ETAs are
// seconds; rates are ratios 0..1; percentages 0..100; dates YYYY-MM-DD;
// timestamps RFC 3339 UTC with milliseconds; "" stands for "not known" and is
// written as null where the schema allows it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_types.hpp"
#include "core/timeframe.hpp"

namespace ts::protocol {

// ---- shared pieces ------------------------------------------------------------
/// One phase's outcome: the <phase>_completed payload and the per-phase
/// summaries of terminal events and get_run.
struct PhaseSummary {
  Phase phase = Phase::import;
  std::string status;  // pending | running | completed | completed_with_errors | failed | cancelled | skipped
  int total_symbols = 0;
  int successful_symbols = 0;
  int failed_symbols = 0;
  double duration_seconds = 0;
  long long count = 0;  // written under phase_count_field(phase)
};

/// One row of the run history (get_processing_history, status, get_run).
struct RunSummary {
  std::string run_id;
  RunStatus status = RunStatus::queued;
  TriggerType trigger_type = TriggerType::manual;
  std::string run_date;  // NY trading date processed
  std::string universe;
  std::vector<Phase> phases;
  std::string started_at, finished_at;  // finished_at "" while running
  double duration_seconds = 0;
  int symbols_total = 0, symbols_processed = 0, symbols_failed = 0;
  long long records_imported = 0, indicators_calculated = 0, patterns_detected = 0;
  std::string parent_run_id;  // "" unless a retry
  std::string error;          // "" unless failed/cancelled/interrupted
};

struct NextFire {
  std::string local;  // wall-clock time with offset, e.g. 2026-03-09T16:10:00-04:00
  std::string utc;    // RFC 3339 UTC ms
  bool early_close = false;
};

/// One upcoming fire for the dashboard's preview.
struct PreviewFire {
  NextFire fire;
  std::string zone_abbrev;  // EST, EDT, ...
  bool dst_change = false;  // the zone's offset changed since the previous fire
  /// Weekdays without a session passed over since the previous fire: {date, reason}.
  std::vector<std::pair<std::string, std::string>> skipped;
};

struct Schedule {
  bool enabled = true;
  std::string trigger_time = "16:10";
  std::string timezone = "America/New_York";
  std::vector<std::string> universes;
  bool market_check = true;
  std::vector<Phase> phases;
  std::optional<NextFire> next_fire;
  /// The next fires (ten), empty when disabled.
  std::vector<PreviewFire> preview;
};

enum class EngineState : unsigned char { starting, idle, running, stopping };
constexpr std::string_view to_string(EngineState s) {
  constexpr std::string_view names[] = {"starting", "idle", "running", "stopping"};
  return names[static_cast<int>(s)];
}

// ---- event payloads ---------------------------------------------------------------
struct RunStarted {  // processing_started
  std::string run_id, run_date;
  std::vector<Phase> phases;
  std::string universe;
  int symbols_total = 0;
  TriggerType trigger_type = TriggerType::manual;
  nlohmann::json parameters = nlohmann::json::object();  // the normalised trigger parameters
  std::string parent_run_id;
};
nlohmann::json run_started_payload(const RunStarted& in);

struct PhaseStarted {  // <phase>_started
  std::string run_id;
  Phase phase = Phase::import;
  int total_symbols = 0;
};
nlohmann::json phase_started_payload(const PhaseStarted& in);

struct PhaseProgress {  // <phase>_progress
  std::string run_id;
  Phase phase = Phase::import;
  int completed_symbols = 0;  // finished, ok or failed
  int failed_symbols = 0;     // of those, failed
  int total_symbols = 0;
  std::string current_symbol;         // "" = null
  std::optional<double> eta_seconds;  // nullopt = null (unknown yet)
  long long count = 0;                // written under phase_count_field(phase)
  std::string worker_id{};            // the worker that did current_symbol; "" = absent (the engine did)
};
/// percent_complete = 100 * completed / total (100 when total is 0), one decimal.
nlohmann::json phase_progress_payload(const PhaseProgress& in);

/// <phase>_completed: the summary plus run_id.
nlohmann::json phase_completed_payload(std::string_view run_id, const PhaseSummary& s);

struct RunFinished {  // processing_completed / _failed / _cancelled / _interrupted
  std::string run_id;
  RunStatus status = RunStatus::completed;
  double duration_seconds = 0;
  int symbols_processed = 0, symbols_failed = 0;
  long long records_imported = 0, indicators_calculated = 0, patterns_detected = 0;
  std::vector<PhaseSummary> phases;
  std::string error;  // why it failed / where it stopped ("" = null)
  std::string parent_run_id;
};
nlohmann::json run_finished_payload(const RunFinished& in);

struct PriceLevels {
  std::optional<double> entry, stop, target, level;
};
struct PatternDetection {  // patterns_detected
  std::string run_id, symbol;
  Timeframe timeframe = Timeframe::daily;
  std::string pattern;
  std::string direction;  // bullish | bearish | neutral
  double strength = 0;
  double confidence = 0;  // 0..1
  std::string bar_date;
  PriceLevels levels;
  std::string worker_id{};  // the worker that detected it; "" = absent (the engine did)
};
nlohmann::json pattern_detection_payload(const PatternDetection& in);

struct IndicatorValues {  // indicators_calculated
  std::string run_id, symbol;
  Timeframe timeframe = Timeframe::daily;
  std::string indicator;                             // TA function name, e.g. SMA
  nlohmann::json params = nlohmann::json::object();  // its options, e.g. {"timeperiod": 20}
  std::string as_of;                                 // bar date of the values
  nlohmann::json values = nlohmann::json::object();  // output name -> number
  std::string worker_id{};                           // "" = absent (the engine computed them)
};
nlohmann::json indicator_values_payload(const IndicatorValues& in);

enum class Severity : unsigned char { critical, error, warning, info };
constexpr std::string_view to_string(Severity s) {
  constexpr std::string_view names[] = {"critical", "error", "warning", "info"};
  return names[static_cast<int>(s)];
}
struct ErrorEvent {  // error
  Severity severity = Severity::error;
  std::string
      component;  // import, cache_sync, indicators, patterns, redis, database, scheduler, http, engine
  std::string error_code;  // UPPER_SNAKE, e.g. NETWORK_TIMEOUT
  std::string message;
  std::string symbol;                 // context; "" = absent
  std::string run_id;                 // "" = not of a run (then not run-scoped)
  std::optional<double> retry_after;  // seconds
  std::string recovery_action;        // e.g. symbol_skipped, retrying, reconnecting, none
  std::string worker_id{};            // context: the worker that failed the symbol; "" = absent
};
nlohmann::json error_payload(const ErrorEvent& in);

struct Heartbeat {        // heartbeat
  std::string engine_id;  // the envelope source
  std::string engine_version;
  double uptime_seconds = 0;
  EngineState state = EngineState::idle;
  std::string current_run_id;      // "" = null
  std::string next_scheduled_run;  // RFC 3339 UTC ms; "" = null (schedule disabled)
};
nlohmann::json heartbeat_payload(const Heartbeat& in);

struct ScheduleUpdated {  // schedule_updated
  Schedule schedule;
  std::string updated_by;  // the request's source ("" = absent)
};
nlohmann::json schedule_updated_payload(const ScheduleUpdated& in);

enum class SkipReason : unsigned char { holiday, run_active, missed_window };
constexpr std::string_view to_string(SkipReason r) {
  constexpr std::string_view names[] = {"holiday", "run_active", "missed_window"};
  return names[static_cast<int>(r)];
}
struct ScheduleSkipped {        // schedule_skipped
  std::string fire_time;        // RFC 3339 UTC ms of the skipped fire
  std::string fire_time_local;  // with offset
  SkipReason reason = SkipReason::holiday;
  std::string detail;         // human text, e.g. "Good Friday"
  std::string active_run_id;  // run_active: the run that was active
  std::optional<NextFire> next_fire;
};
nlohmann::json schedule_skipped_payload(const ScheduleSkipped& in);

// ---- command results -------------------------------------------------------------------
nlohmann::json run_summary_json(const RunSummary& r);
nlohmann::json schedule_json(const Schedule& s);

/// trigger_daily_processing, trigger_indicators, trigger_patterns, retry_failed_imports:
/// {run_id, status, existing, parent_run_id?, symbols?}. existing = the run_id
/// named an existing run, which is returned instead of starting a second one.
struct RunAccepted {
  std::string run_id;
  RunStatus status = RunStatus::queued;
  bool existing = false;
  std::string parent_run_id;         // retry_failed_imports
  std::vector<std::string> symbols;  // retry_failed_imports: the symbols retried
};
nlohmann::json run_accepted_result(const RunAccepted& in);

/// cancel_processing: {run_id, status, cancel_requested}.
nlohmann::json cancel_result(std::string_view run_id, RunStatus status, bool cancel_requested);

/// get_processing_history: {runs, next_cursor (null on the last page)}.
nlohmann::json history_result(const std::vector<RunSummary>& runs, std::string_view next_cursor);

struct FailedSymbol {
  std::string symbol;
  Phase phase = Phase::import;
  std::string error_code, message;
  int attempts = 1;
};
/// get_run: {run: RunSummary, phases: [PhaseSummary], failed_symbols: [...]}.
nlohmann::json run_detail_result(const RunSummary& run, const std::vector<PhaseSummary>& phases,
                                 const std::vector<FailedSymbol>& failed);

/// get_processing_status and the value of tickstock:status:current.
struct StatusSnapshot {
  std::string engine_id, engine_version;
  double uptime_seconds = 0;
  EngineState state = EngineState::idle;
  std::optional<RunSummary> current_run;
  std::optional<PhaseProgress> current_progress;  // latest progress of the active phase
  std::optional<RunSummary> last_run;             // the latest finished run
  std::string next_scheduled_run;                 // RFC 3339 UTC ms; "" = null
  /// The last event reflected: its envelope id, name, seq, timestamp and stream
  /// entry id (a consumer XREADs from stream_id). Empty id = no event yet.
  std::string last_event_id, last_event_name, last_event_timestamp, last_stream_id;
  std::uint64_t last_event_seq = 0;
  std::string updated_at;  // when the snapshot was written
};
nlohmann::json status_snapshot(const StatusSnapshot& in);

/// GET /health: status "ok" when every check is ok (HTTP 200), else "degraded" (503).
struct HealthCheck {
  bool ok = false;
  std::string detail;
};
struct HealthReport {
  std::string engine_id, engine_version;
  double uptime_seconds = 0;
  HealthCheck redis, database, scheduler;
};
nlohmann::json health_json(const HealthReport& in);
constexpr int health_http_status(const HealthReport& in) {
  return in.redis.ok && in.database.ok && in.scheduler.ok ? 200 : 503;
}

}  // namespace ts::protocol
