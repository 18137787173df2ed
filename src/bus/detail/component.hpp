#pragma once
// The lifecycle the three async components share (AsyncClient, Subscriber,
// StreamReader): start() once, close() from any thread, destruction on the loop.
#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "bus/detail/connection.hpp"
#include "bus/event_loop.hpp"
#include "core/result.hpp"

namespace ts::bus::detail {

class ComponentCore {
 public:
  virtual ~ComponentCore() = default;

  std::shared_ptr<Connection> conn;
  std::atomic<bool> closed{false};

  /// Resolves start()'s future (first connection, fail-fast error or close).
  void finish_start(Status<> s);
  /// Connection handlers every component needs; add the component's own.
  Connection::Handlers base_handlers();

  /// Loop thread: closes the connection and fails whatever the component holds.
  void shutdown();

 protected:
  virtual void on_ready() {}
  /// The connection was lost after being ready (`why`); it reconnects.
  virtual void on_down(const Error& /*why*/) {}
  /// Completes the component's pending callbacks with CLOSED (connection already closed).
  virtual void fail_pending() {}
  virtual std::string what() const = 0;

 private:
  friend std::future<Status<>> start(EventLoop&, const std::shared_ptr<ComponentCore>&);
  bool started_ = false;
  std::optional<std::promise<Status<>>> start_promise_;
};

std::future<Status<>> start(EventLoop& loop, const std::shared_ptr<ComponentCore>& core);
void close(EventLoop& loop, const std::shared_ptr<ComponentCore>& core);

/// For the public classes' destructors: close, then drop the last reference on the loop.
template <class Impl>
void destroy(EventLoop& loop, std::shared_ptr<Impl>& impl) {
  if (!impl) return;
  close(loop, impl);
  loop.run_sync([&impl] { impl.reset(); });
}

}  // namespace ts::bus::detail
