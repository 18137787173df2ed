// `tickstock ctl` end to end: the real binary against a real redis-server (and
// the real HTTP server for --api), with a fake engine answering commands and
// appending a scripted run's events to the stream.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bus/redis_fixture.hpp"
#include "client/test_support.hpp"
#include "protocol/events.hpp"
#include "protocol/payloads.hpp"
#include "server/http_server.hpp"
#include "test_support.hpp"

namespace ts {
namespace {

using namespace std::chrono_literals;
using client::testing::FakeEngine;
using nlohmann::json;
using protocol::Event;

/// Runs `tickstock ctl ARGS` with a hard time limit, capturing its output.
testing::CommandResult ctl(const std::string& args, const testing::TempDir& dir) {
  static std::atomic<int> counter{0};
  const std::string tag = std::to_string(counter++);
  const std::string out = dir.str("out" + tag), err = dir.str("err" + tag);
  const std::string cmd = "timeout -k 5 60 " + std::string(TICKSTOCK_BINARY) + " ctl " + args + " >" + out +
                          " 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  testing::CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testing::read_file(out);
  r.err = testing::read_file(err);
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The default schedule as the engine builds it, next fire 2026-03-09 16:10 New York.
json schedule() {
  protocol::Schedule s;
  s.universes = {"dow30"};
  s.phases = {kAllPhases.begin(), kAllPhases.end()};
  s.next_fire = protocol::NextFire{"2026-03-09T16:10:00-04:00", "2026-03-09T20:10:00.000Z", false};
  return protocol::schedule_json(s);
}
const json kSchedule = schedule();

json phase_summary(const std::string& phase, const std::string& status, int ok, int failed, long long count) {
  json s = {{"phase", phase},
            {"status", status},
            {"total_symbols", ok + failed},
            {"successful_symbols", ok},
            {"failed_symbols", failed},
            {"success_rate", ok + failed ? double(ok) / (ok + failed) : 1.0},
            {"duration_seconds", 0.5}};
  s[std::string(protocol::phase_count_field(*parse_phase(phase)))] = count;
  return s;
}

/// The events of a small run: import (one symbol fails), patterns, then the terminal event.
void script_run(FakeEngine& e, const std::string& run_id, Event terminal, const std::string& status) {
  auto p = [&](json j) {
    j["run_id"] = run_id;
    return j;
  };
  e.emit(Event::processing_started, p({{"run_date", "2026-03-09"},
                                       {"phases", {"import", "patterns"}},
                                       {"universe", nullptr},
                                       {"symbols_total", 3},
                                       {"trigger_type", "api"},
                                       {"parameters", json::object()},
                                       {"parent_run_id", nullptr}}));
  e.emit(Event::import_started, p({{"phase", "import"}, {"total_symbols", 3}}));
  for (int i = 1; i <= 3; ++i)
    e.emit(Event::import_progress, p({{"phase", "import"},
                                      {"completed_symbols", i},
                                      {"failed_symbols", i >= 2 ? 1 : 0},
                                      {"total_symbols", 3},
                                      {"percent_complete", 100.0 * i / 3},
                                      {"current_symbol", "AAPL"},
                                      {"eta_seconds", nullptr},
                                      {"records_imported", i * 10}}));
  e.emit(Event::error, p({{"severity", "warning"},
                          {"component", "import"},
                          {"error_code", "BAD_DATA"},
                          {"message", "MSFT.csv:17: high 9.5 < close 10.2"},
                          {"context", {{"symbol", "MSFT"}, {"run_id", run_id}}},
                          {"recovery_action", "symbol_skipped"}}));
  json done = phase_summary("import", "completed_with_errors", 2, 1, 20);
  done["run_id"] = run_id;
  e.emit(Event::import_completed, done);
  e.emit(Event::patterns_started, p({{"phase", "patterns"}, {"total_symbols", 2}}));
  json pat = phase_summary("patterns", "completed", 2, 0, 4);
  pat["run_id"] = run_id;
  e.emit(Event::patterns_completed, pat);
  e.emit(terminal, p({{"status", status},
                      {"duration_seconds", 1.5},
                      {"symbols_processed", 2},
                      {"symbols_failed", 1},
                      {"records_imported", 20},
                      {"indicators_calculated", 0},
                      {"patterns_detected", 4},
                      {"phases", {phase_summary("import", "completed_with_errors", 2, 1, 20)}},
                      {"error", nullptr},
                      {"parent_run_id", nullptr}}));
}

class CtlRedis : public bus::testing::RedisFixture {
 protected:
  std::string redis() const { return "--redis " + url().str(); }
  testing::TempDir dir;
};

TEST_F(CtlRedis, NoEngineListeningFailsAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = ctl(redis() + " --timeout 30 status", dir);
  EXPECT_EQ(r.exit_code, 69) << r.err;
  EXPECT_TRUE(has(r.err, "NO_ENGINE")) << r.err;
  EXPECT_TRUE(has(r.err, "no engine is listening")) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);  // well under the 30 s timeout
  EXPECT_EQ(r.out, "");

  const auto j = ctl(redis() + " status --json", dir);
  EXPECT_EQ(j.exit_code, 69);
  EXPECT_EQ(json::parse(j.out)["error"]["code"], "NO_ENGINE");
}

TEST_F(CtlRedis, UnreachableRedis) {
  auto port = bus::pick_free_port();
  ASSERT_TRUE(port);
  const auto r = ctl("--redis redis://127.0.0.1:" + std::to_string(*port) + "/0 status", dir);
  EXPECT_EQ(r.exit_code, 69) << r.err;
  EXPECT_TRUE(has(r.err, "REDIS_UNREACHABLE")) << r.err;
}

TEST_F(CtlRedis, ReplyIsMatchedByRequestId) {
  std::mutex mu;
  std::vector<protocol::CommandRequest> seen;
  FakeEngine engine(url(), [&](const protocol::CommandRequest& r, FakeEngine& e) {
    {
      std::lock_guard lock(mu);
      seen.push_back(r);
    }
    protocol::CommandRequest other = r;
    other.request_id = "another-client";
    e.reply(other, {{"enabled", false}});  // someone else's reply on our channel: ignored
    e.publish(r.reply_to, "{\"not\": \"a reply\"}");
    e.reply(r, kSchedule);
  });
  const auto r = ctl(redis() + " schedule get", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "enabled       yes")) << r.out;
  EXPECT_TRUE(has(r.out, "Mon 2026-03-09 16:10 EDT (New York)")) << r.out;
  EXPECT_TRUE(has(r.out, "Mon 2026-03-09 20:10 UTC (UTC)")) << r.out;

  const auto j = ctl(redis() + " schedule --json", dir);  // `schedule` alone is `get`
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out), kSchedule);

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].command, protocol::Command::get_schedule);
  EXPECT_TRUE(protocol::is_reply_channel(seen[0].reply_to)) << seen[0].reply_to;
  EXPECT_NE(seen[0].reply_to, seen[1].reply_to);  // a private channel per ctl process
  EXPECT_EQ(seen[0].source, "tickstock-ctl");
}

TEST_F(CtlRedis, EngineErrorsExitOne) {
  FakeEngine engine(url(), [](const protocol::CommandRequest& r, FakeEngine& e) {
    e.reply_error(r, protocol::run_not_found(r.parameters.value("run_id", "")));
  });
  const auto r = ctl(redis() + " run nope", dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r.err, "error: NOT_FOUND: no run with run_id 'nope'")) << r.err;
  const auto j = ctl(redis() + " --json run nope", dir);
  EXPECT_EQ(j.exit_code, 1);
  const auto body = json::parse(j.out);
  EXPECT_EQ(body["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(body["error"]["details"]["run_id"], "nope");
}

TEST_F(CtlRedis, UsageErrorsExitTwoWithoutSending) {
  FakeEngine engine(url(),
                    [](const protocol::CommandRequest& r, FakeEngine& e) { e.reply(r, json::object()); });
  EXPECT_EQ(ctl(redis() + " history --limit 0", dir).exit_code, 2);
  EXPECT_EQ(ctl(redis() + " schedule set", dir).exit_code, 2);
  EXPECT_EQ(ctl(redis() + " trigger --phases nonsense", dir).exit_code, 2);
  EXPECT_EQ(ctl(redis() + " watch --from-id yesterday", dir).exit_code, 2);
  EXPECT_EQ(ctl(redis() + " run", dir).exit_code, 2);
  const auto both = ctl(redis() + " trigger --universe dow30 --symbols AAPL", dir);
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_TRUE(has(both.err, "cannot be combined")) << both.err;
  EXPECT_EQ(engine.handled(), 0u);
}

TEST_F(CtlRedis, TriggerWaitFollowsTheRunAndExitsWithItsCode) {
  json params;
  FakeEngine engine(url(), [&](const protocol::CommandRequest& r, FakeEngine& e) {
    ASSERT_EQ(r.command, protocol::Command::trigger_daily_processing);
    params = r.parameters;
    // Another run's events must not disturb the followed one.
    e.emit(Event::import_progress,
           {{"run_id", "someone-else"}, {"phase", "import"}, {"completed_symbols", 1}});
    e.reply(r, {{"run_id", "it-run"}, {"status", "queued"}, {"existing", false}});
    script_run(e, "it-run", Event::processing_completed, "completed_with_errors");
  });
  const auto r = ctl(
      redis() + " trigger --symbols AAPL,MSFT NVDA --phases import,patterns --skip-market-check --wait", dir);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // completed_with_errors
  // As the engine decodes it (defaults filled in).
  EXPECT_EQ(params, json({{"symbols", {"AAPL", "MSFT", "NVDA"}},
                          {"phases", {"import", "patterns"}},
                          {"skip_market_check", true},
                          {"full", false},
                          {"publish_indicator_values", false}}));
  EXPECT_TRUE(has(r.out, "run it-run queued")) << r.out;
  EXPECT_TRUE(has(r.out, "run it-run completed_with_errors in 1.5s: 2 symbols processed, 1 failed")) << r.out;
  // Not a TTY: plain progress lines on stderr.
  EXPECT_TRUE(has(r.err, "import: started, 3 symbols")) << r.err;
  EXPECT_TRUE(has(r.err, "import: 33% (1/3, 0 failed)")) << r.err;
  EXPECT_TRUE(has(r.err, "warning import MSFT: BAD_DATA MSFT.csv:17")) << r.err;
  EXPECT_TRUE(has(r.err, "import: completed_with_errors, 2 ok, 1 failed, 20 records_imported")) << r.err;
  EXPECT_TRUE(has(r.err, "patterns: completed, 2 ok, 0 failed, 4 patterns_detected")) << r.err;
  EXPECT_FALSE(has(r.err, "someone-else")) << r.err;
  EXPECT_FALSE(has(r.err, "seq gap")) << r.err;
}

TEST_F(CtlRedis, TriggerWaitJsonAndCancelledRun) {
  FakeEngine engine(url(), [&](const protocol::CommandRequest& r, FakeEngine& e) {
    e.reply(r, {{"run_id", "it-cancel"}, {"status", "queued"}, {"existing", false}});
    script_run(e, "it-cancel", Event::processing_cancelled, "cancelled");
  });
  const auto r = ctl(redis() + " --json trigger --wait", dir);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  const auto final = json::parse(r.out);  // only the terminal payload on stdout
  EXPECT_EQ(final["run_id"], "it-cancel");
  EXPECT_EQ(final["status"], "cancelled");
}

TEST_F(CtlRedis, TriggerWaitReportsSeqGaps) {
  FakeEngine engine(url(), [&](const protocol::CommandRequest& r, FakeEngine& e) {
    e.reply(r, {{"run_id", "it-gap"}, {"status", "queued"}, {"existing", false}});
    e.emit(Event::processing_started, {{"run_id", "it-gap"}, {"phases", {"import"}}}, 1);
    e.emit(Event::import_started, {{"run_id", "it-gap"}, {"phase", "import"}, {"total_symbols", 1}}, 2);
    e.emit(Event::processing_completed, {{"run_id", "it-gap"}, {"status", "completed"}}, 5);
  });
  const auto r = ctl(redis() + " indicators --symbols AAPL --wait", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "seq gap in run it-gap: expected 3, got 5 (2 events missed)")) << r.err;
}

TEST_F(CtlRedis, TriggerWaitOnAFinishedExistingRun) {
  FakeEngine engine(url(), [&](const protocol::CommandRequest& r, FakeEngine& e) {
    e.reply(r, {{"run_id", "old"}, {"status", "failed"}, {"existing", true}});
  });
  const auto r = ctl(redis() + " trigger --run-id old --wait", dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the run's own exit code, at once
  EXPECT_TRUE(has(r.out, "run old failed (a run with this id already exists")) << r.out;
}

TEST_F(CtlRedis, WatchJsonPrintsEnvelopesInOrderWithoutDuplicates) {
  auto redis_client = sync();
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  std::vector<std::string> stored;
  auto add = [&](Event ev, std::uint64_t seq) {
    protocol::Envelope e;
    e.id = make_uuid_v4();
    e.event = ev;
    e.timestamp = FakeEngine::now();
    e.source = FakeEngine::kSource;
    e.seq = seq;
    e.payload = {{"run_id", "w1"}, {"phase", "import"}, {"total_symbols", 3}};
    stored.push_back(protocol::encode_event(e));
    engine.emit_raw(stored.back(), ev);
  };
  add(Event::import_started, 1);
  add(Event::import_progress, 2);
  engine.emit_raw(stored.back(), Event::import_progress);  // re-sent: same envelope id
  add(Event::import_progress, 4);                          // seq 3 is missing
  add(Event::import_completed, 5);

  const auto r = ctl(redis() + " watch --json --from-id 0 --max-events 4", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out), stored);  // exactly as stored, once each, in order
  EXPECT_TRUE(has(r.err, "seq gap in run w1: expected 3, got 4 (1 event missed)")) << r.err;

  const auto human = ctl(redis() + " watch --from-id 0 --max-events 4", dir);
  ASSERT_EQ(human.exit_code, 0) << human.err;
  const auto hl = lines(human.out);
  ASSERT_EQ(hl.size(), 4u) << human.out;
  EXPECT_TRUE(has(hl[0], "import_started") && has(hl[0], "run=w1 phase=import total=3")) << hl[0];
  EXPECT_TRUE(has(hl[3], "import_completed")) << hl[3];
}

TEST_F(CtlRedis, WatchFromATrimmedIdSaysSoAndContinues) {
  auto redis_client = sync();
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  const std::string first =
      engine.emit(Event::heartbeat, {{"engine_id", FakeEngine::kSource}, {"state", "idle"}});
  for (int i = 0; i < 4; ++i)
    engine.emit(Event::heartbeat, {{"engine_id", FakeEngine::kSource}, {"state", "idle"}});
  ASSERT_TRUE(redis_client.command({"XTRIM", std::string(protocol::kStreamKey), "MAXLEN", "2"}));
  const auto r = ctl(redis() + " watch --json --from-id " + first + " --max-events 2", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "have been trimmed")) << r.err;
  EXPECT_EQ(lines(r.out).size(), 2u);
}

TEST_F(CtlRedis, WatchDefaultsToNewEventsOnly) {
  auto redis_client = sync();
  FakeEngine engine(url(), [](const protocol::CommandRequest&, FakeEngine&) {});
  engine.emit(Event::heartbeat, {{"engine_id", "old"}, {"state", "idle"}});
  auto watching = std::async(std::launch::async, [&] { return ctl(redis() + " watch --max-events 1", dir); });
  // Once ctl blocks in XREAD, its position is pinned: emit then.
  ASSERT_TRUE(bus::testing::wait_for([&] {
    auto list = redis_client.command({"CLIENT", "LIST"});
    return list && has(list->str, "name=tickstock-ctl-events") && has(list->str, "cmd=xread");
  }));
  engine.emit(Event::heartbeat, {{"engine_id", "new"}, {"state", "running"}});
  const auto r = watching.get();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 1u) << r.out;
  EXPECT_TRUE(has(l[0], "engine=new state=running")) << l[0];
}

// ---- --api ---------------------------------------------------------------------------------
class CtlHttp : public ::testing::Test {
 protected:
  void start(std::function<protocol::Reply(const protocol::CommandRequest&)> handler) {
    server::HttpServerOptions o;
    o.endpoint.port = 0;
    o.api_token = "secret";
    server::HttpHandlers h;
    h.on_command = std::move(handler);
    server_ = std::make_unique<server::HttpServer>(o, std::move(h));
    server_->start();
  }
  std::string api() const { return "--api http://127.0.0.1:" + std::to_string(server_->port()); }
  static protocol::Reply ok(const protocol::CommandRequest& r, json result) {
    return protocol::make_ok_reply(r, std::move(result), FakeEngine::now(), "http-test");
  }
  std::unique_ptr<server::HttpServer> server_;
  testing::TempDir dir;
};

TEST_F(CtlHttp, CommandsAndToken) {
  std::mutex mu;
  std::vector<protocol::CommandRequest> seen;
  start([&](const protocol::CommandRequest& r) {
    std::lock_guard lock(mu);
    seen.push_back(r);
    if (r.command == protocol::Command::get_schedule) return ok(r, kSchedule);
    return ok(r, {{"run_id", "h-1"}, {"status", "queued"}, {"existing", false}});
  });
  const auto get = ctl(api() + " schedule get", dir);  // reads need no token
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_TRUE(has(get.out, "Mon 2026-03-09 16:10 EDT (New York)")) << get.out;

  const auto denied = ctl(api() + " trigger --universe dow30", dir);
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_TRUE(has(denied.err, "UNAUTHORIZED")) << denied.err;

  const auto trig = ctl(api() + " --token secret trigger --universe dow30 --full", dir);
  ASSERT_EQ(trig.exit_code, 0) << trig.err;
  EXPECT_EQ(trig.out, "run h-1 queued\n");
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);  // the unauthorized request never reached the handler
  EXPECT_EQ(seen[1].command, protocol::Command::trigger_daily_processing);
  EXPECT_EQ(seen[1].parameters["universe"], "dow30");
  EXPECT_EQ(seen[1].parameters["full"], true);
}

TEST_F(CtlHttp, WaitPollsTheRunWithoutRedis) {
  std::atomic<int> polls{0};
  start([&](const protocol::CommandRequest& r) {
    using protocol::Command;
    if (r.command == Command::trigger_patterns)
      return ok(r, {{"run_id", "h-2"}, {"status", "queued"}, {"existing", false}});
    const bool finished = polls.load() >= 2;
    json run = {{"run_id", "h-2"},
                {"status", finished ? "completed" : "running"},
                {"trigger_type", "api"},
                {"run_date", "2026-03-09"},
                {"universe", "dow30"},
                {"phases", {"patterns"}},
                {"started_at", "2026-03-09T20:05:00.210Z"},
                {"finished_at", finished ? json("2026-03-09T20:05:02.210Z") : json(nullptr)},
                {"duration_seconds", 2.0},
                {"symbols_total", 30},
                {"symbols_processed", 30},
                {"symbols_failed", 0},
                {"records_imported", 0},
                {"indicators_calculated", 0},
                {"patterns_detected", 7},
                {"parent_run_id", nullptr},
                {"error", nullptr}};
    if (r.command == Command::get_processing_status)
      return ok(r, {{"current_run", finished ? json(nullptr) : run},
                    {"current_progress",
                     {{"run_id", "h-2"},
                      {"phase", "patterns"},
                      {"completed_symbols", 15},
                      {"failed_symbols", 0},
                      {"total_symbols", 30},
                      {"percent_complete", 50.0},
                      {"current_symbol", "IBM"},
                      {"eta_seconds", 1.0},
                      {"patterns_detected", 3}}}});
    ++polls;
    return ok(r, {{"run", run},
                  {"phases", {phase_summary("patterns", finished ? "completed" : "running", 30, 0, 7)}},
                  {"failed_symbols", json::array()}});
  });
  const auto r = ctl(api() + " --token secret patterns --universe dow30 --wait", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "patterns: 50% (15/30, 0 failed")) << r.err;
  EXPECT_TRUE(has(r.err, "patterns: completed, 30 ok, 0 failed, 7 patterns_detected")) << r.err;
  EXPECT_TRUE(has(r.out, "run h-2 completed in 2.0s")) << r.out;
}

}  // namespace
}  // namespace ts
