#include "service/event_publisher.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/uuid.hpp"
#include "protocol/commands.hpp"
#include "protocol/events.hpp"

namespace ts::service {

using protocol::Event;

protocol::RunSummary to_summary(const storage::RunRecord& r) {
  protocol::RunSummary s;
  s.run_id = r.run_id;
  s.status = r.status;
  s.trigger_type = r.trigger_type;
  s.run_date = r.run_date;
  s.universe = r.universe;
  s.phases = r.phases;
  s.started_at = r.started_at;
  s.finished_at = r.finished_at;
  s.duration_seconds = r.duration_seconds;
  s.symbols_total = r.symbols_total;
  s.symbols_processed = r.symbols_processed;
  s.symbols_failed = r.symbols_failed;
  s.records_imported = r.records_imported;
  s.indicators_calculated = r.indicators_calculated;
  s.patterns_detected = r.patterns_detected;
  s.parent_run_id = r.parent_run_id;
  s.error = r.error;
  return s;
}

protocol::PhaseSummary to_phase_summary(const storage::PhaseSummary& s) {
  protocol::PhaseSummary p;
  p.phase = s.phase;
  p.status = s.status;
  p.total_symbols = s.total;
  p.successful_symbols = s.processed;
  p.failed_symbols = s.failed;
  p.duration_seconds = s.duration_seconds;
  p.count = s.count;
  return p;
}

EventPublisher::EventPublisher(bus::AsyncClient* client, PublisherOptions options, Clock clock)
    : client_(client), opt_(std::move(options)), clock_(std::move(clock)) {
  snap_.engine_id = opt_.source;
  snap_.engine_version = opt_.engine_version;
  snap_.state = protocol::EngineState::idle;
}

double EventPublisher::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

std::string EventPublisher::publish(Event e, nlohmann::json payload, std::string_view run_id) {
  std::lock_guard lock(mu_);
  return publish_locked(e, std::move(payload), run_id);
}

std::string EventPublisher::publish_locked(Event e, nlohmann::json payload, std::string_view run_id) {
  protocol::Envelope env;
  env.id = make_uuid_v4();
  env.event = e;
  env.timestamp = protocol::format_timestamp(clock_());
  env.source = opt_.source;
  env.seq = seq_.next(run_id);
  env.payload = std::move(payload);
  const std::string text = protocol::encode_event(env);
  snap_.last_event_id = env.id;
  snap_.last_event_name = std::string(protocol::to_string(e));
  snap_.last_event_seq = env.seq;
  snap_.last_event_timestamp = env.timestamp;
  ++stats_.published;
  if (!client_) return env.id;
  const std::string channel(protocol::channel_of(e));
  // Back-pressure: the outbox is bounded; while Redis is up it drains quickly,
  // so wait for room rather than lose the event.
  for (int attempt = 0;; ++attempt) {
    auto st =
        client_->publish_event(channel, std::string(protocol::kStreamKey), opt_.stream_maxlen, text,
                               [this](Result<bus::EventReceipt> r) {
                                 if (!r) {
                                   spdlog::warn("event not stored in the stream: {}", r.error().message);
                                   return;
                                 }
                                 // stream_mu_, never mu_: the publishing thread may hold mu_
                                 // while it waits for outbox room that only this (bus) thread
                                 // can make (a deadlock seen with a dashboard open).
                                 std::lock_guard lk(stream_mu_);
                                 last_stream_id_ = r->id;
                               });
    if (st.ok()) break;
    if (st.error().code != "OUTBOX_FULL" || !client_->connected() || attempt > 5000) {
      ++stats_.dropped;
      spdlog::error("event {} dropped: {}", protocol::to_string(e), st.error().message);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (opt_.legacy_channels && e == Event::patterns_detected)
    client_->publish(std::string(protocol::kLegacyPatternsChannel), text, [](Result<long long>) {});
  return env.id;
}

void EventPublisher::write_snapshot_locked() {
  {
    std::lock_guard lk(stream_mu_);
    snap_.last_stream_id = last_stream_id_;
  }
  snap_.uptime_seconds = uptime_seconds();
  snap_.updated_at = protocol::format_timestamp(clock_());
  if (!client_) return;
  client_->set(std::string(protocol::kStatusSnapshotKey), protocol::status_snapshot(snap_).dump(),
               [](Result<Ok> r) {
                 if (!r) spdlog::debug("status snapshot not written: {}", r.error().message);
               });
}

void EventPublisher::on_run_started(const storage::RunRecord& r) {
  std::lock_guard lock(mu_);
  last_progress_.clear();
  snap_.state = protocol::EngineState::running;
  snap_.current_run = to_summary(r);
  snap_.current_progress.reset();
  protocol::RunStarted p;
  p.run_id = r.run_id;
  p.run_date = r.run_date;
  p.phases = r.phases;
  p.universe = r.universe;
  p.symbols_total = r.symbols_total;
  p.trigger_type = r.trigger_type;
  p.parameters = nlohmann::json::parse(r.parameters_json, nullptr, false);
  if (!p.parameters.is_object()) p.parameters = nlohmann::json::object();
  p.parent_run_id = r.parent_run_id;
  publish_locked(Event::processing_started, protocol::run_started_payload(p), r.run_id);
  write_snapshot_locked();
}

void EventPublisher::on_phase_started(const storage::RunRecord& r, Phase phase, int total) {
  std::lock_guard lock(mu_);
  snap_.current_run = to_summary(r);
  publish_locked(protocol::phase_event(phase, protocol::PhaseStage::started),
                 protocol::phase_started_payload({r.run_id, phase, total}), r.run_id);
  write_snapshot_locked();
}

void EventPublisher::on_progress(const storage::RunRecord& r, const engine::ProgressUpdate& u) {
  std::lock_guard lock(mu_);
  protocol::PhaseProgress p;
  p.run_id = r.run_id;
  p.phase = u.phase;
  p.completed_symbols = u.completed;
  p.failed_symbols = u.failed;
  p.total_symbols = u.total;
  p.current_symbol = u.current_symbol;
  if (u.completed > 0) p.eta_seconds = u.eta_seconds;
  p.count = u.count;
  snap_.current_progress = p;
  snap_.current_run = to_summary(r);
  const auto now = std::chrono::steady_clock::now();
  const auto key = static_cast<int>(u.phase);
  const auto it = last_progress_.find(key);
  const bool first = it == last_progress_.end();
  const bool last = u.completed >= u.total;
  const auto min_gap = std::chrono::duration<double>(1.0 / std::max(0.001, opt_.progress_per_second));
  if (!first && !last && now - it->second < min_gap) {
    ++stats_.coalesced;
    return;
  }
  last_progress_[key] = now;
  publish_locked(protocol::phase_event(u.phase, protocol::PhaseStage::progress),
                 protocol::phase_progress_payload(p), r.run_id);
  write_snapshot_locked();
}

void EventPublisher::on_symbol_failed(const storage::RunRecord& r, const storage::SymbolOutcome& o) {
  std::lock_guard lock(mu_);
  protocol::ErrorEvent e;
  e.severity = protocol::Severity::error;
  e.component = std::string(to_string(o.phase));
  e.error_code = o.error_code;
  e.message = o.message;
  e.symbol = o.symbol;
  e.run_id = r.run_id;
  e.recovery_action = "symbol_skipped";
  publish_locked(Event::error, protocol::error_payload(e), r.run_id);
}

void EventPublisher::on_storage_failed(const storage::RunRecord& r, const std::string& symbol,
                                       const std::string& message) {
  std::lock_guard lock(mu_);
  protocol::ErrorEvent e;
  e.severity = protocol::Severity::critical;
  e.component = "database";
  e.error_code = std::string(protocol::to_string(protocol::ErrorCode::storage_failed));
  e.message = message;
  e.symbol = symbol;
  e.run_id = r.run_id;
  e.recovery_action = "run_aborted";
  publish_locked(Event::error, protocol::error_payload(e), r.run_id);
}

void EventPublisher::on_detections(const storage::RunRecord& r, const Symbol& s, Timeframe tf,
                                   const std::vector<storage::DetectionRow>& rows) {
  std::lock_guard lock(mu_);
  for (const auto& d : rows) {
    protocol::PatternDetection p;
    p.run_id = r.run_id;
    p.symbol = s.str();
    p.timeframe = tf;
    p.pattern = d.pattern;
    p.direction = d.direction;
    p.strength = d.strength;
    p.confidence = d.confidence;
    p.bar_date = format_date(d.bar_date);
    const auto levels = nlohmann::json::parse(d.levels_json, nullptr, false);
    auto level = [&](const char* k) -> std::optional<double> {
      if (levels.is_object() && levels.contains(k) && levels[k].is_number()) return levels[k].get<double>();
      return std::nullopt;
    };
    p.levels = {level("entry"), level("stop"), level("target"), level("level")};
    publish_locked(Event::patterns_detected, protocol::pattern_detection_payload(p), r.run_id);
  }
}

void EventPublisher::on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                                         const std::vector<storage::TimeframeIndicators>& groups) {
  std::lock_guard lock(mu_);
  for (const auto& g : groups) {
    for (const auto& row : g.rows) {
      protocol::IndicatorValues v;
      v.run_id = r.run_id;
      v.symbol = s.str();
      v.timeframe = g.tf;
      // "SMA(timeperiod=20)" -> indicator SMA, params {"timeperiod": 20}
      const auto open = row.indicator.find('(');
      v.indicator = row.indicator.substr(0, open);
      if (auto call = ta::parse_call(row.indicator)) {
        for (std::size_t i = 0; i < call->spec->options.size(); ++i)
          v.params[std::string(call->spec->options[i].name)] = call->options[i];
      }
      v.as_of = format_date(row.as_of);
      v.values = nlohmann::json::parse(row.values_json, nullptr, false);
      if (!v.values.is_object()) v.values = nlohmann::json::object();
      publish_locked(Event::indicators_calculated, protocol::indicator_values_payload(v), r.run_id);
    }
  }
}

void EventPublisher::on_phase_completed(const storage::RunRecord& r, const storage::PhaseSummary& s) {
  std::lock_guard lock(mu_);
  snap_.current_run = to_summary(r);
  publish_locked(protocol::phase_event(s.phase, protocol::PhaseStage::completed),
                 protocol::phase_completed_payload(r.run_id, to_phase_summary(s)), r.run_id);
  write_snapshot_locked();
}

namespace {
protocol::RunFinished finished_of(const storage::RunRecord& r) {
  protocol::RunFinished f;
  f.run_id = r.run_id;
  f.status = r.status;
  f.duration_seconds = r.duration_seconds;
  f.symbols_processed = r.symbols_processed;
  f.symbols_failed = r.symbols_failed;
  f.records_imported = r.records_imported;
  f.indicators_calculated = r.indicators_calculated;
  f.patterns_detected = r.patterns_detected;
  for (const auto& s : r.phase_summaries) f.phases.push_back(to_phase_summary(s));
  f.error = r.error;
  f.parent_run_id = r.parent_run_id;
  return f;
}
}  // namespace

void EventPublisher::on_run_finished(const storage::RunRecord& r) {
  std::lock_guard lock(mu_);
  publish_locked(protocol::terminal_event(r.status), protocol::run_finished_payload(finished_of(r)),
                 r.run_id);
  seq_.finish(r.run_id);
  snap_.state = protocol::EngineState::idle;
  snap_.current_run.reset();
  snap_.current_progress.reset();
  snap_.last_run = to_summary(r);
  write_snapshot_locked();
}

void EventPublisher::publish_interrupted(const storage::RunRecord& r) {
  std::lock_guard lock(mu_);
  // A previous process's run: its seq numbers are unknown here, so the
  // interrupted event continues from the stream's record when available.
  publish_locked(Event::processing_interrupted, protocol::run_finished_payload(finished_of(r)), r.run_id);
  seq_.finish(r.run_id);
  snap_.last_run = to_summary(r);
  write_snapshot_locked();
}

void EventPublisher::publish_heartbeat() {
  std::lock_guard lock(mu_);
  protocol::Heartbeat h;
  h.engine_id = opt_.source;
  h.engine_version = opt_.engine_version;
  h.uptime_seconds = uptime_seconds();
  h.state = snap_.state;
  h.current_run_id = snap_.current_run ? snap_.current_run->run_id : std::string();
  h.next_scheduled_run = snap_.next_scheduled_run;
  publish_locked(Event::heartbeat, protocol::heartbeat_payload(h), {});
  write_snapshot_locked();
}

void EventPublisher::set_next_scheduled_run(std::string utc) {
  std::lock_guard lock(mu_);
  snap_.next_scheduled_run = std::move(utc);
}

void EventPublisher::set_state(protocol::EngineState s) {
  std::lock_guard lock(mu_);
  snap_.state = s;
  write_snapshot_locked();
}

protocol::StatusSnapshot EventPublisher::snapshot() const {
  std::lock_guard lock(mu_);
  auto s = snap_;
  {
    std::lock_guard lk(stream_mu_);
    s.last_stream_id = last_stream_id_;
  }
  s.uptime_seconds = uptime_seconds();
  s.updated_at = protocol::format_timestamp(clock_());
  return s;
}

PublisherStats EventPublisher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace ts::service
