#pragma once
// An in-process engine daemon on a private redis-server, with an injectable
// clock, plus a client side: commands with replies, the event stream.
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "app/daemon.hpp"
#include "bus/redis_fixture.hpp"
#include "bus/subscriber.hpp"
#include "protocol/commands.hpp"
#include "protocol/envelope.hpp"
#include "protocol/test_support.hpp"
#include "storage/storage.hpp"
#include "test_support.hpp"

namespace ts::testing {

using nlohmann::json;

/// A clock the test moves; starts at `t`.
class TestClock {
 public:
  explicit TestClock(std::chrono::system_clock::time_point t) : ns_(t.time_since_epoch().count()) {}
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(ns_.load()));
  }
  void set(std::chrono::system_clock::time_point t) { ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<std::chrono::system_clock::rep> ns_;
};

/// Tuesday 2025-06-03 17:00 New York (21:00 UTC): an NYSE trading day.
inline std::chrono::system_clock::time_point trading_day_evening() {
  return std::chrono::sys_days{parse_date("2025-06-03").value()} + std::chrono::hours(21);
}
/// Saturday 2025-06-07.
inline std::chrono::system_clock::time_point saturday() {
  return std::chrono::sys_days{parse_date("2025-06-07").value()} + std::chrono::hours(15);
}

/// Collects every message on some channels/patterns, in arrival order.
class Listener {
 public:
  Listener(const bus::RedisUrl& url, std::vector<std::string> channels, std::vector<std::string> patterns)
      : loop_("ts-test-listener") {
    bus::ConnectionOptions o;
    o.url = url;
    o.name = "test-listener";
    sub_ = std::make_unique<bus::Subscriber>(loop_, o, [this](const bus::Message& m) {
      std::lock_guard lock(mu_);
      messages_.push_back(m);
    });
    if (!sub_->start().get()) throw std::runtime_error("listener cannot connect");
    if (!channels.empty() && !bus::as_future<Ok>([&](auto cb) { sub_->subscribe(channels, cb); }).get())
      throw std::runtime_error("listener cannot subscribe");
    if (!patterns.empty() && !bus::as_future<Ok>([&](auto cb) { sub_->psubscribe(patterns, cb); }).get())
      throw std::runtime_error("listener cannot psubscribe");
  }
  ~Listener() { sub_->close(); }
  std::vector<bus::Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  /// The first reply with this request_id, waiting up to 30 s.
  std::optional<json> reply(const std::string& request_id) const {
    std::optional<json> found;
    bus::testing::wait_for(
        [&] {
          for (const auto& m : messages()) {
            auto j = json::parse(m.payload, nullptr, false);
            if (j.is_object() && j.value("request_id", "") == request_id) {
              found = j;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(30));
    return found;
  }

 private:
  bus::EventLoop loop_;
  std::unique_ptr<bus::Subscriber> sub_;
  mutable std::mutex mu_;
  std::vector<bus::Message> messages_;
};

class EngineFixture : public bus::testing::RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    if (HasFatalFailure()) return;
    config_.redis_url = url().str();
    config_.db_url = engine_db(dir_.str("engine.db"));
    config_.http = "127.0.0.1:0";
    config_.heartbeat_ms = 200;
    config_.scheduler = false;
    config_.threads = 2;
    customise(config_);
    daemon_ = std::make_unique<app::Daemon>(
        config_, [this] { return real_clock_ ? std::chrono::system_clock::now() : clock_.now(); });
    auto st = daemon_->start();
    ASSERT_TRUE(st) << st.error().message;
    replies_ = std::make_unique<Listener>(
        url(), std::vector<std::string>{reply_channel_, std::string(protocol::kDefaultReplyChannel)},
        std::vector<std::string>{});
  }
  void TearDown() override {
    replies_.reset();
    if (daemon_) daemon_->stop();
    daemon_.reset();
    RedisFixture::TearDown();
  }
  virtual void customise(app::EngineConfig&) {}

  /// Publishes a command (request_id and reply_to filled in) and waits for its reply.
  json send(json cmd, const std::string& channel = std::string(protocol::kCommandChannel)) {
    const std::string id = cmd.contains("request_id") ? cmd["request_id"].get<std::string>() : make_uuid_v4();
    cmd["request_id"] = id;
    if (!cmd.contains("reply_to")) cmd["reply_to"] = reply_channel_;
    auto c = sync();
    auto receivers = c.publish(channel, cmd.dump());
    EXPECT_TRUE(receivers && *receivers >= 1) << "no engine listening";
    auto r = replies_->reply(id);
    EXPECT_TRUE(r.has_value()) << "no reply to " << cmd.dump();
    return r.value_or(json::object());
  }
  json call(const std::string& command, json params = json::object()) {
    return send(json{{"command", command}, {"parameters", std::move(params)}, {"source", "test"}});
  }

  /// Every envelope in the stream, decoded, in stream order.
  std::vector<protocol::Envelope> stream() {
    std::vector<protocol::Envelope> out;
    auto c = sync();
    auto entries = c.xrange(std::string(protocol::kStreamKey));
    EXPECT_TRUE(entries);
    if (!entries) return out;
    for (const auto& e : *entries) {
      auto env = protocol::decode_event(e.payload);
      EXPECT_TRUE(env) << (env ? "" : env.error().message);
      if (env) out.push_back(std::move(env).value());
    }
    return out;
  }
  std::vector<protocol::Envelope> run_events(const std::string& run_id) {
    std::vector<protocol::Envelope> out;
    for (auto& e : stream())
      if (e.payload.value("run_id", "") == run_id) out.push_back(std::move(e));
    return out;
  }
  /// Waits for the run's terminal event; returns it.
  std::optional<protocol::Envelope> wait_terminal(const std::string& run_id,
                                                  std::chrono::seconds timeout = std::chrono::seconds(120)) {
    std::optional<protocol::Envelope> found;
    bus::testing::wait_for(
        [&] {
          for (auto& e : run_events(run_id)) {
            const auto& info = protocol::info(e.event);
            if (info.channel == protocol::kProcessingStatusChannel &&
                e.event != protocol::Event::processing_started) {
              found = e;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  TestClock clock_{trading_day_evening()};
  /// Set in customise(): the engine reads the system clock instead of clock_
  /// (for clients that stamp commands with the real time: signed commands).
  bool real_clock_ = false;
  TempDir dir_;
  app::EngineConfig config_;
  std::unique_ptr<app::Daemon> daemon_;
  std::string reply_channel_ = "tickstock:commands:replies:test-" + make_uuid_v4();
  std::unique_ptr<Listener> replies_;
};

}  // namespace ts::testing
