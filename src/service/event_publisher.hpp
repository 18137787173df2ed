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
// * With a database (`db`), while Redis is unreachable events spill, in order,
//   to the database outbox (Storage::append_outbox, migration v5) in batches of
//   `spill_batch` rows per transaction. A drainer thread hands them to the bus
//   once Redis is back, in id order, and deletes the rows Redis acknowledged.
//   Once spilling has started every later event goes to the database too,
//   until the outbox is empty, so the in-memory backlog, the spilled rows and
//   newer events reach Redis in publishing order (one global seq order per run).
//   Rows left by a previous process are published first at start-up.
// * Bounds: at most `db_outbox_capacity` rows; beyond it events are dropped
//   and counted (`dropped`). Without a database, or when a database write
//   fails (disk full, read-only), the batch goes to the bus client's bounded
//   in-memory outbox instead (`spill_failed`); those events can overtake rows
//   already spilled (a consumer sees the older seq arrive late) and are lost
//   if the memory outbox is full while disconnected (`dropped`).
// * What a crash of the engine can lose: the spill batch not yet written
//   (at most `spill_batch` events, written at least every 50 ms by the drainer)
//   and the bus client's in-memory backlog. Rows handed to Redis but not yet
//   deleted are published again by the next process (duplicates: consumers
//   de-duplicate by envelope id).
// * When the bus client is connected but its outbox is full, the publisher
//   applies back-pressure (waits) instead of spilling.
// * seq continuation across processes: before a run's seq passes its
//   persisted high-water, the publisher raises the high-water by `seq_block`
//   (Storage::reserve_seq: one write per `seq_block` events, not per event),
//   and the first event of a run it has no counter for starts above the
//   stored high-water (Storage::seq_high_water). So a number is written down
//   before it is used, and a restarted engine (SIGKILL or SIGTERM) never
//   reuses one; a crash can cost a gap of up to `seq_block` - 1 numbers. At a
//   run's terminal event (completed, failed, cancelled, interrupted) the
//   high-water is settled to the exact last seq (Storage::settle_seq), so a
//   graceful stop followed by a resume of the same run id has no gap. If
//   the reservation write fails the event is still published (counted in
//   `seq_reserve_failed`) and reuse after a later crash becomes possible for
//   that run.
// * Never throws into the pipeline: failures are logged and counted.
// Thread-safety: all methods may be called from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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
  bool legacy_channels = false;                // also publish detections on tickstock.events.patterns
  std::size_t db_outbox_capacity = 2'000'000;  ///< rows in the database outbox at most
  std::size_t spill_batch = 512;               ///< events per outbox transaction (spill and drain)
  std::uint64_t seq_block = 1024;              ///< seq numbers reserved per high-water write
};

struct PublisherStats {
  std::uint64_t published = 0;           // events created (handed to the bus or spilled)
  std::uint64_t dropped = 0;             // lost: an outbox (memory or database) full while disconnected
  std::uint64_t coalesced = 0;           // progress events folded into later ones
  std::uint64_t spilled = 0;             // written to the database outbox
  std::uint64_t spill_failed = 0;        // database write failed: sent to the in-memory outbox instead
  std::uint64_t seq_reserve_failed = 0;  // seq high-water not read or written (reuse possible after a crash)
  long long outbox_rows = 0;             // rows in the database outbox now
};

class EventPublisher final : public engine::RunObserver {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// `client` may be null (no Redis): events are then only reflected in the
  /// snapshot. `db` may be null (no database outbox, no seq continuation).
  /// Both must outlive the publisher. With both, a drainer thread starts here.
  EventPublisher(bus::AsyncClient* client, PublisherOptions options, Clock clock,
                 storage::Storage* db = nullptr);
  /// Stops the drainer (no drain: call close() first to flush).
  ~EventPublisher() override;
  EventPublisher(const EventPublisher&) = delete;
  EventPublisher& operator=(const EventPublisher&) = delete;
  /// Shutdown: stops the drainer, writes the pending spill batch, waits up to
  /// `timeout` for the bus to acknowledge what it holds and deletes the
  /// acknowledged outbox rows. Rows still in the outbox are published by the
  /// next process. Later events go to the database outbox. Idempotent.
  void close(std::chrono::milliseconds timeout);

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
                     const std::vector<storage::DetectionRow>& rows, std::string_view worker_id) override;
  void on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                           const std::vector<storage::TimeframeIndicators>& rows,
                           std::string_view worker_id) override;
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
  std::uint64_t next_seq_locked(std::string_view run_id);
  void finish_run_locked(std::string_view run_id);
  void send_locked(const std::string& channel, const std::string& text);
  void spill_locked(const std::string& channel, const std::string& text);
  void flush_spill_locked();
  void write_snapshot_locked();
  // Drainer thread:
  void drain_loop();
  void drain_once();
  bool hand_over(const storage::OutboxEvent& ev);
  void trim_acked();

  bus::AsyncClient* client_;
  PublisherOptions opt_;
  Clock clock_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  mutable std::mutex mu_;
  protocol::Sequencer seq_;
  protocol::StatusSnapshot snap_;
  std::map<int, std::chrono::steady_clock::time_point> last_progress_;  // by phase
  PublisherStats stats_;
  std::map<std::string, std::uint64_t, std::less<>> reserved_;  // run -> persisted seq high-water
  bool spilling_ = false;                                       // events go to the database outbox
  bool closed_ = false;
  std::vector<storage::OutboxEvent> spill_buf_;  // spilled, not yet written
  std::atomic<long long> outbox_rows_{0};

  storage::Storage* db_;
  // Drainer state (drainer thread; after it is joined, close()):
  std::int64_t handed_through_ = 0;  // outbox rows up to here are with the bus
  std::int64_t deleted_through_ = 0;
  std::uint64_t drained_ = 0;  // handed over since the outbox last ran empty (for the log)
  std::chrono::steady_clock::time_point drain_started_;
  std::atomic<std::int64_t> acked_through_{0};  // set by the bus thread, in order
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  bool drain_stop_ = false;
  std::thread drainer_;
  // The stream id of the last stored event, set from the bus thread. Lock order: mu_ before stream_mu_.
  mutable std::mutex stream_mu_;
  std::string last_stream_id_;
};

/// Converters shared with the command dispatcher.
protocol::RunSummary to_summary(const storage::RunRecord& r);
protocol::PhaseSummary to_phase_summary(const storage::PhaseSummary& s);

}  // namespace ts::service
