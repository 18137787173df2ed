#pragma once
// Connection: one hiredis async context on an EventLoop, kept alive across
// server restarts. Internal to the bus; the public components wrap it.
//
//   connect ─► AUTH ─► SELECT ─► CLIENT SETNAME ─► PING ─► ready
//      ▲                                                      │ lost / timed out
//      └──────────── backoff (exponential + jitter) ◄─────────┘
//
// Every method must be called on the loop thread; handlers run there too.
// Replies arrive in order. When a connection is lost, every command still
// waiting for its reply completes with CONNECTION_LOST (it may or may not
// have executed), before on_down.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>  // before boost/asio: Boost 1.74 Asio needs std::exchange under C++20
#include <vector>

#include "bus/options.hpp"
#include "bus/reply.hpp"
#include "core/result.hpp"

namespace ts::bus::detail {

/// Makes SIGPIPE harmless for this process, unless the program installed its
/// own handler. hiredis writes with write(2), not send(MSG_NOSIGNAL): a Redis
/// that closes the socket while a command is being written raises SIGPIPE,
/// whose default action kills the whole process (engine, app, ctl). Ignored,
/// the write fails with EPIPE and the connection is handled as lost. Called
/// before every connection attempt (one sigaction call), so a program that
/// resets the disposition is covered again on its next connect.
void ignore_sigpipe() noexcept;

using ReplyCallback = std::function<void(Result<Reply>)>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Handlers {
    std::function<void(bool first)> on_ready;    ///< connected and logged in (first time: first == true)
    std::function<void(const Error&)> on_down;   ///< lost after being ready; reconnecting
    std::function<void(const Error&)> on_fatal;  ///< fail-fast: the first attempt failed; now closed
    std::function<void(const Reply&)> on_push;   ///< pub/sub pushes (messages, subscribe confirmations)
  };

  static std::shared_ptr<Connection> create(boost::asio::io_context& io, ConnectionOptions options,
                                            Handlers handlers);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  /// Idempotent. Commands still waiting complete with CLOSED before it returns.
  void close();

  bool ready() const noexcept;
  /// Sends a command. Returns false (and never calls `cb`) when not ready.
  /// The reply is due within command_timeout + `extra` (for blocking commands).
  bool send(const std::vector<std::string>& argv, ReplyCallback cb,
            std::chrono::milliseconds extra = std::chrono::milliseconds{0});
  /// (P)SUBSCRIBE / (P)UNSUBSCRIBE: replies and messages go to on_push.
  bool send_subscription(const std::vector<std::string>& argv);

  /// Any thread.
  bool connected() const noexcept;
  std::uint64_t reconnects() const noexcept;
  const ConnectionOptions& options() const noexcept;
  /// "name (redis://host:port/db)" for log lines; no password.
  const std::string& describe() const noexcept;

  struct Session;  // one hiredis context; see connection.cpp

 private:
  enum class Phase { idle, connecting, handshaking, ready, waiting, closed };
  using Clock = std::chrono::steady_clock;

  Connection(boost::asio::io_context& io, ConnectionOptions options, Handlers handlers);

  void attempt();
  void on_tcp(Session* s, const std::string& error);
  void on_lost(Session* s, const std::string& error);
  void handshake();
  void became_ready();
  void failed(Error error);  // an attempt failed or a ready connection broke
  void drop(Error reason);   // let go of the current context, failing its pending commands
  void schedule_retry();
  void arm_watchdog();
  void set_phase(Phase p);
  bool send_raw(const std::vector<std::string>& argv, ReplyCallback cb, std::chrono::milliseconds budget);
  void push(const Reply& r);

  boost::asio::io_context& io_;
  ConnectionOptions opt_;
  Handlers handlers_;
  std::string describe_;
  Phase phase_ = Phase::idle;
  std::shared_ptr<Session> session_;
  boost::asio::steady_timer connect_timer_, retry_timer_, watchdog_;
  bool watchdog_armed_ = false;
  bool ever_ready_ = false;
  unsigned attempt_ = 0;
  std::uint64_t gen_ = 0;  // identifies the current context; bumped when it is let go
  std::mt19937_64 rng_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> reconnects_{0};

  friend struct Trampolines;
};

}  // namespace ts::bus::detail
