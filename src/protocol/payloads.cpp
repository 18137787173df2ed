#include "protocol/payloads.hpp"

#include <cmath>

#include "protocol/events.hpp"

namespace ts::protocol {

using nlohmann::json;

namespace {

json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json phase_names(const std::vector<Phase>& phases) {
  json out = json::array();
  for (const auto p : phases) out.push_back(to_string(p));
  return out;
}

/// Rounds to the given number of decimals (keeps payloads readable).
double round_to(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

double ratio(int part, int whole) { return whole > 0 ? round_to(static_cast<double>(part) / whole, 4) : 1.0; }

json phase_summary_json(const PhaseSummary& s) {
  json j = {{"phase", to_string(s.phase)},
            {"status", s.status},
            {"total_symbols", s.total_symbols},
            {"successful_symbols", s.successful_symbols},
            {"failed_symbols", s.failed_symbols},
            {"success_rate", ratio(s.successful_symbols, s.total_symbols)},
            {"duration_seconds", round_to(s.duration_seconds, 3)}};
  j[std::string(phase_count_field(s.phase))] = s.count;
  return j;
}

json next_fire_json(const std::optional<NextFire>& f) {
  if (!f) return nullptr;
  return {{"local", f->local}, {"utc", f->utc}, {"early_close", f->early_close}};
}

json phase_progress_json(const PhaseProgress& in) {
  const double percent =
      in.total_symbols > 0 ? round_to(100.0 * in.completed_symbols / in.total_symbols, 1) : 100.0;
  json j = {
      {"run_id", in.run_id},
      {"phase", to_string(in.phase)},
      {"completed_symbols", in.completed_symbols},
      {"failed_symbols", in.failed_symbols},
      {"total_symbols", in.total_symbols},
      {"percent_complete", percent},
      {"current_symbol", or_null(in.current_symbol)},
      {"eta_seconds", in.eta_seconds ? json(round_to(std::max(0.0, *in.eta_seconds), 1)) : json(nullptr)}};
  j[std::string(phase_count_field(in.phase))] = in.count;
  if (!in.worker_id.empty()) j["worker_id"] = in.worker_id;
  return j;
}

}  // namespace

json run_started_payload(const RunStarted& in) {
  json j = {{"run_id", in.run_id},
            {"run_date", in.run_date},
            {"phases", phase_names(in.phases)},
            {"universe", in.universe},
            {"symbols_total", in.symbols_total},
            {"trigger_type", to_string(in.trigger_type)},
            {"parameters", in.parameters.is_object() ? in.parameters : json::object()},
            {"parent_run_id", or_null(in.parent_run_id)}};
  return j;
}

json phase_started_payload(const PhaseStarted& in) {
  return {{"run_id", in.run_id}, {"phase", to_string(in.phase)}, {"total_symbols", in.total_symbols}};
}

json phase_progress_payload(const PhaseProgress& in) { return phase_progress_json(in); }

json phase_completed_payload(std::string_view run_id, const PhaseSummary& s) {
  json j = phase_summary_json(s);
  j["run_id"] = run_id;
  return j;
}

json run_finished_payload(const RunFinished& in) {
  json phases = json::array();
  for (const auto& p : in.phases) phases.push_back(phase_summary_json(p));
  return {{"run_id", in.run_id},
          {"status", to_string(in.status)},
          {"duration_seconds", round_to(in.duration_seconds, 3)},
          {"symbols_processed", in.symbols_processed},
          {"symbols_failed", in.symbols_failed},
          {"records_imported", in.records_imported},
          {"indicators_calculated", in.indicators_calculated},
          {"patterns_detected", in.patterns_detected},
          {"phases", std::move(phases)},
          {"error", or_null(in.error)},
          {"parent_run_id", or_null(in.parent_run_id)}};
}

json pattern_detection_payload(const PatternDetection& in) {
  json levels = json::object();
  if (in.levels.entry) levels["entry"] = *in.levels.entry;
  if (in.levels.stop) levels["stop"] = *in.levels.stop;
  if (in.levels.target) levels["target"] = *in.levels.target;
  if (in.levels.level) levels["level"] = *in.levels.level;
  json j = {
      {"run_id", in.run_id},         {"symbol", in.symbol},       {"timeframe", to_string(in.timeframe)},
      {"pattern", in.pattern},       {"direction", in.direction}, {"strength", in.strength},
      {"confidence", in.confidence}, {"bar_date", in.bar_date},   {"levels", std::move(levels)}};
  if (!in.worker_id.empty()) j["worker_id"] = in.worker_id;
  return j;
}

json indicator_values_payload(const IndicatorValues& in) {
  json j = {{"run_id", in.run_id},
            {"symbol", in.symbol},
            {"timeframe", to_string(in.timeframe)},
            {"indicator", in.indicator},
            {"params", in.params.is_object() ? in.params : json::object()},
            {"as_of", in.as_of},
            {"values", in.values.is_object() ? in.values : json::object()}};
  if (!in.worker_id.empty()) j["worker_id"] = in.worker_id;
  return j;
}

json error_payload(const ErrorEvent& in) {
  json context = json::object();
  if (!in.symbol.empty()) context["symbol"] = in.symbol;
  if (!in.run_id.empty()) context["run_id"] = in.run_id;
  if (in.retry_after) context["retry_after"] = *in.retry_after;
  if (!in.worker_id.empty()) context["worker_id"] = in.worker_id;
  json j = {{"severity", to_string(in.severity)},
            {"component", in.component},
            {"error_code", in.error_code},
            {"message", in.message},
            {"context", std::move(context)},
            {"recovery_action", in.recovery_action.empty() ? std::string("none") : in.recovery_action}};
  // An error of a run is an event of that run: it carries run_id at the top too.
  if (!in.run_id.empty()) j["run_id"] = in.run_id;
  return j;
}

json heartbeat_payload(const Heartbeat& in) {
  return {{"engine_id", in.engine_id},
          {"engine_version", in.engine_version},
          {"uptime_seconds", round_to(in.uptime_seconds, 3)},
          {"state", to_string(in.state)},
          {"current_run_id", or_null(in.current_run_id)},
          {"next_scheduled_run", or_null(in.next_scheduled_run)}};
}

json schedule_json(const Schedule& s) {
  json preview = json::array();
  for (const auto& f : s.preview) {
    json j = next_fire_json(f.fire);
    j["zone_abbrev"] = f.zone_abbrev;
    j["dst_change"] = f.dst_change;
    j["skipped"] = json::array();
    for (const auto& [date, reason] : f.skipped) j["skipped"].push_back({{"date", date}, {"reason", reason}});
    preview.push_back(std::move(j));
  }
  return {{"enabled", s.enabled},
          {"trigger_time", s.trigger_time},
          {"timezone", s.timezone},
          {"universes", s.universes},
          {"market_check", s.market_check},
          {"phases", phase_names(s.phases)},
          {"next_fire", next_fire_json(s.next_fire)},
          {"preview", std::move(preview)}};
}

json schedule_updated_payload(const ScheduleUpdated& in) {
  json j = schedule_json(in.schedule);
  j["updated_by"] = or_null(in.updated_by);
  return j;
}

json schedule_skipped_payload(const ScheduleSkipped& in) {
  return {{"fire_time", in.fire_time},
          {"fire_time_local", in.fire_time_local},
          {"reason", to_string(in.reason)},
          {"detail", in.detail},
          {"active_run_id", or_null(in.active_run_id)},
          {"next_fire", next_fire_json(in.next_fire)}};
}

json run_summary_json(const RunSummary& r) {
  return {{"run_id", r.run_id},
          {"status", to_string(r.status)},
          {"trigger_type", to_string(r.trigger_type)},
          {"run_date", r.run_date},
          {"universe", r.universe},
          {"phases", phase_names(r.phases)},
          {"started_at", r.started_at},
          {"finished_at", or_null(r.finished_at)},
          {"duration_seconds", round_to(r.duration_seconds, 3)},
          {"symbols_total", r.symbols_total},
          {"symbols_processed", r.symbols_processed},
          {"symbols_failed", r.symbols_failed},
          {"records_imported", r.records_imported},
          {"indicators_calculated", r.indicators_calculated},
          {"patterns_detected", r.patterns_detected},
          {"parent_run_id", or_null(r.parent_run_id)},
          {"error", or_null(r.error)}};
}

json run_accepted_result(const RunAccepted& in) {
  json j = {{"run_id", in.run_id}, {"status", to_string(in.status)}, {"existing", in.existing}};
  if (!in.parent_run_id.empty()) j["parent_run_id"] = in.parent_run_id;
  if (!in.symbols.empty()) j["symbols"] = in.symbols;
  return j;
}

json cancel_result(std::string_view run_id, RunStatus status, bool cancel_requested) {
  return {{"run_id", run_id}, {"status", to_string(status)}, {"cancel_requested", cancel_requested}};
}

json history_result(const std::vector<RunSummary>& runs, std::string_view next_cursor) {
  json list = json::array();
  for (const auto& r : runs) list.push_back(run_summary_json(r));
  return {{"runs", std::move(list)},
          {"next_cursor", next_cursor.empty() ? json(nullptr) : json(next_cursor)}};
}

json run_detail_result(const RunSummary& run, const std::vector<PhaseSummary>& phases,
                       const std::vector<FailedSymbol>& failed) {
  json ph = json::array();
  for (const auto& p : phases) ph.push_back(phase_summary_json(p));
  json fs = json::array();
  for (const auto& f : failed)
    fs.push_back({{"symbol", f.symbol},
                  {"phase", to_string(f.phase)},
                  {"error_code", f.error_code},
                  {"message", f.message},
                  {"attempts", f.attempts}});
  return {{"run", run_summary_json(run)}, {"phases", std::move(ph)}, {"failed_symbols", std::move(fs)}};
}

json status_snapshot(const StatusSnapshot& in) {
  json last_event = nullptr;
  if (!in.last_event_id.empty())
    last_event = {{"id", in.last_event_id},
                  {"event", in.last_event_name},
                  {"seq", in.last_event_seq},
                  {"timestamp", in.last_event_timestamp},
                  {"stream_id", or_null(in.last_stream_id)}};
  return {
      {"engine_id", in.engine_id},
      {"engine_version", in.engine_version},
      {"uptime_seconds", round_to(in.uptime_seconds, 3)},
      {"state", to_string(in.state)},
      {"current_run", in.current_run ? run_summary_json(*in.current_run) : json(nullptr)},
      {"current_progress", in.current_progress ? phase_progress_json(*in.current_progress) : json(nullptr)},
      {"last_run", in.last_run ? run_summary_json(*in.last_run) : json(nullptr)},
      {"next_scheduled_run", or_null(in.next_scheduled_run)},
      {"last_event", std::move(last_event)},
      {"updated_at", in.updated_at}};
}

json health_json(const HealthReport& in) {
  auto check = [](const HealthCheck& c) { return json{{"ok", c.ok}, {"detail", c.detail}}; };
  return {
      {"status", health_http_status(in) == 200 ? "ok" : "degraded"},
      {"engine_id", in.engine_id},
      {"engine_version", in.engine_version},
      {"uptime_seconds", round_to(in.uptime_seconds, 3)},
      {"checks",
       {{"redis", check(in.redis)}, {"database", check(in.database)}, {"scheduler", check(in.scheduler)}}}};
}

}  // namespace ts::protocol
