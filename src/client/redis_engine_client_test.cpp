// RedisEngineClient against a real redis-server and a fake engine.
#include "client/redis_engine_client.hpp"

#include <gtest/gtest.h>

#include "bus/redis_fixture.hpp"
#include "client/stream_tail.hpp"
#include "client/test_support.hpp"

namespace ts::client {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeEngine;

class RedisEngineClientTest : public bus::testing::RedisFixture {
 protected:
  std::unique_ptr<RedisEngineClient> client(std::chrono::milliseconds timeout = 5s) {
    RedisClientOptions o;
    o.url = url();
    o.timeout = timeout;
    auto c = RedisEngineClient::connect(o);
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(c).value();
  }
};

TEST_F(RedisEngineClientTest, NobodyListeningFailsAtOnce) {
  auto c = client(30s);
  const auto start = std::chrono::steady_clock::now();
  auto r = c->call(make_request(protocol::Command::get_processing_status));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "NO_ENGINE");
  EXPECT_NE(r.error().message.find("tickstock engine"), std::string::npos) << r.error().message;
  EXPECT_EQ(classify(r.error()), FailureKind::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // not the 30 s timeout
}

TEST_F(RedisEngineClientTest, UnreachableRedis) {
  auto port = bus::pick_free_port();
  ASSERT_TRUE(port);
  bus::RedisUrl u;
  u.port = *port;
  RedisClientOptions o;
  o.url = u;
  o.timeout = 1s;
  auto c = RedisEngineClient::connect(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "REDIS_UNREACHABLE");
}

TEST_F(RedisEngineClientTest, ReplyIsMatchedByRequestId) {
  FakeEngine engine(url(), [](const protocol::CommandRequest& r, FakeEngine& e) {
    EXPECT_TRUE(protocol::is_reply_channel(r.reply_to)) << r.reply_to;
    EXPECT_NE(r.reply_to, protocol::kDefaultReplyChannel);  // a private channel
    EXPECT_EQ(r.source, "tickstock-ctl");
    // Noise first: another client's reply, then something that is not a reply.
    protocol::CommandRequest other = r;
    other.request_id = "someone-else";
    e.reply(other, {{"who", "other"}});
    e.publish(r.reply_to, "not json");
    e.reply(r, {{"who", "me"}, {"params", r.parameters}});
  });
  auto c = client();
  auto r = c->call(make_request(protocol::Command::get_run, {{"run_id", "r-1"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->result["who"], "me");
  EXPECT_EQ(r->result["params"], json({{"run_id", "r-1"}}));
  EXPECT_EQ(r->source, FakeEngine::kSource);
  EXPECT_EQ(c->ignored_messages(), 2u);

  // A second call on the same client works too.
  auto again = c->call(make_request(protocol::Command::get_schedule));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->command, "get_schedule");
}

TEST_F(RedisEngineClientTest, EngineErrorIsAReply) {
  FakeEngine engine(url(), [](const protocol::CommandRequest& r, FakeEngine& e) {
    e.reply_error(r, protocol::run_not_found(r.parameters.value("run_id", "")));
  });
  auto c = client();
  auto r = c->call(make_request(protocol::Command::get_run, {{"run_id", "nope"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->ok);
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->code, protocol::ErrorCode::not_found);
}

TEST_F(RedisEngineClientTest, NoReplyTimesOut) {
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  auto c = client(300ms);
  auto r = c->call(make_request(protocol::Command::get_schedule));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "TIMEOUT");
  EXPECT_EQ(classify(r.error()), FailureKind::timeout);
}

TEST_F(RedisEngineClientTest, StreamTailFromNowAndFromAnId) {
  auto redis = sync();
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  const std::string first = engine.emit(protocol::Event::heartbeat, json::object());
  ASSERT_FALSE(first.empty());

  StreamTail tail(redis, std::string(protocol::kStreamKey));
  auto gap = tail.start("$");
  ASSERT_TRUE(gap) << gap.error().message;
  EXPECT_FALSE(*gap);
  EXPECT_EQ(tail.position(), first);  // pinned: later events are not missed
  const std::string second = engine.emit(protocol::Event::heartbeat, json::object());
  auto got = tail.next(10, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, second);
  EXPECT_EQ(tail.position(), second);
  got = tail.next(10, 50ms);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());

  // An entry without a data field does not stall the tail.
  ASSERT_TRUE(redis.command({"XADD", std::string(protocol::kStreamKey), "*", "other", "x"}));
  const std::string third = engine.emit(protocol::Event::heartbeat, json::object());
  got = tail.next(1, 1s);  // reads only the odd entry
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  got = tail.next(10, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, third);

  StreamTail from_start(redis, std::string(protocol::kStreamKey));
  ASSERT_TRUE(from_start.start("0"));
  got = from_start.next(10, 0ms);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 3u);

  StreamTail bad(redis, std::string(protocol::kStreamKey));
  EXPECT_EQ(bad.start("yesterday").error().code, "INVALID_STREAM_ID");
}

TEST_F(RedisEngineClientTest, StreamTailReportsTrimming) {
  auto redis = sync();
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  const std::string first = engine.emit(protocol::Event::heartbeat, json::object());
  for (int i = 0; i < 5; ++i) engine.emit(protocol::Event::heartbeat, json::object());
  ASSERT_TRUE(redis.command({"XTRIM", std::string(protocol::kStreamKey), "MAXLEN", "2"}));
  StreamTail tail(redis, std::string(protocol::kStreamKey));
  auto gap = tail.start(first);
  ASSERT_TRUE(gap);
  ASSERT_TRUE(*gap);
  EXPECT_EQ((*gap)->after_id, first);
  auto got = tail.next(10, 0ms);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 2u);  // carries on with the oldest entries left
}

}  // namespace
}  // namespace ts::client
