#include "client/redis_engine_client.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>

#include "bus/event_loop.hpp"
#include "bus/subscriber.hpp"
#include "bus/sync_client.hpp"
#include "core/uuid.hpp"
#include "protocol/commands.hpp"
#include "protocol/events.hpp"
#include "protocol/signing.hpp"

namespace ts::client {

namespace {
std::string seconds_text(std::chrono::milliseconds t) {
  const auto ms = t.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}
}  // namespace

struct RedisEngineClient::Impl {
  RedisClientOptions options;
  std::string reply_channel;
  std::optional<bus::SyncClient> publisher;

  // Filled by the subscriber's thread.
  mutable std::mutex mu;
  std::condition_variable cv;
  std::string awaited;  // request_id of the call in progress ("" = none)
  std::optional<protocol::Reply> reply;
  std::size_t ignored = 0;

  // Declared last: destroyed first, so no callback runs into a dead Impl.
  std::unique_ptr<bus::EventLoop> loop;
  std::unique_ptr<bus::Subscriber> subscriber;

  void on_message(const bus::Message& m) {
    auto decoded = protocol::decode_reply(m.payload);
    std::lock_guard lock(mu);
    if (!decoded || awaited.empty() || decoded->request_id != awaited || reply) {
      ++ignored;
      return;
    }
    reply = std::move(decoded).value();
    cv.notify_all();
  }

  ~Impl() {
    if (subscriber) subscriber->close();
    subscriber.reset();
    loop.reset();
  }
};

RedisEngineClient::RedisEngineClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisEngineClient::~RedisEngineClient() = default;

Result<std::unique_ptr<RedisEngineClient>> RedisEngineClient::connect(RedisClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const auto& o = impl->options;
  impl->reply_channel = std::string(protocol::kDefaultReplyChannel) + ":ctl-" + make_uuid_v4();

  auto pub = bus::SyncClient::connect(o.url, o.timeout, o.client_name);
  if (!pub) return fail(std::move(pub).error());
  impl->publisher.emplace(std::move(pub).value());

  bus::ConnectionOptions c;
  c.url = o.url;
  c.name = o.client_name + "-replies";
  c.connect_timeout = o.timeout;
  c.fail_fast = true;
  impl->loop = std::make_unique<bus::EventLoop>("ctl-replies");
  Impl* raw = impl.get();
  impl->subscriber =
      std::make_unique<bus::Subscriber>(*impl->loop, c, [raw](const bus::Message& m) { raw->on_message(m); });
  auto started = impl->subscriber->start();
  if (started.wait_for(o.timeout + std::chrono::seconds(1)) != std::future_status::ready)
    return fail(std::string(kTimeout),
                "could not connect to Redis " + o.url.redacted() + " within " + seconds_text(o.timeout));
  if (auto s = started.get(); !s) return fail(s.error());

  auto subscribed = std::make_shared<std::promise<Status<>>>();
  auto done = subscribed->get_future();
  impl->subscriber->subscribe({impl->reply_channel},
                              [subscribed](Result<Ok> r) { subscribed->set_value(r); });
  if (done.wait_for(o.timeout) != std::future_status::ready)
    return fail(std::string(kTimeout), "Redis did not confirm SUBSCRIBE " + impl->reply_channel + " within " +
                                           seconds_text(o.timeout));
  if (auto s = done.get(); !s) return fail(s.error());
  return std::unique_ptr<RedisEngineClient>(new RedisEngineClient(std::move(impl)));
}

Result<protocol::Reply> RedisEngineClient::call(const protocol::CommandRequest& request) {
  Impl& m = *impl_;
  protocol::CommandRequest r = request;
  r.reply_to = m.reply_channel;
  {
    std::lock_guard lock(m.mu);
    m.awaited = r.request_id;
    m.reply.reset();
  }
  auto forget = [&m] {
    std::lock_guard lock(m.mu);
    m.awaited.clear();
  };
  // Signed at the moment of sending, so the engine's freshness window counts from here.
  if (!m.options.command_secret.empty())
    protocol::sign_command(r, m.options.command_secret, std::chrono::system_clock::now());
  // PUBLISH <command channel> <request>
  auto receivers = m.publisher->publish(m.options.command_channel, protocol::encode_command(r));
  if (!receivers) {
    forget();
    return fail(std::move(receivers).error());
  }
  if (*receivers == 0) {
    forget();
    return fail(std::string(kNoEngine),
                "no engine is listening on " + m.options.command_channel + " at " + m.options.url.redacted() +
                    " (PUBLISH reached 0 receivers); start one with `tickstock engine`");
  }
  std::unique_lock lock(m.mu);
  const bool got = m.cv.wait_for(lock, m.options.timeout, [&m] { return m.reply.has_value(); });
  m.awaited.clear();
  if (!got)
    return fail(std::string(kTimeout),
                "no reply to " + std::string(protocol::to_string(r.command)) + " (request " + r.request_id +
                    ") within " + seconds_text(m.options.timeout) + "; the engine may still carry it out");
  protocol::Reply out = std::move(*m.reply);
  m.reply.reset();
  return out;
}

std::string RedisEngineClient::describe() const { return impl_->options.url.redacted(); }
const std::string& RedisEngineClient::reply_channel() const noexcept { return impl_->reply_channel; }
std::size_t RedisEngineClient::ignored_messages() const noexcept {
  std::lock_guard lock(impl_->mu);
  return impl_->ignored;
}

}  // namespace ts::client
