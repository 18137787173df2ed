// The engine daemon over a real redis-server: a full run triggered over Redis,
// the seed's trigger, every command's error paths, cancel, retry, resuming a
// consumer from the stream, and the HTTP API.
#include <gtest/gtest.h>

#include <set>

#include "engine_support.hpp"
#include "engine/pipeline.hpp"
#include "server/http_client.hpp"
#include "storage/postgres/test_database.hpp"

namespace ts::testing {
namespace {

constexpr const char* kSeedTrigger = R"({
    "command": "trigger_daily_processing",
    "parameters": {
        "skip_market_check": false,
        "phases": ["data_import", "indicators", "patterns"],
        "run_id": "uuid-here"
    },
    "source": "TickStockAppV2",
    "timestamp": "2025-09-26T16:00:00Z"
})";

/// Phase order index of an event (processing_started first, terminal last).
int phase_rank(const protocol::Envelope& e) {
  const std::string name(protocol::to_string(e.event));
  if (name == "processing_started") return 0;
  if (name.rfind("import_", 0) == 0) return 1;
  if (name.rfind("cache_", 0) == 0) return 2;
  if (name.rfind("indicators_", 0) == 0) return 3;
  if (name.rfind("patterns_", 0) == 0) return 4;
  if (name == "error") return -1;  // anywhere
  return 5;                        // terminal
}

class EngineTest : public EngineFixture {
 protected:
  void full_run_over_redis_matches_the_database();
};

/// The same engine on a PostgreSQL database of the private test server.
class PostgresEngineTest : public EngineTest {
 protected:
  void customise(app::EngineConfig& c) override { c.db_url = pg_.url(); }
  storage::testing::PgTestDatabase pg_;
};

// The suite's second ctest pass (`pg.` prefix) really runs on PostgreSQL.
TEST_F(EngineTest, RunsOnTheBackendUnderTest) {
  const std::string want = on_postgres() ? "postgresql://" : "sqlite:";
  EXPECT_EQ(daemon_->storage().describe().rfind(want, 0), 0u) << daemon_->storage().describe();
}

TEST_F(EngineTest, FullRunOverRedisEmitsOrderedValidEventsMatchingTheDatabase) {
  full_run_over_redis_matches_the_database();
}

TEST_F(PostgresEngineTest, FullRunOverRedisEmitsOrderedValidEventsMatchingTheDatabase) {
  EXPECT_EQ(daemon_->storage().describe().rfind("postgresql://", 0), 0u) << daemon_->storage().describe();
  full_run_over_redis_matches_the_database();
}

void EngineTest::full_run_over_redis_matches_the_database() {
  Listener all(url(), {}, {"tickstock:*"});
  const auto reply = call("trigger_daily_processing",
                          {{"symbols", {"AAPL", "MSFT", "NVDA", "JPM", "KO"}}, {"skip_market_check", true}});
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  EXPECT_TRUE(protocol::testing::schemas().is_valid("reply.json", reply)) << reply.dump();
  const std::string run_id = reply["result"]["run_id"];
  const auto terminal = wait_terminal(run_id);
  ASSERT_TRUE(terminal);
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_completed") << terminal->payload.dump();

  const auto events = run_events(run_id);
  ASSERT_GT(events.size(), 10u);
  // seq 1..N without gaps, phases in order, every envelope and payload valid.
  int last_rank = 0;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_EQ(e.seq, i + 1) << protocol::to_string(e.event);
    EXPECT_TRUE(ids.insert(e.id).second);
    const int rank = phase_rank(e);
    if (rank >= 0) {
      EXPECT_GE(rank, last_rank) << protocol::to_string(e.event);
      last_rank = rank;
    }
    const auto violations =
        protocol::testing::schemas().validate(protocol::payload_schema_path(e.event), e.payload);
    EXPECT_TRUE(violations.empty()) << protocol::to_string(e.event) << ": " << e.payload.dump();
  }
  for (const char* name : {"processing_started", "import_started", "import_progress", "import_completed",
                           "cache_started", "cache_completed", "indicators_started", "indicators_completed",
                           "patterns_started", "patterns_completed", "patterns_detected"}) {
    const bool seen = std::any_of(events.begin(), events.end(),
                                  [&](const auto& e) { return protocol::to_string(e.event) == name; });
    EXPECT_TRUE(seen) << name;
  }
  // Counts in the events equal the database's.
  auto& db = daemon_->storage();
  const auto& p = terminal->payload;
  EXPECT_EQ(p["records_imported"].get<long long>(), db.count_bars(Timeframe::daily));
  EXPECT_EQ(p["indicators_calculated"].get<long long>(), db.count_indicator_values());
  EXPECT_EQ(p["patterns_detected"].get<long long>(), db.count_detections(run_id));
  // patterns_detected events are alerts: this run's detections on each symbol's
  // newest kDefaultAlertBars daily bars (every detection is stored).
  const auto detections = std::count_if(events.begin(), events.end(), [](const auto& e) {
    return e.event == protocol::Event::patterns_detected;
  });
  long long alerts = 0;
  for (const char* s : {"AAPL", "MSFT", "NVDA", "JPM", "KO"}) {
    const auto bars = db.load_bars(Symbol::parse(s).value(), Timeframe::daily);
    ASSERT_GT(bars.size(), static_cast<std::size_t>(engine::kDefaultAlertBars));
    storage::DetectionQuery q;
    q.symbol = s;
    q.from = bars.date[bars.size() - engine::kDefaultAlertBars];
    q.limit = 100000;
    for (const auto& d : db.query_detections(q)) alerts += d.run_id == run_id;
  }
  EXPECT_GT(alerts, 0);
  EXPECT_LT(alerts, db.count_detections(run_id));
  EXPECT_EQ(detections, alerts);
  for (const auto& e : events)
    if (e.event == protocol::Event::patterns_detected)
      EXPECT_GE(e.payload["bar_date"].get<std::string>(),
                format_date(db.load_bars(Symbol::parse(e.payload["symbol"].get<std::string>()).value(),
                                         Timeframe::daily)
                                .date.end()[-engine::kDefaultAlertBars]));
  // Third parties on pub/sub saw the same envelopes in the same order.
  const auto run_ids_on_pubsub = [&] {
    std::vector<std::string> ids;
    for (const auto& m : all.messages()) {
      auto env = protocol::decode_event(m.payload);
      if (env && env->payload.value("run_id", "") == run_id) ids.push_back(env->id);
    }
    return ids;
  };
  bus::testing::wait_for([&] { return run_ids_on_pubsub().size() >= events.size(); });
  const std::vector<std::string> pubsub_ids = run_ids_on_pubsub();
  ASSERT_EQ(pubsub_ids.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(pubsub_ids[i], events[i].id);
  // The status snapshot key reflects the finished run.
  auto snap = sync().get(std::string(protocol::kStatusSnapshotKey));
  ASSERT_TRUE(snap && snap->has_value());
  const auto s = json::parse(**snap);
  EXPECT_TRUE(protocol::testing::schemas().is_valid("status.json", s)) << s.dump();
  EXPECT_EQ(s["last_run"]["run_id"], run_id);
}

TEST_F(EngineTest, SeedTriggerStartsARunOnATradingDay) {
  auto c = sync();
  auto n = c.publish("tickstock:commands:trigger", kSeedTrigger);
  ASSERT_TRUE(n && *n >= 1);
  Listener& replies = *replies_;
  std::optional<json> reply;
  bus::testing::wait_for([&] {
    for (const auto& m : replies.messages())
      if (m.channel == protocol::kDefaultReplyChannel) {
        reply = json::parse(m.payload);
        return true;
      }
    return false;
  });
  ASSERT_TRUE(reply);
  EXPECT_TRUE((*reply)["ok"].get<bool>()) << reply->dump();
  EXPECT_EQ((*reply)["result"]["run_id"], "uuid-here");
  ASSERT_TRUE(wait_terminal("uuid-here"));
  const auto run = daemon_->storage().get_run("uuid-here");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->phases, (std::vector<Phase>{Phase::import, Phase::indicators, Phase::patterns}));
  // The same run_id again returns the existing run instead of a second one.
  const auto again = send(json::parse(kSeedTrigger));
  EXPECT_TRUE(again["ok"].get<bool>());
  EXPECT_TRUE(again["result"]["existing"].get<bool>());
  EXPECT_EQ(daemon_->storage().list_runs({}).size(), 1u);
}

class WeekendEngineTest : public EngineFixture {
  void customise(app::EngineConfig&) override { clock_.set(saturday()); }
};

TEST_F(WeekendEngineTest, SeedTriggerOnASaturdayIsMarketClosed) {
  auto cmd = json::parse(kSeedTrigger);
  const auto reply = send(cmd, "tickstock:commands:trigger");
  ASSERT_FALSE(reply.value("ok", true)) << reply.dump();
  EXPECT_EQ(reply["error"]["code"], "MARKET_CLOSED");
  EXPECT_TRUE(daemon_->storage().list_runs({}).empty());
}

TEST_F(EngineTest, CommandErrorsGetTheRightCodeAndTheEngineKeepsServing) {
  auto c = sync();
  // Malformed JSON and oversized payloads cannot name a reply_to: the default channel answers.
  Listener defaults(url(), {std::string(protocol::kDefaultReplyChannel)}, {});
  ASSERT_TRUE(c.publish(std::string(protocol::kCommandChannel), "{not json"));
  ASSERT_TRUE(c.publish(std::string(protocol::kCommandChannel), std::string(70 * 1024, ' ') + "{}"));
  bus::testing::wait_for([&] { return defaults.messages().size() >= 2; });
  std::set<std::string> codes;
  for (const auto& m : defaults.messages())
    codes.insert(json::parse(m.payload)["error"]["code"].get<std::string>());
  EXPECT_TRUE(codes.count("INVALID_JSON"));
  EXPECT_TRUE(codes.count("PAYLOAD_TOO_LARGE"));

  EXPECT_EQ(call("no_such_command")["error"]["code"], "UNKNOWN_COMMAND");
  EXPECT_EQ(call("get_processing_history", {{"limit", "ten"}})["error"]["code"], "INVALID_PARAMETER");
  EXPECT_EQ(call("get_processing_history", {{"limit", 500}})["error"]["code"], "INVALID_PARAMETER");
  EXPECT_EQ(call("trigger_daily_processing", {{"symbols", {"AAPL;DROP"}}})["error"]["code"],
            "INVALID_PARAMETER");
  EXPECT_EQ(call("get_run", {{"run_id", "nope"}})["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(call("retry_failed_imports", {{"run_id", "nope"}})["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(call("cancel_processing")["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(call("trigger_daily_processing",
                 {{"universe", "ftse100"}, {"skip_market_check", true}})["error"]["code"],
            "NOT_FOUND");
  EXPECT_EQ(send(json{{"command", 42}})["error"]["code"], "INVALID_COMMAND");

  // A trigger during a run gets ALREADY_RUNNING with the active run's id.
  const auto first = call("trigger_daily_processing", {{"universe", "sp500"}, {"skip_market_check", true}});
  ASSERT_TRUE(first["ok"].get<bool>()) << first.dump();
  const std::string active = first["result"]["run_id"];
  const auto second = call("trigger_daily_processing", {{"symbols", {"AAPL"}}, {"skip_market_check", true}});
  EXPECT_EQ(second["error"]["code"], "ALREADY_RUNNING") << second.dump();
  EXPECT_EQ(second["error"]["details"]["active_run_id"], active);
  EXPECT_TRUE(call("cancel_processing", {{"run_id", active}})["ok"].get<bool>());
  ASSERT_TRUE(wait_terminal(active));

  // Still serving, and every reply validated against the reply schema.
  const auto status = call("get_processing_status");
  EXPECT_TRUE(status["ok"].get<bool>());
  EXPECT_TRUE(protocol::testing::schemas().is_valid("reply.json", status)) << status.dump();
  EXPECT_TRUE(protocol::testing::schemas().is_valid(
      protocol::result_schema_path(protocol::Command::get_processing_status), status["result"]));
}

TEST_F(EngineTest, CancelEndsTheRunCancelledAndKeepsFinishedResults) {
  const auto first = call("trigger_daily_processing", {{"universe", "sp500"}, {"skip_market_check", true}});
  ASSERT_TRUE(first["ok"].get<bool>()) << first.dump();
  const std::string run_id = first["result"]["run_id"];
  // Wait until some symbols are imported, then cancel.
  ASSERT_TRUE(bus::testing::wait_for([&] { return daemon_->storage().count_bars(Timeframe::daily) > 0; }));
  const auto c = call("cancel_processing");
  ASSERT_TRUE(c["ok"].get<bool>()) << c.dump();
  EXPECT_EQ(c["result"]["run_id"], run_id);
  const auto terminal = wait_terminal(run_id);
  ASSERT_TRUE(terminal);
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_cancelled");
  const auto run = daemon_->storage().get_run(run_id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::cancelled);
  EXPECT_GT(daemon_->storage().count_bars(Timeframe::daily), 0);
  // The cancelled run's finished symbols are stored in full.
  const auto ok = daemon_->storage().run_outcomes(run_id, false);
  EXPECT_FALSE(ok.empty());
  for (const auto& o : ok) {
    if (o.phase == Phase::import && o.status == "ok") {
      EXPECT_TRUE(daemon_->storage().last_bar_date(Symbol::parse(o.symbol).value(), Timeframe::daily));
    }
  }
}

TEST_F(EngineTest, AConsumerResumingFromItsLastStreamIdMissesNothing) {
  const auto reply =
      call("trigger_daily_processing", {{"symbols", {"AAPL", "MSFT", "KO"}}, {"skip_market_check", true}});
  ASSERT_TRUE(reply["ok"].get<bool>());
  const std::string run_id = reply["result"]["run_id"];
  // Read a first slice, "disconnect", then resume from the last id seen.
  auto c = sync();
  std::vector<bus::StreamEntry> seen;
  ASSERT_TRUE(bus::testing::wait_for([&] {
    auto part = c.xread(std::string(protocol::kStreamKey), "0-0", 5, std::chrono::milliseconds(100));
    if (part && !part->empty()) seen = *part;
    return seen.size() >= 3;
  }));
  std::string last = seen.back().id;
  ASSERT_TRUE(wait_terminal(run_id));
  while (true) {
    auto more = c.xread(std::string(protocol::kStreamKey), last, 100, std::chrono::milliseconds(50));
    ASSERT_TRUE(more);
    if (more->empty()) break;
    seen.insert(seen.end(), more->begin(), more->end());
    last = more->back().id;
  }
  std::set<std::string> ids;
  std::vector<std::uint64_t> seqs;
  for (const auto& e : seen) {
    auto env = protocol::decode_event(e.payload);
    ASSERT_TRUE(env);
    EXPECT_TRUE(ids.insert(env->id).second) << "duplicate " << env->id;
    if (env->payload.value("run_id", "") == run_id) seqs.push_back(env->seq);
  }
  ASSERT_FALSE(seqs.empty());
  for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
  EXPECT_EQ(seqs.size(), run_events(run_id).size());
}

TEST_F(EngineTest, SchedulePreviewListsTheNextTenFiresWithHolidaysEarlyClosesAndDst) {
  // Tuesday 2025-10-28, after the fire: the next ten cross the end of DST
  // (Sunday 2025-11-02).
  clock_.set(std::chrono::sys_days{parse_date("2025-10-28").value()} + std::chrono::hours(22));
  auto r = call("get_schedule");
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  EXPECT_TRUE(protocol::testing::schemas().is_valid("commands/get_schedule.result.json", r["result"]))
      << protocol::to_string(
             protocol::testing::schemas().validate("commands/get_schedule.result.json", r["result"]));
  const auto& preview = r["result"]["preview"];
  ASSERT_EQ(preview.size(), 10u);
  EXPECT_EQ(preview[0]["utc"], r["result"]["next_fire"]["utc"]);
  EXPECT_EQ(preview[0]["local"], "2025-10-29T16:10:00-04:00");
  std::vector<std::string> abbrevs;
  for (std::size_t i = 0; i < preview.size(); ++i) {
    abbrevs.push_back(preview[i]["zone_abbrev"]);
    if (i > 0) EXPECT_LT(preview[i - 1]["utc"].get<std::string>(), preview[i]["utc"].get<std::string>());
    // The first fire after the clocks changed says so; no other does.
    EXPECT_EQ(preview[i]["dst_change"], preview[i]["local"] == "2025-11-03T16:10:00-05:00")
        << preview[i].dump();
  }
  EXPECT_EQ(abbrevs.front(), "EDT");
  EXPECT_EQ(abbrevs.back(), "EST");

  // Around Thanksgiving: the holiday is passed over, the Friday after closes early.
  clock_.set(std::chrono::sys_days{parse_date("2025-11-25").value()} + std::chrono::hours(22));
  r = call("get_schedule");
  const auto& p2 = r["result"]["preview"];
  ASSERT_EQ(p2.size(), 10u);
  EXPECT_EQ(p2[0]["local"], "2025-11-26T16:10:00-05:00");
  EXPECT_EQ(p2[1]["local"], "2025-11-28T13:10:00-05:00");
  EXPECT_EQ(p2[1]["early_close"], true);
  ASSERT_EQ(p2[1]["skipped"].size(), 1u);
  EXPECT_EQ(p2[1]["skipped"][0]["date"], "2025-11-27");
  EXPECT_EQ(p2[2]["skipped"].size(), 0u);
}

TEST_F(EngineTest, HistoryFiltersByAUtcDateRange) {
  const auto first = call("trigger_daily_processing", {{"symbols", {"AAPL"}}, {"skip_market_check", true}});
  ASSERT_TRUE(first.value("ok", false)) << first.dump();
  ASSERT_TRUE(wait_terminal(first["result"]["run_id"]));
  auto r = call("get_processing_history", {{"from", "2000-01-01"}, {"to", "2099-12-31"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  ASSERT_EQ(r["result"]["runs"].size(), 1u);
  const std::string started = r["result"]["runs"][0]["started_at"];
  const std::string day = started.substr(0, 10);
  EXPECT_EQ(call("get_processing_history", {{"from", day}, {"to", day}})["result"]["runs"].size(), 1u);
  const auto next_day = format_date(parse_date(day).value() + std::chrono::days(1));
  const auto prev_day = format_date(parse_date(day).value() - std::chrono::days(1));
  EXPECT_EQ(call("get_processing_history", {{"from", next_day}})["result"]["runs"].size(), 0u);
  EXPECT_EQ(call("get_processing_history", {{"to", prev_day}})["result"]["runs"].size(), 0u);
  const auto bad = call("get_processing_history", {{"from", next_day}, {"to", day}});
  EXPECT_EQ(bad["error"]["code"], "INVALID_PARAMETER") << bad.dump();
  EXPECT_EQ(call("get_processing_history", {{"from", "2025-02-30"}})["error"]["code"], "INVALID_PARAMETER");
}

class TokenEngineTest : public EngineFixture {
  void customise(app::EngineConfig& c) override { c.api_token = "s3cret-token"; }
};

TEST_F(TokenEngineTest, HttpApiServesTheSameCommandsWithTokenChecks) {
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon_->http_port());
  const auto trigger_body = json{{"symbols", {"AAPL", "KO"}}, {"skip_market_check", true}}.dump();
  auto r = server::http_request("POST", base + "/api/processing/trigger-manual", trigger_body, {},
                                std::chrono::seconds(10));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "UNAUTHORIZED");
  r = server::http_request("POST", base + "/api/processing/trigger-manual", trigger_body,
                           {{"Authorization", "Bearer wrong"}}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(daemon_->storage().list_runs({}).empty());  // nothing written
  r = server::http_request("POST", base + "/api/processing/trigger-manual", trigger_body,
                           {{"Authorization", "Bearer s3cret-token"}}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string run_id = json::parse(r->body)["run_id"];
  ASSERT_TRUE(wait_terminal(run_id));
  daemon_->wait_idle();
  const auto run = daemon_->storage().get_run(run_id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->trigger_type, TriggerType::api);

  // Reads need no token.
  r = server::http_request("GET", base + "/api/processing/runs/" + run_id, "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["run"]["status"], "completed");
  r = server::http_request("GET", base + "/api/processing/history?limit=1", "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["runs"].size(), 1u);
  r = server::http_request("GET", base + "/api/processing/runs/nope", "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = server::http_request("GET", base + "/api/processing/status", "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = server::http_request("DELETE", base + "/api/processing/cancel", "",
                           {{"Authorization", "Bearer s3cret-token"}}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // nothing active
  r = server::http_request("POST", base + "/api/processing/schedule", R"({"trigger_time":"17:30"})",
                           {{"Authorization", "Bearer s3cret-token"}}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["trigger_time"], "17:30");
  r = server::http_request("GET", base + "/health", "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = server::http_request("GET", base + "/metrics", "", {}, std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("tickstock_runs_total{status=\"completed\"} 1"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("s3cret-token"), std::string::npos);
}

}  // namespace
}  // namespace ts::testing

namespace ts::testing {
namespace {

class LegacyChannelsTest : public EngineFixture {
  void customise(app::EngineConfig& c) override {
    c.legacy_channels = true;
    c.alert_bars = 0;  // every detection is an event
  }
};

TEST_F(LegacyChannelsTest, DetectionsAreAlsoPublishedOnTheDotNotationChannel) {
  Listener legacy(url(), {std::string(protocol::kLegacyPatternsChannel)}, {});
  const auto reply =
      call("trigger_daily_processing", {{"symbols", {"AAPL", "KO"}}, {"skip_market_check", true}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const std::string run_id = reply["result"]["run_id"];
  ASSERT_TRUE(wait_terminal(run_id));
  const auto detections = daemon_->storage().count_detections(run_id);
  ASSERT_GT(detections, 0);
  ASSERT_TRUE(
      bus::testing::wait_for([&] { return static_cast<long long>(legacy.messages().size()) >= detections; }));
  for (const auto& m : legacy.messages()) {
    auto env = protocol::decode_event(m.payload);
    ASSERT_TRUE(env);
    EXPECT_EQ(env->event, protocol::Event::patterns_detected);
  }
}

}  // namespace
}  // namespace ts::testing
