#include "protocol/payloads.hpp"

#include <gtest/gtest.h>

#include <set>

#include "protocol/commands.hpp"
#include "protocol/envelope.hpp"
#include "protocol/events.hpp"
#include "protocol/test_support.hpp"

namespace ts::protocol {
namespace {

using nlohmann::json;
using testing::schemas;

#define EXPECT_SCHEMA_VALID(uri, value)                                                    \
  do {                                                                                     \
    const json v_ = (value);                                                               \
    const auto errs_ = schemas().validate(uri, v_);                                        \
    EXPECT_TRUE(errs_.empty()) << (uri) << ": " << to_string(errs_) << "\n" << v_.dump(2); \
  } while (0)

const std::string kRun = "3f0e2b7c-8d1a-4c55-9e0f-6a7b8c9d0e1f";

PhaseSummary summary(Phase p) { return {p, "completed_with_errors", 30, 29, 1, 12.5, 29}; }

RunSummary run_summary(RunStatus st) {
  RunSummary r;
  r.run_id = kRun;
  r.status = st;
  r.trigger_type = TriggerType::api;
  r.run_date = "2026-03-09";
  r.universe = "dow30";
  r.phases = {kAllPhases.begin(), kAllPhases.end()};
  r.started_at = "2026-03-09T20:10:00.004Z";
  r.finished_at = is_terminal(st) ? "2026-03-09T20:10:41.221Z" : "";
  r.duration_seconds = 41.217;
  r.symbols_total = 30;
  r.symbols_processed = 29;
  r.symbols_failed = 1;
  r.records_imported = 29;
  r.indicators_calculated = 1160;
  r.patterns_detected = 14;
  r.error = st == RunStatus::failed ? "phase import below the success threshold" : "";
  return r;
}

Schedule schedule() {
  Schedule s;
  s.universes = {"dow30"};
  s.phases = {kAllPhases.begin(), kAllPhases.end()};
  s.next_fire = NextFire{"2026-03-09T16:10:00-04:00", "2026-03-09T20:10:00.000Z", false};
  return s;
}

/// One representative payload for every event of the registry.
json payload_for(Event e) {
  const EventInfo& i = info(e);
  switch (i.kind) {
    case PayloadKind::run_started:
      return run_started_payload({kRun,
                                  "2026-03-09",
                                  {Phase::import, Phase::indicators},
                                  "dow30",
                                  30,
                                  TriggerType::api,
                                  {{"full", false}},
                                  ""});
    case PayloadKind::phase_started:
      return phase_started_payload({kRun, *i.phase, 30});
    case PayloadKind::phase_progress:
      return phase_progress_payload({kRun, *i.phase, 12, 1, 30, "MSFT", 3.5, 12});
    case PayloadKind::phase_completed:
      return phase_completed_payload(kRun, summary(*i.phase));
    case PayloadKind::run_finished: {
      RunFinished f{kRun, RunStatus::completed_with_errors, 41.2, 29, 1, 29, 1160, 14, {}, "", ""};
      for (const auto p : kAllPhases) f.phases.push_back(summary(p));
      if (e == Event::processing_failed) f.status = RunStatus::failed, f.error = "import below threshold";
      if (e == Event::processing_cancelled)
        f.status = RunStatus::cancelled, f.error = "cancelled after import";
      if (e == Event::processing_interrupted) f.status = RunStatus::interrupted, f.error = "SIGTERM";
      EXPECT_EQ(terminal_event(f.status), e);
      return run_finished_payload(f);
    }
    case PayloadKind::indicator_values:
      return indicator_values_payload({kRun,
                                       "AAPL",
                                       Timeframe::daily,
                                       "BBANDS",
                                       {{"timeperiod", 20}, {"nbdevup", 2.0}},
                                       "2026-03-09",
                                       {{"upperband", 192.1}, {"middleband", 186.4}, {"lowerband", 180.7}}});
    case PayloadKind::pattern_detection:
      return pattern_detection_payload({kRun,
                                        "BRK.B",
                                        Timeframe::weekly,
                                        "golden_cross",
                                        "bullish",
                                        100,
                                        0.72,
                                        "2026-03-09",
                                        {187.42, std::nullopt, std::nullopt, 180.0}});
    case PayloadKind::schedule_updated:
      return schedule_updated_payload({schedule(), "TickStockAppV2"});
    case PayloadKind::schedule_skipped:
      return schedule_skipped_payload({"2026-04-03T20:10:00.000Z", "2026-04-03T16:10:00-04:00",
                                       SkipReason::holiday, "Good Friday", "", schedule().next_fire});
    case PayloadKind::heartbeat:
      return heartbeat_payload({"tickstock-engine/ts1:4242", "0.1.0", 3605.2, EngineState::running, kRun,
                                "2026-03-10T20:10:00.000Z"});
    case PayloadKind::error:
      return error_payload({Severity::warning, "import", "BAD_DATA", "AAPL.csv:17: high 9.5 < close 10.2",
                            "AAPL", kRun, 30.0, "symbol_skipped"});
  }
  return {};
}

TEST(Payloads, EveryEventPayloadValidatesAgainstItsSchema) {
  Sequencer seq;
  for (const auto& i : kEvents) {
    SCOPED_TRACE(std::string(i.name));
    ASSERT_TRUE(schemas().contains(payload_schema_path(i.event)))
        << "missing " << payload_schema_path(i.event);
    const json p = payload_for(i.event);
    EXPECT_SCHEMA_VALID(payload_schema_path(i.event), p);
    if (i.run_scoped) {
      EXPECT_EQ(p.value("run_id", ""), kRun);
    }
    // And wrapped in the envelope, through the strict decoder.
    Envelope env{"6f1c2a9e-4b7d-4f3e-9a51-0c2d8e7f1a23",
                 i.event,
                 "1.0",
                 "2026-03-09T20:11:02.417Z",
                 "tickstock-engine/ts1:4242",
                 seq.next(p.value("run_id", "")),
                 p};
    const std::string wire = encode_event(env);
    EXPECT_SCHEMA_VALID("envelope.json", json::parse(wire));
    const auto back = decode_event(wire);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->payload, p);
  }
}

TEST(Payloads, VariantsAndNulls) {
  // Unknowns are null, not missing.
  PhaseProgress pp{kRun, Phase::cache_sync, 0, 0, 0, "", std::nullopt, 0};
  json p = phase_progress_payload(pp);
  EXPECT_TRUE(p["current_symbol"].is_null());
  EXPECT_TRUE(p["eta_seconds"].is_null());
  EXPECT_EQ(p["percent_complete"], 100.0);  // nothing to do is done
  EXPECT_EQ(p["bars_resampled"], 0);
  EXPECT_SCHEMA_VALID("events/cache_progress.json", p);
  pp = {kRun, Phase::import, 1, 0, 3, "A", -2.0, 1};
  p = phase_progress_payload(pp);
  EXPECT_EQ(p["percent_complete"], 33.3);
  EXPECT_EQ(p["eta_seconds"], 0.0);  // never negative

  // A phase's payload does not validate as another phase's event.
  EXPECT_FALSE(schemas().is_valid("events/indicators_progress.json",
                                  phase_progress_payload({kRun, Phase::import, 1, 0, 2, "A", 1.0, 1})));
  EXPECT_FALSE(schemas().is_valid("events/import_completed.json",
                                  phase_completed_payload(kRun, summary(Phase::patterns))));

  // success_rate is a ratio, 1 when there was nothing to do.
  EXPECT_EQ(phase_completed_payload(kRun, {Phase::import, "completed", 0, 0, 0, 0, 0})["success_rate"], 1.0);
  EXPECT_EQ(phase_completed_payload(kRun, summary(Phase::import))["success_rate"], 0.9667);

  // Errors outside a run carry no run_id (they count in the engine's seq).
  ErrorEvent e{Severity::critical, "redis", "REDIS_UNREACHABLE", "connection refused", "", "", 2.0,
               "reconnecting"};
  p = error_payload(e);
  EXPECT_FALSE(p.contains("run_id"));
  EXPECT_EQ(p["context"], json::parse(R"({"retry_after":2.0})"));
  EXPECT_SCHEMA_VALID("events/error.json", p);
  e.recovery_action = "";
  EXPECT_EQ(error_payload(e)["recovery_action"], "none");

  // Heartbeat while idle, schedule disabled.
  p = heartbeat_payload({"tickstock-engine/h:1", "0.1.0", 1, EngineState::idle, "", ""});
  EXPECT_TRUE(p["current_run_id"].is_null());
  EXPECT_SCHEMA_VALID("events/heartbeat.json", p);

  // A run_active skip names the active run; no next fire when the schedule is off.
  p = schedule_skipped_payload({"2026-03-10T20:10:00.000Z", "2026-03-10T16:10:00-04:00",
                                SkipReason::run_active, "run still active", kRun, std::nullopt});
  EXPECT_EQ(p["active_run_id"], kRun);
  EXPECT_SCHEMA_VALID("events/schedule_skipped.json", p);
}

TEST(Results, EveryCommandResultValidates) {
  std::map<Command, json> results;
  results[Command::trigger_daily_processing] = run_accepted_result({kRun, RunStatus::queued, false, "", {}});
  results[Command::trigger_indicators] = run_accepted_result({"my-run_1", RunStatus::running, true, "", {}});
  results[Command::trigger_patterns] = run_accepted_result({kRun, RunStatus::queued, false, "", {}});
  results[Command::retry_failed_imports] =
      run_accepted_result({"retry-1", RunStatus::queued, false, kRun, {"AAPL", "BRK.B"}});
  results[Command::cancel_processing] = cancel_result(kRun, RunStatus::running, true);
  StatusSnapshot st;
  st.engine_id = "tickstock-engine/ts1:4242";
  st.engine_version = "0.1.0";
  st.uptime_seconds = 12;
  st.state = EngineState::running;
  st.current_run = run_summary(RunStatus::running);
  st.current_progress = PhaseProgress{kRun, Phase::indicators, 3, 0, 30, "MMM", 9.0, 120};
  st.last_run = run_summary(RunStatus::completed);
  st.next_scheduled_run = "2026-03-10T20:10:00.000Z";
  st.last_event_id = "6f1c2a9e-4b7d-4f3e-9a51-0c2d8e7f1a23";
  st.last_event_name = "indicators_progress";
  st.last_event_seq = 9;
  st.last_event_timestamp = "2026-03-09T20:10:20.000Z";
  st.last_stream_id = "1773087020000-0";
  st.updated_at = "2026-03-09T20:10:20.001Z";
  results[Command::get_processing_status] = status_snapshot(st);
  results[Command::get_processing_history] =
      history_result({run_summary(RunStatus::completed), run_summary(RunStatus::failed)}, "MjAyNi0wMy0wOQ==");
  results[Command::get_run] = run_detail_result(
      run_summary(RunStatus::completed_with_errors), {summary(Phase::import), summary(Phase::patterns)},
      {{"ZZZZ", Phase::import, "SYMBOL_NOT_FOUND", "no data for ZZZZ", 1}});
  results[Command::get_schedule] = schedule_json(schedule());
  Schedule off = schedule();
  off.enabled = false;
  off.next_fire.reset();
  results[Command::update_schedule] = schedule_json(off);
  // The read commands' results are built by service::ReadQueries from stored
  // rows; the integration tests validate real replies. Here their schema
  // examples stand in, and a few near misses must fail.
  for (const auto c : {Command::get_bars, Command::get_indicator_values, Command::get_pattern_detections,
                       Command::screen, Command::list_universes, Command::list_symbols})
    results[c] = testing::schema_doc(result_schema_path(c))["examples"][0];
  json bad = results[Command::screen];
  bad.erase("normalized");
  EXPECT_FALSE(schemas().is_valid(result_schema_path(Command::screen), bad));
  bad = results[Command::get_indicator_values];
  bad["indicators"][0]["source"] = "cached";
  EXPECT_FALSE(schemas().is_valid(result_schema_path(Command::get_indicator_values), bad));
  bad = results[Command::get_indicator_values];
  bad["indicators"][0]["values"][0]["real"] = "1.5";
  EXPECT_FALSE(schemas().is_valid(result_schema_path(Command::get_indicator_values), bad));
  bad = results[Command::get_bars];
  bad["bars"][0]["date"] = "2024-1-2";
  EXPECT_FALSE(schemas().is_valid(result_schema_path(Command::get_bars), bad));
  bad = results[Command::list_symbols];
  bad["symbols"][0]["last_close"] = "n/a";
  EXPECT_FALSE(schemas().is_valid(result_schema_path(Command::list_symbols), bad));
  for (const auto& c : kCommands) {
    SCOPED_TRACE(std::string(c.name));
    ASSERT_TRUE(results.contains(c.command)) << "no result sample";
    EXPECT_SCHEMA_VALID(result_schema_path(c.command), results[c.command]);
  }
  // Idle status with nothing yet; last page of history.
  StatusSnapshot fresh;
  fresh.engine_id = "tickstock-engine/ts1:4242";
  fresh.updated_at = "2026-03-09T20:10:20.001Z";
  EXPECT_SCHEMA_VALID("status.json", status_snapshot(fresh));
  EXPECT_TRUE(history_result({}, "")["next_cursor"].is_null());
  EXPECT_SCHEMA_VALID("commands/get_processing_history.result.json", history_result({}, ""));
  // A retry result must name its parent.
  EXPECT_FALSE(schemas().is_valid("commands/retry_failed_imports.result.json",
                                  run_accepted_result({kRun, RunStatus::queued, false, "", {}})));
}

TEST(Results, Health) {
  HealthReport h{"tickstock-engine/ts1:4242", "0.1.0", 5, {true, "ok"}, {true, "ok"}, {true, "leader"}};
  EXPECT_EQ(health_http_status(h), 200);
  EXPECT_EQ(health_json(h)["status"], "ok");
  EXPECT_SCHEMA_VALID("health.json", health_json(h));
  h.redis = {false, "connection refused"};
  EXPECT_EQ(health_http_status(h), 503);
  EXPECT_EQ(health_json(h)["status"], "degraded");
  EXPECT_SCHEMA_VALID("health.json", health_json(h));
}

// ---- the schemas themselves ----------------------------------------------------------
TEST(Schemas, UseOnlyTheValidatorsSubsetAndResolve) {
  EXPECT_TRUE(schemas().unsupported_keywords().empty())
      << ::testing::PrintToString(schemas().unsupported_keywords());
  EXPECT_TRUE(schemas().broken_references().empty())
      << ::testing::PrintToString(schemas().broken_references());
}

TEST(Schemas, EveryExampleValidatesAgainstItsOwnSchema) {
  int n = 0;
  for (const auto& uri : schemas().uris()) {
    const json& doc = testing::schema_doc(uri);
    if (!doc.contains("examples")) continue;
    for (const auto& ex : doc["examples"]) {
      ++n;
      EXPECT_SCHEMA_VALID(uri, ex);
    }
  }
  EXPECT_GE(n, 40);  // every event, command and reply schema carries one
}

TEST(Schemas, EnvelopeListsExactlyTheRegistry) {
  std::set<std::string> in_schema, in_registry;
  for (const auto& e : testing::schema_doc("envelope.json")["properties"]["event"]["enum"])
    in_schema.insert(e);
  for (const auto& e : kEvents) in_registry.insert(std::string(e.name));
  EXPECT_EQ(in_schema, in_registry);
  // No stray event schema either.
  std::set<std::string> files;
  for (const auto& uri : schemas().uris())
    if (uri.starts_with("events/")) files.insert(uri.substr(7, uri.size() - 12));
  EXPECT_EQ(files, in_registry);
}

// The parameter tables and the parameter schemas describe the same parameters.
TEST(Schemas, CommandParameterSchemasMatchTheRegistry) {
  std::set<std::string> in_request;
  for (const auto& c : testing::schema_doc("commands/request.json")["properties"]["command"]["enum"])
    in_request.insert(c);
  for (const auto& c : kCommands) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_TRUE(in_request.contains(std::string(c.name)));
    const json& doc = testing::schema_doc(params_schema_path(c.command));
    EXPECT_EQ(doc["additionalProperties"], false);
    std::set<std::string> props, required, table, table_required;
    for (const auto& [k, v] : doc["properties"].items()) props.insert(k);
    for (const auto& r : doc["required"]) required.insert(r);
    for (const auto& p : c.params) {
      table.insert(std::string(p.name));
      if (p.required) table_required.insert(std::string(p.name));
      const json& ps = doc["properties"][std::string(p.name)];
      if (!p.default_json.empty()) {
        EXPECT_EQ(ps.value("default", json()), json::parse(p.default_json)) << p.name;
      } else {
        EXPECT_FALSE(ps.contains("default")) << p.name;
      }
      // A value of the wrong JSON type fails both the table and the schema.
      const json wrong = p.type == JsonType::string ? json(17) : json("x");
      EXPECT_FALSE(schemas().is_valid(params_schema_path(c.command), json{{p.name, wrong}})) << p.name;
    }
    EXPECT_EQ(props, table);
    EXPECT_EQ(required, table_required);
    // The schema's example decodes, and its normalised form still validates.
    for (const auto& ex : doc["examples"]) {
      auto norm = validate_parameters(c, ex);
      ASSERT_TRUE(norm.ok()) << norm.error().message;
      EXPECT_SCHEMA_VALID(params_schema_path(c.command), *norm);
    }
    // A request for an unknown command matches no branch of request.json.
    EXPECT_FALSE(schemas().is_valid("commands/request.json", json{{"command", "nope"}}));
  }
}

// Decoder and schema agree on a set of borderline parameter sets.
TEST(Schemas, DecoderAndSchemaAgree) {
  const std::pair<const char*, const char*> cases[] = {
      {"trigger_daily_processing", R"({"universe":"dow30","symbols":["AAPL"]})"},
      {"trigger_daily_processing", R"({"symbols":["AAPL;DROP"]})"},
      {"trigger_daily_processing", R"({"phases":[]})"},
      {"trigger_daily_processing", R"({"phases":["cache","all"]})"},
      {"trigger_daily_processing", R"({"run_id":"uuid-here"})"},
      {"trigger_daily_processing", R"({"run_id":""})"},
      {"get_processing_history", R"({"limit":200,"days":1})"},
      {"get_processing_history", R"({"limit":201})"},
      {"get_processing_history", R"({"status":"completed_with_errors","trigger_type":"retry"})"},
      {"update_schedule", R"({})"},
      {"update_schedule", R"({"trigger_time":"23:59","timezone":"America/Argentina/Buenos_Aires"})"},
      {"update_schedule", R"({"trigger_time":"24:00"})"},
      {"update_schedule", R"({"timezone":"America//New_York"})"},
      {"trigger_indicators", R"x({"indicators":["SMA(timeperiod=20)","RSI"]})x"},
      {"trigger_indicators", R"({"indicators":["SMA(timeperiod=20"]})"},
      {"trigger_patterns", R"({"patterns":["golden_cross"],"timeframe":"monthly"})"},
      {"trigger_patterns", R"({"timeframe":"1min"})"},
      {"get_run", R"({"run_id":"a"})"},
      {"get_run", R"({})"},
      {"get_bars", R"({"symbol":"AAPL","from":"2024-01-02"})"},
      {"get_bars", R"({"symbol":"AAPL;DROP"})"},
      {"get_bars", R"({"from":"2024-01-02"})"},
      {"get_bars", R"({"symbol":"AAPL","timeframe":"hourly"})"},
      {"get_indicator_values", R"x({"symbol":"AAPL","indicators":["SMA(timeperiod=20)","RSI"]})x"},
      {"get_indicator_values", R"({"symbol":"AAPL","indicators":[]})"},
      {"get_pattern_detections", R"({"direction":"bullish","pattern":"engulfing","limit":500})"},
      {"get_pattern_detections", R"({"direction":"sideways"})"},
      {"get_pattern_detections", R"({"limit":0})"},
      {"screen", R"({"expression":"RSI(14) < 30","universe":"dow30","limit":1000})"},
      {"screen", R"({"expression":""})"},
      {"screen", R"({"universe":"dow30"})"},
      {"list_universes", R"({})"},
      {"list_universes", R"({"limit":1})"},
      {"list_symbols", R"({"prefix":"AB","limit":10000})"},
      {"list_symbols", R"({"prefix":"ab"})"},
      {"list_symbols", R"({"prefix":"ABCDEFGHIJK"})"},
  };
  for (const auto& [name, params] : cases) {
    SCOPED_TRACE(std::string(name) + " " + params);
    const CommandSpec* c = find_command(name);
    ASSERT_NE(c, nullptr);
    const json p = json::parse(params);
    EXPECT_EQ(validate_parameters(*c, p).ok(), schemas().is_valid(params_schema_path(c->command), p));
  }
}

}  // namespace
}  // namespace ts::protocol
