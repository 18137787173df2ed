#pragma once
// EngineBridge: the app's asynchronous side of the engine's Redis request/reply
// (docs/protocol.md), safe for any number of concurrent browser requests.
//
//   bridge.call(request, [](Result<protocol::Reply> r) { ... });
//
// One AsyncClient publishes requests on tickstock:commands with reply_to set
// to this process's private channel (tickstock:commands:replies:app-<uuid>),
// which one Subscriber listens on; replies are matched to their callback by
// request_id. Nothing blocks: a slow engine holds a map entry and a timer,
// not a thread, so it cannot freeze the WebSocket fan-out.
//
// Outcomes (the callback is called exactly once, on the bridge's own I/O
// thread, so it must not block; post work elsewhere):
//   the engine's Reply (which may itself be an error reply)
//   NO_ENGINE   PUBLISH reached 0 receivers: nobody listens (at once, no wait)
//   TIMEOUT     no reply within the timeout (the engine may still act on it)
//   NOT_CONNECTED / CONNECTION_LOST  Redis is down
//   CLOSED      the bridge was stopped with the call pending
// A reply that arrives after its timeout is dropped.
//
// Threading: call() from any thread. stop() completes every pending call with
// CLOSED before it returns.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "bus/url.hpp"
#include "core/result.hpp"
#include "protocol/commands.hpp"

namespace ts::webapp {

inline constexpr std::string_view kEngineUnavailable = "NO_ENGINE";

struct EngineBridgeOptions {
  bus::RedisUrl url;
  std::chrono::milliseconds timeout{10'000};
  std::string command_channel = "tickstock:commands";
  /// When set, every request is signed (timestamp = now, HMAC-SHA256 over its
  /// canonical bytes, protocol/signing.hpp) as an engine with the same secret requires.
  std::string command_secret;
  /// Called on the bridge's I/O thread whenever the Redis connection goes up or down.
  std::function<void(bool connected)> on_connection;
};

class EngineBridge {
 public:
  using Done = std::function<void(Result<protocol::Reply>)>;

  explicit EngineBridge(EngineBridgeOptions options);
  ~EngineBridge();  ///< stop()
  EngineBridge(const EngineBridge&) = delete;
  EngineBridge& operator=(const EngineBridge&) = delete;

  /// Connects and subscribes the reply channel. Does not fail when Redis is
  /// down: the bridge keeps reconnecting, and calls fail with NOT_CONNECTED
  /// until it is back. Returns once the first attempt finished (or `wait`).
  void start(std::chrono::milliseconds wait = std::chrono::milliseconds{3000});
  void stop();

  /// Sends `request` (its reply_to is replaced) and calls `done` once.
  void call(protocol::CommandRequest request, Done done);
  /// call() with a per-call timeout.
  void call(protocol::CommandRequest request, std::chrono::milliseconds timeout, Done done);

  bool connected() const;
  const std::string& reply_channel() const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ts::webapp
