// SyncClient (the CLI's blocking client) against a real redis-server.
#include "bus/sync_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;

class RedisSync : public testing::RedisFixture {};

/// The disposition of SIGPIPE in this process (SIG_DFL, SIG_IGN or a handler).
void (*sigpipe_handler())(int) {
  struct sigaction current {};
  sigaction(SIGPIPE, nullptr, &current);
  return current.sa_handler;
}

// hiredis writes with write(2): without this, a Redis closing the socket
// mid-write killed the process (seen once as a SIGPIPE death of
// RedisOutbox.ResendsWhatWasInFlightWhenTheConnectionDrops under ASan).
TEST_F(RedisSync, ConnectingMakesSigpipeHarmlessUnlessTheProgramHandlesIt) {
  signal(SIGPIPE, SIG_DFL);
  ASSERT_TRUE(SyncClient::connect(url()));
  EXPECT_EQ(sigpipe_handler(), SIG_IGN);
  // A program's own handler is left alone.
  signal(SIGPIPE, +[](int) {});
  ASSERT_TRUE(SyncClient::connect(url()));
  EXPECT_NE(sigpipe_handler(), SIG_IGN);
  EXPECT_NE(sigpipe_handler(), SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
}

TEST_F(RedisSync, PublishSetGet) {
  auto c = sync();
  EXPECT_EQ(c.publish("tickstock:commands:trigger", "{}").value(), 0);
  EXPECT_EQ(c.get("k").value(), std::nullopt);
  ASSERT_TRUE(c.set("k", std::string("bin\0ary", 7)));
  EXPECT_EQ(c.get("k").value(), std::string("bin\0ary", 7));
  ASSERT_TRUE(c.set("ttl", "v", 60s));
  EXPECT_GT(c.command({"PTTL", "ttl"})->integer, 0);
  auto err = c.command({"INCR", "k"});
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, "REDIS_ERROR");
}

TEST_F(RedisSync, StreamsRangeAndRead) {
  auto c = sync();
  auto a = c.publish_event("ch", "s", 0, "first");
  auto b = c.publish_event("ch", "s", 0, "second");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->receivers, 0);
  auto all = c.xrange("s");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<StreamEntry>{{a->id, "first"}, {b->id, "second"}}));
  auto after = c.xread("s", a->id, 10);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, (std::vector<StreamEntry>{{b->id, "second"}}));
  auto none = c.xread("s", b->id, 10, 50ms);  // waits briefly, then nothing
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
  auto info = c.stream_info("s");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->length, 2);
  EXPECT_EQ(info->first_id, a->id);
  EXPECT_FALSE(detect_gap(*info, a->id));
  EXPECT_FALSE(c.stream_info("missing")->exists);
}

TEST_F(RedisSync, UnreachableIsAClearError) {
  RedisUrl u;
  u.port = pick_free_port().value();
  auto c = SyncClient::connect(u, 500ms);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "REDIS_UNREACHABLE");
  EXPECT_NE(c.error().message.find(u.redacted()), std::string::npos) << c.error().message;
}

TEST_F(RedisSync, TimesOutAndRecovers) {
  auto c = SyncClient::connect(url(), 200ms).value();
  auto other = sync();
  ASSERT_TRUE(other.command({"CLIENT", "PAUSE", "1000", "ALL"}));
  auto r = c.get("k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "TIMEOUT");
  EXPECT_TRUE(testing::wait_for([&] { return c.get("k").ok(); }));  // reconnects once the pause ends
}

TEST_F(RedisSync, ReconnectsAfterAServerRestart) {
  auto c = sync();
  ASSERT_TRUE(c.set("k", "v"));
  ASSERT_TRUE(server().restart());
  (void)c.get("k");  // may fail: the old connection is gone
  auto r = c.get("k");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, std::nullopt);  // a fresh server (no persistence)
}

}  // namespace
}  // namespace ts::bus
