#pragma once
// EventLoop: one boost::asio::io_context run by one thread it owns. Every async
// bus component (AsyncClient, Subscriber, StreamReader) lives on a loop: its
// hiredis connection, timers and callbacks run on that thread only, so the
// components need no locks on their connection state.
//
// Thread-safety: post() and run_sync() may be called from any thread.
// Lifetime: destroy the components before their loop. The destructor stops
// the io_context and joins the thread; handlers still queued are dropped.
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ts::bus {

class EventLoop {
 public:
  explicit EventLoop(std::string thread_name = "ts-bus");
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  boost::asio::io_context& context() noexcept;
  /// True on the loop's own thread (inside a callback).
  bool in_loop_thread() const noexcept;
  /// Queues `fn` to run on the loop thread. An exception from `fn` is logged, never propagated.
  void post(std::function<void()> fn);
  /// Runs `fn` on the loop thread and waits for it; runs it inline when called
  /// on the loop thread. Exceptions from `fn` are rethrown to the caller.
  void run_sync(const std::function<void()>& fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ts::bus
