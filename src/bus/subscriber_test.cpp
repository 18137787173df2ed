// Subscriber against a real redis-server.
#include "bus/subscriber.hpp"

#include <gtest/gtest.h>

#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;
using testing::Collected;
using testing::fast;
using testing::succeeds;
using testing::wait_for;

class RedisSubscriber : public testing::RedisFixture {
 protected:
  EventLoop loop;
};

TEST_F(RedisSubscriber, PSubscribeReceivesInOrder) {
  Collected<Message> got;
  Subscriber sub(loop, fast(url(), "watcher"), [&](const Message& m) { got.add(m); });
  auto started = sub.start();
  ASSERT_TRUE(succeeds(started));
  auto subscribed = as_future<Ok>([&](auto cb) { sub.psubscribe({"tickstock:*"}, cb); });
  ASSERT_TRUE(succeeds(subscribed));

  auto redis = sync();
  const std::vector<std::string> channels{"tickstock:import:progress", "tickstock:processing:status",
                                          "tickstock:errors"};
  constexpr int kMessages = 600;
  for (int i = 0; i < kMessages; ++i) {
    if (i == 300) {
      ASSERT_EQ(redis.publish("elsewhere", "ignored").value(), 0);
    }
    ASSERT_EQ(redis.publish(channels[i % 3], std::to_string(i)).value(), 1);
  }
  ASSERT_TRUE(got.wait_size(kMessages));
  auto items = got.items();
  ASSERT_EQ(items.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(items[i].payload, std::to_string(i));
    EXPECT_EQ(items[i].channel, channels[i % 3]);
    EXPECT_EQ(items[i].pattern, "tickstock:*");
  }
}

TEST_F(RedisSubscriber, ResubscribesAfterReconnection) {
  Collected<Message> got;
  auto opt = fast(url(), "sub-resub");
  Subscriber sub(loop, opt, [&](const Message& m) { got.add(m); });
  auto started = sub.start();
  ASSERT_TRUE(succeeds(started));
  auto a = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:commands"}, cb); });
  auto b = as_future<Ok>([&](auto cb) { sub.psubscribe({"tickstock:commands:*"}, cb); });
  ASSERT_TRUE(succeeds(a));
  ASSERT_TRUE(succeeds(b));

  // 1. The server drops the connection (as a network failure would).
  {
    auto redis = sync();
    ASSERT_TRUE(testing::kill_client(redis, "sub-resub"));
  }
  ASSERT_TRUE(wait_for([&] { return sub.reconnects() == 1 && sub.connected(); }));
  // 2. The server restarts.
  ASSERT_TRUE(server().restart());
  ASSERT_TRUE(wait_for([&] { return sub.reconnects() == 2 && sub.connected(); }));

  auto redis = sync();
  // Both subscriptions are back once PUBLISH counts a receiver for each (a bounded wait, not a timing).
  ASSERT_TRUE(wait_for([&] {
    auto n = redis.publish("tickstock:commands:probe", "p");
    return n && *n == 1;
  }));
  ASSERT_TRUE(wait_for([&] {
    auto n = redis.publish("tickstock:commands", "direct");
    return n && *n == 1;
  }));
  ASSERT_TRUE(wait_for([&] {
    auto items = got.items();
    return !items.empty() && items.back().payload == "direct";
  }));
  EXPECT_EQ(got.items().back().channel, "tickstock:commands");
  EXPECT_EQ(got.items().back().pattern, "");
}

TEST_F(RedisSubscriber, SubscribeBeforeConnectingAndUnsubscribe) {
  Collected<Message> got;
  Subscriber sub(loop, fast(url(), "early"), [&](const Message& m) { got.add(m); });
  auto subscribed = as_future<Ok>([&](auto cb) { sub.subscribe({"x", "y"}, cb); });  // not started yet
  auto started = sub.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(succeeds(subscribed));  // confirmed once connected
  auto redis = sync();
  EXPECT_EQ(redis.publish("x", "1").value(), 1);
  sub.unsubscribe({"x"});
  ASSERT_TRUE(wait_for([&] {
    auto n = redis.publish("x", "2");
    return n && *n == 0;
  }));
  EXPECT_EQ(redis.publish("y", "3").value(), 1);
  ASSERT_TRUE(wait_for([&] { return !got.items().empty() && got.items().back().payload == "3"; }));
  auto items = got.items();
  EXPECT_EQ(items.front().payload, "1");
  for (std::size_t i = 1; i + 1 < items.size(); ++i)
    EXPECT_EQ(items[i].payload, "2");  // before the unsubscribe took effect
}

TEST_F(RedisSubscriber, CloseCompletesPendingSubscriptions) {
  RedisUrl nowhere;
  nowhere.port = pick_free_port().value();
  auto opt = fast(nowhere, "nowhere");
  opt.fail_fast = false;
  Subscriber sub(loop, opt, [](const Message&) {});
  auto started = sub.start();
  auto subscribed = as_future<Ok>([&](auto cb) { sub.subscribe({"x"}, cb); });
  sub.close();
  auto r = testing::get_within(subscribed);
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().code, "CLOSED");
  auto s = testing::get_within(started);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->error().code, "CLOSED");
}

}  // namespace
}  // namespace ts::bus
