#pragma once
// EventHub: the dashboard's WebSocket fan-out of tickstock:events (docs/app.md,
// "WebSocket").
//
//   tail thread: XREAD BLOCK tickstock:events ─► parse once, frame once
//        (shared_ptr<const std::string>) ─► post a batch to the io_context
//   io thread:   every client: dedupe by stream id, coalesce progress, queue
//   replay thread: per new client, XINFO + XRANGE (+ the status snapshot)
//
// Per client, in order: hello; a snapshot when no last_id was given or it was
// trimmed (or the stream was reset); the entries after its position from the
// stream (replay); then live entries. Live entries arriving while a client is
// replaying are held and merged by id, so there is no gap and no duplicate at
// the seam: a client never gets an entry whose id is not above the last one it
// was given.
//
// Progress (`*_progress`) is coalesced per client: at most one flush per
// progress_interval, the newest per (run_id, phase) winning; pending progress
// is flushed before a phase or run boundary event, not before detections or
// errors (a detection burst would otherwise defeat the limit), so progress may
// arrive after later non-boundary events: clients resume from the greatest id.
// A client whose send queue exceeds max_queue_frames or max_queue_bytes (a
// slow reader) is disconnected; so
// memory per client is bounded. Frames are shared between clients, never copied.
//
// De-duplication and gaps: the tail drops an entry whose envelope id it has
// seen among the last 65,536 (the engine re-sends after a lost reply or to a
// Redis that restarted without the events) and counts seq holes per run
// (HubStatus::seq_gaps, and a warning in the log).
//
// What can be lost: nothing in the stream while the hub keeps up with it; if
// the hub itself finds its position trimmed or the stream reset (a Redis
// restart), every client is disconnected and resynchronises from a snapshot
// when it reconnects.
//
// Threading: attach() and the client handlers run on the io_context, which
// must be run by ONE thread (the clients share state without locks).
// status(), set_redis_connected() and stop() may be called from any thread.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bus/url.hpp"
#include "server/stream.hpp"

namespace ts::webapp {

struct EventHubOptions {
  bus::RedisUrl url;
  std::string stream_key = "tickstock:events";
  std::size_t max_queue_frames = 4096;
  std::size_t max_queue_bytes = 8u << 20;
  std::chrono::milliseconds progress_interval{100};  ///< 10 progress flushes per second
  std::chrono::milliseconds read_block{250};         ///< XREAD BLOCK (also the stop latency)
  std::size_t read_batch = 512;
  /// A resuming client more than this many entries behind gets a snapshot instead.
  std::size_t max_replay = 20'000;
  /// WebSocket idle timeout; the server pings an idle client at half of it.
  std::chrono::seconds idle_timeout{60};
};

/// The processing status for a snapshot: calls back (on any thread) with the
/// get_processing_status result, or nullopt when the engine did not answer.
using SnapshotSource = std::function<void(std::function<void(std::optional<nlohmann::json>)>)>;

struct ClientIdentity {
  std::string username;
  std::string role;
};

struct HubStatus {
  bool redis_connected = false;
  std::optional<std::string> stream_last_id;
  std::optional<std::string> last_heartbeat;  ///< the heartbeat envelope's timestamp
  std::optional<double> heartbeat_age_seconds;
  std::optional<std::string> heartbeat_source;
  std::size_t clients = 0;
  std::uint64_t disconnected_slow = 0;   ///< clients dropped for a full send queue
  std::uint64_t duplicates_dropped = 0;  ///< stream entries repeating an envelope id already sent
  std::uint64_t seq_gaps = 0;            ///< holes in a run's seq seen by the tail (also logged)
};

class EventHub {
 public:
  EventHub(boost::asio::io_context& ioc, EventHubOptions options, SnapshotSource snapshot);
  ~EventHub();  ///< stop()
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  /// Fixes the live position (the stream's last id now; bounded by a 2 s
  /// connect), then starts the tail and replay threads (they connect and
  /// reconnect by themselves). Call it before clients can attach.
  void start();
  /// Disconnects every client and joins the threads. Idempotent.
  void stop();

  /// Io thread: takes over an HTTP connection (plain or TLS) whose upgrade
  /// request was already authorised (session and Origin checked), completes
  /// the WebSocket handshake and serves it.
  void attach(server::Stream stream,
              boost::beast::http::request<boost::beast::http::string_body> request, ClientIdentity who,
              std::optional<std::string> last_id);

  void set_redis_connected(bool connected);
  HubStatus status() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ts::webapp
