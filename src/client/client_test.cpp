// Pure parts of the engine clients: HTTP mapping, reply decoding, event tracking.
#include <gtest/gtest.h>

#include "core/percent.hpp"
#include "client/engine_client.hpp"
#include "client/http_engine_client.hpp"
#include "client/run_tracking.hpp"
#include "protocol/events.hpp"

namespace ts::client {
namespace {

using nlohmann::json;
using protocol::Command;

protocol::CommandRequest req(Command c, json params = json::object()) {
  auto r = make_request(c, std::move(params));
  return r;
}

std::string header(const HttpCall& c, const std::string& name) {
  for (const auto& [k, v] : c.headers)
    if (k == name) return v;
  return "";
}

// ---- make_request / classify ------------------------------------------------------
TEST(MakeRequest, FillsIdSourceAndTimestamp) {
  const auto a = make_request(Command::get_schedule);
  const auto b = make_request(Command::get_schedule);
  EXPECT_EQ(a.request_id.size(), 36u);
  EXPECT_NE(a.request_id, b.request_id);
  EXPECT_EQ(a.source, "tickstock-ctl");
  EXPECT_TRUE(protocol::is_rfc3339(a.timestamp)) << a.timestamp;
  EXPECT_TRUE(a.parameters.is_object());
  EXPECT_TRUE(a.reply_to.empty());
}

TEST(Classify, TransportFailures) {
  EXPECT_EQ(classify({"NO_ENGINE", ""}), FailureKind::unavailable);
  EXPECT_EQ(classify({"REDIS_UNREACHABLE", ""}), FailureKind::unavailable);
  EXPECT_EQ(classify({"REDIS_AUTH_FAILED", ""}), FailureKind::unavailable);
  EXPECT_EQ(classify({"CONNECT_FAILED", ""}), FailureKind::unavailable);
  EXPECT_EQ(classify({"CONNECTION_LOST", ""}), FailureKind::unavailable);
  EXPECT_EQ(classify({"TIMEOUT", ""}), FailureKind::timeout);
  EXPECT_EQ(classify({"REDIS_ERROR", ""}), FailureKind::other);
  EXPECT_EQ(classify({"HTTP_ERROR", ""}), FailureKind::other);
}

// ---- HTTP mapping ---------------------------------------------------------------------
TEST(HttpCall, PercentEncode) {
  EXPECT_EQ(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(percent_encode("a b/c?d&e=f,g"), "a%20b%2Fc%3Fd%26e%3Df%2Cg");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
}

TEST(HttpCall, EveryCommandUsesItsRoute) {
  // One request per command, with the parameters its route needs.
  const std::pair<Command, json> cases[] = {
      {Command::trigger_daily_processing, {{"phases", {"import"}}}},
      {Command::cancel_processing, json::object()},
      {Command::get_processing_status, json::object()},
      {Command::get_processing_history, json::object()},
      {Command::get_run, {{"run_id", "r1"}}},
      {Command::retry_failed_imports, {{"run_id", "r1"}}},
      {Command::trigger_indicators, json::object()},
      {Command::trigger_patterns, json::object()},
      {Command::get_schedule, json::object()},
      {Command::update_schedule, {{"enabled", false}}},
  };
  for (const auto& [command, params] : cases) {
    const auto& spec = protocol::spec(command);
    const HttpCall c = http_call_for(req(command, params), "http://h:1/", "tok");
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_EQ(c.method, spec.route.method);
    std::string path(spec.route.path);
    if (auto b = path.find("{run_id}"); b != std::string::npos) path.replace(b, 8, "r1");
    EXPECT_EQ(c.url, "http://h:1" + path);
    // The server decodes the request back into the same command and parameters.
    const auto q = c.url.find('?');
    const std::string target = c.url.substr(std::string("http://h:1").size());
    const std::string p = q == std::string::npos ? target : target.substr(0, target.find('?'));
    const std::string query = q == std::string::npos ? "" : c.url.substr(q + 1);
    auto back = protocol::decode_http_command({c.method, p, query, c.body}, [] { return std::string("x"); });
    ASSERT_TRUE(back) << back.error().error.message;
    EXPECT_EQ(back->command, command);
    EXPECT_EQ(header(c, "Authorization"), spec.mutating ? "Bearer tok" : "");
    EXPECT_EQ(header(c, "Accept"), "application/json");
  }
}

TEST(HttpCall, QueryStringForGetAndDelete) {
  const HttpCall h =
      http_call_for(req(Command::get_processing_history,
                        {{"limit", 20}, {"days", 7}, {"status", "failed"}, {"cursor", "abc="}}),
                    "http://127.0.0.1:8080", "");
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.url,
            "http://127.0.0.1:8080/api/processing/history?days=7&status=failed&limit=20&cursor=abc%3D");
  EXPECT_EQ(h.body, "");
  EXPECT_EQ(header(h, "Authorization"), "");

  const HttpCall cancel =
      http_call_for(req(Command::cancel_processing, {{"run_id", "run-7"}}), "http://e", "t");
  EXPECT_EQ(cancel.method, "DELETE");
  EXPECT_EQ(cancel.url, "http://e/api/processing/cancel?run_id=run-7");
  EXPECT_EQ(header(cancel, "Authorization"), "Bearer t");

  const HttpCall none = http_call_for(req(Command::cancel_processing), "http://e", "");
  EXPECT_EQ(none.url, "http://e/api/processing/cancel");
  EXPECT_EQ(header(none, "Authorization"), "");  // no token configured: no header
}

TEST(HttpCall, RunIdGoesIntoThePath) {
  const HttpCall c = http_call_for(req(Command::get_run, {{"run_id", "a b"}}), "http://e/", "");
  EXPECT_EQ(c.url, "http://e/api/processing/runs/a%20b");
}

TEST(HttpCall, PostBodyIsTheParameters) {
  const json params = {{"symbols", {"AAPL", "MSFT"}}, {"indicators", {"SMA(timeperiod=20,x=1)"}}};
  const HttpCall c = http_call_for(req(Command::trigger_indicators, params), "http://e", "secret");
  EXPECT_EQ(c.method, "POST");
  EXPECT_EQ(c.url, "http://e/api/processing/trigger-indicators");
  EXPECT_EQ(json::parse(c.body), params);
  EXPECT_EQ(header(c, "Authorization"), "Bearer secret");
}

TEST(HttpReply, OkResult) {
  const auto r = req(Command::get_schedule);
  auto reply = reply_from_http(r, 200, R"({"enabled":true})");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_TRUE(reply->ok);
  EXPECT_EQ(reply->request_id, r.request_id);
  EXPECT_EQ(reply->command, "get_schedule");
  EXPECT_EQ(reply->result, json({{"enabled", true}}));
}

TEST(HttpReply, ErrorBody) {
  auto reply = reply_from_http(
      req(Command::get_run, {{"run_id", "x"}}), 404,
      R"({"error":{"code":"NOT_FOUND","message":"no run with run_id 'x'","details":{"run_id":"x"}}})");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->ok);
  ASSERT_TRUE(reply->error);
  EXPECT_EQ(reply->error->code, protocol::ErrorCode::not_found);
  EXPECT_EQ(reply->error->message, "no run with run_id 'x'");
  EXPECT_EQ(reply->error->details, json({{"run_id", "x"}}));

  auto unauthorized =
      reply_from_http(req(Command::trigger_patterns), 401,
                      R"({"error":{"code":"UNAUTHORIZED","message":"unauthorized: no token"}})");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->error->code, protocol::ErrorCode::unauthorized);
}

TEST(HttpReply, NotAReply) {
  auto html = reply_from_http(req(Command::get_schedule), 502, "<html>Bad Gateway</html>");
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, "HTTP_ERROR");
  EXPECT_NE(html.error().message.find("502"), std::string::npos);
  EXPECT_EQ(reply_from_http(req(Command::get_schedule), 200, "[1]").error().code, "HTTP_ERROR");
  EXPECT_EQ(reply_from_http(req(Command::get_schedule), 500, R"({"error":{"code":"NOPE"}})").error().code,
            "HTTP_ERROR");
}

// ---- de-duplication and seq gaps ------------------------------------------------------------
protocol::Envelope env(protocol::Event event, std::uint64_t seq, json payload,
                       std::string source = "eng/a:1") {
  protocol::Envelope e;
  e.id = "id-" + std::to_string(seq) + "-" + std::string(protocol::to_string(event));
  e.event = event;
  e.seq = seq;
  e.source = std::move(source);
  e.timestamp = "2026-03-09T20:11:02.417Z";
  e.payload = std::move(payload);
  return e;
}

TEST(RecentIds, RepeatsAreRejectedWithinTheWindow) {
  RecentIds ids(2);
  EXPECT_TRUE(ids.insert("a"));
  EXPECT_FALSE(ids.insert("a"));
  EXPECT_TRUE(ids.insert("b"));
  EXPECT_TRUE(ids.insert("c"));  // evicts a
  EXPECT_FALSE(ids.insert("c"));
  EXPECT_TRUE(ids.insert("a"));
}

TEST(RecentIds, UuidsAndOtherStringsAreKeptApartAndTheWindowSlides) {
  RecentIds ids(3);
  const std::string u1 = "0b6f1c2e-8a4d-4c1e-9f3a-2d5e7b9c1a00", u2 = "0b6f1c2e-8a4d-4c1e-9f3a-2d5e7b9c1a01";
  EXPECT_TRUE(ids.insert(u1));
  EXPECT_TRUE(ids.insert(u2));  // differs in the last nibble only
  EXPECT_FALSE(ids.insert(u1));
  EXPECT_FALSE(ids.insert("0B6F1C2E-8A4D-4C1E-9F3A-2D5E7B9C1A00"));  // the same UUID in uppercase
  EXPECT_TRUE(ids.insert("1700000000000-0"));                          // not a UUID: hashed
  EXPECT_FALSE(ids.insert("1700000000000-0"));
  EXPECT_TRUE(ids.insert("1700000000000-1"));  // evicts u1 (window of 3)
  EXPECT_TRUE(ids.insert(u1));                 // evicts u2
  EXPECT_TRUE(ids.insert(u2));
  // A long run of distinct ids never reports a false repeat.
  RecentIds many(1000);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(many.insert("event-" + std::to_string(i))) << i;
}

TEST(SeqTracker, GapsPerRun) {
  using protocol::Event;
  SeqTracker t;
  const json r1 = {{"run_id", "r1"}}, r2 = {{"run_id", "r2"}};
  EXPECT_FALSE(t.observe(env(Event::import_progress, 5, r1)));  // joins mid-run: baseline, no gap
  EXPECT_FALSE(t.observe(env(Event::import_progress, 6, r1)));
  EXPECT_FALSE(t.observe(env(Event::import_progress, 1, r2)));  // another run, its own scope
  const auto gap = t.observe(env(Event::import_progress, 9, r1));
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->scope, "r1");
  EXPECT_TRUE(gap->run_scope);
  EXPECT_EQ(gap->expected, 7u);
  EXPECT_EQ(gap->got, 9u);
  EXPECT_EQ(gap->missing(), 2u);
  EXPECT_FALSE(t.observe(env(Event::import_progress, 8, r1)));  // late replay: ignored
  EXPECT_FALSE(t.observe(env(Event::import_progress, 10, r1)));
  EXPECT_FALSE(t.observe(env(Event::processing_completed, 11, r1)));
  // The run's scope is gone after its terminal event: a new baseline.
  EXPECT_FALSE(t.observe(env(Event::import_progress, 40, r1)));
  EXPECT_FALSE(t.observe(env(Event::import_progress, 2, r2)));
}

TEST(SeqTracker, EngineScopeBySource) {
  using protocol::Event;
  SeqTracker t;
  EXPECT_FALSE(t.observe(env(Event::heartbeat, 3, json::object(), "eng/a:1")));
  EXPECT_FALSE(t.observe(env(Event::heartbeat, 1, json::object(), "eng/b:2")));  // a restarted engine
  const auto gap = t.observe(env(Event::heartbeat, 5, json::object(), "eng/a:1"));
  ASSERT_TRUE(gap);
  EXPECT_FALSE(gap->run_scope);
  EXPECT_EQ(gap->scope, "eng/a:1");
  EXPECT_EQ(gap->missing(), 1u);
}

TEST(SeqTracker, BoundedScopes) {
  SeqTracker t(2);
  for (int i = 0; i < 5; ++i)
    (void)t.observe(env(protocol::Event::import_progress, 1, {{"run_id", std::to_string(i)}}));
  // Run "0" was evicted: seeing it again sets a new baseline instead of a false gap.
  EXPECT_FALSE(t.observe(env(protocol::Event::import_progress, 9, {{"run_id", "0"}})));
}

// ---- RunProgress -------------------------------------------------------------------------------
TEST(RunProgress, FollowsOneRun) {
  using protocol::Event;
  RunProgress run("r1");
  auto s = run.apply(env(Event::processing_started, 1,
                         {{"run_id", "r1"}, {"phases", {"patterns", "import"}}, {"symbols_total", 3}}));
  EXPECT_TRUE(s.of_run);
  EXPECT_TRUE(s.bars_changed);
  ASSERT_EQ(run.bars().size(), 2u);
  EXPECT_EQ(run.bars()[0].phase, Phase::import);  // pipeline order
  EXPECT_EQ(run.bars()[1].phase, Phase::patterns);
  EXPECT_FALSE(run.bars()[0].started);

  EXPECT_FALSE(run.apply(env(Event::import_progress, 1, {{"run_id", "other"}, {"phase", "import"}})).of_run);

  s = run.apply(env(Event::import_started, 2, {{"run_id", "r1"}, {"phase", "import"}, {"total_symbols", 3}}));
  EXPECT_EQ(s.phase, Phase::import);
  EXPECT_TRUE(run.bars()[0].started);
  EXPECT_EQ(run.bars()[0].total, 3);

  run.apply(env(Event::import_progress, 3,
                {{"run_id", "r1"},
                 {"phase", "import"},
                 {"completed_symbols", 2},
                 {"failed_symbols", 1},
                 {"total_symbols", 3},
                 {"percent_complete", 66.7},
                 {"current_symbol", "MSFT"},
                 {"eta_seconds", 1.5},
                 {"records_imported", 40}}));
  const PhaseBar& b = run.bars()[0];
  EXPECT_EQ(b.completed, 2);
  EXPECT_EQ(b.failed, 1);
  EXPECT_DOUBLE_EQ(b.percent, 66.7);
  EXPECT_EQ(b.current_symbol, "MSFT");
  ASSERT_TRUE(b.eta_seconds);
  EXPECT_DOUBLE_EQ(*b.eta_seconds, 1.5);
  EXPECT_EQ(b.count, 40);

  // An older progress event (a replay) does not move the bar back.
  run.apply(
      env(Event::import_progress, 3,
          {{"run_id", "r1"}, {"phase", "import"}, {"completed_symbols", 1}, {"percent_complete", 33.3}}));
  EXPECT_EQ(run.bars()[0].completed, 2);

  s = run.apply(env(Event::error, 4,
                    {{"run_id", "r1"},
                     {"severity", "warning"},
                     {"component", "import"},
                     {"error_code", "BAD_DATA"},
                     {"message", "AAPL.csv:17: high < close"},
                     {"context", {{"symbol", "AAPL"}}},
                     {"recovery_action", "symbol_skipped"}}));
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0], "  warning import AAPL: BAD_DATA AAPL.csv:17: high < close (symbol_skipped)");

  run.apply(env(Event::import_completed, 5,
                {{"run_id", "r1"},
                 {"phase", "import"},
                 {"status", "completed_with_errors"},
                 {"total_symbols", 3},
                 {"successful_symbols", 2},
                 {"failed_symbols", 1},
                 {"duration_seconds", 2.5},
                 {"records_imported", 60}}));
  EXPECT_TRUE(run.bars()[0].done);
  EXPECT_EQ(run.bars()[0].status, "completed_with_errors");
  EXPECT_EQ(run.bars()[0].completed, 3);
  EXPECT_DOUBLE_EQ(run.bars()[0].percent, 100.0);
  EXPECT_EQ(run.bars()[0].count, 60);
  EXPECT_FALSE(run.status());

  s = run.apply(env(Event::processing_completed, 6, {{"run_id", "r1"}, {"status", "completed_with_errors"}}));
  ASSERT_TRUE(s.finished);
  EXPECT_EQ(*s.finished, RunStatus::completed_with_errors);
  EXPECT_EQ(run.final_payload()["status"], "completed_with_errors");
}

TEST(RunProgress, PhasesAppearWithoutProcessingStarted) {
  RunProgress run("r1");
  run.apply(env(protocol::Event::patterns_started, 7,
                {{"run_id", "r1"}, {"phase", "patterns"}, {"total_symbols", 2}}));
  run.apply(env(protocol::Event::cache_started, 4,
                {{"run_id", "r1"}, {"phase", "cache_sync"}, {"total_symbols", 2}}));
  ASSERT_EQ(run.bars().size(), 2u);
  EXPECT_EQ(run.bars()[0].phase, Phase::cache_sync);
  const auto s = run.apply(env(protocol::Event::processing_cancelled, 9, {{"run_id", "r1"}}));
  EXPECT_EQ(s.finished, RunStatus::cancelled);  // no status field: from the event name
}

}  // namespace
}  // namespace ts::client
