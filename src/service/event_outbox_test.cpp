// The database outbox and seq continuation of EventPublisher, over a real
// redis-server (killed and restarted) and a real SQLite file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>

#include "bus/async_client.hpp"
#include "bus/event_loop.hpp"
#include "bus/redis_fixture.hpp"
#include "core/uuid.hpp"
#include "service/event_publisher.hpp"
#include "storage/storage.hpp"

namespace ts::service {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bus::testing::wait_for;

auto now() { return std::chrono::system_clock::now(); }

class EventOutbox : public bus::testing::RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    dir_ = fs::temp_directory_path() / ("ts_outbox_" + make_uuid_v4());
    db_path_ = (dir_ / "engine.db").string();
    db_ = storage::open_storage("sqlite:" + db_path_);
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
    RedisFixture::TearDown();
  }

  std::unique_ptr<bus::AsyncClient> client(std::size_t memory_outbox = 10'000) {
    bus::AsyncClientOptions co;
    co.connection.url = url();
    co.connection.name = "test-engine";
    co.connection.backoff.initial = 10ms;
    co.connection.backoff.max = 100ms;
    co.outbox_capacity = memory_outbox;
    auto c = std::make_unique<bus::AsyncClient>(loop_, co);
    EXPECT_TRUE(c->start().get());
    return c;
  }
  static PublisherOptions options() {
    PublisherOptions o;
    o.source = "tickstock-engine/test:1";
    return o;
  }
  static nlohmann::json payload(int i) { return {{"run_id", "r"}, {"i", i}}; }

  /// The run's events in the stream, in stream order.
  std::vector<protocol::Envelope> stream_events() {
    std::vector<protocol::Envelope> out;
    auto c = sync();
    auto entries = c.xrange(std::string(protocol::kStreamKey));
    if (!entries) return out;
    for (const auto& e : *entries)
      if (auto env = protocol::decode_event(e.payload); env && env->payload.value("run_id", "") == "r")
        out.push_back(std::move(env).value());
    return out;
  }
  /// Exactly seq 1..n, in order, each envelope id once.
  static void expect_complete(const std::vector<protocol::Envelope>& events, std::size_t n) {
    ASSERT_EQ(events.size(), n);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].seq, i + 1);
      ASSERT_EQ(events[i].payload["i"], static_cast<int>(i));
      ASSERT_TRUE(ids.insert(events[i].id).second);
    }
  }

  bus::EventLoop loop_{"ts-test-outbox"};
  fs::path dir_;
  std::string db_path_;
  std::unique_ptr<storage::Storage> db_;
};

// 5,000 events while Redis is down, with room for 100 in memory: none is lost,
// they wait in the database, and go out in seq order after the restart.
TEST_F(EventOutbox, SpillsToTheDatabaseWhileRedisIsDownAndPublishesInOrderAfter) {
  auto redis = client(/*memory_outbox=*/100);
  EventPublisher p(redis.get(), options(), now, db_.get());
  constexpr int kEvents = 5000;
  p.publish(protocol::Event::patterns_detected, payload(0), "r");  // Redis up: straight to the stream
  ASSERT_TRUE(wait_for([&] { return stream_events().size() == 1; }));
  server().stop(/*hard=*/true);
  ASSERT_TRUE(wait_for([&] { return !redis->connected(); }));
  for (int i = 1; i < kEvents; ++i) p.publish(protocol::Event::patterns_detected, payload(i), "r");
  ASSERT_TRUE(wait_for([&] { return db_->count_outbox() == kEvents - 1; }));
  EXPECT_EQ(p.stats().dropped, 0u);
  EXPECT_EQ(p.stats().spilled, static_cast<std::uint64_t>(kEvents - 1));

  ASSERT_TRUE(server().start());  // empty: it had no persistence
  ASSERT_TRUE(wait_for([&] { return db_->count_outbox() == 0 && stream_events().size() >= kEvents; }, 60s));
  p.publish(protocol::Event::patterns_detected, payload(kEvents), "r");  // straight again, behind them
  ASSERT_TRUE(wait_for([&] { return stream_events().size() == kEvents + 1; }));
  // The first event (acknowledged before the kill, lost with the server) was
  // sent again by the bus client, ahead of the spilled ones.
  expect_complete(stream_events(), kEvents + 1);
  EXPECT_EQ(p.stats().outbox_rows, 0);
  p.close(5s);
}

TEST_F(EventOutbox, ABoundedOutboxCountsWhatItDrops) {
  auto redis = client(/*memory_outbox=*/10);
  auto o = options();
  o.db_outbox_capacity = 300;
  o.spill_batch = 64;
  EventPublisher p(redis.get(), o, now, db_.get());
  server().stop(true);
  ASSERT_TRUE(wait_for([&] { return !redis->connected(); }));
  for (int i = 0; i < 1000; ++i) p.publish(protocol::Event::patterns_detected, payload(i), "r");
  EXPECT_EQ(p.stats().dropped, 700u);
  ASSERT_TRUE(server().start());
  ASSERT_TRUE(wait_for([&] { return db_->count_outbox() == 0 && stream_events().size() == 300; }, 30s));
  expect_complete(stream_events(), 300);  // the first 300; the consumer sees the hole at seq 301
  p.close(5s);
}

// The database refuses the spill (here: its table is gone, a real SQLite
// error): the events fall back to the bus client's memory and still arrive.
TEST_F(EventOutbox, FallsBackToMemoryWhenTheDatabaseWriteFails) {
  auto redis = client();
  auto o = options();
  o.spill_batch = 10;
  EventPublisher p(redis.get(), o, now, db_.get());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE event_outbox", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  server().stop(true);
  ASSERT_TRUE(wait_for([&] { return !redis->connected(); }));
  for (int i = 0; i < 50; ++i) p.publish(protocol::Event::patterns_detected, payload(i), "r");
  // The drain thread spills in batches after publish() returns.
  EXPECT_TRUE(wait_for([&] { return p.stats().spill_failed >= 50u; }));
  EXPECT_EQ(p.stats().spill_failed, 50u);
  EXPECT_EQ(p.stats().dropped, 0u);
  ASSERT_TRUE(server().start());
  ASSERT_TRUE(wait_for([&] { return stream_events().size() == 50; }, 30s));
  expect_complete(stream_events(), 50);
  p.close(5s);
}

// A process that dies leaves its spilled rows; the next one publishes them
// before its own events.
TEST_F(EventOutbox, RowsLeftByAPreviousProcessArePublishedFirst) {
  {
    auto redis = client();
    server().stop(true);
    ASSERT_TRUE(wait_for([&] { return !redis->connected(); }));
    EventPublisher p(redis.get(), options(), now, db_.get());
    for (int i = 0; i < 10; ++i) p.publish(protocol::Event::patterns_detected, payload(i), "r");
    ASSERT_TRUE(wait_for([&] { return db_->count_outbox() == 10; }));  // the drainer's tick wrote them
  }                                                                    // no close(): as if killed
  ASSERT_TRUE(server().start());
  auto redis = client();
  EventPublisher p(redis.get(), options(), now, db_.get());
  p.publish(protocol::Event::patterns_detected, payload(10), "r");
  ASSERT_TRUE(wait_for([&] { return stream_events().size() == 11; }, 30s));
  const auto events = stream_events();
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].payload["i"], static_cast<int>(i));
  EXPECT_GT(events.back().seq, events[9].seq);  // the new process continued the run's seq
  ASSERT_TRUE(wait_for([&] { return db_->count_outbox() == 0; }));
  p.close(5s);
}

// seq continues across processes from the persisted high-water, in blocks.
TEST_F(EventOutbox, SeqContinuesAfterARestartWithoutReuse) {
  auto o = options();
  o.seq_block = 4;
  {
    EventPublisher first(nullptr, o, now, db_.get());
    for (int i = 0; i < 5; ++i) first.publish(protocol::Event::patterns_detected, payload(i), "r");
    EXPECT_EQ(first.snapshot().last_event_seq, 5u);
    EXPECT_EQ(db_->seq_high_water("r"), 8u);  // two writes for five events: blocks of 4
  }                                           // killed: seq 6..8 were reserved but never used
  EventPublisher second(nullptr, o, now, db_.get());
  storage::RunRecord r;
  r.run_id = "r";
  r.status = RunStatus::interrupted;
  second.publish_interrupted(r);
  EXPECT_EQ(second.snapshot().last_event_seq, 9u);                      // a gap (6..8), never a reuse
  EXPECT_EQ(db_->seq_high_water("r"), 9u);                              // settled at the terminal event
  second.publish(protocol::Event::patterns_detected, payload(0), "r");  // a resumed run: no gap
  EXPECT_EQ(second.snapshot().last_event_seq, 10u);
  EXPECT_EQ(db_->seq_high_water("r"), 13u);
  // Another run starts at 1.
  second.publish(protocol::Event::patterns_detected, {{"run_id", "other"}}, "other");
  EXPECT_EQ(second.snapshot().last_event_seq, 1u);
}

}  // namespace
}  // namespace ts::service
