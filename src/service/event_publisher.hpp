#pragma once
// EventPublisher: turns run callbacks into protocol events and publishes each
// one to its pub/sub channel AND the durable stream `tickstock:events` in one
// round trip (bus::AsyncClient::publish_event). It also keeps the status
// snapshot (`tickstock:status:current`) current.
//
// * seq: per run (and per engine for events outside a run), from one
//   protocol::Sequencer, assigned under one lock in publishing order.
// * Progress is coalesced to at most `progress_per_second` events per phase;
//   the first one and the 100% one are always sent.
// * While Redis is unreachable events wait in the bus client's bounded outbox.
//   When the outbox is full the publisher applies back-pressure (waits) while
//   connected, and counts a drop only when disconnected and full.
// * Never throws into the pipeline: failures are logged and counted.
// Thread-safety: all methods may be called from any thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "bus/async_client.hpp"
#include "engine/pipeline.hpp"
#include "protocol/envelope.hpp"
#include "protocol/payloads.hpp"

namespace ts::service {

struct PublisherOptions {
  std::string source;  // envelope source: tickstock-engine/<host>:<pid>
  std::string engine_version = "0.1.0";
  std::size_t stream_maxlen = 100000;
  double progress_per_second = 4.0;
  bool legacy_channels = false;  // also publish detections on tickstock.events.patterns
};

struct PublisherStats {
  std::uint64_t published = 0;  // handed to the bus
  std::uint64_t dropped = 0;    // outbox full while disconnected
  std::uint64_t coalesced = 0;  // progress events folded into later ones
};

class EventPublisher final : public engine::RunObserver {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// `client` may be null (no Redis): events are then only reflected in the
  /// snapshot. `client` must outlive the publisher.
  EventPublisher(bus::AsyncClient* client, PublisherOptions options, Clock clock);

  // engine::RunObserver
  void on_run_started(const storage::RunRecord& r) override;
  void on_phase_started(const storage::RunRecord& r, Phase p, int total) override;
  void on_progress(const storage::RunRecord& r, const engine::ProgressUpdate& u) override;
  void on_symbol_failed(const storage::RunRecord& r, const storage::SymbolOutcome& o) override;
  /// One `error` event: critical, component `database`, STORAGE_FAILED,
  /// recovery_action `run_aborted` (the run's terminal event follows).
  void on_storage_failed(const storage::RunRecord& r, const std::string& symbol,
                         const std::string& message) override;
  void on_detections(const storage::RunRecord& r, const Symbol& s, Timeframe tf,
                     const std::vector<storage::DetectionRow>& rows) override;
  void on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                           const std::vector<storage::TimeframeIndicators>& rows) override;
  void on_phase_completed(const storage::RunRecord& r, const storage::PhaseSummary& s) override;
  void on_run_finished(const storage::RunRecord& r) override;

  /// Any event; run_id empty = engine scope. Returns the envelope id.
  std::string publish(protocol::Event e, nlohmann::json payload, std::string_view run_id = {});
  /// processing_interrupted for a run a previous process left behind.
  void publish_interrupted(const storage::RunRecord& r);
  void publish_heartbeat();

  void set_next_scheduled_run(std::string utc);  // "" = none
  void set_state(protocol::EngineState s);
  /// The snapshot as get_processing_status returns it.
  protocol::StatusSnapshot snapshot() const;
  PublisherStats stats() const;
  double uptime_seconds() const;

 private:
  std::string publish_locked(protocol::Event e, nlohmann::json payload, std::string_view run_id);
  void write_snapshot_locked();

  bus::AsyncClient* client_;
  PublisherOptions opt_;
  Clock clock_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  mutable std::mutex mu_;
  protocol::Sequencer seq_;
  protocol::StatusSnapshot snap_;
  std::map<int, std::chrono::steady_clock::time_point> last_progress_;  // by phase
  PublisherStats stats_;
  // The stream id of the last stored event, set from the bus thread. Lock order: mu_ before stream_mu_.
  mutable std::mutex stream_mu_;
  std::string last_stream_id_;
};

/// Converters shared with the command dispatcher.
protocol::RunSummary to_summary(const storage::RunRecord& r);
protocol::PhaseSummary to_phase_summary(const storage::PhaseSummary& s);

}  // namespace ts::service
