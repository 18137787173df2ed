#include "protocol/commands.hpp"

#include <gtest/gtest.h>

#include <set>

#include "protocol/events.hpp"
#include "protocol/test_support.hpp"

namespace ts::protocol {
namespace {

using nlohmann::json;

// The dashboard team's assumed trigger message, exactly as in their document
// (../shared/seed): it must start a run unchanged.
constexpr std::string_view kSeedTrigger = R"({
    "command": "trigger_daily_processing",
    "parameters": {
        "skip_market_check": false,
        "phases": ["data_import", "indicators", "patterns"],
        "run_id": "uuid-here"
    },
    "source": "TickStockAppV2",
    "timestamp": "2025-09-26T16:00:00Z"
})";

RequestIdGenerator ids() {
  return [n = 0]() mutable { return "gen-" + std::to_string(++n); };
}

CommandFailure decode_fail(std::string_view raw, std::size_t max = kMaxCommandBytes) {
  auto r = decode_command(raw, ids(), max);
  EXPECT_FALSE(r.ok()) << raw;
  return r.ok() ? CommandFailure{} : std::move(r).error();
}

CommandRequest decode_ok(std::string_view raw) {
  auto r = decode_command(raw, ids());
  EXPECT_TRUE(r.ok()) << raw << " -> " << (r.ok() ? "" : r.error().error.message);
  return r.ok() ? std::move(r).value() : CommandRequest{};
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST(Commands, SeedTriggerIsAcceptedUnchanged) {
  const CommandRequest r = decode_ok(kSeedTrigger);
  EXPECT_EQ(r.command, Command::trigger_daily_processing);
  EXPECT_EQ(r.request_id, "gen-1");  // generated: the seed sends none
  EXPECT_EQ(r.source, "TickStockAppV2");
  EXPECT_EQ(r.timestamp, "2025-09-26T16:00:00Z");
  EXPECT_EQ(r.reply_to, "tickstock:commands:replies");
  EXPECT_EQ(r.parameters,
            json::parse(R"({"skip_market_check": false, "phases": ["import", "indicators", "patterns"],
      "run_id": "uuid-here", "full": false, "publish_indicator_values": false})"));
  // The seed validates against the published request schema as well.
  EXPECT_TRUE(testing::schemas().is_valid("commands/request.json", json::parse(kSeedTrigger)))
      << to_string(testing::schemas().validate("commands/request.json", json::parse(kSeedTrigger)));
}

TEST(Commands, SeedDocumentStillContainsTheTriggerWeAccept) {
  // When the seed is checked out beside the repo, make sure our copy is the seed's text.
  const auto dir = std::filesystem::path(TICKSTOCK_SOURCE_DIR).parent_path() / "shared" / "seed";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no " << dir;
  bool found = false;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string text = testing::read_text(e.path());
    found = found || text.find(kSeedTrigger) != std::string::npos;
  }
  EXPECT_TRUE(found) << "the seed's trigger JSON changed; update kSeedTrigger and the decoder";
}

TEST(Commands, PhasesAreNormalised) {
  auto phases = [](std::string list) {
    return decode_ok(R"({"command":"trigger_daily_processing","parameters":{"phases":)" + list + "}}")
        .parameters["phases"];
  };
  EXPECT_EQ(phases(R"(["all"])"), json::parse(R"(["import","cache_sync","indicators","patterns"])"));
  EXPECT_EQ(phases(R"(["patterns","cache","data_import","patterns"])"),
            json::parse(R"(["import","cache_sync","patterns"])"));
  EXPECT_EQ(decode_ok(R"({"command":"trigger_daily_processing"})").parameters["phases"].size(), 4u);
}

TEST(Commands, DefaultsAndClientFields) {
  const auto r = decode_ok(
      R"({"command":"get_processing_history","request_id":"req-42","reply_to":"tickstock:commands:replies:dash-1"})");
  EXPECT_EQ(r.request_id, "req-42");
  EXPECT_EQ(r.reply_to, "tickstock:commands:replies:dash-1");
  EXPECT_EQ(r.parameters, json::parse(R"({"limit":50})"));
  EXPECT_EQ(decode_ok(R"({"command":"get_processing_status","parameters":{}})").parameters, json::object());
  // update_schedule is a partial update: no defaults.
  EXPECT_EQ(decode_ok(R"({"command":"update_schedule","parameters":{"enabled":false}})").parameters,
            json::parse(R"({"enabled":false})"));
  // Symbols keep their order, duplicates dropped; 5.0 is an integer.
  EXPECT_EQ(decode_ok(R"({"command":"trigger_indicators","parameters":{"symbols":["MSFT","AAPL","MSFT"]}})")
                .parameters["symbols"],
            json::parse(R"(["MSFT","AAPL"])"));
  EXPECT_EQ(
      decode_ok(R"({"command":"get_processing_history","parameters":{"limit":5.0}})").parameters["limit"], 5);
}

TEST(Commands, ErrorCodesForEachFailure) {
  auto f = decode_fail(R"({"command": "trigger_daily_processing", "parameters": {)");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_json);
  EXPECT_TRUE(f.error.details.contains("position"));
  EXPECT_TRUE(contains(f.error.message, "byte")) << f.error.message;
  EXPECT_EQ(f.reply_to, "tickstock:commands:replies");
  EXPECT_EQ(f.request_id, "gen-1");

  // A number JSON cannot hold is INVALID_JSON too, not an exception (fuzzer find).
  f = decode_fail(R"({"command": "get_processing_history", "parameters": {"limit": 1e999}})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_json);
  EXPECT_TRUE(contains(f.error.message, "number overflow")) << f.error.message;
  // So is a huge integer: a range error naming the parameter, never a crash.
  for (const char* big : {"20990000000000000000099", "18446744073709551615", "-1e300", "9.3e18"}) {
    f = decode_fail(std::string(R"({"command": "get_processing_history", "parameters": {"limit": )") + big + "}}");
    EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter) << big;
    EXPECT_TRUE(contains(f.error.message, "'limit' is out of range")) << f.error.message;
  }
  auto http = decode_http_command({"POST", "/api/processing/trigger-manual", "", R"({"x": -1e99999})"},
                                  [] { return std::string("gen-h"); });
  ASSERT_FALSE(http);
  EXPECT_EQ(http.error().error.code, ErrorCode::invalid_json);

  f = decode_fail(std::string(70000, ' '));
  EXPECT_EQ(f.error.code, ErrorCode::payload_too_large);
  EXPECT_TRUE(contains(f.error.message, "65536")) << f.error.message;
  f = decode_fail(R"({"command":"get_processing_status"})", 10);
  EXPECT_EQ(f.error.code, ErrorCode::payload_too_large);

  f = decode_fail(R"(["trigger_daily_processing"])");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "object")) << f.error.message;

  f = decode_fail(R"({"parameters":{}})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "'command' is missing")) << f.error.message;

  f = decode_fail(R"({"command":42,"request_id":"r1"})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "'command' must be a string, got integer")) << f.error.message;
  EXPECT_EQ(f.request_id, "r1");

  f = decode_fail(R"({"command":"trigger_daily_processing","params":{"symbols":["AAPL"]}})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "'params' is not a command field")) << f.error.message;

  f = decode_fail(R"({"command":"get_run","parameters":["x"]})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "'parameters' must be an object")) << f.error.message;

  f = decode_fail(R"({"command":"get_run","timestamp":"yesterday"})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_TRUE(contains(f.error.message, "'timestamp'")) << f.error.message;

  f = decode_fail(
      R"({"command":"get_run","reply_to":"tickstock:commands:trigger","parameters":{"run_id":"a"}})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  EXPECT_EQ(f.reply_to, "tickstock:commands:replies");  // never reply onto a command channel
  EXPECT_TRUE(contains(f.error.message, "'reply_to'")) << f.error.message;

  f = decode_fail(R"({"command":"trigger_everything","request_id":"r9","reply_to":"my:replies"})");
  EXPECT_EQ(f.error.code, ErrorCode::unknown_command);
  EXPECT_TRUE(contains(f.error.message, "'trigger_everything'")) << f.error.message;
  EXPECT_EQ(f.command, "trigger_everything");
  EXPECT_EQ(f.request_id, "r9");
  EXPECT_EQ(f.reply_to, "my:replies");
  EXPECT_EQ(f.error.details["known"].size(), kCommands.size());
}

TEST(Commands, InvalidParametersAreNamedWithTheReason) {
  struct Case {
    const char* raw;
    const char* parameter;
    const char* message_part;
  };
  const Case cases[] = {
      {R"({"command":"trigger_daily_processing","parameters":{"symbols":["AAPL","AAPL;DROP"]}})", "symbols",
       "item 1 invalid symbol 'AAPL;DROP'"},
      {R"({"command":"trigger_daily_processing","parameters":{"symbols":"AAPL"}})", "symbols",
       "must be an array, got string"},
      {R"({"command":"trigger_daily_processing","parameters":{"symbols":[]}})", "symbols", "at least 1"},
      {R"({"command":"trigger_daily_processing","parameters":{"symbols":[1]}})", "symbols",
       "item 0 must be a string"},
      {R"({"command":"trigger_daily_processing","parameters":{"run_id":"bad id!"}})", "run_id",
       "'bad id!' is not a run id"},
      {R"({"command":"trigger_daily_processing","parameters":{"run_id":")"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       R"("}})",
       "run_id", "is not a run id"},
      {R"({"command":"trigger_daily_processing","parameters":{"skip_market_check":"false"}})",
       "skip_market_check", "must be a boolean, got string"},
      {R"({"command":"trigger_daily_processing","parameters":{"phases":["import","backtest"]}})", "phases",
       "'backtest' is not a phase"},
      {R"({"command":"trigger_daily_processing","parameters":{"universe":"dow30","symbols":["AAPL"]}})",
       "symbols", "cannot be combined with 'universe'"},
      {R"({"command":"trigger_daily_processing","parameters":{"universe":"../etc"}})", "universe",
       "is not a universe name"},
      {R"({"command":"trigger_daily_processing","parameters":{"dry_run":true}})", "dry_run",
       "is unknown (accepted: skip_market_check, phases, universe, symbols, full, publish_indicator_values, "
       "run_id)"},
      {R"({"command":"get_processing_status","parameters":{"verbose":true}})", "verbose",
       "takes no parameters"},
      {R"({"command":"get_processing_history","parameters":{"limit":500}})", "limit",
       "must be between 1 and 200, got 500"},
      {R"({"command":"get_processing_history","parameters":{"limit":0}})", "limit", "between 1 and 200"},
      {R"({"command":"get_processing_history","parameters":{"limit":2.5}})", "limit", "must be an integer"},
      {R"({"command":"get_processing_history","parameters":{"limit":true}})", "limit", "must be an integer"},
      {R"({"command":"get_processing_history","parameters":{"days":0}})", "days", "between 1 and 3650"},
      {R"({"command":"get_processing_history","parameters":{"status":"done"}})", "status",
       "is not a run status"},
      {R"({"command":"get_processing_history","parameters":{"trigger_type":"cron"}})", "trigger_type",
       "is not a trigger type"},
      {R"({"command":"get_processing_history","parameters":{"cursor":"a b"}})", "cursor", "is not a cursor"},
      {R"({"command":"get_run","parameters":{}})", "run_id", "is required"},
      {R"({"command":"get_run","parameters":{"run_id":null}})", "run_id", "must be a string, got null"},
      {R"({"command":"retry_failed_imports","parameters":{"run_id":"r1","symbols":["brk.b"]}})", "symbols",
       "invalid symbol 'brk.b'"},
      {R"({"command":"trigger_indicators","parameters":{"timeframe":"hourly"}})", "timeframe",
       "not a supported timeframe"},
      {R"({"command":"trigger_indicators","parameters":{"indicators":["SMA(timeperiod=20"]}})", "indicators",
       "is not an indicator"},
      {R"({"command":"trigger_patterns","parameters":{"patterns":["Golden Cross"]}})", "patterns",
       "is not a pattern name"},
      {R"({"command":"update_schedule","parameters":{"trigger_time":"24:00"}})", "trigger_time",
       "is not a time HH:MM"},
      {R"({"command":"update_schedule","parameters":{"trigger_time":"9:30"}})", "trigger_time", "HH:MM"},
      {R"({"command":"update_schedule","parameters":{"timezone":"New York"}})", "timezone",
       "is not an IANA time zone name"},
      {R"({"command":"update_schedule","parameters":{"universes":[]}})", "universes", "at least 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.raw);
    const auto f = decode_fail(c.raw);
    EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter) << f.error.message;
    EXPECT_EQ(f.error.details.value("parameter", ""), c.parameter);
    EXPECT_TRUE(contains(f.error.message, c.message_part)) << f.error.message;
    EXPECT_TRUE(contains(f.error.message, "parameter '" + std::string(c.parameter) + "'")) << f.error.message;
  }
  const auto f = decode_fail(R"({"command":"update_schedule","parameters":{}})");
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
  EXPECT_TRUE(contains(f.error.message, "update_schedule needs at least one parameter")) << f.error.message;
}

/// A value every check of the table accepts, for filling required parameters.
json valid_sample(const ParamSpec& p) {
  switch (p.check) {
    case ParamCheck::symbol:
      return "AAPL";
    case ParamCheck::indicator_names:
      return json::array({"RSI"});
    case ParamCheck::expression:
      return "close > 1";
    case ParamCheck::date:
      return "2024-01-02";
    default:
      return p.type == JsonType::array ? json::array({"AAPL"}) : json("r1");
  }
}

// Walks the whole table: every parameter rejects a value of the wrong JSON type,
// every required parameter is enforced, and every default validates.
TEST(Commands, GenericTableWalk) {
  for (const auto& c : kCommands) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(find_command(c.name), &c);
    for (const auto& p : c.params) {
      SCOPED_TRACE(std::string(p.name));
      json base = json::object();
      for (const auto& q : c.params)
        if (q.required) base[q.name] = valid_sample(q);
      json bad = base;
      bad[p.name] = p.type == JsonType::string ? json(17) : json("x");
      auto r = validate_parameters(c, bad);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, ErrorCode::invalid_parameter);
      EXPECT_EQ(r.error().details["parameter"], p.name);
      if (!p.default_json.empty()) {
        auto ok = validate_parameters(c, base);
        ASSERT_TRUE(ok.ok()) << ok.error().message;
        EXPECT_TRUE(ok->contains(p.name));
      }
      if (p.required) {
        auto missing = validate_parameters(c, json::object());
        ASSERT_FALSE(missing.ok());
        EXPECT_TRUE(contains(missing.error().message, "is required"));
      }
    }
  }
}

TEST(ErrorCodes, TableAndHttpStatuses) {
  const std::set<int> allowed{400, 401, 404, 409, 413, 422, 500, 503};
  for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kErrorCodes[i].code), i);
    EXPECT_EQ(parse_error_code(kErrorCodes[i].name), kErrorCodes[i].code);
    EXPECT_TRUE(allowed.contains(kErrorCodes[i].http_status)) << kErrorCodes[i].name;
  }
  EXPECT_EQ(http_status(ErrorCode::invalid_json), 400);
  EXPECT_EQ(http_status(ErrorCode::invalid_parameter), 422);
  EXPECT_EQ(http_status(ErrorCode::already_running), 409);
  EXPECT_EQ(http_status(ErrorCode::payload_too_large), 413);
  EXPECT_EQ(http_status(ErrorCode::unauthorized), 401);
  EXPECT_EQ(http_status(ErrorCode::internal), 500);
  EXPECT_EQ(http_status(ErrorCode::storage_failed), 503);
  EXPECT_EQ(parse_error_code("NOPE"), std::nullopt);
  // error.json lists exactly the table's codes.
  std::set<std::string> in_schema;
  for (const auto& c : testing::schema_doc("error.json")["properties"]["code"]["enum"]) in_schema.insert(c);
  std::set<std::string> in_table;
  for (const auto& c : kErrorCodes) in_table.insert(std::string(c.name));
  EXPECT_EQ(in_schema, in_table);
}

TEST(Replies, RoundTripAndShape) {
  const CommandRequest req = decode_ok(kSeedTrigger);
  const Reply ok = make_ok_reply(req, {{"run_id", "uuid-here"}, {"status", "queued"}, {"existing", false}},
                                 "2026-03-09T20:05:00.120Z", "tickstock-engine/ts1:4242");
  const std::string s = encode_reply(ok);
  EXPECT_TRUE(
      s.starts_with(R"({"request_id":"gen-1","command":"trigger_daily_processing","ok":true,"result":)"))
      << s;
  EXPECT_TRUE(testing::schemas().is_valid("reply.json", json::parse(s)))
      << to_string(testing::schemas().validate("reply.json", json::parse(s)));
  auto back = decode_reply(s);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->ok);
  EXPECT_EQ(back->result["run_id"], "uuid-here");
  EXPECT_EQ(http_status(*back), 200);
  EXPECT_EQ(json::parse(http_body(*back))["status"], "queued");

  const Reply err = make_error_reply(req, already_running("run-7"), "2026-03-09T20:05:00.120Z",
                                     "tickstock-engine/ts1:4242");
  const std::string e = encode_reply(err);
  EXPECT_TRUE(testing::schemas().is_valid("reply.json", json::parse(e)))
      << to_string(testing::schemas().validate("reply.json", json::parse(e)));
  back = decode_reply(e);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->ok);
  EXPECT_EQ(back->error->code, ErrorCode::already_running);
  EXPECT_EQ(back->error->details["active_run_id"], "run-7");
  EXPECT_EQ(http_status(*back), 409);
  const json body = json::parse(http_body(*back));
  EXPECT_EQ(body["error"]["code"], "ALREADY_RUNNING");
  EXPECT_TRUE(testing::schemas().is_valid("http_error.json", body));

  // A decode failure becomes a valid reply too, on the right channel.
  const auto f = decode_fail("{oops");
  const std::string fr =
      encode_reply(make_error_reply(f, "2026-03-09T20:05:00.120Z", "tickstock-engine/ts1:4242"));
  EXPECT_TRUE(testing::schemas().is_valid("reply.json", json::parse(fr)))
      << to_string(testing::schemas().validate("reply.json", json::parse(fr)));

  for (
      const char* bad :
      {R"({"request_id":"a","command":"c","ok":true,"timestamp":"t","source":"s"})",
       R"({"request_id":"a","command":"c","ok":false,"error":{"code":"NOPE","message":"m"},"timestamp":"t","source":"s"})",
       R"({"request_id":"a","command":"c","ok":true,"result":{},"error":{},"timestamp":"t","source":"s"})",
       R"({"request_id":"a","command":"c","ok":"yes","result":{},"timestamp":"t","source":"s"})",
       R"({"request_id":"a","command":"c","ok":true,"result":{},"timestamp":"t","source":"s","x":1})",
       "[]"}) {
    SCOPED_TRACE(bad);
    const auto r = decode_reply(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "INVALID_REPLY");
  }
  EXPECT_EQ(decode_reply("{").error().code, "INVALID_JSON");
}

TEST(Replies, DispatcherErrorsReadWell) {
  EXPECT_EQ(run_not_found("abc").code, ErrorCode::not_found);
  EXPECT_TRUE(contains(run_not_found("abc").message, "'abc'"));
  const auto mc = market_closed("2026-04-03", "Good Friday");
  EXPECT_EQ(mc.code, ErrorCode::market_closed);
  EXPECT_TRUE(contains(mc.message, "skip_market_check")) << mc.message;
  EXPECT_EQ(unauthorized("missing bearer token").code, ErrorCode::unauthorized);
  EXPECT_EQ(internal_error("database locked").code, ErrorCode::internal);
  const auto sf = storage_failed("sqlite: BEGIN IMMEDIATE: database is locked");
  EXPECT_EQ(sf.code, ErrorCode::storage_failed);
  EXPECT_TRUE(contains(sf.message, "database is locked")) << sf.message;
}

TEST(Commands, EncodeCommandRoundTrips) {
  CommandRequest r{Command::get_run,           "req-1",
                   {{"run_id", "abc"}},        "ctl",
                   "2026-03-09T20:05:00.120Z", "tickstock:commands:replies:ctl-1"};
  const auto back = decode_ok(encode_command(r));
  EXPECT_EQ(back.command, Command::get_run);
  EXPECT_EQ(back.request_id, "req-1");
  EXPECT_EQ(back.parameters, r.parameters);
  EXPECT_EQ(back.reply_to, r.reply_to);
}

// ---- HTTP ---------------------------------------------------------------------------
TEST(Http, EveryCommandHasAUniqueRoute) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& c : kCommands) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_TRUE(seen.insert({c.route.method, c.route.path}).second);
    EXPECT_TRUE(c.route.path.starts_with("/api/"));
    EXPECT_EQ(c.mutating, c.route.method != "GET");
    std::string path(c.route.path);
    if (const auto b = path.find("{run_id}"); b != std::string::npos) path.replace(b, 8, "run-1");
    const auto m = match_route(c.route.method, path);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->spec, &c);
  }
  EXPECT_EQ(match_route("GET", "/api/processing/runs/abc")->run_id, "abc");
  EXPECT_FALSE(match_route("GET", "/api/processing/runs/").has_value());
  EXPECT_FALSE(match_route("GET", "/api/processing/runs/a/b").has_value());
  EXPECT_EQ(match_route("POST", "/api/processing/schedule")->spec->command, Command::update_schedule);
  EXPECT_EQ(match_route("GET", "/api/processing/schedule")->spec->command, Command::get_schedule);
}

CommandRequest http_ok(HttpRequestView v) {
  auto r = decode_http_command(v, ids());
  EXPECT_TRUE(r.ok()) << v.method << " " << v.path << " -> " << (r.ok() ? "" : r.error().error.message);
  return r.ok() ? std::move(r).value() : CommandRequest{};
}
CommandFailure http_fail(HttpRequestView v) {
  auto r = decode_http_command(v, ids());
  EXPECT_FALSE(r.ok());
  return r.ok() ? CommandFailure{} : std::move(r).error();
}

TEST(Http, SameCommandsOverHttp) {
  auto r = http_ok({"GET", "/api/processing/history", "days=7&limit=20&status=completed", ""});
  EXPECT_EQ(r.command, Command::get_processing_history);
  EXPECT_EQ(r.parameters, json::parse(R"({"days":7,"limit":20,"status":"completed"})"));
  EXPECT_EQ(r.source, "http");
  EXPECT_EQ(r.reply_to, "");

  r = http_ok({"GET", "/api/processing/runs/uuid-here", "", ""});
  EXPECT_EQ(r.command, Command::get_run);
  EXPECT_EQ(r.parameters["run_id"], "uuid-here");

  r = http_ok({"DELETE", "/api/processing/cancel", "run_id=abc", ""});
  EXPECT_EQ(r.parameters["run_id"], "abc");
  r = http_ok({"DELETE", "/api/processing/cancel", "", ""});
  EXPECT_EQ(r.parameters, json::object());

  // The seed's parameters as a POST body.
  r = http_ok(
      {"POST", "/api/processing/trigger-manual", "",
       R"({"skip_market_check": false, "phases": ["data_import", "indicators", "patterns"], "run_id": "uuid-here"})"});
  EXPECT_EQ(r.parameters["phases"], json::parse(R"(["import","indicators","patterns"])"));

  r = http_ok({"POST", "/api/processing/trigger-indicators", "symbols=AAPL,MSFT&symbols=NVDA", ""});
  EXPECT_EQ(r.parameters["symbols"], json::parse(R"(["AAPL","MSFT","NVDA"])"));
  r = http_ok(
      {"POST", "/api/processing/trigger-manual", "skip_market_check=true&universe=dow%33%30", "  \n"});
  EXPECT_EQ(r.parameters["skip_market_check"], true);
  EXPECT_EQ(r.parameters["universe"], "dow30");
}

TEST(Http, QueryArraysSplitOnlyAtCommasOutsideParentheses) {
  auto r =
      http_ok({"GET", "/api/market/indicators",
               "symbol=AAPL&indicators=SMA(timeperiod%3D20,nbdev%3D1),RSI&indicators=BBANDS(timeperiod=20, "
               "nbdevup=2)",
               ""});
  EXPECT_EQ(r.command, Command::get_indicator_values);
  EXPECT_EQ(r.parameters["indicators"],
            json::parse(R"x(["SMA(timeperiod=20,nbdev=1)","RSI","BBANDS(timeperiod=20, nbdevup=2)"])x"));
  // Percent-encoded commas are commas too (decoding comes first); empty items are dropped.
  r = http_ok({"GET", "/api/market/indicators",
               "symbol=AAPL&indicators=RSI%2CMACD(fastperiod%3D3%2Cslowperiod%3D9),,", ""});
  EXPECT_EQ(r.parameters["indicators"], json::parse(R"x(["RSI","MACD(fastperiod=3,slowperiod=9)"])x"));
  // An unbalanced call stays one item and fails its check instead of splitting oddly.
  const auto f =
      http_fail({"GET", "/api/market/indicators", "symbol=AAPL&indicators=SMA(timeperiod=20,RSI", ""});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
  EXPECT_EQ(f.error.details["parameter"], "indicators");
  // Symbol lists keep splitting at every comma.
  r = http_ok({"POST", "/api/processing/trigger-indicators", "symbols=AAPL,MSFT", ""});
  EXPECT_EQ(r.parameters["symbols"], json::parse(R"(["AAPL","MSFT"])"));
}

TEST(Http, ReadCommandsOverHttp) {
  auto r = http_ok({"GET", "/api/market/bars", "symbol=AAPL&from=2024-01-02&to=2025-12-31", ""});
  EXPECT_EQ(r.command, Command::get_bars);
  EXPECT_EQ(r.parameters,
            json::parse(R"({"symbol":"AAPL","timeframe":"daily","from":"2024-01-02","to":"2025-12-31"})"));
  r = http_ok({"GET", "/api/patterns/detections", "direction=bearish&limit=5", ""});
  EXPECT_EQ(r.command, Command::get_pattern_detections);
  EXPECT_EQ(r.parameters, json::parse(R"({"direction":"bearish","limit":5})"));
  r = http_ok({"GET", "/api/screen", "expression=RSI(14)+%3C+30+AND+close+%3E+SMA(200)&universe=sp500", ""});
  EXPECT_EQ(r.command, Command::screen);
  EXPECT_EQ(r.parameters["expression"], "RSI(14) < 30 AND close > SMA(200)");
  EXPECT_EQ(r.parameters["limit"], 100);
  EXPECT_EQ(http_ok({"GET", "/api/universes", "", ""}).command, Command::list_universes);
  r = http_ok({"GET", "/api/symbols", "prefix=AA&limit=3", ""});
  EXPECT_EQ(r.parameters, json::parse(R"({"prefix":"AA","limit":3})"));
}

TEST(Commands, ReadCommandParametersAreChecked) {
  auto reason = [](const char* command, json params) {
    auto r = validate_parameters(*find_command(command), params);
    EXPECT_FALSE(r.ok()) << command << " " << params.dump();
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_TRUE(contains(reason("get_bars", json::object()), "'symbol' is required"));
  EXPECT_TRUE(contains(reason("get_bars", {{"symbol", "aapl"}}), "symbol"));
  EXPECT_TRUE(
      contains(reason("get_bars", {{"symbol", "AAPL"}, {"from", "2024-02-30"}}), "not a date YYYY-MM-DD"));
  EXPECT_TRUE(contains(reason("get_bars", {{"symbol", "AAPL"}, {"from", "2024/01/02"}}), "not a date"));
  EXPECT_TRUE(contains(reason("get_bars", {{"symbol", "AAPL"}, {"to", "24-01-02"}}), "not a date"));
  EXPECT_TRUE(contains(reason("get_bars", {{"symbol", "AAPL"}, {"from", "2025-01-02"}, {"to", "2024-01-02"}}),
                       "'from' must not be after 'to' (2025-01-02 > 2024-01-02)"));
  EXPECT_TRUE(validate_parameters(*find_command("get_bars"),
                                  {{"symbol", "AAPL"}, {"from", "2024-02-29"}, {"to", "2024-02-29"}})
                  .ok());
  EXPECT_TRUE(contains(reason("get_indicator_values", {{"symbol", "AAPL"}}), "'indicators' is required"));
  EXPECT_TRUE(contains(reason("get_indicator_values", {{"symbol", "AAPL"}, {"indicators", json::array()}}),
                       "at least 1"));
  EXPECT_TRUE(contains(reason("get_pattern_detections", {{"direction", "up"}}), "not a direction"));
  EXPECT_TRUE(contains(reason("get_pattern_detections", {{"limit", 501}}), "between 1 and 500"));
  EXPECT_TRUE(
      contains(reason("get_pattern_detections", {{"from", "2024-05-01"}, {"to", "2024-04-30"}}), "after"));
  EXPECT_TRUE(contains(reason("screen", {{"expression", std::string(513, 'x')}}), "length outside 1..512"));
  EXPECT_TRUE(contains(reason("screen", {{"expression", ""}}), "length outside"));
  EXPECT_TRUE(contains(reason("screen", {{"expression", "close > 1\n"}}), "printable ASCII"));
  EXPECT_TRUE(contains(reason("screen", {{"expression", "close > 1"}, {"limit", 0}}), "between"));
  EXPECT_TRUE(contains(reason("list_symbols", {{"prefix", "a"}}), "not the start of a symbol"));
  EXPECT_TRUE(validate_parameters(*find_command("list_symbols"), {{"prefix", ""}}).ok());
  EXPECT_TRUE(contains(reason("list_universes", {{"x", 1}}), "takes no parameters"));
}

TEST(Http, ErrorsOverHttp) {
  auto f = http_fail({"GET", "/api/processing/nothing", "", ""});
  EXPECT_EQ(f.error.code, ErrorCode::unknown_command);
  EXPECT_EQ(http_status(f.error.code), 404);
  f = http_fail({"GET", "/api/processing/cancel", "", ""});
  EXPECT_EQ(f.error.code, ErrorCode::unknown_command);
  EXPECT_TRUE(contains(f.error.message, "DELETE serves cancel_processing")) << f.error.message;

  f = http_fail({"GET", "/api/processing/history", "limit=abc", ""});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
  EXPECT_TRUE(contains(f.error.message, "'limit' must be an integer, got 'abc'")) << f.error.message;
  f = http_fail({"GET", "/api/processing/history", "limit=1000", ""});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
  f = http_fail({"GET", "/api/processing/history", "limit=5&limit=6", ""});
  EXPECT_TRUE(contains(f.error.message, "more than once")) << f.error.message;
  f = http_fail({"GET", "/api/processing/history", "bogus=1", ""});
  EXPECT_TRUE(contains(f.error.message, "'bogus' is unknown")) << f.error.message;
  f = http_fail({"GET", "/api/processing/history", "status=%zz", ""});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
  f = http_fail({"POST", "/api/processing/trigger-manual", "full=maybe", ""});
  EXPECT_TRUE(contains(f.error.message, "must be true or false")) << f.error.message;

  f = http_fail({"POST", "/api/processing/trigger-manual", "", "{\"phases\": "});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_json);
  EXPECT_EQ(f.command, "trigger_daily_processing");
  f = http_fail({"POST", "/api/processing/trigger-manual", "", "[1]"});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_command);
  f = http_fail({"POST", "/api/processing/trigger-manual", "", std::string(kMaxCommandBytes + 1, ' ')});
  EXPECT_EQ(f.error.code, ErrorCode::payload_too_large);
  f = http_fail({"POST", "/api/processing/trigger-manual", "full=true", R"({"full": false})"});
  EXPECT_TRUE(contains(f.error.message, "both in the query and in the body")) << f.error.message;
  f = http_fail({"GET", "/api/processing/runs/abc", "run_id=def", ""});
  EXPECT_TRUE(contains(f.error.message, "both in the path")) << f.error.message;
  f = http_fail({"GET", "/api/processing/runs/a%20b", "", ""});
  EXPECT_EQ(f.error.code, ErrorCode::invalid_parameter);
}

}  // namespace
}  // namespace ts::protocol
