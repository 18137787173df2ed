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

EventPublisher::EventPublisher(bus::AsyncClient* client, PublisherOptions options, Clock clock,
                               storage::Storage* db)
    : client_(client), opt_(std::move(options)), clock_(std::move(clock)), db_(db) {
  snap_.engine_id = opt_.source;
  snap_.engine_version = opt_.engine_version;
  snap_.state = protocol::EngineState::idle;
  if (opt_.spill_batch == 0) opt_.spill_batch = 1;
  if (opt_.seq_block == 0) opt_.seq_block = 1;
  if (!db_ || !client_) return;
  try {
    outbox_rows_ = db_->count_outbox();
  } catch (const std::exception& e) {
    spdlog::warn("event outbox not readable ({}); events wait in memory only", e.what());
  }
  // Rows a previous process could not publish go first: everything published
  // from now on queues behind them until the drainer has handed them over.
  spilling_ = outbox_rows_ > 0;
  if (spilling_)
    spdlog::info("{} event(s) left in the database outbox will be published first", outbox_rows_.load());
  drainer_ = std::thread([this] { drain_loop(); });
}

EventPublisher::~EventPublisher() {
  {
    std::lock_guard lk(drain_mu_);
    drain_stop_ = true;
  }
  drain_cv_.notify_all();
  if (drainer_.joinable()) drainer_.join();
}

void EventPublisher::close(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lk(drain_mu_);
    drain_stop_ = true;
  }
  drain_cv_.notify_all();
  if (drainer_.joinable()) drainer_.join();
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    if (db_) flush_spill_locked();
  }
  if (!client_) return;
  if (auto st = client_->drain(timeout).get(); !st)
    spdlog::warn("events not flushed before exit: {}", st.error().message);
  if (db_) trim_acked();
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
  env.seq = next_seq_locked(run_id);
  env.payload = std::move(payload);
  const std::string text = protocol::encode_event(env);
  snap_.last_event_id = env.id;
  snap_.last_event_name = std::string(protocol::to_string(e));
  snap_.last_event_seq = env.seq;
  snap_.last_event_timestamp = env.timestamp;
  ++stats_.published;
  if (!client_) return env.id;
  const std::string channel(protocol::channel_of(e));
  // Spilling is sticky until the drainer finds the outbox empty (under mu_),
  // so nothing overtakes an event that is already waiting in the database.
  if (db_ && (spilling_ || closed_ || !client_->connected()))
    spill_locked(channel, text);
  else
    send_locked(channel, text);
  if (opt_.legacy_channels && e == Event::patterns_detected)
    client_->publish(std::string(protocol::kLegacyPatternsChannel), text, [](Result<long long>) {});
  return env.id;
}

std::uint64_t EventPublisher::next_seq_locked(std::string_view run_id) {
  if (run_id.empty() || !db_) return seq_.next(run_id);
  auto it = reserved_.find(run_id);
  if (it == reserved_.end() || !seq_.active(run_id)) {
    // A run this process has no counter for may have been numbered by an
    // earlier process (a restart, a resumed run): continue above its record.
    std::uint64_t high = 0;
    try {
      high = db_->seq_high_water(run_id);
    } catch (const std::exception& ex) {
      ++stats_.seq_reserve_failed;
      spdlog::warn("seq high-water of run {} not readable: {}", run_id, ex.what());
    }
    seq_.seed(run_id, high);
    it = reserved_.insert_or_assign(std::string(run_id), high).first;
  }
  const std::uint64_t seq = seq_.next(run_id);
  if (seq > it->second) {
    // Write the block down BEFORE using its first number: a crash then costs
    // at most the unused rest of the block, never a reuse.
    const std::uint64_t want = seq + opt_.seq_block - 1;
    try {
      it->second = db_->reserve_seq(run_id, want);
    } catch (const std::exception& ex) {
      // Publishing must not stop for this; retrying on every event would turn
      // a failing disk into a write per event, so the block counts as taken.
      ++stats_.seq_reserve_failed;
      it->second = want;
      spdlog::warn("seq high-water of run {} not written ({}); a restart could reuse seq numbers", run_id,
                   ex.what());
    }
  }
  return seq;
}

void EventPublisher::finish_run_locked(std::string_view run_id) {
  seq_.finish(run_id);
  const auto it = reserved_.find(run_id);
  if (it == reserved_.end()) return;
  reserved_.erase(it);
  // The terminal event was just numbered (snap_ holds its seq) and nobody else
  // numbers this run: give back the rest of the block, so a run that is
  // resumed after a graceful stop continues without a gap.
  try {
    db_->settle_seq(run_id, snap_.last_event_seq);
  } catch (const std::exception& ex) {
    spdlog::debug("seq high-water of run {} not settled: {}", run_id, ex.what());  // a gap later, no reuse
  }
}

void EventPublisher::send_locked(const std::string& channel, const std::string& text) {
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
    if (st.ok()) return;
    if (st.error().code != "OUTBOX_FULL" || !client_->connected() || attempt > 5000) {
      ++stats_.dropped;
      spdlog::error("event on {} dropped: {}", channel, st.error().message);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void EventPublisher::spill_locked(const std::string& channel, const std::string& text) {
  if (!spilling_) {
    spilling_ = true;
    spdlog::warn("Redis unreachable: events go to the database outbox until it has been published");
  }
  if (static_cast<std::size_t>(outbox_rows_.load()) + spill_buf_.size() >= opt_.db_outbox_capacity) {
    if (stats_.dropped++ % 10000 == 0)
      spdlog::error("the database outbox is full ({} rows); events are dropped", opt_.db_outbox_capacity);
    return;
  }
  spill_buf_.push_back({0, channel, text});
  if (spill_buf_.size() >= opt_.spill_batch || closed_) flush_spill_locked();
}

void EventPublisher::flush_spill_locked() {
  if (spill_buf_.empty()) return;
  const auto n = spill_buf_.size();
  try {
    db_->append_outbox(spill_buf_);
    outbox_rows_ += static_cast<long long>(n);
    stats_.spilled += n;
  } catch (const std::exception& ex) {
    // The database is failing (disk full, read-only, locked): memory is the
    // only place left. These events may overtake rows already spilled.
    stats_.spill_failed += n;
    spdlog::error("event outbox write failed ({}); {} event(s) wait in memory instead", ex.what(), n);
    for (const auto& ev : spill_buf_) send_locked(ev.channel, ev.payload);
  }
  spill_buf_.clear();
}

void EventPublisher::drain_loop() {
  std::unique_lock lk(drain_mu_);
  while (!drain_stop_) {
    drain_cv_.wait_for(lk, std::chrono::milliseconds(50), [&] { return drain_stop_; });
    if (drain_stop_) break;
    lk.unlock();
    try {
      drain_once();
    } catch (const std::exception& ex) {
      spdlog::error("event outbox drainer: {}", ex.what());
    }
    lk.lock();
  }
}

void EventPublisher::drain_once() {
  {
    // Written at least every tick, so a crash loses at most one tick's spill.
    std::lock_guard lock(mu_);
    if (spilling_) flush_spill_locked();
  }
  trim_acked();
  while (client_->connected()) {
    {
      std::lock_guard lock(drain_mu_);
      if (drain_stop_) return;
    }
    std::vector<storage::OutboxEvent> batch;
    try {
      batch = db_->read_outbox(handed_through_, opt_.spill_batch);
    } catch (const std::exception& ex) {
      spdlog::warn("event outbox not readable: {}", ex.what());
      return;
    }
    if (batch.empty()) {
      // Under mu_ nothing can be spilled meanwhile: with the buffer written
      // and no row after handed_through_, every spilled event is with the bus,
      // ahead of anything published from now on.
      std::lock_guard lock(mu_);
      if (!spilling_) return;
      if (!spill_buf_.empty()) {
        flush_spill_locked();
        continue;
      }
      try {
        if (!db_->read_outbox(handed_through_, 1).empty()) continue;
      } catch (const std::exception&) {
        return;
      }
      spilling_ = false;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_started_).count();
      spdlog::info("event outbox published: {} event(s) in {:.2f} s; events go straight to Redis again",
                   drained_, secs);
      drained_ = 0;
      return;
    }
    for (const auto& ev : batch)
      if (!hand_over(ev)) return;
    trim_acked();
  }
}

bool EventPublisher::hand_over(const storage::OutboxEvent& ev) {
  const std::int64_t id = ev.id;
  for (;;) {
    auto st = client_->publish_event(ev.channel, std::string(protocol::kStreamKey), opt_.stream_maxlen,
                                     ev.payload, [this, id](Result<bus::EventReceipt> r) {
                                       // CLOSED: never reached Redis; the row stays for the next process.
                                       if (!r && r.error().code == "CLOSED") return;
                                       if (!r) {
                                         spdlog::warn("outbox event not stored in the stream: {}",
                                                      r.error().message);
                                       } else {
                                         std::lock_guard lk(stream_mu_);
                                         last_stream_id_ = r->id;
                                       }
                                       acked_through_.store(id);  // replies come in sending order
                                     });
    if (st.ok()) {
      if (drained_++ == 0) drain_started_ = std::chrono::steady_clock::now();
      handed_through_ = id;
      return true;
    }
    if (st.error().code != "OUTBOX_FULL" || !client_->connected()) return false;
    {
      std::lock_guard lock(drain_mu_);
      if (drain_stop_) return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void EventPublisher::trim_acked() {
  const std::int64_t acked = acked_through_.load();
  if (acked <= deleted_through_) return;
  try {
    outbox_rows_ -= db_->delete_outbox(acked);
    deleted_through_ = acked;
  } catch (const std::exception& ex) {
    spdlog::warn("published outbox rows not deleted ({}); they will be published again", ex.what());
  }
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
  p.worker_id = u.worker_id;
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
  e.worker_id = o.worker_id;
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
                                   const std::vector<storage::DetectionRow>& rows,
                                   std::string_view worker_id) {
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
    p.worker_id = worker_id;
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
                                         const std::vector<storage::TimeframeIndicators>& groups,
                                         std::string_view worker_id) {
  std::lock_guard lock(mu_);
  for (const auto& g : groups) {
    for (const auto& row : g.rows) {
      protocol::IndicatorValues v;
      v.run_id = r.run_id;
      v.symbol = s.str();
      v.timeframe = g.tf;
      v.worker_id = worker_id;
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
  finish_run_locked(r.run_id);
  snap_.state = protocol::EngineState::idle;
  snap_.current_run.reset();
  snap_.current_progress.reset();
  snap_.last_run = to_summary(r);
  write_snapshot_locked();
}

void EventPublisher::publish_interrupted(const storage::RunRecord& r) {
  std::lock_guard lock(mu_);
  // A previous process's run: with a database its seq continues above the
  // persisted high-water (next_seq_locked).
  publish_locked(Event::processing_interrupted, protocol::run_finished_payload(finished_of(r)), r.run_id);
  finish_run_locked(r.run_id);
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
  auto s = stats_;
  s.outbox_rows = outbox_rows_.load();
  return s;
}

}  // namespace ts::service
