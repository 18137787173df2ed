#include "bus/detail/component.hpp"

namespace ts::bus::detail {

void ComponentCore::finish_start(Status<> s) {
  if (!start_promise_) return;
  start_promise_->set_value(std::move(s));
  start_promise_.reset();
}

Connection::Handlers ComponentCore::base_handlers() {
  Connection::Handlers h;
  h.on_ready = [this](bool) {
    finish_start(Ok{});
    on_ready();
  };
  h.on_down = [this](const Error& e) { on_down(e); };
  h.on_fatal = [this](const Error& e) {  // fail-fast: the connection is closed for good
    closed = true;
    finish_start(fail(e));
    fail_pending();
  };
  return h;
}

void ComponentCore::shutdown() {
  closed = true;
  conn->close();
  finish_start(fail("CLOSED", "the " + what() + " was closed before it connected"));
  fail_pending();
}

std::future<Status<>> start(EventLoop& loop, const std::shared_ptr<ComponentCore>& core) {
  auto p = std::make_shared<std::promise<Status<>>>();
  auto f = p->get_future();
  loop.post([core, p] {
    if (core->closed) return p->set_value(fail("CLOSED", "the " + core->what() + " is closed"));
    if (core->started_) return p->set_value(fail("ALREADY_STARTED", "start() was called twice"));
    core->started_ = true;
    core->start_promise_.emplace(std::move(*p));
    core->conn->start();
  });
  return f;
}

void close(EventLoop& loop, const std::shared_ptr<ComponentCore>& core) {
  core->closed = true;
  loop.run_sync([&core] { core->shutdown(); });
}

}  // namespace ts::bus::detail
