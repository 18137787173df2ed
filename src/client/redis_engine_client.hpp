#pragma once
// RedisEngineClient: commands over Redis pub/sub (docs/protocol.md, "Request
// and reply, step by step").
//
//   1. SUBSCRIBE a private reply channel, tickstock:commands:replies:ctl-<uuid>
//      (once, at connect, before anything is published);
//   2. PUBLISH the request, with reply_to set to that channel, on
//      tickstock:commands. A receiver count of 0 means no engine is listening:
//      NO_ENGINE at once, without waiting;
//   3. wait up to the timeout for the reply whose request_id is the request's;
//      replies to other requests and messages that are not replies are ignored.
//
// Two connections: a subscriber (on its own I/O thread) and a blocking one
// for PUBLISH. Not thread-safe: one caller at a time.
#include <chrono>
#include <memory>
#include <string>

#include "bus/url.hpp"
#include "client/engine_client.hpp"

namespace ts::client {

struct RedisClientOptions {
  bus::RedisUrl url;
  /// Connecting, subscribing, and waiting for each reply.
  std::chrono::milliseconds timeout{10'000};
  std::string command_channel = "tickstock:commands";
  /// CLIENT SETNAME prefix of both connections.
  std::string client_name = "tickstock-ctl";
  /// When set, every request is signed (timestamp = now, HMAC-SHA256,
  /// protocol/signing.hpp), as an engine configured with the same secret requires.
  std::string command_secret;
};

class RedisEngineClient final : public EngineClient {
 public:
  /// Connects both connections and subscribes the reply channel. Errors:
  /// REDIS_UNREACHABLE, REDIS_AUTH_FAILED, REDIS_AUTH_REQUIRED, REDIS_BAD_DB, TIMEOUT.
  static Result<std::unique_ptr<RedisEngineClient>> connect(RedisClientOptions options);
  ~RedisEngineClient() override;

  Result<protocol::Reply> call(const protocol::CommandRequest& request) override;
  std::string describe() const override;

  /// The private channel this client's replies arrive on.
  const std::string& reply_channel() const noexcept;
  /// Messages on the reply channel that were not the awaited reply (other
  /// request ids, malformed replies), for diagnostics and tests.
  std::size_t ignored_messages() const noexcept;

  struct Impl;

 private:
  explicit RedisEngineClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ts::client
