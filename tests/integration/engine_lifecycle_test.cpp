// Engine lifecycle over a real redis-server: retrying failed imports after a
// CSV is fixed, exactly one of two engines firing a scheduled run, and SIGTERM
// interrupting the active run of a real `tickstock engine` process.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "engine_support.hpp"
#include "ingest/provider.hpp"
#include "process_support.hpp"
#include "server/http_client.hpp"

namespace ts::testing {
namespace {

/// Writes `symbol`.csv with ~60 synthetic bars ending 2025-06-02.
void write_csv(const std::filesystem::path& dir, const std::string& symbol, bool corrupt) {
  const auto synth = ingest::make_provider("synthetic:seed=3").value();
  const auto bars = synth
                        ->fetch({Symbol::parse(symbol).value(),
                                 parse_date("2025-03-03").value(),
                                 parse_date("2025-06-02").value(),
                                 {}})
                        .value();
  std::ofstream f(dir / (symbol + ".csv"));
  f << "date,open,high,low,close,volume\n";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double high = corrupt && i == 10 ? bars.low[i] * 0.5 : bars.high[i];  // high below low: invalid
    f << format_date(bars.date[i]) << ',' << bars.open[i] << ',' << high << ',' << bars.low[i] << ','
      << bars.close[i] << ',' << bars.volume[i] << '\n';
  }
}

class RetryTest : public EngineFixture {
 protected:
  void customise(app::EngineConfig& c) override {
    csv_dir_ = dir_.path() / "bars";
    std::filesystem::create_directories(csv_dir_);
    for (const char* s : {"AAA", "BBB", "CCC", "DDD"}) write_csv(csv_dir_, s, false);
    write_csv(csv_dir_, "BAD", true);
    c.provider = "csv:" + csv_dir_.string();
  }
  std::filesystem::path csv_dir_;
};

TEST_F(RetryTest, FixedFileIsRetriedAloneAndLinksToItsParent) {
  const auto first = call("trigger_daily_processing", {{"symbols", {"AAA", "BBB", "CCC", "DDD", "BAD"}}});
  ASSERT_TRUE(first["ok"].get<bool>()) << first.dump();
  const std::string parent = first["result"]["run_id"];
  ASSERT_TRUE(wait_terminal(parent));
  daemon_->wait_idle();
  auto& db = daemon_->storage();
  ASSERT_EQ(db.get_run(parent)->status, RunStatus::completed_with_errors);
  const auto detail = call("get_run", {{"run_id", parent}});
  ASSERT_EQ(detail["result"]["failed_symbols"].size(), 1u) << detail.dump();
  EXPECT_EQ(detail["result"]["failed_symbols"][0]["symbol"], "BAD");
  EXPECT_EQ(detail["result"]["failed_symbols"][0]["error_code"], "BAD_DATA");
  const std::string message = detail["result"]["failed_symbols"][0]["message"];
  EXPECT_NE(message.find("BAD.csv:12"), std::string::npos) << message;
  // An error event named the symbol too.
  const auto events = run_events(parent);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const auto& e) {
    return e.event == protocol::Event::error && e.payload["context"].value("symbol", "") == "BAD";
  }));

  // A symbol that did not fail cannot be retried.
  EXPECT_EQ(call("retry_failed_imports", {{"run_id", parent}, {"symbols", {"AAA"}}})["error"]["code"],
            "INVALID_PARAMETER");
  write_csv(csv_dir_, "BAD", false);
  const auto retry = call("retry_failed_imports", {{"run_id", parent}});
  ASSERT_TRUE(retry["ok"].get<bool>()) << retry.dump();
  const std::string child = retry["result"]["run_id"];
  EXPECT_EQ(retry["result"]["parent_run_id"], parent);
  ASSERT_TRUE(wait_terminal(child));
  daemon_->wait_idle();
  const auto run = db.get_run(child);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::completed);
  EXPECT_EQ(run->trigger_type, TriggerType::retry);
  EXPECT_EQ(run->parent_run_id, parent);
  EXPECT_EQ(run->symbols_total, 1);
  for (const auto& o : db.run_outcomes(child, false)) EXPECT_EQ(o.symbol, "BAD");
  const auto bad_bars = db.load_bars(Symbol::parse("BAD").value(), Timeframe::daily);
  EXPECT_EQ(run->records_imported, static_cast<long long>(bad_bars.size()));
  EXPECT_GT(bad_bars.size(), 50u);
}

class TwoEngineSchedulerTest : public bus::testing::RedisFixture {};

TEST_F(TwoEngineSchedulerTest, OnlyOneOfTwoEnginesFiresAScheduledRun) {
  // 16:09 in New York on a trading day; both engines start, owing nothing.
  TestClock clock(std::chrono::sys_days{parse_date("2025-06-03").value()} + std::chrono::hours(20) +
                  std::chrono::minutes(9));
  TempDir dir;
  std::vector<std::unique_ptr<app::Daemon>> engines;
  for (int i = 0; i < 2; ++i) {
    app::EngineConfig c;
    c.redis_url = url().str();
    c.db_url = engine_db(dir.str("engine" + std::to_string(i) + ".db"));
    c.http = "off";
    c.scheduler = true;
    c.heartbeat_ms = 1000;
    engines.push_back(std::make_unique<app::Daemon>(c, [&clock] { return clock.now(); }));
    ASSERT_TRUE(engines.back()->start());
  }
  auto runs = [&] {
    std::size_t n = 0;
    for (auto& e : engines) n += e->storage().list_runs({}).size();
    return n;
  };
  // Let both engines take their first decision (nothing owed) before 16:10.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(runs(), 0u);
  clock.set(std::chrono::sys_days{parse_date("2025-06-03").value()} + std::chrono::hours(20) +
            std::chrono::minutes(10) + std::chrono::seconds(20));
  ASSERT_TRUE(bus::testing::wait_for([&] { return runs() >= 1; }, std::chrono::seconds(30)));
  // Give the other engine more than one full scheduler period to (wrongly) fire too.
  std::this_thread::sleep_for(std::chrono::seconds(7));
  EXPECT_EQ(runs(), 1u);
  for (auto& e : engines) {
    e->wait_idle();
    for (const auto& r : e->storage().list_runs({})) {
      EXPECT_EQ(r.trigger_type, TriggerType::scheduled);
      EXPECT_EQ(r.run_date, "2025-06-03");
    }
  }
  for (auto& e : engines) e->stop();
}

class SigtermTest : public bus::testing::RedisFixture {};

TEST_F(SigtermTest, SigtermInterruptsTheActiveRunAndFlushesItsEvents) {
  TempDir dir;
  const std::string db = engine_db(dir.str("engine.db"));
  TickstockProcess engine({"engine", "--redis", url().str(), "--db", db, "--http", "off", "--no-scheduler"},
                          dir.str("engine.log"));
  // Wait for the engine to listen, then start a long run.
  auto c = sync();
  ASSERT_TRUE(engine_listening(c)) << engine.log();
  const std::string cmd =
      R"({"command":"trigger_daily_processing","parameters":{"universe":"sp500","skip_market_check":true,"run_id":"long-run"}})";
  ASSERT_TRUE(c.publish("tickstock:commands", cmd));
  ASSERT_TRUE(bus::testing::wait_for([&] {
    auto entries = c.xrange(std::string(protocol::kStreamKey));
    if (!entries) return false;
    for (const auto& e : *entries)
      if (e.payload.find("import_progress") != std::string::npos) return true;
    return false;
  }));
  EXPECT_TRUE(engine.stop_gracefully()) << engine.log();
  auto store = storage::open_storage(db);
  const auto run = store->get_run("long-run");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::interrupted);
  auto entries = c.xrange(std::string(protocol::kStreamKey));
  ASSERT_TRUE(entries);
  bool interrupted_event = false;
  for (const auto& e : *entries) {
    auto env = protocol::decode_event(e.payload);
    if (env && env->event == protocol::Event::processing_interrupted && env->payload["run_id"] == "long-run")
      interrupted_event = true;
  }
  EXPECT_TRUE(interrupted_event);
}

}  // namespace
}  // namespace ts::testing

namespace ts::testing {
namespace {

class RedisOutageTest : public bus::testing::RedisFixture {};

TEST_F(RedisOutageTest, EventsOfARunDuringAnOutageArePublishedInOrderAfterReconnecting) {
  TempDir dir;
  app::EngineConfig c;
  c.redis_url = url().str();
  c.db_url = engine_db(dir.str("engine.db"));
  c.http = "127.0.0.1:0";
  c.scheduler = false;
  c.heartbeat_ms = 60000;
  app::Daemon engine(c);
  ASSERT_TRUE(engine.start());
  server().stop(/*hard=*/true);  // Redis gone; the HTTP API still works
  const std::string base = "http://127.0.0.1:" + std::to_string(engine.http_port());
  auto r = server::http_request("POST", base + "/api/processing/trigger-manual",
                                R"({"symbols":["AAPL","KO"],"skip_market_check":true,"run_id":"outage"})", {},
                                std::chrono::seconds(10));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->status, 200) << r->body;
  engine.wait_idle();
  EXPECT_EQ(engine.storage().get_run("outage")->status, RunStatus::completed);
  ASSERT_TRUE(server().restart());
  auto client = sync();
  std::vector<protocol::Envelope> events;
  ASSERT_TRUE(bus::testing::wait_for(
      [&] {
        events.clear();
        auto entries = client.xrange(std::string(protocol::kStreamKey));
        if (!entries) return false;
        for (const auto& e : *entries) {
          auto env = protocol::decode_event(e.payload);
          if (env && env->payload.value("run_id", "") == "outage") events.push_back(std::move(env).value());
        }
        return !events.empty() && events.back().event == protocol::Event::processing_completed;
      },
      std::chrono::seconds(60)));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, i + 1);
    EXPECT_TRUE(ids.insert(events[i].id).second);
  }
  EXPECT_EQ(events.front().event, protocol::Event::processing_started);
  engine.stop();
}

TEST(EngineStartup, FailsFastWhenRedisOrTheDatabaseIsUnreachable) {
  TempDir dir;
  app::EngineConfig c;
  c.redis_url = "redis://127.0.0.1:1/0";  // nothing listens on port 1
  c.db_url = engine_db(dir.str("engine.db"));
  c.http = "off";
  {
    app::Daemon engine(c);
    const auto st = engine.start();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, "REDIS_UNAVAILABLE");
    EXPECT_NE(st.error().message.find("127.0.0.1:1"), std::string::npos) << st.error().message;
  }
  c.db_url = "postgresql://nobody@127.0.0.1/none";
  app::Daemon engine(c);
  const auto st = engine.start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "DATABASE_UNAVAILABLE");
}

}  // namespace
}  // namespace ts::testing
