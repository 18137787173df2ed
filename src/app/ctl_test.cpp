// `tickstock ctl`: argument mapping and rendering (pure).
#include <gtest/gtest.h>

#include <sstream>

#include "app/ctl_render.hpp"
#include "app/ctl_request.hpp"
#include "protocol/events.hpp"
#include "protocol/payloads.hpp"

namespace ts::app {
namespace {

using nlohmann::json;
using protocol::Command;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

protocol::CommandRequest ok(const CtlArgs& a) {
  auto r = build_request(a);
  if (!r) ADD_FAILURE() << a.subcommand << ": " << r.error().message;
  return r ? *r : protocol::CommandRequest{};
}
std::string usage(const CtlArgs& a) {
  auto r = build_request(a);
  if (r) {
    ADD_FAILURE() << a.subcommand << " was accepted: " << r->parameters.dump();
    return "";
  }
  EXPECT_EQ(r.error().code, "USAGE");
  return r.error().message;
}

// ---- arguments -> CommandRequest -------------------------------------------------------
TEST(CtlSplitList, CommasOutsideParentheses) {
  EXPECT_EQ(split_list({"AAPL,MSFT", " NVDA ", "", "IBM,"}),
            (std::vector<std::string>{"AAPL", "MSFT", "NVDA", "IBM"}));
  EXPECT_EQ(split_list({"SMA(timeperiod=20,x=1),RSI", "BBANDS(timeperiod=5)"}),
            (std::vector<std::string>{"SMA(timeperiod=20,x=1)", "RSI", "BBANDS(timeperiod=5)"}));
}

TEST(CtlRequest, Trigger) {
  CtlArgs a;
  a.subcommand = "trigger";
  auto r = ok(a);
  EXPECT_EQ(r.command, Command::trigger_daily_processing);
  EXPECT_EQ(r.parameters, json::object());  // defaults are the engine's
  EXPECT_EQ(r.source, "tickstock-ctl");
  EXPECT_FALSE(r.request_id.empty());

  a.symbols = {"AAPL,MSFT", "NVDA"};
  a.phases = {"data_import,indicators"};
  a.skip_market_check = a.full = a.publish_indicator_values = true;
  a.run_id = "nightly-1";
  r = ok(a);
  EXPECT_EQ(r.parameters, json({{"symbols", {"AAPL", "MSFT", "NVDA"}},
                                {"phases", {"data_import", "indicators"}},
                                {"skip_market_check", true},
                                {"full", true},
                                {"publish_indicator_values", true},
                                {"run_id", "nightly-1"}}));

  CtlArgs u;
  u.subcommand = "trigger";
  u.universe = "dow30";
  EXPECT_EQ(ok(u).parameters, json({{"universe", "dow30"}}));
  u.symbols = {"AAPL"};
  EXPECT_TRUE(has(usage(u), "cannot be combined"));
  u.symbols.clear();
  u.phases = {"everything"};
  EXPECT_TRUE(has(usage(u), "--phases")) << usage(u);
  u.phases.clear();
  u.run_id = "bad id!";
  EXPECT_TRUE(has(usage(u), "--run-id")) << usage(u);
  CtlArgs lower;
  lower.subcommand = "trigger";
  lower.symbols = {"aapl"};
  EXPECT_TRUE(has(usage(lower), "--symbols")) << usage(lower);
}

TEST(CtlRequest, CancelStatusRun) {
  CtlArgs a;
  a.subcommand = "cancel";
  EXPECT_EQ(ok(a).command, Command::cancel_processing);
  EXPECT_EQ(ok(a).parameters, json::object());
  a.run_id = "r-1";
  EXPECT_EQ(ok(a).parameters, json({{"run_id", "r-1"}}));

  CtlArgs s;
  s.subcommand = "status";
  EXPECT_EQ(ok(s).command, Command::get_processing_status);
  EXPECT_EQ(ok(s).parameters, json::object());

  CtlArgs run;
  run.subcommand = "run";
  EXPECT_TRUE(has(usage(run), "RUN_ID is required")) << usage(run);
  run.run_id = "r-2";
  EXPECT_EQ(ok(run).command, Command::get_run);
  EXPECT_EQ(ok(run).parameters, json({{"run_id", "r-2"}}));
}

TEST(CtlRequest, History) {
  CtlArgs a;
  a.subcommand = "history";
  EXPECT_EQ(ok(a).command, Command::get_processing_history);
  a.days = "7";
  a.limit = "20";
  a.cursor = "abc";
  a.status = "failed";
  a.trigger_type = "scheduled";
  EXPECT_EQ(ok(a).parameters, json({{"days", 7},
                                    {"limit", 20},
                                    {"cursor", "abc"},
                                    {"status", "failed"},
                                    {"trigger_type", "scheduled"}}));
  a.limit = "500";
  EXPECT_TRUE(has(usage(a), "--limit must be between 1 and 200")) << usage(a);
  a.limit = "ten";
  EXPECT_EQ(usage(a), "--limit must be a whole number, got 'ten'");
  a.limit.clear();
  a.status = "great";
  EXPECT_TRUE(has(usage(a), "--status")) << usage(a);
}

TEST(CtlRequest, Retry) {
  CtlArgs a;
  a.subcommand = "retry";
  a.run_id = "r-1";
  EXPECT_EQ(ok(a).command, Command::retry_failed_imports);
  EXPECT_EQ(ok(a).parameters, json({{"run_id", "r-1"}}));
  a.symbols = {"AAPL", "MSFT"};
  EXPECT_EQ(ok(a).parameters, json({{"run_id", "r-1"}, {"symbols", {"AAPL", "MSFT"}}}));
  a.run_id.clear();
  EXPECT_TRUE(has(usage(a), "RUN_ID")) << usage(a);
}

TEST(CtlRequest, IndicatorsAndPatterns) {
  CtlArgs a;
  a.subcommand = "indicators";
  a.symbols = {"AAPL"};
  a.indicators = {"RSI,SMA(timeperiod=50)"};
  a.timeframe = "weekly";
  auto r = ok(a);
  EXPECT_EQ(r.command, Command::trigger_indicators);
  EXPECT_EQ(
      r.parameters,
      json({{"symbols", {"AAPL"}}, {"indicators", {"RSI", "SMA(timeperiod=50)"}}, {"timeframe", "weekly"}}));
  a.timeframe = "hourly";
  EXPECT_TRUE(has(usage(a), "--timeframe")) << usage(a);

  CtlArgs p;
  p.subcommand = "patterns";
  p.universe = "dow30";
  p.patterns = {"engulfing", "golden_cross"};
  r = ok(p);
  EXPECT_EQ(r.command, Command::trigger_patterns);
  EXPECT_EQ(r.parameters, json({{"universe", "dow30"}, {"patterns", {"engulfing", "golden_cross"}}}));
  p.patterns = {"Not A Pattern"};
  EXPECT_TRUE(has(usage(p), "--patterns")) << usage(p);
}

TEST(CtlRequest, Schedule) {
  CtlArgs g;
  g.subcommand = "schedule-get";
  EXPECT_EQ(ok(g).command, Command::get_schedule);
  EXPECT_EQ(ok(g).parameters, json::object());

  CtlArgs s;
  s.subcommand = "schedule-set";
  EXPECT_TRUE(has(usage(s), "needs at least one of")) << usage(s);
  s.time = "16:30";
  s.enabled = "false";
  s.timezone = "America/Chicago";
  s.universes = {"dow30,nasdaq100"};
  s.market_check = "yes";
  s.phases = {"import", "patterns"};
  auto r = ok(s);
  EXPECT_EQ(r.command, Command::update_schedule);
  EXPECT_EQ(r.parameters, json({{"trigger_time", "16:30"},
                                {"enabled", false},
                                {"timezone", "America/Chicago"},
                                {"universes", {"dow30", "nasdaq100"}},
                                {"market_check", true},
                                {"phases", {"import", "patterns"}}}));
  s.enabled = "maybe";
  EXPECT_EQ(usage(s), "--enabled must be true or false, got 'maybe'");
  s.enabled.clear();
  s.time = "25:00";
  EXPECT_TRUE(has(usage(s), "--time")) << usage(s);
}

TEST(CtlRequest, UnknownSubcommand) {
  CtlArgs a;
  a.subcommand = "explode";
  EXPECT_TRUE(has(usage(a), "explode"));
}

TEST(CtlRequest, ParseBool) {
  for (const char* t : {"true", "TRUE", "yes", "on", "1"}) EXPECT_TRUE(*parse_bool_arg("--x", t)) << t;
  for (const char* f : {"false", "No", "off", "0"}) EXPECT_FALSE(*parse_bool_arg("--x", f)) << f;
  EXPECT_FALSE(parse_bool_arg("--x", ""));
}

// ---- rendering ---------------------------------------------------------------------------
const json kRun = {{"run_id", "r-1"},
                   {"status", "completed_with_errors"},
                   {"trigger_type", "api"},
                   {"run_date", "2026-03-09"},
                   {"universe", "dow30"},
                   {"phases", {"import", "indicators"}},
                   {"started_at", "2026-03-09T20:05:00.210Z"},
                   {"finished_at", "2026-03-09T20:05:41.427Z"},
                   {"duration_seconds", 41.217},
                   {"symbols_total", 30},
                   {"symbols_processed", 29},
                   {"symbols_failed", 1},
                   {"records_imported", 29},
                   {"indicators_calculated", 1160},
                   {"patterns_detected", 14},
                   {"parent_run_id", nullptr},
                   {"error", nullptr}};

TEST(CtlRender, Durations) {
  EXPECT_EQ(format_duration(0.25), "250ms");
  EXPECT_EQ(format_duration(12.54), "12.5s");
  EXPECT_EQ(format_duration(185), "3m 05s");
  EXPECT_EQ(format_duration(7440), "2h 04m");
  EXPECT_EQ(format_duration(-1), "0ms");
}

TEST(CtlRender, TimesInZones) {
  // Across the 2026-03-08 DST change: 16:10 New York is 21:10 UTC before, 20:10 after.
  EXPECT_EQ(format_in_zone("2026-03-06T21:10:00.000Z", "America/New_York"), "Fri 2026-03-06 16:10 EST");
  EXPECT_EQ(format_in_zone("2026-03-09T20:10:00.000Z", "America/New_York"), "Mon 2026-03-09 16:10 EDT");
  EXPECT_EQ(format_in_zone("2026-03-09T20:10:00.000Z", "UTC"), "Mon 2026-03-09 20:10 UTC");
  EXPECT_EQ(format_in_zone("garbage", "UTC"), "garbage");
  EXPECT_EQ(format_in_zone("2026-03-09T20:10:00.000Z", "No/Such_Zone"), "2026-03-09T20:10:00.000Z");
}

TEST(CtlRender, Accepted) {
  EXPECT_EQ(render_result(Command::trigger_daily_processing,
                          {{"run_id", "r-1"}, {"status", "queued"}, {"existing", false}}),
            "run r-1 queued\n");
  EXPECT_TRUE(has(render_result(Command::trigger_daily_processing,
                                {{"run_id", "r-1"}, {"status", "running"}, {"existing", true}}),
                  "already exists"));
  const std::string retry = render_result(Command::retry_failed_imports, {{"run_id", "r-2"},
                                                                          {"status", "queued"},
                                                                          {"existing", false},
                                                                          {"parent_run_id", "r-1"},
                                                                          {"symbols", {"AAPL"}}});
  EXPECT_TRUE(has(retry, "run r-2 queued")) << retry;
  EXPECT_TRUE(has(retry, "retrying 1 symbol(s) of run r-1: AAPL")) << retry;
}

TEST(CtlRender, Cancel) {
  EXPECT_TRUE(has(render_result(Command::cancel_processing,
                                {{"run_id", "r-1"}, {"status", "running"}, {"cancel_requested", true}}),
                  "cancel requested for run r-1"));
  EXPECT_TRUE(has(render_result(Command::cancel_processing,
                                {{"run_id", "r-1"}, {"status", "completed"}, {"cancel_requested", false}}),
                  "already finished (completed)"));
}

TEST(CtlRender, Status) {
  json s = {{"engine_id", "tickstock-engine/ts1:42"},
            {"engine_version", "0.1.0"},
            {"uptime_seconds", 120.5},
            {"state", "running"},
            {"current_run", kRun},
            {"current_progress",
             {{"run_id", "r-1"},
              {"phase", "import"},
              {"completed_symbols", 12},
              {"failed_symbols", 1},
              {"total_symbols", 30},
              {"percent_complete", 40.0},
              {"current_symbol", "MSFT"},
              {"eta_seconds", 3.5},
              {"records_imported", 12}}},
            {"last_run", nullptr},
            {"next_scheduled_run", "2026-03-09T20:10:00.000Z"},
            {"last_event", nullptr},
            {"updated_at", "2026-03-09T18:02:00.001Z"}};
  const std::string out = render_result(Command::get_processing_status, s);
  EXPECT_TRUE(has(out, "tickstock-engine/ts1:42 v0.1.0, running, up 2m 01s")) << out;
  EXPECT_TRUE(has(out, "import 12/30 40.0%, 1 failed, eta 3.5s")) << out;
  EXPECT_TRUE(has(out, "last run      none")) << out;
  EXPECT_TRUE(has(out, "Mon 2026-03-09 16:10 EDT (Mon 2026-03-09 20:10 UTC)")) << out;
  s["current_run"] = nullptr;
  s["last_run"] = kRun;
  const std::string idle = render_result(Command::get_processing_status, s);
  EXPECT_TRUE(has(idle, "current run   none")) << idle;
  EXPECT_TRUE(has(idle, "r-1 completed_with_errors 2026-03-09 dow30, 29/30 symbols, 1 failed, 41.2s"))
      << idle;
}

TEST(CtlRender, History) {
  EXPECT_EQ(
      render_result(Command::get_processing_history, {{"runs", json::array()}, {"next_cursor", nullptr}}),
      "no runs\n");
  const std::string out =
      render_result(Command::get_processing_history, {{"runs", {kRun}}, {"next_cursor", "MjAy"}});
  EXPECT_TRUE(has(out, "RUN_ID")) << out;
  EXPECT_TRUE(has(out, "r-1")) << out;
  EXPECT_TRUE(has(out, "completed_with_errors")) << out;
  EXPECT_TRUE(has(out, "41.2s")) << out;
  EXPECT_TRUE(has(out, "29/30")) << out;
  EXPECT_TRUE(has(out, "more: tickstock ctl history --cursor MjAy")) << out;
}

TEST(CtlRender, RunDetail) {
  const json detail = {{"run", kRun},
                       {"phases",
                        {{{"phase", "import"},
                          {"status", "completed_with_errors"},
                          {"total_symbols", 30},
                          {"successful_symbols", 29},
                          {"failed_symbols", 1},
                          {"success_rate", 0.9667},
                          {"duration_seconds", 12.5},
                          {"records_imported", 29}}}},
                       {"failed_symbols",
                        {{{"symbol", "AAPL"},
                          {"phase", "import"},
                          {"error_code", "BAD_DATA"},
                          {"message", "bad row"},
                          {"attempts", 2}}}}};
  const std::string out = render_result(Command::get_run, detail);
  EXPECT_TRUE(has(out, "run           r-1")) << out;
  EXPECT_TRUE(has(out, "29/30 processed, 1 failed")) << out;
  EXPECT_TRUE(has(out, "29 records_imported")) << out;
  EXPECT_TRUE(has(out, "AAPL    import      BAD_DATA bad row (2 attempts)")) << out;
}

TEST(CtlRender, ScheduleShowsNewYorkAndUtc) {
  protocol::Schedule sched;
  sched.universes = {"dow30"};
  sched.phases = {kAllPhases.begin(), kAllPhases.end()};
  sched.next_fire = protocol::NextFire{"2026-11-27T13:10:00-05:00", "2026-11-27T18:10:00.000Z", true};
  json s = protocol::schedule_json(sched);  // as the engine builds it
  const std::string out = render_result(Command::get_schedule, s);
  EXPECT_TRUE(has(out, "trigger time  16:10 America/New_York")) << out;
  EXPECT_TRUE(has(out, "Fri 2026-11-27 13:10 EST (New York)")) << out;
  EXPECT_TRUE(has(out, "Fri 2026-11-27 18:10 UTC (UTC)")) << out;
  EXPECT_TRUE(has(out, "early close")) << out;
  s["timezone"] = "Asia/Tokyo";
  EXPECT_TRUE(has(render_result(Command::update_schedule, s), "(Asia/Tokyo)"));
  s["next_fire"] = nullptr;
  s["enabled"] = false;
  EXPECT_TRUE(has(render_result(Command::get_schedule, s), "none (disabled)"));
}

TEST(CtlRender, Errors) {
  protocol::CommandError e{protocol::ErrorCode::already_running, "run x is active", {{"active_run_id", "x"}}};
  EXPECT_EQ(render_error(e), "error: ALREADY_RUNNING: run x is active\n");
  EXPECT_EQ(error_json("NO_ENGINE", "nobody"),
            json({{"error", {{"code", "NO_ENGINE"}, {"message", "nobody"}, {"details", json::object()}}}}));
}

protocol::Envelope env(protocol::Event ev, json payload) {
  protocol::Envelope e;
  e.id = "6f1c2a9e-4b7d-4f3e-9a51-0c2d8e7f1a23";
  e.event = ev;
  e.timestamp = "2026-03-09T20:11:02.417Z";
  e.source = "tickstock-engine/ts1:1";
  e.seq = 7;
  e.payload = std::move(payload);
  return e;
}

TEST(CtlRender, EventLines) {
  using protocol::Event;
  EXPECT_EQ(render_event_line(env(Event::import_progress, {{"run_id", "r-1"},
                                                           {"phase", "import"},
                                                           {"completed_symbols", 12},
                                                           {"failed_symbols", 0},
                                                           {"total_symbols", 30},
                                                           {"percent_complete", 40.0},
                                                           {"current_symbol", "MSFT"},
                                                           {"eta_seconds", 3.5},
                                                           {"records_imported", 12}})),
            "20:11:02.417Z import_progress        run=r-1 12/30 40.0% failed=0 eta=3.5s current=MSFT "
            "records_imported=12");
  EXPECT_TRUE(has(render_event_line(env(Event::processing_failed, {{"run_id", "r-1"},
                                                                   {"status", "failed"},
                                                                   {"duration_seconds", 3},
                                                                   {"symbols_processed", 1},
                                                                   {"symbols_failed", 2},
                                                                   {"error", "too many failures"}})),
                  "status=failed processed=1 failed=2 in 3.0s (too many failures)"));
  EXPECT_TRUE(has(render_event_line(env(Event::patterns_detected, {{"run_id", "r-1"},
                                                                   {"symbol", "AAPL"},
                                                                   {"pattern", "engulfing"},
                                                                   {"direction", "bullish"},
                                                                   {"timeframe", "daily"},
                                                                   {"bar_date", "2026-03-09"},
                                                                   {"strength", 100},
                                                                   {"confidence", 0.72}})),
                  "AAPL engulfing bullish daily 2026-03-09 strength=100 confidence=0.72"));
  EXPECT_TRUE(has(render_event_line(env(Event::heartbeat, {{"engine_id", "e"},
                                                           {"state", "idle"},
                                                           {"uptime_seconds", 5},
                                                           {"current_run_id", nullptr},
                                                           {"next_scheduled_run", nullptr}})),
                  "heartbeat              engine=e state=idle up=5.0s"));
  EXPECT_TRUE(has(render_event_line(env(Event::error, {{"severity", "warning"},
                                                       {"component", "import"},
                                                       {"error_code", "BAD_DATA"},
                                                       {"message", "bad"},
                                                       {"context", {{"symbol", "AAPL"}}},
                                                       {"recovery_action", "symbol_skipped"}})),
                  "warning import AAPL: BAD_DATA bad (symbol_skipped)"));
  // Missing fields do not throw.
  for (const auto& info : protocol::kEvents)
    EXPECT_FALSE(render_event_line(env(info.event, json::object())).empty());
}

TEST(CtlRender, RunFinishedAndGap) {
  EXPECT_EQ(render_run_finished({{"run_id", "r-1"},
                                 {"status", "completed"},
                                 {"duration_seconds", 41.217},
                                 {"symbols_processed", 30},
                                 {"symbols_failed", 0},
                                 {"records_imported", 30},
                                 {"indicators_calculated", 1160},
                                 {"patterns_detected", 14},
                                 {"error", nullptr}}),
            "run r-1 completed in 41.2s: 30 symbols processed, 0 failed; 30 records imported, 1160 indicator "
            "values, 14 patterns");
  EXPECT_EQ(render_gap({"r-1", true, 8, 10}),
            "warning: seq gap in run r-1: expected 8, got 10 (2 events missed)");
  EXPECT_EQ(render_gap({"eng", false, 3, 4}),
            "warning: seq gap in engine eng: expected 3, got 4 (1 event missed)");
}

TEST(CtlRender, BarLines) {
  client::PhaseBar b;
  b.phase = Phase::cache_sync;
  EXPECT_EQ(render_bar_line(b, 10), "cache_sync [..........]  pending");
  b.started = true;
  b.completed = 12;
  b.failed = 1;
  b.total = 30;
  b.percent = 40;
  b.eta_seconds = 4;
  b.current_symbol = "MSFT";
  EXPECT_EQ(render_bar_line(b, 10), "cache_sync [####......]  40.0%  12/30  1 failed  eta 4.0s  MSFT");
  b.done = true;
  b.completed = 30;
  b.percent = 100;
  b.status = "completed_with_errors";
  b.duration_seconds = 12.5;
  EXPECT_EQ(render_bar_line(b, 10),
            "cache_sync [##########] 100.0%  30/30  1 failed  completed_with_errors in 12.5s");
  b.percent = 250;  // clamped
  EXPECT_TRUE(has(render_bar_line(b, 10), "[##########] 100.0%"));
}

/// Feeds a short run through a view and returns what it wrote.
std::string play(bool tty, std::size_t columns = 0) {
  using protocol::Event;
  std::ostringstream out;
  ProgressView view(out, tty, 10, columns);
  client::RunProgress run("r-1");
  auto feed = [&](Event ev, json p) {
    p["run_id"] = "r-1";
    view.update(run, run.apply(env(ev, p)));
  };
  feed(Event::processing_started, {{"phases", {"import", "patterns"}}});
  feed(Event::import_started, {{"phase", "import"}, {"total_symbols", 4}});
  for (int i = 1; i <= 4; ++i)
    feed(Event::import_progress, {{"phase", "import"},
                                  {"completed_symbols", i},
                                  {"total_symbols", 4},
                                  {"failed_symbols", i >= 2 ? 1 : 0},
                                  {"percent_complete", 25.0 * i}});
  feed(Event::error,
       {{"severity", "warning"}, {"component", "import"}, {"error_code", "BAD_DATA"}, {"message", "m"}});
  feed(Event::import_completed, {{"phase", "import"},
                                 {"status", "completed_with_errors"},
                                 {"total_symbols", 4},
                                 {"successful_symbols", 3},
                                 {"failed_symbols", 1},
                                 {"duration_seconds", 2},
                                 {"records_imported", 3}});
  feed(Event::processing_completed, {{"status", "completed_with_errors"}});
  view.note(run, "warning: a note");
  return out.str();
}

TEST(CtlProgressView, PlainLines) {
  const std::string out = play(false);
  EXPECT_EQ(out,
            "import: started, 4 symbols\n"
            "import: 25% (1/4, 0 failed)\n"
            "import: 50% (2/4, 1 failed)\n"
            "import: 75% (3/4, 1 failed)\n"
            "  warning import: BAD_DATA m\n"
            "import: completed_with_errors, 3 ok, 1 failed, 3 records_imported, 2.0s\n"
            "warning: a note\n");
}

TEST(CtlProgressView, TtyRedrawsInPlace) {
  const std::string out = play(true);
  // Two bars, redrawn by moving up two lines and clearing the rest of the screen.
  EXPECT_TRUE(has(out, "\x1b[2A\r\x1b[J")) << out;
  EXPECT_TRUE(has(out,
                  "import     [##########] 100.0%  4/4  1 failed  completed_with_errors in 2.0s\n"
                  "patterns   [..........]  pending\n"))
      << out;
  // A failure is printed above the bars, then the bars again.
  EXPECT_TRUE(has(out, "\x1b[J  warning import: BAD_DATA m\nimport     [")) << out;
  // The final frame: the note, then both bars.
  EXPECT_TRUE(out.ends_with(
      "warning: a note\nimport     [##########] 100.0%  4/4  1 failed  completed_with_errors in "
      "2.0s\npatterns   [..........]  pending\n"))
      << out;
}

TEST(CtlProgressView, TtyBarsFitTheTerminal) {
  const std::string out = play(true, 30);
  // Cut to 29 columns: a wrapped line would throw the cursor arithmetic off.
  EXPECT_TRUE(out.ends_with("import     [##########] 100.0\npatterns   [..........]  pend\n")) << out;
}

}  // namespace
}  // namespace ts::app
