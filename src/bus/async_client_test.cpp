// AsyncClient against a real redis-server: publishing, events, key/values,
// connection errors and authentication.
#include "bus/async_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "bus/subscriber.hpp"
#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;
using testing::Collected;
using testing::fast;
using testing::get_within;
using testing::succeeds;
using testing::wait_for;

class RedisPublish : public testing::RedisFixture {
 protected:
  EventLoop loop;
};

// The async connection path ignores SIGPIPE too (see detail/connection.hpp).
TEST_F(RedisPublish, ConnectingMakesSigpipeHarmless) {
  signal(SIGPIPE, SIG_DFL);
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  struct sigaction current {};
  sigaction(SIGPIPE, nullptr, &current);
  EXPECT_EQ(current.sa_handler, SIG_IGN);
}

TEST_F(RedisPublish, ReturnsTheReceiverCount) {
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));

  auto none = as_future<long long>([&](auto cb) { client.publish("tickstock:commands", "{}", cb); });
  EXPECT_EQ(get_within(none).value().value(), 0);  // nobody listens: the caller must say so

  Collected<Message> got;
  Subscriber sub(loop, fast(url(), "sub"), [&](const Message& m) { got.add(m); });
  auto sub_started = sub.start();
  ASSERT_TRUE(succeeds(sub_started));
  auto subscribed = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:commands"}, cb); });
  ASSERT_TRUE(succeeds(subscribed));

  auto one = as_future<long long>([&](auto cb) { client.publish("tickstock:commands", "hello", cb); });
  EXPECT_EQ(get_within(one).value().value(), 1);
  ASSERT_TRUE(got.wait_size(1));
  EXPECT_EQ(got.items()[0].channel, "tickstock:commands");
  EXPECT_EQ(got.items()[0].payload, "hello");
  EXPECT_EQ(got.items()[0].pattern, "");
}

TEST_F(RedisPublish, EventLandsInStreamAndPubSubIdenticallyAndInOrder) {
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  Collected<Message> got;
  Subscriber sub(loop, fast(url(), "sub"), [&](const Message& m) { got.add(m); });
  auto sub_started = sub.start();
  ASSERT_TRUE(succeeds(sub_started));
  auto subscribed = as_future<Ok>([&](auto cb) { sub.psubscribe({"tickstock:*"}, cb); });
  ASSERT_TRUE(succeeds(subscribed));

  constexpr int kEvents = 200;
  Collected<EventReceipt> receipts;
  for (int i = 0; i < kEvents; ++i) {
    std::string payload = R"({"seq":)" + std::to_string(i + 1) + "}";
    auto s = client.publish_event("tickstock:import:progress", "tickstock:events", 0, payload,
                                  [&](Result<EventReceipt> r) {
                                    ASSERT_TRUE(r) << r.error().message;
                                    receipts.add(*r);
                                  });
    ASSERT_TRUE(s) << s.error().message;
  }
  ASSERT_TRUE(receipts.wait_size(kEvents));
  ASSERT_TRUE(got.wait_size(kEvents));

  auto redis = sync();
  auto stream = redis.xrange("tickstock:events");
  ASSERT_TRUE(stream) << stream.error().message;
  ASSERT_EQ(stream->size(), static_cast<std::size_t>(kEvents));
  auto messages = got.items();
  auto ids = receipts.items();
  for (int i = 0; i < kEvents; ++i) {
    std::string payload = R"({"seq":)" + std::to_string(i + 1) + "}";
    EXPECT_EQ((*stream)[i].payload, payload);
    EXPECT_EQ(messages[i].payload, payload);
    EXPECT_EQ(messages[i].channel, "tickstock:import:progress");
    EXPECT_EQ(messages[i].pattern, "tickstock:*");
    EXPECT_EQ(ids[i].id, (*stream)[i].id);  // the callback reports the entry's id
    EXPECT_EQ(ids[i].receivers, 1);
  }
  EXPECT_EQ(client.stats().events_published, static_cast<std::uint64_t>(kEvents));
}

TEST_F(RedisPublish, MaxlenTrimsTheStream) {
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  Collected<std::string> ids;
  constexpr int kEvents = 1000;
  for (int i = 0; i < kEvents; ++i)
    ASSERT_TRUE(client.publish_event("c", "s", 50, std::to_string(i), [&](Result<EventReceipt> r) {
      ids.add(r ? r->id : "error: " + r.error().message);
    }));
  ASSERT_TRUE(ids.wait_size(kEvents));
  auto redis = sync();
  auto len = redis.command({"XLEN", "s"});
  ASSERT_TRUE(len);
  // MAXLEN ~ trims whole nodes (100 entries by default): at least 50 stay, far fewer than 1000.
  EXPECT_GE(len->integer, 50);
  EXPECT_LT(len->integer, 200);
  auto last = redis.xrange("s", "-", "+");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->back().payload, std::to_string(kEvents - 1));  // the newest survive
  EXPECT_EQ(last->back().id, ids.items().back());
}

TEST_F(RedisPublish, EventIsAtomicBothOrNeither) {
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto redis = sync();
  ASSERT_TRUE(redis.set("not-a-stream", "x"));
  Collected<Message> got;
  Subscriber sub(loop, fast(url(), "sub"), [&](const Message& m) { got.add(m); });
  auto sub_started = sub.start();
  ASSERT_TRUE(succeeds(sub_started));
  auto subscribed = as_future<Ok>([&](auto cb) { sub.subscribe({"c", "after"}, cb); });
  ASSERT_TRUE(succeeds(subscribed));

  std::promise<Result<EventReceipt>> p;
  ASSERT_TRUE(
      client.publish_event("c", "not-a-stream", 0, "payload", [&](auto r) { p.set_value(std::move(r)); }));
  auto f = p.get_future();
  auto r = get_within(f).value();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "REDIS_ERROR");
  EXPECT_NE(r.error().message.find("WRONGTYPE"), std::string::npos) << r.error().message;
  EXPECT_EQ(client.stats().events_failed, 1u);
  // A later message on another channel arrives; the failed event's never did.
  auto after = as_future<long long>([&](auto cb) { client.publish("after", "marker", cb); });
  ASSERT_EQ(get_within(after).value().value(), 1);
  ASSERT_TRUE(got.wait_size(1));
  EXPECT_EQ(got.items()[0].channel, "after");
}

TEST_F(RedisPublish, SetGetAndGenericCommands) {
  AsyncClient client(loop, {fast(url(), "kv")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto missing =
      as_future<std::optional<std::string>>([&](auto cb) { client.get("tickstock:status:current", cb); });
  EXPECT_EQ(get_within(missing).value().value(), std::nullopt);
  auto set =
      as_future<Ok>([&](auto cb) { client.set("tickstock:status:current", R"({"state":"idle"})", cb); });
  ASSERT_TRUE(succeeds(set));
  auto got =
      as_future<std::optional<std::string>>([&](auto cb) { client.get("tickstock:status:current", cb); });
  EXPECT_EQ(get_within(got).value().value(), R"({"state":"idle"})");
  auto cmd = as_future<Reply>([&](auto cb) { client.command({"STRLEN", "tickstock:status:current"}, cb); });
  EXPECT_EQ(get_within(cmd).value()->integer, 16);
  auto bad = as_future<Reply>([&](auto cb) { client.command({"NOSUCHCOMMAND"}, cb); });
  auto err = get_within(bad).value();
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, "REDIS_ERROR");
}

TEST_F(RedisPublish, CommandsFailFastWhileDisconnected) {
  AsyncClient client(loop, {fast(url(), "pub")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  server().stop(true);
  ASSERT_TRUE(wait_for([&] { return !client.connected(); }));
  auto r = as_future<long long>([&](auto cb) { client.publish("c", "x", cb); });
  auto v = get_within(r).value();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "NOT_CONNECTED");
}

class RedisConnect : public ::testing::Test {
 protected:
  EventLoop loop;
};

TEST_F(RedisConnect, FailFastWhenUnreachable) {
  RedisUrl u;
  u.port = pick_free_port().value();  // nothing listens there
  AsyncClient client(loop, {fast(u, "engine")});
  auto started = client.start();
  auto r = get_within(started).value();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "REDIS_UNREACHABLE");
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(u.port)), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
  // Closed: later events are refused at once, not buffered forever.
  auto s = client.publish_event("c", "s", 0, "x");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "CLOSED");
}

TEST_F(RedisConnect, WithoutFailFastItWaitsForTheServer) {
  auto port = pick_free_port().value();
  RedisServerOptions so;
  so.port = port;
  RedisServer server(so);
  RedisUrl u;
  u.port = port;
  auto opt = fast(u, "patient");
  opt.fail_fast = false;
  AsyncClient client(loop, {opt});
  auto started = client.start();
  ASSERT_TRUE(client.publish_event("c", "s", 0, "early"));  // buffered until connected
  ASSERT_TRUE(server.start());
  ASSERT_TRUE(succeeds(started));
  auto drained = client.drain(15s);
  ASSERT_TRUE(succeeds(drained));
  auto c = SyncClient::connect(server.url()).value();
  EXPECT_EQ(c.xrange("s")->at(0).payload, "early");
}

TEST_F(RedisConnect, SelectsTheDatabase) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  RedisUrl u = server.url();
  u.db = 3;
  AsyncClient client(loop, {fast(u, "db3")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto set = as_future<Ok>([&](auto cb) { client.set("k", "in-db-3", cb); });
  ASSERT_TRUE(succeeds(set));
  auto db0 = SyncClient::connect(server.url()).value();
  EXPECT_EQ(db0.get("k").value(), std::nullopt);
  auto db3 = SyncClient::connect(u).value();
  EXPECT_EQ(db3.get("k").value(), "in-db-3");

  u.db = 99;  // redis-server has 16 databases by default
  AsyncClient bad(loop, {fast(u, "db99")});
  auto r = bad.start();
  auto v = get_within(r).value();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "REDIS_BAD_DB");
}

class RedisAuth : public testing::RedisFixture {
 protected:
  RedisServerOptions server_options() const override {
    RedisServerOptions o;
    o.password = "s3cret-pw";
    return o;
  }
  EventLoop loop;
};

TEST_F(RedisAuth, PasswordWorks) {
  AsyncClient client(loop, {fast(url(), "authed")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto r = as_future<long long>([&](auto cb) { client.publish("c", "x", cb); });
  EXPECT_EQ(get_within(r).value().value(), 0);
}

TEST_F(RedisAuth, UserAndPasswordWork) {
  RedisUrl u = url();
  u.user = "default";
  AsyncClient client(loop, {fast(u, "authed")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
}

TEST_F(RedisAuth, WrongPasswordIsAClearError) {
  RedisUrl u = url();
  u.password = "wrong";
  AsyncClient client(loop, {fast(u, "engine")});
  auto started = client.start();
  auto r = get_within(started).value();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "REDIS_AUTH_FAILED");
  EXPECT_NE(r.error().message.find("WRONGPASS"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(":wrong@"), std::string::npos) << "password leaked: " << r.error().message;

  auto s = SyncClient::connect(u);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "REDIS_AUTH_FAILED");
}

TEST_F(RedisAuth, MissingPasswordSaysHowToGiveIt) {
  RedisUrl u = url();
  u.password.clear();
  AsyncClient client(loop, {fast(u, "engine")});
  auto started = client.start();
  auto r = get_within(started).value();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "REDIS_AUTH_REQUIRED");
  EXPECT_NE(r.error().message.find("redis://:PASSWORD@"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ts::bus
