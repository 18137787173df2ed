#pragma once
// FakeEngine: a stand-in for `tickstock engine` in the client tests. It listens
// on tickstock:commands (and tickstock:commands:*) of a test's redis-server and
// hands each decoded command to a handler on its own worker thread, which can
// reply, publish stray messages and append scripted events to the stream
// (emit() may also be called from the test's thread).
// Test-only (header-only); link ts_client and GTest.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bus/event_loop.hpp"
#include "bus/subscriber.hpp"
#include "bus/sync_client.hpp"
#include "core/uuid.hpp"
#include "protocol/commands.hpp"
#include "protocol/envelope.hpp"
#include "protocol/events.hpp"

namespace ts::client::testing {

class FakeEngine {
 public:
  using Handler = std::function<void(const protocol::CommandRequest&, FakeEngine&)>;

  FakeEngine(const bus::RedisUrl& url, Handler handler) : handler_(std::move(handler)) {
    auto c = bus::SyncClient::connect(url, std::chrono::milliseconds(2000), "fake-engine");
    if (!c) throw std::runtime_error(c.error().message);
    redis_.emplace(std::move(c).value());
    bus::ConnectionOptions o;
    o.url = url;
    o.name = "fake-engine-commands";
    worker_ = std::thread([this] { work(); });
    sub_ = std::make_unique<bus::Subscriber>(loop_, o, [this](const bus::Message& m) {
      if (!protocol::is_command_channel(m.channel)) return;
      std::lock_guard lock(mu_);
      inbox_.push_back(m.payload);
      cv_.notify_all();
    });
    if (auto s = sub_->start().get(); !s) throw std::runtime_error(s.error().message);
    std::promise<void> a, b;
    sub_->subscribe({std::string(protocol::kCommandChannel)}, [&a](Result<Ok>) { a.set_value(); });
    sub_->psubscribe({std::string(protocol::kCommandChannelPattern)}, [&b](Result<Ok>) { b.set_value(); });
    a.get_future().wait();
    b.get_future().wait();
  }
  ~FakeEngine() {
    sub_->close();
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    worker_.join();
  }
  FakeEngine(const FakeEngine&) = delete;
  FakeEngine& operator=(const FakeEngine&) = delete;

  /// Replies to `r` on its reply_to with ok + result, or with an error.
  void reply(const protocol::CommandRequest& r, nlohmann::json result) {
    publish(r.reply_to,
            protocol::encode_reply(protocol::make_ok_reply(r, std::move(result), now(), kSource)));
  }
  void reply_error(const protocol::CommandRequest& r, protocol::CommandError e) {
    publish(r.reply_to, protocol::encode_reply(protocol::make_error_reply(r, std::move(e), now(), kSource)));
  }
  void publish(const std::string& channel, const std::string& text) {
    std::lock_guard lock(redis_mu_);
    (void)redis_->publish(channel, text);
  }

  /// XADD tickstock:events + PUBLISH on the event's channel, as the engine does.
  /// `seq` 0 = the next seq of the event's scope.
  std::string emit(protocol::Event event, nlohmann::json payload, std::uint64_t seq = 0) {
    protocol::Envelope e;
    e.id = make_uuid_v4();
    e.event = event;
    e.timestamp = now();
    e.source = kSource;
    e.payload = std::move(payload);
    const auto run = e.payload.contains("run_id") ? e.payload["run_id"].get<std::string>() : std::string();
    {
      std::lock_guard lock(redis_mu_);
      e.seq = seq ? seq : sequencer_.next(run);
    }
    return emit_raw(protocol::encode_event(e), event);
  }
  std::string emit_raw(const std::string& envelope, protocol::Event event) {
    std::lock_guard lock(redis_mu_);
    auto r = redis_->publish_event(std::string(protocol::channel_of(event)),
                                   std::string(protocol::kStreamKey), 0, envelope);
    return r ? r->id : "";
  }

  /// Commands received so far.
  std::size_t handled() const {
    std::lock_guard lock(mu_);
    return handled_;
  }

  static constexpr const char* kSource = "tickstock-engine/fake:1";
  static std::string now() { return protocol::format_timestamp(std::chrono::system_clock::now()); }

 private:
  void work() {
    for (;;) {
      std::string raw;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !inbox_.empty(); });
        if (stop_ && inbox_.empty()) return;
        raw = std::move(inbox_.front());
        inbox_.pop_front();
      }
      auto r = protocol::decode_command(raw, [] { return make_uuid_v4(); });
      if (r) handler_(*r, *this);
      std::lock_guard lock(mu_);
      ++handled_;
    }
  }

  Handler handler_;
  std::mutex redis_mu_;  // guards redis_ and sequencer_ (handler thread and test thread)
  std::optional<bus::SyncClient> redis_;
  protocol::Sequencer sequencer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> inbox_;
  bool stop_ = false;
  std::size_t handled_ = 0;
  std::thread worker_;
  bus::EventLoop loop_{"fake-engine"};
  std::unique_ptr<bus::Subscriber> sub_;
};

}  // namespace ts::client::testing
