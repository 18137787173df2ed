#include "bus/event_loop.hpp"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>
#include <utility>  // before boost/asio: Boost 1.74 Asio needs std::exchange under C++20

#include "bus/detail/log.hpp"

namespace ts::bus {

struct EventLoop::Impl {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::thread thread;
  std::thread::id thread_id;
};

EventLoop::EventLoop(std::string thread_name) : impl_(std::make_unique<Impl>()) {
  std::promise<void> started;
  auto ready = started.get_future();
  impl_->thread = std::thread([this, name = std::move(thread_name), &started] {
    impl_->thread_id = std::this_thread::get_id();
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    started.set_value();
    for (;;) {
      try {
        impl_->io.run();
        return;
      } catch (const std::exception& e) {  // a handler threw: log it and keep serving
        detail::log(spdlog::level::err, "bus: event loop handler threw: {}", e.what());
      } catch (...) {
        detail::log(spdlog::level::err, "bus: event loop handler threw a non-standard exception");
      }
    }
  });
  ready.wait();
}

EventLoop::~EventLoop() {
  impl_->guard.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) {
    if (in_loop_thread())
      impl_->thread.detach();  // destroyed from its own callback: cannot join itself
    else
      impl_->thread.join();
  }
}

boost::asio::io_context& EventLoop::context() noexcept { return impl_->io; }

bool EventLoop::in_loop_thread() const noexcept { return std::this_thread::get_id() == impl_->thread_id; }

void EventLoop::post(std::function<void()> fn) {
  boost::asio::post(impl_->io, [fn = std::move(fn)]() mutable { detail::invoke_safely("posted", fn); });
}

void EventLoop::run_sync(const std::function<void()>& fn) {
  if (in_loop_thread()) {
    fn();
    return;
  }
  std::promise<void> done;
  auto f = done.get_future();
  boost::asio::post(impl_->io, [&] {
    try {
      fn();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  f.get();
}

}  // namespace ts::bus
