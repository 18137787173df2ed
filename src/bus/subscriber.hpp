#pragma once
// Subscriber: pub/sub on its own connection (a subscribed connection can run
// no other commands). Subscriptions are remembered and made again after every
// reconnection.
//
// Delivery: pub/sub is fire-and-forget. Messages published while the
// subscriber is disconnected are lost; read the event stream (StreamReader)
// when that matters. Messages of one connection arrive in publish order. A
// channel matched by both a SUBSCRIBE and a PSUBSCRIBE arrives twice (once
// with its pattern).
//
// Threading: methods may be called from any thread; callbacks (messages and
// `done`) run on the loop thread, in order. close() may be called from a
// callback; destroying the subscriber from inside its own callback may not.
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "bus/async_client.hpp"
#include "bus/event_loop.hpp"
#include "bus/options.hpp"
#include "core/result.hpp"

namespace ts::bus {

struct Message {
  std::string channel;
  std::string pattern;  ///< the PSUBSCRIBE pattern that matched; "" for SUBSCRIBE
  std::string payload;
};
using MessageHandler = std::function<void(const Message&)>;

class Subscriber {
 public:
  Subscriber(EventLoop& loop, ConnectionOptions options, MessageHandler on_message);
  ~Subscriber();  ///< closes
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  /// Same contract as AsyncClient::start().
  std::future<Status<>> start();
  /// No message callback runs once close() has returned. Idempotent.
  void close();

  /// SUBSCRIBE / PSUBSCRIBE. `done` runs once Redis has confirmed every name
  /// (after the next connection if disconnected now), with NOPERM when the
  /// Redis user may not use them (the names are then forgotten; the other
  /// subscriptions stay), or with CLOSED.
  void subscribe(std::vector<std::string> channels, Callback<Ok> done = {});
  void psubscribe(std::vector<std::string> patterns, Callback<Ok> done = {});
  void unsubscribe(std::vector<std::string> channels);
  void punsubscribe(std::vector<std::string> patterns);

  bool connected() const;
  std::uint64_t reconnects() const;

  struct Impl;

 private:
  EventLoop& loop_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ts::bus
