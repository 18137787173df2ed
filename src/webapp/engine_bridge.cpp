#include "webapp/engine_bridge.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>

#include "bus/async_client.hpp"
#include "bus/event_loop.hpp"
#include "bus/subscriber.hpp"
#include "core/uuid.hpp"
#include "protocol/events.hpp"
#include "protocol/signing.hpp"

namespace ts::webapp {

struct EngineBridge::Impl : std::enable_shared_from_this<EngineBridge::Impl> {
  EngineBridgeOptions options;
  std::string reply_channel;

  struct Pending {
    Done done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  // Loop thread only.
  std::unordered_map<std::string, Pending> pending;
  bool closed = false;

  // Declared last: destroyed first.
  std::unique_ptr<bus::EventLoop> loop;
  std::unique_ptr<bus::AsyncClient> publisher;
  std::unique_ptr<bus::Subscriber> replies;

  /// Loop thread: completes and forgets one call.
  void complete(const std::string& id, Result<protocol::Reply> r) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    Pending p = std::move(it->second);
    pending.erase(it);
    if (p.timer) p.timer->cancel();
    try {
      p.done(std::move(r));
    } catch (const std::exception& e) {
      spdlog::error("app: engine reply callback threw: {}", e.what());
    }
  }

  void on_reply(const bus::Message& m) {
    auto decoded = protocol::decode_reply(m.payload);
    if (!decoded) {
      spdlog::debug("app: ignoring a malformed reply: {}", decoded.error().message);
      return;
    }
    const std::string id = decoded->request_id;
    complete(id, std::move(decoded).value());
  }

  void send(protocol::CommandRequest request, std::chrono::milliseconds timeout, Done done) {
    if (closed) {
      done(fail("CLOSED", "the app is stopping"));
      return;
    }
    request.reply_to = reply_channel;
    const std::string id = request.request_id;
    const std::string name(protocol::to_string(request.command));
    if (pending.count(id)) {
      done(fail("INVALID_COMMAND", "duplicate request id"));
      return;
    }
    Pending p;
    p.done = std::move(done);
    p.timer = std::make_unique<boost::asio::steady_timer>(loop->context());
    p.timer->expires_after(timeout);
    std::weak_ptr<Impl> weak = shared_from_this();
    p.timer->async_wait([weak, id, name, timeout](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->complete(id, fail("TIMEOUT", "the engine did not answer " + name + " within " +
                                             std::to_string(timeout.count()) + " ms"));
    });
    pending.emplace(id, std::move(p));
    // Signed at the moment of sending, so the engine's freshness window counts from here.
    if (!options.command_secret.empty())
      protocol::sign_command(request, options.command_secret, std::chrono::system_clock::now());
    publisher->publish(
        options.command_channel, protocol::encode_command(request),
        [weak, id, channel = options.command_channel](Result<long long> r) {
          auto self = weak.lock();
          if (!self) return;
          if (!r) return self->complete(id, fail(std::move(r).error()));
          if (*r == 0)
            self->complete(id, fail(std::string(kEngineUnavailable), "no engine is listening on " + channel));
        });
  }

  void close_all() {
    closed = true;
    auto ids = std::vector<std::string>();
    for (auto& [id, p] : pending) ids.push_back(id);
    for (auto& id : ids) complete(id, fail("CLOSED", "the app is stopping"));
  }
};

EngineBridge::EngineBridge(EngineBridgeOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  impl_->reply_channel = std::string(protocol::kDefaultReplyChannel) + ":app-" + make_uuid_v4();
}

EngineBridge::~EngineBridge() { stop(); }

void EngineBridge::start(std::chrono::milliseconds wait) {
  auto& m = *impl_;
  m.loop = std::make_unique<bus::EventLoop>("ts-app-engine");
  bus::ConnectionOptions c;
  c.url = m.options.url;
  c.name = "tickstock-app";
  c.fail_fast = false;  // the app serves its pages while Redis is down, and says so
  c.on_state = [weak = std::weak_ptr<Impl>(impl_)](bus::ConnectionState s) {
    auto self = weak.lock();
    if (!self || !self->options.on_connection) return;
    if (s == bus::ConnectionState::ready) self->options.on_connection(true);
    if (s == bus::ConnectionState::down) self->options.on_connection(false);
  };
  m.publisher = std::make_unique<bus::AsyncClient>(*m.loop, bus::AsyncClientOptions{c});
  bus::ConnectionOptions rc = c;
  rc.name = "tickstock-app-replies";
  rc.on_state = nullptr;
  Impl* raw = impl_.get();
  m.replies =
      std::make_unique<bus::Subscriber>(*m.loop, rc, [raw](const bus::Message& msg) { raw->on_reply(msg); });
  auto pub_started = m.publisher->start();
  auto sub_started = m.replies->start();
  auto subscribed = bus::as_future<Ok>([&](auto cb) { m.replies->subscribe({m.reply_channel}, cb); });
  const auto deadline = std::chrono::steady_clock::now() + wait;
  pub_started.wait_until(deadline);
  sub_started.wait_until(deadline);
  if (subscribed.wait_until(deadline) != std::future_status::ready)
    spdlog::warn("app: Redis {} not reachable yet; retrying in the background", m.options.url.redacted());
}

void EngineBridge::stop() {
  auto& m = *impl_;
  if (!m.loop) return;
  m.loop->run_sync([&m] { m.close_all(); });
  if (m.replies) m.replies->close();
  if (m.publisher) m.publisher->close();
  m.loop->run_sync([&m] { m.pending.clear(); });
  m.replies.reset();
  m.publisher.reset();
  m.loop.reset();
}

void EngineBridge::call(protocol::CommandRequest request, Done done) {
  call(std::move(request), impl_->options.timeout, std::move(done));
}

void EngineBridge::call(protocol::CommandRequest request, std::chrono::milliseconds timeout, Done done) {
  auto& m = *impl_;
  if (!m.loop) {
    done(fail("CLOSED", "the engine bridge is not running"));
    return;
  }
  m.loop->post([self = impl_, request = std::move(request), timeout, done = std::move(done)]() mutable {
    self->send(std::move(request), timeout, std::move(done));
  });
}

bool EngineBridge::connected() const {
  return impl_->publisher && impl_->publisher->connected() && impl_->replies && impl_->replies->connected();
}

const std::string& EngineBridge::reply_channel() const noexcept { return impl_->reply_channel; }

}  // namespace ts::webapp
