#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "bus/async_client.hpp"
#include "bus/event_loop.hpp"
#include "bus/redis_fixture.hpp"
#include "service/dispatcher.hpp"
#include "service/event_publisher.hpp"
#include "service/metrics.hpp"
#include "service/schedule_service.hpp"

namespace ts::service {
namespace {

TEST(Cursor, RoundTripsAndRejectsForeignTokens) {
  const auto token = encode_cursor("2025-01-02T21:10:00.000Z", "run-1");
  EXPECT_EQ(decode_cursor(token), "2025-01-02T21:10:00.000Z|run-1");
  for (const char c : token) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << token;
  EXPECT_EQ(decode_cursor("zz"), "");
  EXPECT_EQ(decode_cursor("abc"), "");  // odd length
  EXPECT_EQ(decode_cursor(encode_cursor("no", "")).find('|'), 2u);
  EXPECT_EQ(decode_cursor("6e6f"), "");  // "no": no separator
}

TEST(ScheduleJson, RoundTripsAndValidates) {
  scheduler::Schedule s;
  s.trigger_time = std::chrono::minutes(17 * 60 + 30);
  s.universes = {"sp500", "nasdaq100"};
  s.phases = {Phase::import, Phase::patterns};
  s.market_check = false;
  const auto back = schedule_from_json(schedule_to_json(s), scheduler::Schedule{});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->trigger_time, s.trigger_time);
  EXPECT_EQ(back->universes, s.universes);
  EXPECT_EQ(back->phases, s.phases);
  EXPECT_FALSE(back->market_check);
  EXPECT_FALSE(schedule_from_json({{"trigger_time", "25:00"}}, s));
  EXPECT_FALSE(schedule_from_json({{"timezone", "Mars/Olympus"}}, s));
  EXPECT_FALSE(schedule_from_json({{"phases", {"everything"}}}, s));
  EXPECT_FALSE(schedule_from_json({{"enabled", "yes"}}, s));
  const auto all = schedule_from_json({{"phases", {"all"}}}, s);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->phases.size(), 4u);
}

storage::RunRecord record(const char* id) {
  storage::RunRecord r;
  r.run_id = id;
  r.status = RunStatus::running;
  r.universe = "dow30";
  r.symbols_total = 10;
  return r;
}

TEST(EventPublisher, CoalescesProgressButAlwaysSendsTheFirstAndTheLast) {
  PublisherOptions o;
  o.source = "tickstock-engine/test:1";
  o.progress_per_second = 0.001;  // at most one progress event per 1,000 s
  EventPublisher p(nullptr, o, [] { return std::chrono::system_clock::now(); });
  const auto r = record("r1");
  p.on_run_started(r);
  p.on_phase_started(r, Phase::import, 10);
  for (int i = 1; i <= 10; ++i) {
    engine::ProgressUpdate u;
    u.phase = Phase::import;
    u.completed = i;
    u.total = 10;
    u.percent = 10.0 * i;
    p.on_progress(r, u);
  }
  const auto stats = p.stats();
  EXPECT_EQ(stats.coalesced, 8u);  // 2..9 folded
  EXPECT_EQ(stats.published, 4u);  // started, phase started, first and last progress
  const auto snap = p.snapshot();
  ASSERT_TRUE(snap.current_progress);
  EXPECT_EQ(snap.current_progress->completed_symbols, 10);
  EXPECT_EQ(snap.last_event_seq, 4u);
  auto done = r;
  done.status = RunStatus::completed;
  p.on_run_finished(done);
  EXPECT_FALSE(p.snapshot().current_run);
  ASSERT_TRUE(p.snapshot().last_run);
  EXPECT_EQ(p.snapshot().last_run->status, RunStatus::completed);
}

class PublisherOnRedis : public bus::testing::RedisFixture {};

TEST_F(PublisherOnRedis, PublishingFasterThanRedisTakesEventsWaitsInsteadOfDeadlocking) {
  // A tiny outbox makes the publisher wait for room on nearly every event;
  // the bus thread that makes room must never need the publisher's lock.
  bus::EventLoop loop("ts-test-publisher");
  bus::AsyncClientOptions co;
  co.connection.url = url();
  co.connection.name = "test-publisher";
  co.outbox_capacity = 4;
  co.max_in_flight = 2;
  bus::AsyncClient client(loop, co);
  ASSERT_TRUE(client.start().get());
  PublisherOptions o;
  o.source = "tickstock-engine/test:1";
  EventPublisher p(&client, o, [] { return std::chrono::system_clock::now(); });
  constexpr int kEvents = 2000;
  auto done = std::async(std::launch::async, [&] {
    for (int i = 0; i < kEvents; ++i) p.publish_heartbeat();
  });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "the publisher is stuck";
  auto drained = client.drain(std::chrono::seconds(30));
  ASSERT_TRUE(drained.get());
  EXPECT_EQ(p.stats().dropped, 0u);
  auto c = sync();
  auto len = c.command({"XLEN", std::string(protocol::kStreamKey)});
  ASSERT_TRUE(len);
  EXPECT_EQ(len->integer, kEvents);
  EXPECT_FALSE(p.snapshot().last_stream_id.empty());
  client.close();
}

TEST(Metrics, RendersPrometheusCountersWithoutSecrets) {
  Metrics m;
  auto r = record("r1");
  r.status = RunStatus::completed;
  m.on_run_finished(r);
  r.status = RunStatus::cancelled;
  m.on_run_finished(r);
  m.record_command("get_run", 404, 0.002);
  const auto text = m.render({5, 0, 3, 2, 0});
  EXPECT_NE(text.find("tickstock_runs_total{status=\"completed\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("tickstock_runs_total{status=\"cancelled\"} 1"), std::string::npos);
  EXPECT_NE(text.find("tickstock_runs_total{status=\"failed\"} 0"), std::string::npos);
  EXPECT_NE(text.find("tickstock_command_duration_seconds_count{command=\"get_run\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("tickstock_events_published_total 5"), std::string::npos);
  EXPECT_NE(text.find("tickstock_redis_reconnects_total 2"), std::string::npos);
}

}  // namespace
}  // namespace ts::service
