// Redis ACL users (docs/security/redis-users.acl) against a real redis-server
// with requirepass: every client kind logs in with user + password from the URL,
// a wrong password is a clear error in each, and the documented rules let each
// role do its job and nothing more at the bus level.
#include <gtest/gtest.h>

#include "bus/async_client.hpp"
#include "bus/stream_reader.hpp"
#include "bus/subscriber.hpp"
#include "bus/sync_client.hpp"
#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using testing::Collected;
using testing::fast;
using testing::succeeds;

class RedisAcl : public testing::RedisFixture {
 protected:
  RedisServerOptions server_options() const override {
    RedisServerOptions o;
    o.password = "admin-pw-for-acl-test";
    o.extra_args =
        testing::acl_user_args(std::filesystem::path(TICKSTOCK_SOURCE_DIR) / "docs/security/redis-users.acl",
                               {{"><engine-password>", ">engine-pw-acl"},
                                {"><app-password>", ">app-pw-acl"},
                                {"><watcher-password>", ">watcher-pw-acl"},
                                {"><worker-password>", ">worker-pw-acl"}});
    return o;
  }
  RedisUrl as(const std::string& user, const std::string& password) const {
    RedisUrl u = url();
    u.user = user;
    u.password = password;
    return u;
  }
  std::vector<std::string> refused() {
    auto admin = sync();
    return testing::acl_refusals(admin);
  }
  EventLoop loop;
};

TEST_F(RedisAcl, EveryClientKindLogsInWithUserAndPassword) {
  // AsyncClient as the engine: the atomic XADD + PUBLISH (a Lua EVAL) and a SET.
  AsyncClient engine(loop, {fast(as("tickstock-engine", "engine-pw-acl"), "engine")});
  auto started = engine.start();
  ASSERT_TRUE(succeeds(started));
  // Subscriber as the engine: the command channels.
  Collected<Message> commands;
  Subscriber sub(loop, fast(as("tickstock-engine", "engine-pw-acl"), "engine-commands"),
                 [&](const Message& m) { commands.add(m); });
  auto sub_started = sub.start();
  ASSERT_TRUE(succeeds(sub_started));
  auto subscribed = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:commands"}, cb); });
  ASSERT_TRUE(succeeds(subscribed));
  auto psubscribed = as_future<Ok>([&](auto cb) { sub.psubscribe({"tickstock:commands:*"}, cb); });
  ASSERT_TRUE(succeeds(psubscribed));
  // StreamReader as the watcher.
  Collected<StreamEntry> entries;
  StreamReaderOptions ro;
  ro.connection = fast(as("tickstock-watcher", "watcher-pw-acl"), "watcher");
  ro.stream_key = "tickstock:events";
  ro.from_id = "0";
  StreamReader reader(loop, ro, [&](const StreamEntry& e) { entries.add(e); });
  auto reader_started = reader.start();
  ASSERT_TRUE(succeeds(reader_started));

  auto published = as_future<EventReceipt>([&](auto cb) {
    ASSERT_TRUE(engine.publish_event("tickstock:errors", "tickstock:events", 100, "{\"e\":1}", cb));
  });
  auto receipt = testing::get_within(published);
  ASSERT_TRUE(receipt && *receipt) << (receipt && !*receipt ? receipt->error().message : "no answer");
  ASSERT_TRUE(entries.wait_size(1));
  EXPECT_EQ(entries.items()[0].payload, "{\"e\":1}");

  // SyncClient as the app: publishes a command, reads the stream.
  auto app = SyncClient::connect(as("tickstock-app", "app-pw-acl"));
  ASSERT_TRUE(app) << app.error().message;
  auto receivers = app->publish("tickstock:commands", "{}");
  ASSERT_TRUE(receivers) << receivers.error().message;
  EXPECT_EQ(*receivers, 1);
  auto stream = app->xrange("tickstock:events");
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(stream->size(), 1u);
  ASSERT_TRUE(commands.wait_size(1));
  EXPECT_TRUE(refused().empty()) << refused()[0];
}

TEST_F(RedisAcl, ARefusedSubscriptionFailsWithNopermAndTheOthersKeepWorking) {
  // hiredis drops a subscribed connection on Redis's NOPERM reply; re-sending the refused
  // SUBSCRIBE after every reconnect used to loop forever and never answer the caller.
  Collected<Message> got;
  Subscriber sub(loop, fast(as("tickstock-app", "app-pw-acl"), "app-replies"),
                 [&](const Message& m) { got.add(m); });
  auto started = sub.start();
  ASSERT_TRUE(succeeds(started));
  auto allowed = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:commands:replies:r1"}, cb); });
  ASSERT_TRUE(succeeds(allowed));
  auto refused_sub = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:errors"}, cb); });
  auto r = testing::get_within(refused_sub);
  ASSERT_TRUE(r) << "no answer to the refused SUBSCRIBE";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().code, "NOPERM");
  EXPECT_NE(r->error().message.find("tickstock:errors"), std::string::npos) << r->error().message;
  EXPECT_EQ(r->error().message.find("tickstock:commands:replies:r1"), std::string::npos) << r->error().message;

  // The allowed subscription is made again on the one reconnect and delivers. Published until
  // one arrives: Redis may still count the dropped connection as a receiver for a moment, and
  // pub/sub loses what it sends there.
  auto admin = sync();
  ASSERT_TRUE(testing::wait_for([&] {
    (void)admin.publish("tickstock:commands:replies:r1", "hello");
    return got.wait_size(1, std::chrono::milliseconds(200));
  }));
  EXPECT_EQ(got.items()[0].channel, "tickstock:commands:replies:r1");
  EXPECT_EQ(got.items()[0].payload, "hello");
  EXPECT_EQ(sub.reconnects(), 1u);
  EXPECT_TRUE(sub.connected());
  // A later subscription on the same subscriber works as before.
  auto again = as_future<Ok>([&](auto cb) { sub.subscribe({"tickstock:commands"}, cb); });
  EXPECT_TRUE(succeeds(again));
  EXPECT_EQ(sub.reconnects(), 1u);
}

TEST_F(RedisAcl, AWrongPasswordIsAClearErrorInEveryClientKind) {
  const RedisUrl bad = as("tickstock-app", "not-the-password");
  auto s = SyncClient::connect(bad);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "REDIS_AUTH_FAILED");
  EXPECT_EQ(s.error().message.find("not-the-password"), std::string::npos) << s.error().message;

  AsyncClient a(loop, {fast(bad, "a")});
  auto af = a.start();
  auto ar = testing::get_within(af);
  ASSERT_TRUE(ar);
  ASSERT_FALSE(*ar);
  EXPECT_EQ(ar->error().code, "REDIS_AUTH_FAILED");

  Subscriber sub(loop, fast(bad, "s"), [](const Message&) {});
  auto sf = sub.start();
  auto sr = testing::get_within(sf);
  ASSERT_TRUE(sr);
  ASSERT_FALSE(*sr);
  EXPECT_EQ(sr->error().code, "REDIS_AUTH_FAILED");

  StreamReaderOptions ro;
  ro.connection = fast(bad, "r");
  ro.stream_key = "tickstock:events";
  StreamReader reader(loop, ro, [](const StreamEntry&) {});
  auto rf = reader.start();
  auto rr = testing::get_within(rf);
  ASSERT_TRUE(rr);
  ASSERT_FALSE(*rr);
  EXPECT_EQ(rr->error().code, "REDIS_AUTH_FAILED");
}

TEST_F(RedisAcl, TheWatcherCannotPublishOrWriteAndTheAppCannotWrite) {
  auto watcher = SyncClient::connect(as("tickstock-watcher", "watcher-pw-acl"));
  ASSERT_TRUE(watcher) << watcher.error().message;
  auto pub = watcher->publish("tickstock:commands", R"({"command":"cancel_processing"})");
  ASSERT_FALSE(pub);
  EXPECT_NE(pub.error().message.find("NOPERM"), std::string::npos) << pub.error().message;
  auto set = watcher->command({"SET", "tickstock:status:current", "{}"});
  ASSERT_TRUE(!set || set->is_error());

  auto app = SyncClient::connect(as("tickstock-app", "app-pw-acl"));
  ASSERT_TRUE(app) << app.error().message;
  // The app may not forge events or the snapshot, nor publish outside its channels.
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"XADD", "tickstock:events", "*", "data", "{}"},
        {"SET", "tickstock:status:current", "{}"},
        {"PUBLISH", "tickstock:errors", "{}"},
        {"DEL", "tickstock:events"}}) {
    auto r = app->command(argv);
    EXPECT_TRUE(!r || r->is_error()) << argv[0] << " was allowed";
  }
  EXPECT_EQ(refused().size(), 6u);  // every refusal above, as Redis logged it
}

TEST_F(RedisAcl, TheWorkerDoesItsJobAndCannotTouchEventsStatusOrChannels) {
  // What the coordinator (the engine's user) sets up for a run: the group, the runs hash, a shard.
  auto engine = SyncClient::connect(as("tickstock-engine", "engine-pw-acl"));
  ASSERT_TRUE(engine) << engine.error().message;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"XGROUP", "CREATE", "tickstock:work:r1", "tickstock-workers", "0", "MKSTREAM"},
        {"HSET", "tickstock:work:runs", "r1", "{}"},
        {"XADD", "tickstock:work:r1", "*", "data", "{}"},
        {"SCAN", "0", "MATCH", "tickstock:workers:*"},
        {"EXPIRE", "tickstock:work:r1:results", "60"},
        {"HDEL", "tickstock:work:runs", "r0"}}) {
    auto r = engine->command(argv);
    EXPECT_TRUE(r) << argv[0] << ": " << r.error().message;
  }

  // A worker's whole cycle as tickstock-worker: heartbeat, runs, read, claim, pending, result, ack.
  auto w = SyncClient::connect(as("tickstock-worker", "worker-pw-acl"), std::chrono::milliseconds(2000), "worker");
  ASSERT_TRUE(w) << w.error().message;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"SET", "tickstock:workers:w1", "{}", "PX", "5000"},
        {"HGETALL", "tickstock:work:runs"},
        {"GET", "tickstock:work:r1:cancel"},
        {"XAUTOCLAIM", "tickstock:work:r1", "tickstock-workers", "w1/0", "1000", "0-0", "COUNT", "1"},
        {"XREADGROUP", "GROUP", "tickstock-workers", "w1/0", "COUNT", "1", "STREAMS", "tickstock:work:r1", ">"},
        {"XPENDING", "tickstock:work:r1", "tickstock-workers", "-", "+", "1"},
        {"XCLAIM", "tickstock:work:r1", "tickstock-workers", "w1/0", "0", "0-1", "JUSTID"},
        {"XADD", "tickstock:work:r1:results", "*", "data", "{}"},
        {"EVAL", "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]); return redis.call('XADD', KEYS[2], '*', 'd', '1')",
         "2", "tickstock:work:r1", "tickstock:work:r1:dead", "tickstock-workers", "0-1"},
        {"DEL", "tickstock:workers:w1"}}) {
    auto r = w->command(argv);
    EXPECT_TRUE(r) << argv[0] << ": " << r.error().message;
  }
  ASSERT_TRUE(refused().empty()) << refused()[0];

  // Nothing else: no events, status, leader lock, channels, group or runs-hash changes, and its
  // liveness keys are write-only.
  const std::vector<std::vector<std::string>> forbidden{
      {"XADD", "tickstock:events", "*", "data", "{}"},
      {"PUBLISH", "tickstock:commands", "{}"},
      {"PUBLISH", "tickstock:errors", "{}"},
      {"SET", "tickstock:status:current", "{}"},
      {"GET", "tickstock:status:current"},
      {"SET", "tickstock:scheduler:leader", "w1"},
      {"XRANGE", "tickstock:events", "-", "+"},
      {"GET", "tickstock:workers:w2"},
      {"HSET", "tickstock:work:runs", "r2", "{}"},
      {"XGROUP", "CREATE", "tickstock:work:r2", "tickstock-workers", "0", "MKSTREAM"},
      {"SCAN", "0"},
      {"EVAL", "return redis.call('XADD', KEYS[1], '*', 'data', '{}')", "1", "tickstock:events"}};
  for (const auto& argv : forbidden) {
    auto r = w->command(argv);
    EXPECT_TRUE(!r || r->is_error()) << argv[0] << " " << argv[1] << " was allowed";
  }
  // Redis folds repeats (same reason, object and context) into one entry's count: add the counts.
  for (const auto& d : refused()) EXPECT_NE(d.find("username tickstock-worker"), std::string::npos) << d;
  auto admin = sync();
  auto log = admin.command({"ACL", "LOG"});
  ASSERT_TRUE(log) << log.error().message;
  long long refusals = 0;
  for (const auto& entry : log->elements)
    for (std::size_t i = 0; i + 1 < entry.elements.size(); i += 2)
      if (entry.elements[i].str == "count") refusals += entry.elements[i + 1].integer;
  EXPECT_EQ(refusals, static_cast<long long>(forbidden.size()));
}

}  // namespace
}  // namespace ts::bus
