// The dashboard's read commands against a real engine after a real run (real
// redis-server, real SQLite): every reply is checked against the result schema
// and against what the storage layer holds; the screener's matches against an
// evaluation of the stored rows done here, independently of the engine.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "engine_support.hpp"
#include "server/http_client.hpp"

namespace ts::testing {
namespace {

const std::vector<std::string> kSymbols{"AAPL", "AMZN", "JPM", "KO",  "MSFT",
                                        "NVDA", "PG",   "XOM", "CVX", "HD"};

class ReadCommandsTest : public EngineFixture {
 protected:
  /// One full run over kSymbols (recorded as universe "custom").
  void run_once() {
    const auto reply = call("trigger_daily_processing", {{"symbols", kSymbols}, {"skip_market_check", true}});
    ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
    const std::string run_id = reply["result"]["run_id"];
    const auto terminal = wait_terminal(run_id);
    ASSERT_TRUE(terminal);
    ASSERT_EQ(protocol::to_string(terminal->event), "processing_completed") << terminal->payload.dump();
    daemon_->wait_idle();
  }

  /// A command's reply, checked against reply.json and (when ok) its result schema.
  json query(const std::string& command, json params = json::object()) {
    const json r = call(command, std::move(params));
    EXPECT_TRUE(protocol::testing::schemas().is_valid("reply.json", r))
        << protocol::to_string(protocol::testing::schemas().validate("reply.json", r));
    if (r.value("ok", false)) {
      const auto* spec = protocol::find_command(command);
      const auto errs =
          protocol::testing::schemas().validate(protocol::result_schema_path(spec->command), r["result"]);
      EXPECT_TRUE(errs.empty()) << command << ": " << protocol::to_string(errs);
    }
    return r;
  }
  json ok(const std::string& command, json params = json::object()) {
    json r = query(command, std::move(params));
    EXPECT_TRUE(r.value("ok", false)) << command << ": " << r.dump();
    return r.value("result", json::object());
  }
  json error_of(const std::string& command, json params) {
    json r = query(command, std::move(params));
    EXPECT_FALSE(r.value("ok", true)) << command << ": " << r.dump();
    return r.value("error", json::object());
  }

  storage::Storage& db() { return daemon_->storage(); }
  static Symbol sym(const std::string& s) { return Symbol::parse(s).value(); }

  /// The stored value of an indicator output at a date, or NaN.
  double stored_at(const std::string& symbol, const std::string& key, const std::string& output,
                   TradingDate d) {
    for (const auto& row : db().indicator_values(sym(symbol), Timeframe::daily, key))
      if (row.as_of == d) return json::parse(row.values_json).value(output, std::nan(""));
    return std::nan("");
  }

  std::string http_base() const { return "http://127.0.0.1:" + std::to_string(daemon_->http_port()); }
  server::HttpResponse get(const std::string& path_and_query) {
    auto r = server::http_request("GET", http_base() + path_and_query, "", {}, std::chrono::seconds(30));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : server::HttpResponse{};
  }
};

TEST_F(ReadCommandsTest, BarsAreTheStoredBars) {
  run_once();
  const auto all = db().load_bars(sym("AAPL"), Timeframe::daily);
  ASSERT_GT(all.size(), 200u);
  auto r = ok("get_bars", {{"symbol", "AAPL"}});
  EXPECT_EQ(r["symbol"], "AAPL");
  EXPECT_EQ(r["timeframe"], "daily");
  ASSERT_EQ(r["bars"].size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& b = r["bars"][i];
    ASSERT_EQ(b["date"], format_date(all.date[i]));
    EXPECT_EQ(b["open"].get<double>(), all.open[i]);
    EXPECT_EQ(b["high"].get<double>(), all.high[i]);
    EXPECT_EQ(b["low"].get<double>(), all.low[i]);
    EXPECT_EQ(b["close"].get<double>(), all.close[i]);
    EXPECT_EQ(b["volume"].get<double>(), all.volume[i]);
  }
  // A range is inclusive at both ends.
  const std::string from = format_date(all.date[10]), to = format_date(all.date[19]);
  r = ok("get_bars", {{"symbol", "AAPL"}, {"from", from}, {"to", to}});
  ASSERT_EQ(r["bars"].size(), 10u);
  EXPECT_EQ(r["bars"][0]["date"], from);
  EXPECT_EQ(r["bars"][9]["date"], to);
  // Weekly bars are the stored weekly bars.
  const auto weekly = db().load_bars(sym("AAPL"), Timeframe::weekly);
  r = ok("get_bars", {{"symbol", "AAPL"}, {"timeframe", "weekly"}});
  ASSERT_EQ(r["bars"].size(), weekly.size());
  EXPECT_EQ(r["bars"].back()["close"].get<double>(), weekly.close.back());
  // A known symbol with no bars in the range: an empty list, not an error.
  EXPECT_TRUE(ok("get_bars", {{"symbol", "AAPL"}, {"to", "1999-12-31"}})["bars"].empty());
}

TEST_F(ReadCommandsTest, IndicatorValuesAreStoredOrComputedWithTheSameNumbers) {
  run_once();
  const auto bars = db().load_bars(sym("MSFT"), Timeframe::daily);
  const TradingDate last = bars.date.back();
  const std::string last_s = format_date(last);

  // The run stored the latest values: a request for that date answers from storage.
  auto r =
      ok("get_indicator_values", {{"symbol", "MSFT"}, {"indicators", {"RSI", "MACD"}}, {"from", last_s}});
  ASSERT_EQ(r["indicators"].size(), 2u);
  const auto& rsi = r["indicators"][0];
  EXPECT_EQ(rsi["indicator"], "RSI(timeperiod=14)");
  EXPECT_EQ(rsi["outputs"], json::array({"real"}));
  EXPECT_EQ(rsi["source"], "stored");
  ASSERT_EQ(rsi["values"].size(), 1u);
  EXPECT_EQ(rsi["values"][0]["date"], last_s);
  EXPECT_EQ(rsi["values"][0]["real"].get<double>(), stored_at("MSFT", "RSI(timeperiod=14)", "real", last));
  const auto& macd = r["indicators"][1];
  EXPECT_EQ(macd["indicator"], "MACD(fastperiod=12,slowperiod=26,signalperiod=9)");
  EXPECT_EQ(macd["outputs"], json::array({"macd", "macdsignal", "macdhist"}));
  EXPECT_EQ(macd["values"][0]["macdhist"].get<double>(),
            stored_at("MSFT", "MACD(fastperiod=12,slowperiod=26,signalperiod=9)", "macdhist", last));

  // The whole history is not stored: it is computed, warm-up omitted, and its
  // last value equals the stored one.
  r = ok("get_indicator_values", {{"symbol", "MSFT"}, {"indicators", {"SMA(timeperiod=20)"}}});
  const auto& sma = r["indicators"][0];
  EXPECT_EQ(sma["source"], "computed");
  ASSERT_EQ(sma["values"].size(), bars.size() - 19);
  EXPECT_EQ(sma["values"][0]["date"], format_date(bars.date[19]));
  const double mean20 = std::accumulate(bars.close.begin(), bars.close.begin() + 20, 0.0) / 20;
  EXPECT_NEAR(sma["values"][0]["real"].get<double>(), mean20, 1e-9 * std::abs(mean20));
  EXPECT_DOUBLE_EQ(sma["values"].back()["real"].get<double>(),
                   stored_at("MSFT", "SMA(timeperiod=20)", "real", last));
  // A range inside the history: only its dates.
  r = ok("get_indicator_values", {{"symbol", "MSFT"},
                                  {"indicators", {"SMA(timeperiod=20)"}},
                                  {"from", format_date(bars.date[100])},
                                  {"to", format_date(bars.date[109])}});
  ASSERT_EQ(r["indicators"][0]["values"].size(), 10u);
  // A call the run never stored is computed.
  r = ok("get_indicator_values",
         {{"symbol", "MSFT"}, {"indicators", {"SMA(timeperiod=7)"}}, {"from", last_s}});
  EXPECT_EQ(r["indicators"][0]["source"], "computed");
  const double mean7 = std::accumulate(bars.close.end() - 7, bars.close.end(), 0.0) / 7;
  EXPECT_NEAR(r["indicators"][0]["values"][0]["real"].get<double>(), mean7, 1e-9 * std::abs(mean7));

  const auto e = error_of("get_indicator_values", {{"symbol", "MSFT"}, {"indicators", {"RSI", "NOPE(x=1)"}}});
  EXPECT_EQ(e["code"], "INVALID_PARAMETER");
  EXPECT_EQ(e["details"]["parameter"], "indicators");
  EXPECT_EQ(e["details"]["index"], 1);
}

TEST_F(ReadCommandsTest, PatternDetectionsPageThroughEverythingStoredNewestFirst) {
  run_once();
  const long long stored = db().count_detections();
  ASSERT_GT(stored, 10);
  std::vector<json> seen;
  std::set<std::string> keys;
  json params = {{"limit", 25}};
  for (int page = 0; page < 1000; ++page) {
    const auto r = ok("get_pattern_detections", params);
    for (const auto& d : r["detections"]) {
      seen.push_back(d);
      EXPECT_TRUE(keys.insert(d["bar_date"].get<std::string>() + d["symbol"].get<std::string>() +
                              d["timeframe"].get<std::string>() + d["pattern"].get<std::string>())
                      .second)
          << "repeated " << d.dump();
    }
    if (r["next_cursor"].is_null()) break;
    params["cursor"] = r["next_cursor"];
  }
  ASSERT_EQ(static_cast<long long>(seen.size()), stored);
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_GE(seen[i - 1]["bar_date"].get<std::string>(), seen[i]["bar_date"].get<std::string>());

  // The first page is what the storage layer returns for the same filter.
  storage::DetectionQuery q;
  q.symbol = "KO";
  q.direction = "bullish";
  q.limit = 500;
  const auto rows = db().query_detections(q);
  const auto r = ok("get_pattern_detections", {{"symbol", "KO"}, {"direction", "bullish"}, {"limit", 500}});
  ASSERT_EQ(r["detections"].size(), rows.size());
  EXPECT_TRUE(r["next_cursor"].is_null());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& d = r["detections"][i];
    EXPECT_EQ(d["symbol"], "KO");
    EXPECT_EQ(d["pattern"], rows[i].pattern);
    EXPECT_EQ(d["bar_date"], format_date(rows[i].bar_date));
    EXPECT_EQ(d["direction"], "bullish");
    EXPECT_EQ(d["strength"].get<double>(), rows[i].strength);
    EXPECT_EQ(d["confidence"].get<double>(), rows[i].confidence);
    EXPECT_EQ(d["levels"], json::parse(rows[i].levels_json));
    EXPECT_EQ(d["run_id"], rows[i].run_id);
  }
  // Filters by date: every row within.
  const std::string day = seen[seen.size() / 2]["bar_date"];
  // Held in a local: a range-for over a member of a temporary would read freed memory.
  const json same_day = ok("get_pattern_detections", {{"from", day}, {"to", day}, {"limit", 500}});
  for (const auto& d : same_day["detections"]) EXPECT_EQ(d["bar_date"], day);
  EXPECT_EQ(error_of("get_pattern_detections", {{"cursor", "abc"}})["code"], "INVALID_PARAMETER");
}

/// Evaluates `pred` over every run symbol's latest stored bar and stored indicator rows.
std::set<std::string> expected_matches(
    storage::Storage& db,
    const std::function<bool(double close, double rsi, double sma50, double macdhist)>& pred) {
  std::set<std::string> out;
  for (const auto& s : kSymbols) {
    const auto bars = db.load_bars(Symbol::parse(s).value(), Timeframe::daily);
    const TradingDate last = bars.date.back();
    auto at = [&](const char* key, const char* output) {
      for (const auto& row : db.indicator_values(Symbol::parse(s).value(), Timeframe::daily, key))
        if (row.as_of == last) return json::parse(row.values_json).value(output, std::nan(""));
      return std::nan("");
    };
    if (pred(bars.close.back(), at("RSI(timeperiod=14)", "real"), at("SMA(timeperiod=50)", "real"),
             at("MACD(fastperiod=12,slowperiod=26,signalperiod=9)", "macdhist")))
      out.insert(s);
  }
  return out;
}

TEST_F(ReadCommandsTest, ScreenMatchesAnIndependentEvaluationOfTheStoredRows) {
  run_once();
  struct Case {
    const char* expression;
    std::function<bool(double, double, double, double)> pred;
  };
  const std::vector<Case> cases{
      {"RSI(14) < 50", [](double, double rsi, double, double) { return rsi < 50; }},
      {"close > SMA(50)", [](double c, double, double sma, double) { return c > sma; }},
      {"RSI(14) < 50 AND close > SMA(50)",
       [](double c, double rsi, double sma, double) { return rsi < 50 && c > sma; }},
      {"not rsi(14) < 50 or Close > sma(timeperiod=50)",
       [](double c, double rsi, double sma, double) { return !(rsi < 50) || c > sma; }},
      {"MACD(12,26,9).macdhist > 0 AND (RSI(14) >= 40 OR close < SMA(50))",
       [](double c, double rsi, double sma, double h) { return h > 0 && (rsi >= 40 || c < sma); }},
  };
  bool some_proper_subset = false;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expression);
    const auto r = ok("screen", {{"expression", c.expression}, {"universe", "custom"}});
    EXPECT_EQ(r["expression"], c.expression);
    EXPECT_EQ(r["universe"], "custom");
    EXPECT_EQ(r["evaluated"], static_cast<int>(kSymbols.size()));
    EXPECT_EQ(r["as_of"], format_date(db().latest_bar(sym("AAPL"), Timeframe::daily)->date));
    std::set<std::string> got;
    std::string previous;
    for (const auto& m : r["matches"]) {
      const std::string s = m["symbol"];
      EXPECT_LT(previous, s);  // sorted by symbol
      previous = s;
      got.insert(s);
      const auto bar = db().latest_bar(sym(s), Timeframe::daily);
      EXPECT_EQ(m["date"], format_date(bar->date));
      EXPECT_EQ(m["close"].get<double>(), bar->close);
      // The values are the stored rows.
      if (m["values"].contains("RSI(14)")) {
        EXPECT_EQ(m["values"]["RSI(14)"].get<double>(),
                  stored_at(s, "RSI(timeperiod=14)", "real", bar->date));
      }
    }
    const auto want = expected_matches(db(), c.pred);
    EXPECT_EQ(got, want);
    some_proper_subset = some_proper_subset || (!want.empty() && want.size() < kSymbols.size());
  }
  EXPECT_TRUE(some_proper_subset) << "the cases no longer tell matching from non-matching symbols";

  // The normalised form and every term's value.
  auto r =
      ok("screen", {{"expression", "rsi(14) < 101 and close > -1 AND SMA( 7 ) > 0"}, {"universe", "custom"}});
  EXPECT_EQ(r["normalized"], "RSI(14) < 101 AND close > -1 AND SMA(7) > 0");
  ASSERT_EQ(r["matches"].size(), kSymbols.size());
  for (const auto& m : r["matches"]) {
    EXPECT_EQ(m["values"].size(), 2u);
    // SMA(7) is not stored: computed from the bars.
    const auto bars = db().load_bars(sym(m["symbol"]), Timeframe::daily);
    const double mean7 = std::accumulate(bars.close.end() - 7, bars.close.end(), 0.0) / 7;
    EXPECT_NEAR(m["values"]["SMA(7)"].get<double>(), mean7, 1e-9 * mean7);
  }
  // limit bounds the matches, not the evaluation.
  r = ok("screen", {{"expression", "close > 0"}, {"universe", "custom"}, {"limit", 3}});
  EXPECT_EQ(r["matches"].size(), 3u);
  EXPECT_EQ(r["evaluated"], static_cast<int>(kSymbols.size()));
  // The default universe (dow30, never run as such): its members that have bars.
  r = ok("screen", {{"expression", "close > 0"}});
  EXPECT_EQ(r["universe"], "dow30");
  std::set<std::string> in_dow;
  const auto dow = builtin_universe("dow30").value();
  for (const auto& m : dow.members)
    if (std::find(kSymbols.begin(), kSymbols.end(), m.symbol.str()) != kSymbols.end())
      in_dow.insert(m.symbol.str());
  EXPECT_EQ(r["evaluated"], static_cast<int>(in_dow.size()));
}

TEST_F(ReadCommandsTest, UniversesAndSymbolsComeFromTheCatalogueAndTheBars) {
  run_once();
  const auto u = ok("list_universes");
  std::map<std::string, json> by_name;
  for (const auto& x : u["universes"]) by_name[x["name"]] = x;
  ASSERT_TRUE(by_name.contains("dow30"));
  EXPECT_EQ(by_name["dow30"]["symbols"], 30);
  EXPECT_EQ(by_name["dow30"]["description"], "Dow Jones Industrial Average members.");
  ASSERT_TRUE(by_name.contains("sp500"));
  ASSERT_TRUE(by_name.contains("custom"));  // recorded by the run
  EXPECT_EQ(by_name["custom"]["symbols"], static_cast<int>(kSymbols.size()));

  auto s = ok("list_symbols");
  std::vector<std::string> sorted = kSymbols;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(s["symbols"].size(), sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& row = s["symbols"][i];
    EXPECT_EQ(row["symbol"], sorted[i]);
    const auto bar = db().latest_bar(sym(sorted[i]), Timeframe::daily);
    EXPECT_EQ(row["last_date"], format_date(bar->date));
    EXPECT_EQ(row["last_close"].get<double>(), bar->close);
  }
  s = ok("list_symbols", {{"prefix", "A"}});
  EXPECT_EQ(s["symbols"].size(), 2u);  // AAPL, AMZN
  s = ok("list_symbols", {{"limit", 3}});
  EXPECT_EQ(s["symbols"].size(), 3u);
  // A universe's members; those without bars have null last_*.
  s = ok("list_symbols", {{"universe", "dow30"}});
  ASSERT_EQ(s["symbols"].size(), 30u);
  for (const auto& row : s["symbols"]) {
    const bool has = std::find(kSymbols.begin(), kSymbols.end(), row["symbol"]) != kSymbols.end();
    EXPECT_EQ(row["last_date"].is_null(), !has) << row.dump();
    EXPECT_EQ(row["last_close"].is_null(), !has) << row.dump();
  }
}

TEST_F(ReadCommandsTest, ReadErrorsNameTheProblem) {
  run_once();
  auto e = error_of("screen", {{"expression", "RSI(14) 30"}});
  EXPECT_EQ(e["code"], "INVALID_PARAMETER");
  EXPECT_EQ(e["details"]["parameter"], "expression");
  EXPECT_EQ(e["details"]["position"], 8);
  EXPECT_NE(e["message"].get<std::string>().find("expected a comparison operator"), std::string::npos)
      << e.dump();
  e = error_of("screen", {{"expression", "MACD(12,26,9) > 0"}});
  EXPECT_NE(e["message"].get<std::string>().find("macdsignal"), std::string::npos) << e.dump();
  e = error_of("screen", {{"expression", "close > 0"}, {"universe", "ftse100"}});
  EXPECT_EQ(e["code"], "NOT_FOUND");
  EXPECT_EQ(e["details"]["universe"], "ftse100");
  e = error_of("list_symbols", {{"universe", "ftse100"}});
  EXPECT_EQ(e["code"], "NOT_FOUND");
  e = error_of("get_bars", {{"symbol", "ZZZZ"}});
  EXPECT_EQ(e["code"], "NOT_FOUND");
  EXPECT_EQ(e["details"]["symbol"], "ZZZZ");
  EXPECT_NE(e["message"].get<std::string>().find("ZZZZ"), std::string::npos);
  EXPECT_EQ(error_of("get_indicator_values", {{"symbol", "ZZZZ"}, {"indicators", {"RSI"}}})["code"],
            "NOT_FOUND");
  EXPECT_EQ(
      error_of("get_bars", {{"symbol", "AAPL"}, {"timeframe", "weekly"}, {"from", "2024-02-30"}})["code"],
      "INVALID_PARAMETER");
  e = error_of("get_bars", {{"symbol", "AAPL"}, {"from", "2025-02-01"}, {"to", "2025-01-01"}});
  EXPECT_EQ(e["code"], "INVALID_PARAMETER");
  EXPECT_EQ(e["details"]["parameter"], "from");
  EXPECT_EQ(error_of("get_bars", {{"symbol", "aapl"}})["code"], "INVALID_PARAMETER");
  EXPECT_EQ(error_of("get_pattern_detections", {{"direction", "up"}})["code"], "INVALID_PARAMETER");
  // Still serving.
  EXPECT_TRUE(query("list_universes").value("ok", false));
}

TEST_F(ReadCommandsTest, HttpRoutesServeTheSameResults) {
  run_once();
  auto r = get("/api/market/bars?symbol=KO&from=2025-01-02&to=2025-01-31");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            ok("get_bars", {{"symbol", "KO"}, {"from", "2025-01-02"}, {"to", "2025-01-31"}}));
  // Comma-separated calls with commas inside parentheses are two items.
  r = get("/api/market/indicators?symbol=KO&indicators=BBANDS(timeperiod=20,nbdevup=2),RSI&from=2025-05-01");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body);
  ASSERT_EQ(body["indicators"].size(), 2u);
  EXPECT_EQ(body["indicators"][0]["indicator"], "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)");
  EXPECT_EQ(body["indicators"][1]["indicator"], "RSI(timeperiod=14)");
  r = get("/api/screen?expression=RSI(14)%20%3C%2050%20AND%20close%20%3E%20SMA(50)&universe=custom");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            ok("screen", {{"expression", "RSI(14) < 50 AND close > SMA(50)"}, {"universe", "custom"}}));
  r = get("/api/screen?expression=RSI(14)%2030");
  EXPECT_EQ(r.status, 422) << r.body;
  body = json::parse(r.body);
  EXPECT_TRUE(protocol::testing::schemas().is_valid("http_error.json", body)) << r.body;
  EXPECT_EQ(body["error"]["details"]["position"], 8);
  EXPECT_EQ(get("/api/market/bars?symbol=ZZZZ").status, 404);
  EXPECT_EQ(get("/api/market/bars?symbol=KO&from=2025-13-01").status, 422);
  r = get("/api/universes");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), ok("list_universes"));
  r = get("/api/symbols?prefix=M&limit=5");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["symbols"][0]["symbol"], "MSFT");
  r = get("/api/patterns/detections?limit=3");
  ASSERT_EQ(r.status, 200);
  body = json::parse(r.body);
  EXPECT_EQ(body["detections"].size(), 3u);
  r = get("/api/patterns/detections?limit=3&cursor=" + body["next_cursor"].get<std::string>());
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(json::parse(r.body)["detections"][0], body["detections"][0]);
}

}  // namespace
}  // namespace ts::testing
