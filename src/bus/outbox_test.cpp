// The bounded outbox: events published while Redis is unreachable.
#include <gtest/gtest.h>

#include <set>

#include "bus/async_client.hpp"
#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;
using testing::Collected;
using testing::fast;
using testing::succeeds;
using testing::wait_for;

class RedisOutbox : public testing::RedisFixture {
 protected:
  EventLoop loop;
};

std::vector<std::string> stream_payloads(SyncClient& c, const std::string& key) {
  std::vector<std::string> out;
  auto entries = c.xrange(key);
  if (!entries) throw std::runtime_error(entries.error().message);
  for (const auto& e : *entries) out.push_back(e.payload);
  return out;
}

TEST_F(RedisOutbox, BuffersWhileDownThenFlushesInOrder) {
  AsyncClient client(loop, {fast(url(), "engine")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));

  server().stop(true);  // Redis dies
  Collected<std::string> acked;
  constexpr int kEvents = 300;
  std::vector<std::string> sent;
  for (int i = 0; i < kEvents; ++i) {
    sent.push_back("event-" + std::to_string(i));
    auto s = client.publish_event("tickstock:x", "tickstock:events", 0, sent.back(),
                                  [&](Result<EventReceipt> r) { acked.add(r ? "ok" : r.error().code); });
    ASSERT_TRUE(s) << s.error().message;
    if (i == 10) {
      ASSERT_TRUE(wait_for([&] { return !client.connected(); }));
    }
  }
  EXPECT_EQ(client.stats().outbox, static_cast<std::size_t>(kEvents));  // all held, none dropped
  EXPECT_EQ(acked.size(), 0u);

  ASSERT_TRUE(server().start());  // same port
  auto drained = client.drain(20s);
  ASSERT_TRUE(succeeds(drained));
  auto redis = sync();
  EXPECT_EQ(stream_payloads(redis, "tickstock:events"), sent);  // in order, once each
  EXPECT_EQ(acked.items(), std::vector<std::string>(kEvents, "ok"));
  auto stats = client.stats();
  EXPECT_EQ(stats.outbox, 0u);
  EXPECT_EQ(stats.events_published, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(stats.reconnects, 1u);
  EXPECT_TRUE(stats.connected);
}

TEST_F(RedisOutbox, TellsTheCallerWhenFull) {
  AsyncClientOptions opt{fast(url(), "engine")};
  opt.outbox_capacity = 5;
  AsyncClient client(loop, opt);
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  server().stop(true);
  ASSERT_TRUE(wait_for([&] { return !client.connected(); }));

  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.publish_event("c", "s", 0, std::to_string(i)));
  auto full = client.publish_event("c", "s", 0, "one too many");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "OUTBOX_FULL");
  EXPECT_NE(full.error().message.find("5 events"), std::string::npos) << full.error().message;
  EXPECT_EQ(client.stats().events_rejected, 1u);
  EXPECT_EQ(client.stats().outbox, 5u);

  ASSERT_TRUE(server().start());
  auto drained = client.drain(20s);
  ASSERT_TRUE(succeeds(drained));
  ASSERT_TRUE(client.publish_event("c", "s", 0, "5"));  // room again
  auto drained_again = client.drain(20s);
  ASSERT_TRUE(succeeds(drained_again));
  auto redis = sync();
  EXPECT_EQ(stream_payloads(redis, "s"), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST_F(RedisOutbox, ResendsWhatWasInFlightWhenTheConnectionDrops) {
  AsyncClient client(loop, {fast(url(), "flaky")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto redis = sync();
  Collected<std::string> acked;
  constexpr int kEvents = 3000;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(client.publish_event("c", "s", 0, std::to_string(i),
                                     [&](Result<EventReceipt> r) { acked.add(r ? "ok" : r.error().code); }));
    if (i == 1000 || i == 2000) testing::kill_client(redis, "flaky");
  }
  auto drained = client.drain(30s);
  ASSERT_TRUE(succeeds(drained));
  EXPECT_EQ(acked.items(), std::vector<std::string>(kEvents, "ok"));
  // At-least-once and in order: the first occurrences are exactly 0..N-1.
  std::vector<std::string> firsts;
  std::set<std::string> seen;
  for (const auto& p : stream_payloads(redis, "s"))
    if (seen.insert(p).second) firsts.push_back(p);
  ASSERT_EQ(firsts.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) ASSERT_EQ(firsts[i], std::to_string(i));
}

TEST_F(RedisOutbox, CloseFailsWhatIsLeftInsteadOfDroppingSilently) {
  AsyncClient client(loop, {fast(url(), "engine")});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  server().stop(true);
  ASSERT_TRUE(wait_for([&] { return !client.connected(); }));
  Collected<std::string> results;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(client.publish_event(
        "c", "s", 0, "x", [&](Result<EventReceipt> r) { results.add(r ? "ok" : r.error().code); }));
  auto drained = client.drain(50ms);
  auto d = testing::get_within(drained);
  ASSERT_TRUE(d);
  ASSERT_FALSE(*d);
  EXPECT_EQ(d->error().code, "TIMEOUT");
  client.close();
  EXPECT_EQ(results.items(),
            std::vector<std::string>(3, "CLOSED"));  // every callback ran before close() returned
}

TEST_F(RedisOutbox, ATimedOutServerIsReconnected) {
  auto opt = fast(url(), "impatient");
  opt.command_timeout = 200ms;
  AsyncClient client(loop, {opt});
  auto started = client.start();
  ASSERT_TRUE(succeeds(started));
  auto redis = sync();
  ASSERT_TRUE(redis.command({"CLIENT", "PAUSE", "1500", "ALL"}));
  auto r = as_future<long long>([&](auto cb) { client.publish("c", "x", cb); });
  auto v = testing::get_within(r);
  ASSERT_TRUE(v);
  ASSERT_FALSE(*v);
  EXPECT_EQ(v->error().code, "TIMEOUT");
  ASSERT_TRUE(wait_for([&] { return client.connected() && client.stats().reconnects >= 1; }));
}

// For the replay tests: publishes `payloads` to `key` and waits until Redis
// has acknowledged them all.
void publish_acknowledged(AsyncClient& client, const std::string& key,
                          const std::vector<std::string>& payloads) {
  for (const auto& p : payloads) ASSERT_TRUE(client.publish_event("c", key, 0, p));
  auto drained = client.drain(20s);
  ASSERT_TRUE(succeeds(drained));
}

std::vector<std::string> numbered(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

class RedisRestart : public RedisOutbox {
 protected:
  std::unique_ptr<AsyncClient> connected_client(std::size_t replay_window = 10'000) {
    AsyncClientOptions opt{fast(url(), "engine")};
    opt.replay_window = replay_window;
    auto client = std::make_unique<AsyncClient>(loop, opt);
    auto started = client->start();
    EXPECT_TRUE(succeeds(started));
    return client;
  }
  // SIGKILLs the server, starts it again on the same port and directory, then
  // publishes `last` and waits until everything is acknowledged again.
  void kill_restart_and_publish(AsyncClient& client, const std::string& key, const std::string& last) {
    server().stop(true);
    ASSERT_TRUE(wait_for([&] { return !client.connected(); }));
    ASSERT_TRUE(server().start());
    ASSERT_TRUE(client.publish_event("c", key, 0, last));
    auto again = client.drain(20s);
    ASSERT_TRUE(succeeds(again));
  }
};

// Redis restarted without persistence: the events it had acknowledged are
// gone from the stream; the client sends them again, first and in order.
TEST_F(RedisRestart, ReplaysAcknowledgedEventsARestartedRedisLost) {
  auto owned = connected_client();
  auto& client = *owned;
  auto sent = numbered(200);
  publish_acknowledged(client, "tickstock:events", sent);
  kill_restart_and_publish(client, "tickstock:events", "after-restart");
  sent.push_back("after-restart");
  auto redis = sync();
  EXPECT_EQ(stream_payloads(redis, "tickstock:events"), sent);  // the lost ones first, once each
  EXPECT_EQ(client.stats().events_replayed, 200u);
}

TEST_F(RedisRestart, ReplaysOnlyWhatTheWindowHolds) {
  auto owned = connected_client(/*replay_window=*/50);
  auto& client = *owned;
  publish_acknowledged(client, "s", numbered(120));
  kill_restart_and_publish(client, "s", "new");
  auto redis = sync();
  const auto got = stream_payloads(redis, "s");
  ASSERT_EQ(got.size(), 51u);  // the newest 50, then the new one: 0..69 are lost for good
  EXPECT_EQ(got.front(), "70");
  EXPECT_EQ(got[49], "119");
  EXPECT_EQ(got.back(), "new");
}

class PersistentRedisRestart : public RedisRestart {
 protected:
  RedisServerOptions server_options() const override {
    RedisServerOptions o;
    o.extra_args = {"--appendonly", "yes", "--appendfsync", "always"};
    return o;
  }
};

// With persistence nothing was lost, so nothing is sent twice.
TEST_F(PersistentRedisRestart, NothingIsReplayedWhenRedisKeptTheEvents) {
  auto owned = connected_client();
  auto& client = *owned;
  publish_acknowledged(client, "s", numbered(100));
  kill_restart_and_publish(client, "s", "100");
  auto redis = sync();
  EXPECT_EQ(stream_payloads(redis, "s"), numbered(101));
  EXPECT_EQ(client.stats().events_replayed, 0u);
}

}  // namespace
}  // namespace ts::bus
