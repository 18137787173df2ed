#pragma once
// AsyncClient: the engine's Redis connection for everything except reading
// (events, commands' replies, status keys, the scheduler's lock).
//
// Threading: every method may be called from any thread. Work is posted onto
// the EventLoop; callbacks run on the loop thread, in the order the calls were
// made. Callbacks must not block; never wait on a future from this client
// inside one of its callbacks (deadlock). close() may be called from a
// callback; destroying the client from inside its own callback may not.
//
// Delivery of publish_event (the event stream + pub/sub):
//  * One round trip, atomic: a Lua script does XADD then PUBLISH, so an event
//    is in both or in neither (MULTI/EXEC would still PUBLISH after a failed XADD).
//  * While Redis is unreachable, events wait in a bounded outbox, in order, and
//    are sent after reconnection. When the outbox is full, publish_event returns
//    OUTBOX_FULL: the event is NOT queued and the caller decides.
//  * At-least-once: an event whose reply was lost with the connection is sent
//    again, so a consumer can see it twice (same payload). Consumers dedupe by
//    the envelope's id/seq.
//  * Redis restarted and lost acknowledged events (no persistence, or the
//    last second of an AOF `everysec`): the client keeps the last
//    `replay_window` acknowledged events with their stream ids. On every
//    reconnection, before sending anything else, it asks XINFO STREAM; the
//    retained events whose id is above the stream's last-generated-id (all of
//    them when the stream is gone) are sent again first, in order. Events
//    older than the window are lost for good; consumers see the hole as a seq
//    gap. A consumer that had read an event before the restart gets it again
//    (new stream id, same envelope id): consumers dedupe by envelope id.
// Everything else (publish, get, set, locks, command) is not buffered: while
// disconnected it fails at once with NOT_CONNECTED.
//
// Errors (Error::code): NOT_CONNECTED, CONNECTION_LOST (the command may have
// run), TIMEOUT, CLOSED, OUTBOX_FULL, REDIS_ERROR (the server's error reply),
// and from start(): REDIS_UNREACHABLE, REDIS_AUTH_FAILED, REDIS_AUTH_REQUIRED,
// REDIS_BAD_DB.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/event_loop.hpp"
#include "bus/options.hpp"
#include "bus/reply.hpp"
#include "core/result.hpp"

namespace ts::bus {

template <class T>
using Callback = std::function<void(Result<T>)>;

struct AsyncClientOptions {
  ConnectionOptions connection;
  /// Events accepted but not yet acknowledged by Redis (queued or in flight).
  std::size_t outbox_capacity = 10'000;
  /// Events pipelined at once on a live connection.
  std::size_t max_in_flight = 256;
  /// Acknowledged events kept to re-send when a restarted Redis lost them (0 = none).
  std::size_t replay_window = 10'000;
};

/// Counters for /metrics. Any thread.
struct ClientStats {
  bool connected = false;
  std::uint64_t reconnects = 0;
  std::size_t outbox = 0;              ///< events accepted, not yet acknowledged
  std::uint64_t events_published = 0;  ///< acknowledged by Redis
  std::uint64_t events_rejected = 0;   ///< refused by publish_event (outbox full, closed)
  std::uint64_t events_failed = 0;     ///< Redis answered with an error (reported to the callback)
  std::uint64_t events_resent = 0;     ///< sent again after a connection loss (possible duplicates)
  std::uint64_t events_replayed = 0;   ///< acknowledged, then missing after a Redis restart: sent again
};

class AsyncClient {
 public:
  AsyncClient(EventLoop& loop, AsyncClientOptions options);
  /// Closes (see close()).
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  /// Connects (AUTH, SELECT). Ready when connected; with fail_fast, an error if
  /// the first attempt fails (the client is then closed). Call once.
  std::future<Status<>> start();
  /// Stops. Every callback still pending (including outbox events, which are
  /// then NOT sent) completes with CLOSED before close() returns; call drain()
  /// first to flush. Idempotent.
  void close();
  /// Ready when every accepted event has been acknowledged, or TIMEOUT.
  std::future<Status<>> drain(std::chrono::milliseconds timeout);

  /// EVAL(XADD <stream_key> MAXLEN ~ <maxlen> * data <payload>; PUBLISH <channel> <payload>).
  /// maxlen 0 = no trimming. Returns OUTBOX_FULL or CLOSED at once (then `done`
  /// is never called); otherwise `done` gets the stream id and receiver count.
  [[nodiscard]] Status<> publish_event(std::string channel, std::string stream_key, std::size_t maxlen,
                                       std::string payload, Callback<EventReceipt> done = {});
  /// PUBLISH: the receiver count. 0 means nobody listens: say so, don't wait.
  void publish(std::string channel, std::string payload, Callback<long long> done);
  /// SET [PX ttl] (ttl 0 = no expiry).
  void set(std::string key, std::string value, Callback<Ok> done = {},
           std::chrono::milliseconds ttl = std::chrono::milliseconds{0});
  /// GET: nullopt when the key does not exist.
  void get(std::string key, Callback<std::optional<std::string>> done);

  // Lock primitives (the scheduler's "exactly one engine fires"): the value is
  // the owner's unique token; the key expires unless renewed.
  /// SET key value NX PX ttl: true if acquired.
  void set_if_absent(std::string key, std::string value, std::chrono::milliseconds ttl, Callback<bool> done);
  /// Extends the expiry to ttl only if key still holds value: true if renewed.
  void renew_if_equal(std::string key, std::string value, std::chrono::milliseconds ttl, Callback<bool> done);
  /// Deletes key only if it still holds value: true if deleted.
  void delete_if_equal(std::string key, std::string value, Callback<bool> done);

  /// Any other command; an error reply becomes REDIS_ERROR.
  void command(std::vector<std::string> argv, Callback<Reply> done);

  ClientStats stats() const;
  bool connected() const;

  struct Impl;

 private:
  EventLoop& loop_;
  std::shared_ptr<Impl> impl_;
};

/// Adapts one callback-style call to a future:
///   auto r = as_future<bool>([&](auto cb) { client.set_if_absent("k", "me", 30s, cb); }).get();
/// Not for use on the loop thread (the future would never become ready).
template <class T, class F>
std::future<Result<T>> as_future(F&& call) {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  call(Callback<T>([p](Result<T> r) { p->set_value(std::move(r)); }));
  return f;
}

}  // namespace ts::bus
