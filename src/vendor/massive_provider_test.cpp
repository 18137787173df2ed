#include "vendor/massive_provider.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/uuid.hpp"
#include "engine/pipeline.hpp"
#include "storage/storage.hpp"
#include "vendor/fake_massive_server.hpp"

namespace ts::vendor {
namespace {

using ingest::ImportError;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;

constexpr const char* kKey = "sk-TEST-7f3a9c2e1d";

TradingDate d(std::string_view s) { return parse_date(s).value(); }
Symbol sym(std::string_view s) { return Symbol::parse(s).value(); }

/// The fake's expected bars (its own computation, dates via Python's zoneinfo).
BarSeries expected_bars(const testing::FakeMassive& fake, std::string_view t, std::string_view from,
                        std::string_view to) {
  const std::string csv =
      fake.admin("/admin/bars/" + std::string(t) + "/" + std::string(from) + "/" + std::string(to));
  BarSeries out;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    Bar b{};
    char day[11] = {};
    EXPECT_EQ(std::sscanf(line.c_str(), "%10[0-9-],%lf,%lf,%lf,%lf,%lf", day, &b.open, &b.high, &b.low,
                          &b.close, &b.volume),
              6)
        << line;
    b.date = d(day);
    out.push_back(b);
  }
  return out;
}

std::size_t request_count(const testing::FakeMassive& fake, std::string_view prefix = "/v") {
  const auto j = nlohmann::json::parse(fake.admin("/admin/requests"));
  std::size_t n = 0;
  for (const auto& r : j)
    if (r["path"].get<std::string>().rfind(prefix, 0) == 0) ++n;
  return n;
}

/// Records sleeps instead of sleeping.
struct SleepLog {
  std::mutex mu;
  std::vector<milliseconds> sleeps;
  Sleeper fn() {
    return [this](milliseconds ms) {
      std::lock_guard lock(mu);
      sleeps.push_back(ms);
    };
  }
  std::vector<milliseconds> nonzero() {
    std::lock_guard lock(mu);
    std::vector<milliseconds> out;
    for (auto s : sleeps)
      if (s.count() > 0) out.push_back(s);
    return out;
  }
};

class MassiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = new testing::FakeMassive(kKey, 100); }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }
  void SetUp() override { fake_->admin("/admin/reset"); }

  MassiveConfig config(std::string key = kKey) {
    MassiveConfig c;
    c.base_url = fake_->base();
    c.api_key = std::move(key);
    c.retry.max_attempts = 3;
    c.retry.base_delay = 100ms;
    c.timeouts.connect = 2s;
    c.timeouts.request = 2s;
    c.sleeper = sleeps_.fn();
    c.random01 = [] { return 0.5; };
    return c;
  }

  static testing::FakeMassive* fake_;
  SleepLog sleeps_;
};
testing::FakeMassive* MassiveTest::fake_ = nullptr;

ingest::FetchRequest request(std::string_view s, std::string_view from, std::string_view to) {
  return {sym(s), d(from), d(to), std::nullopt};
}

TEST_F(MassiveTest, BackfillOf30SymbolsOver2YearsMatchesTheFakeExactly) {
  MassiveProvider p(config());
  for (int i = 0; i < 30; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "S%d", 100 + i);
    const std::string s = name;
    auto bars = p.fetch(request(s, "2024-11-01", "2026-10-31"));
    ASSERT_TRUE(bars) << s << ": " << bars.error().message;
    const BarSeries want = expected_bars(*fake_, s, "2024-11-01", "2026-10-31");
    ASSERT_EQ(bars->size(), want.size()) << s;
    for (std::size_t k = 0; k < want.size(); ++k) ASSERT_EQ(bars->bar(k), want.bar(k)) << s << " bar " << k;
  }
  // 2 years of weekdays at 100 bars a page: 6 pages a symbol, on reused connections.
  EXPECT_EQ(request_count(*fake_), 30u * 6u);
  EXPECT_LE(p.client().connections_opened(), 2u);
  EXPECT_TRUE(sleeps_.nonzero().empty());
}

TEST_F(MassiveTest, TradingDatesAcrossDstAreNewYorkDates) {
  MassiveProvider p(config());
  auto bars = p.fetch(request("AAPL", "2026-03-05", "2026-03-12"));
  ASSERT_TRUE(bars) << bars.error().message;
  ASSERT_EQ(bars->size(), 6u);
  EXPECT_EQ(bars->date[1], d("2026-03-06"));  // session start 05:00Z
  EXPECT_EQ(bars->date[2], d("2026-03-09"));  // session start 04:00Z, after the change
}

TEST_F(MassiveTest, IncrementalFetchAfterLastStoredDate) {
  MassiveProvider p(config());
  ingest::FetchRequest r = request("AAPL", "2026-01-01", "2026-03-12");
  r.after = d("2026-03-10");
  auto bars = p.fetch(r);
  ASSERT_TRUE(bars) << bars.error().message;
  ASSERT_EQ(bars->size(), 2u);
  EXPECT_EQ(bars->date[0], d("2026-03-11"));
  r.after = d("2026-03-12");  // nothing new: empty, not an error
  auto none = p.fetch(r);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(request_count(*fake_), 1u);
}

TEST_F(MassiveTest, ErrorsFailOnlyTheirSymbolWithTheRightCode) {
  MassiveConfig c = config();
  c.timeouts.request = 300ms;
  c.retry.max_attempts = 2;
  MassiveProvider p(std::move(c));
  struct Case {
    const char* symbol;
    ImportError code;
    const char* text;
  };
  const Case cases[] = {
      {"GONE", ImportError::symbol_not_found, "HTTP 404"},
      {"NOPE", ImportError::symbol_not_found, "no bars"},
      {"BADBAR", ImportError::bad_data, "request req-BADBAR-2026-01-05 bar 2: high"},
      {"SLOW", ImportError::network_timeout, "timed out"},
      {"TRUNC", ImportError::network_timeout, "read"},
  };
  for (const auto& k : cases) {
    auto bad = p.fetch(request(k.symbol, "2026-01-05", "2026-01-16"));
    ASSERT_FALSE(bad) << k.symbol;
    EXPECT_EQ(bad.error().code, k.code) << k.symbol << ": " << bad.error().message;
    EXPECT_THAT(bad.error().message, HasSubstr(k.text)) << k.symbol;
    auto good = p.fetch(request("MSFT", "2026-01-05", "2026-01-16"));
    ASSERT_TRUE(good) << "after " << k.symbol << ": " << good.error().message;
    EXPECT_EQ(good->size(), 10u);
  }
}

TEST_F(MassiveTest, ShortEmptyRangeIsNotAMissingSymbol) {
  MassiveProvider p(config());
  auto weekend = p.fetch(request("AAPL", "2026-03-07", "2026-03-08"));
  ASSERT_TRUE(weekend) << weekend.error().message;
  EXPECT_TRUE(weekend->empty());
}

TEST_F(MassiveTest, ConcurrentFetchesShareTheClient) {
  MassiveConfig c = config();
  c.max_concurrency = 3;
  MassiveProvider p(std::move(c));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      char name[8];
      std::snprintf(name, sizeof name, "T%d", t);
      const std::string s = name;
      auto bars = p.fetch(request(s, "2025-01-01", "2025-12-31"));
      if (bars && bars->size() == expected_bars(*fake_, s, "2025-01-01", "2025-12-31").size()) ++ok;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_LE(p.client().connections_opened(), 3u);
}

TEST_F(MassiveTest, RetriesOn429And500HonouringRetryAfter) {
  fake_->admin("/admin/script?path=/v2/aggs/ticker/AAPL/&codes=429,500&retry_after=2");
  MassiveProvider p(config());
  auto bars = p.fetch(request("AAPL", "2026-01-05", "2026-01-09"));
  ASSERT_TRUE(bars) << bars.error().message;
  EXPECT_EQ(bars->size(), 5u);
  EXPECT_EQ(request_count(*fake_), 3u);
  // Retry-After: 2 s for the 429, then exponential backoff (100 ms * 2^1) after the 500.
  EXPECT_EQ(sleeps_.nonzero(), (std::vector<milliseconds>{2000ms, 200ms}));
}

TEST_F(MassiveTest, PersistentRateLimitIsApiRateLimit) {
  fake_->admin("/admin/script?path=/v2/aggs/ticker/AAPL/&codes=429,429,429,429&retry_after=1");
  MassiveProvider p(config());
  auto bars = p.fetch(request("AAPL", "2026-01-05", "2026-01-09"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.error().code, ImportError::api_rate_limit);
  EXPECT_EQ(request_count(*fake_), 3u);  // max_attempts
}

TEST_F(MassiveTest, RateLimiterSpacesRequestsAtTheFake) {
  MassiveConfig c = config();
  c.requests_per_minute = 600;  // one every 100 ms
  c.sleeper = real_sleeper();
  MassiveProvider p(std::move(c));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(p.fetch(request("AAPL", "2026-01-05", "2026-01-09")));
  const auto log = nlohmann::json::parse(fake_->admin("/admin/requests"));
  ASSERT_EQ(log.size(), 6u);
  const double span = log[5]["t"].get<double>() - log[0]["t"].get<double>();
  EXPECT_GE(span, 0.45);  // 5 gaps of >= 100 ms (small slack for timestamp granularity)
}

TEST_F(MassiveTest, WrongKeyIsApiKeyInvalidAndNeverShown) {
  MassiveProvider p(config("sk-WRONG-0000"));
  auto bars = p.fetch(request("AAPL", "2026-01-05", "2026-01-09"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.error().code, ImportError::api_key_invalid);
  EXPECT_THAT(bars.error().message, HasSubstr("401"));
  EXPECT_THAT(bars.error().message, Not(HasSubstr("sk-WRONG-0000")));
  EXPECT_EQ(request_count(*fake_), 1u);  // 401 is not retried
}

TEST_F(MassiveTest, KeyNeverAppearsInLogsOrErrors) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  std::string messages;
  {
    fake_->admin("/admin/script?path=/v2/aggs/ticker/AAPL/&codes=429,500,500&retry_after=1");
    MassiveConfig c = config();
    c.timeouts.request = 300ms;
    c.retry.max_attempts = 2;
    MassiveProvider p(std::move(c));
    for (const char* s : {"AAPL", "GONE", "BADBAR", "SLOW", "TRUNC", "NOPE"}) {
      auto r = p.fetch(request(s, "2026-01-05", "2026-01-16"));
      if (!r) messages += r.error().message + "\n";
    }
    // A next_url carrying apiKey= is redacted too.
    auto r = p.client().get(fake_->base() + "/nowhere?apiKey=" + std::string(kKey));
    ASSERT_TRUE(r);
    messages += p.describe() + "\n";
  }
  spdlog::set_default_logger(previous);
  EXPECT_THAT(captured.str(), HasSubstr("massive:"));  // something was logged
  EXPECT_THAT(captured.str(), Not(HasSubstr(kKey)));
  EXPECT_THAT(messages, Not(HasSubstr(kKey)));
  EXPECT_EQ(redact(std::string("u?apiKey=") + kKey + "&x=1", ""), "u?apiKey=***&x=1");
  EXPECT_EQ(redact(std::string("key ") + kKey, kKey), "key ***");
}

TEST_F(MassiveTest, GroupedDailyIsOneRequestForEveryTicker) {
  MassiveClient c(config());
  auto g = c.grouped_daily(d("2026-03-09"));
  ASSERT_TRUE(g) << g.error().message;
  ASSERT_EQ(g->bars.size(), 5u);
  EXPECT_EQ(g->bars[0].ticker, "AAA");
  EXPECT_EQ(g->bars[0].bar, expected_bars(*fake_, "AAA", "2026-03-09", "2026-03-09").bar(0));
  ASSERT_EQ(g->rejected.size(), 1u);  // the fake's BADBAR
  EXPECT_EQ(request_count(*fake_), 1u);
  auto weekend = c.grouped_daily(d("2026-03-08"));
  ASSERT_TRUE(weekend);
  EXPECT_TRUE(weekend->bars.empty());
}

TEST_F(MassiveTest, IncrementalUniverseUsesOneGroupedRequestPerMissingDay) {
  MassiveProvider p(config());
  std::vector<ingest::FetchRequest> reqs;
  for (const char* s : {"AAA", "BBB", "CCC", "DDD", "EEE", "ZZZ", "BADBAR"}) {
    reqs.push_back(request(s, "2025-01-01", "2026-03-10"));
    reqs.back().after = d("2026-03-05");  // missing: Fri 03-06, Mon 03-09, Tue 03-10
  }
  reqs.push_back(request("YYY", "2026-02-02", "2026-03-10"));  // a backfill: per ticker
  const auto out = p.fetch_many(reqs);
  ASSERT_EQ(out.size(), reqs.size());
  for (std::size_t i = 0; i < 6; ++i) {
    const std::string s = reqs[i].symbol.str();
    ASSERT_TRUE(out[i]) << s << ": " << out[i].error().message;
    const BarSeries want = expected_bars(*fake_, s, "2026-03-06", "2026-03-10");
    ASSERT_EQ(out[i]->size(), 3u) << s;
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(out[i]->bar(k), want.bar(k)) << s;
  }
  ASSERT_FALSE(out[6]);
  EXPECT_EQ(out[6].error().code, ImportError::bad_data);
  EXPECT_THAT(out[6].error().message, HasSubstr("req-grouped-2026-03-06 bar 5: BADBAR: high"));
  ASSERT_TRUE(out[7]) << out[7].error().message;
  EXPECT_EQ(out[7]->size(), 27u);
  // 3 days -> 3 grouped requests; ZZZ (absent from them) and YYY per ticker.
  EXPECT_EQ(request_count(*fake_, "/v2/aggs/grouped/"), 3u);
  EXPECT_EQ(request_count(*fake_, "/v2/aggs/ticker/"), 2u);
}

TEST_F(MassiveTest, TheEnginesDailyIncrementalRunUsesGroupedDaily) {
  // The engine's import phase over the provider: a first import per ticker,
  // then an incremental run of 3 new days = 3 grouped requests, no ticker calls.
  const auto dir = std::filesystem::temp_directory_path() / ("ts_vendor_engine_" + make_uuid_v4());
  auto db = storage::open_storage("sqlite:" + (dir / "t.db").string());
  MassiveProvider p(config());
  engine::RunRequest req;
  req.universe = universe_from_symbols(parse_symbol_list("AAA,BBB,CCC,DDD,EEE").value());
  req.phases = {Phase::import};
  req.from = d("2026-02-02");
  req.to = d("2026-03-05");
  req.threads = 2;
  engine::CancellationToken cancel;
  const auto first = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(first.status, RunStatus::completed) << first.error;
  const auto ticker_calls = request_count(*fake_, "/v2/aggs/ticker/");
  EXPECT_EQ(ticker_calls, 5u);
  EXPECT_EQ(request_count(*fake_, "/v2/aggs/grouped/"), 0u);
  req.to = d("2026-03-10");  // Fri 03-06, Mon 03-09, Tue 03-10 are new
  const auto second = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(second.status, RunStatus::completed) << second.error;
  EXPECT_EQ(second.records_imported, 15);
  EXPECT_EQ(request_count(*fake_, "/v2/aggs/grouped/"), 3u);
  EXPECT_EQ(request_count(*fake_, "/v2/aggs/ticker/"), ticker_calls);
  for (const char* s : {"AAA", "EEE"}) {
    const auto stored = db->load_bars(sym(s), Timeframe::daily, d("2026-03-06"), d("2026-03-10"));
    const BarSeries want = expected_bars(*fake_, s, "2026-03-06", "2026-03-10");
    ASSERT_EQ(stored.size(), want.size()) << s;
    for (std::size_t k = 0; k < want.size(); ++k) EXPECT_EQ(stored.bar(k), want.bar(k)) << s;
  }
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(MassiveTest, ARejectedKeyStopsTheWholeRunAndWritesNoBars) {
  const auto dir = std::filesystem::temp_directory_path() / ("ts_vendor_engine_" + make_uuid_v4());
  auto db = storage::open_storage("sqlite:" + (dir / "t.db").string());
  MassiveProvider p(config("sk-WRONG-2222"));
  engine::RunRequest req;
  req.universe = universe_from_symbols(parse_symbol_list("AAA,BBB,CCC,DDD,EEE").value());
  req.from = d("2026-02-02");
  req.to = d("2026-03-05");
  req.threads = 1;
  engine::CancellationToken cancel;
  const auto run = engine::run_pipeline(req, *db, p, cancel);
  EXPECT_EQ(run.status, RunStatus::failed);
  EXPECT_THAT(run.error, HasSubstr("API_KEY_INVALID"));
  EXPECT_THAT(run.error, Not(HasSubstr("sk-WRONG-2222")));
  EXPECT_EQ(request_count(*fake_), 1u);  // the first 401 stops the run: no other symbol is tried
  EXPECT_EQ(db->count_bars(), 0);
  EXPECT_EQ(run.phase_summaries.size(), 4u);
  EXPECT_EQ(run.phase_summaries[1].status, "skipped");
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(MassiveTest, IncrementalUniverseWithABadKeyFailsEverySymbol) {
  MassiveProvider p(config("sk-WRONG-1111"));
  std::vector<ingest::FetchRequest> reqs;
  for (const char* s : {"AAA", "BBB", "CCC"}) {
    reqs.push_back(request(s, "2025-01-01", "2026-03-10"));
    reqs.back().after = d("2026-03-09");
  }
  for (const auto& r : p.fetch_many(reqs)) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ImportError::api_key_invalid);
  }
  EXPECT_EQ(request_count(*fake_), 1u);
}

TEST_F(MassiveTest, ASplitReimportsTheAdjustedHistoryAndRecomputesIndicators) {
  const auto dir = std::filesystem::temp_directory_path() / ("ts_vendor_split_" + make_uuid_v4());
  auto db = storage::open_storage("sqlite:" + (dir / "t.db").string());
  MassiveProvider p(config());
  engine::RunRequest req;
  req.universe = universe_from_symbols(parse_symbol_list("SPLX,AAA").value());
  req.from = d("2025-01-02");
  req.to = d("2025-05-30");
  req.threads = 2;
  engine::CancellationToken cancel;
  const auto first = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(first.status, RunStatus::completed) << first.error;
  const BarSeries raw = db->load_bars(sym("SPLX"), Timeframe::daily);

  // A 2-for-1 split effective Monday 2025-06-02 is announced: the vendor's
  // adjusted history of SPLX halves every earlier price.
  fake_->admin("/admin/split?ticker=SPLX&date=2025-06-02&from=1&to=2");
  req.to = d("2025-06-03");
  const auto second = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(second.status, RunStatus::completed) << second.error;
  const BarSeries want = expected_bars(*fake_, "SPLX", "2025-01-02", "2025-06-03");
  const BarSeries got = db->load_bars(sym("SPLX"), Timeframe::daily);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) ASSERT_EQ(got.bar(k), want.bar(k)) << "bar " << k;
  EXPECT_EQ(got.close[0] * 2, raw.close[0]) << "the first bar is now split-adjusted";
  // AAA had no split: 2 new bars, SPLX's whole history again.
  EXPECT_EQ(second.records_imported, 2 + static_cast<long long>(want.size()));

  // Its indicators were recomputed on the adjusted history: the stored SMA(20)
  // is the mean of the last 20 adjusted closes (18 of them before the split).
  const auto sma = db->indicator_values(sym("SPLX"), Timeframe::daily, "SMA(timeperiod=20)");
  ASSERT_EQ(sma.size(), 1u);
  EXPECT_EQ(sma[0].as_of, d("2025-06-03"));
  double sum = 0;
  for (std::size_t k = want.size() - 20; k < want.size(); ++k) sum += want.close[k];
  EXPECT_NEAR(nlohmann::json::parse(sma[0].values_json)["real"].get<double>(), sum / 20, 1e-9);
  const BarSeries weekly = db->load_bars(sym("SPLX"), Timeframe::weekly, d("2025-01-06"), d("2025-01-10"));
  ASSERT_EQ(weekly.size(), 1u);
  EXPECT_EQ(weekly.close[0], want.close[static_cast<std::size_t>(std::find(want.date.begin(), want.date.end(), d("2025-01-10")) - want.date.begin())]) << "weekly bars rebuilt too";

  // The split is applied once: the next run is incremental again.
  const auto ticker_calls = request_count(*fake_, "/v2/aggs/ticker/SPLX");
  req.to = d("2025-06-04");
  const auto third = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(third.status, RunStatus::completed) << third.error;
  EXPECT_EQ(third.records_imported, 2);
  EXPECT_LE(request_count(*fake_, "/v2/aggs/ticker/SPLX"), ticker_calls + 1);
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(MassiveTest, SplitsAndTickerDetails) {
  MassiveClient c(config());
  auto s = c.splits(sym("SPLT"), d("2025-01-01"));
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].execution_date, d("2025-06-02"));
  EXPECT_EQ((*s)[0].split_to / (*s)[0].split_from, 2.0);
  auto none = c.splits(sym("AAPL"), d("2025-01-01"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto t = c.ticker_details(sym("AAPL"));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->name, "AAPL Corp.");
  EXPECT_EQ(t->primary_exchange, "XNAS");
  auto gone = c.ticker_details(sym("GONE"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ImportError::symbol_not_found);
}

std::vector<Symbol> symbols(std::initializer_list<const char*> names) {
  std::vector<Symbol> out;
  for (const char* n : names) out.push_back(sym(n));
  return out;
}

TEST_F(MassiveTest, DetailsOfAHandfulOfSymbolsAreOneRequestEach) {
  MassiveProvider p(config());
  const auto out = p.symbol_details(symbols({"AAPL", "DLST", "GONE"}));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 3u);
  const auto& aapl = out->at("AAPL");
  EXPECT_EQ(aapl.name, "AAPL Corp.");
  EXPECT_EQ(aapl.exchange, "XNAS");
  EXPECT_EQ(aapl.type, "CS");
  EXPECT_TRUE(aapl.active);
  EXPECT_FALSE(out->at("DLST").active);  // delisted: the vendor knows it, inactive
  EXPECT_EQ(out->at("DLST").name, "DLST Corp.");
  EXPECT_FALSE(out->at("GONE").active);  // unknown (404): inactive, no fields
  EXPECT_EQ(out->at("GONE").name, "");
  EXPECT_EQ(request_count(*fake_, "/v3/reference/tickers/"), 3u);
  EXPECT_EQ(request_count(*fake_), 3u);
}

TEST_F(MassiveTest, DetailsOfManySymbolsPageThroughTheTickerList) {
  // 6 grouped tickers + 250 bulk ones, 100 a page: 3 list pages for 204
  // symbols; the 3 not listed (ZZZ never seen, DLST delisted, GONE unknown)
  // are asked for one by one.
  testing::FakeMassive bulk(kKey, 100, {}, {"--bulk-tickers", "250"});
  MassiveConfig c = config();
  c.base_url = bulk.base();
  MassiveProvider p(std::move(c));
  std::vector<Symbol> want;
  for (int i = 0; i < 200; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "S%04d", i);
    want.push_back(sym(name));
  }
  for (const char* s : {"AAA", "ZZZ", "DLST", "GONE"}) want.push_back(sym(s));
  const auto out = p.symbol_details(want);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->size(), want.size());
  EXPECT_EQ(out->at("S0150").name, "S0150 Corp.");
  EXPECT_TRUE(out->at("S0150").active);
  EXPECT_EQ(out->at("AAA").exchange, "XNAS");
  EXPECT_TRUE(out->at("ZZZ").active);
  EXPECT_FALSE(out->at("DLST").active);
  EXPECT_FALSE(out->at("GONE").active);
  const auto log = nlohmann::json::parse(bulk.admin("/admin/requests"));
  std::size_t list = 0, details = 0;
  for (const auto& r : log) {
    const std::string path = r["path"];
    list += path == "/v3/reference/tickers";
    details += path.rfind("/v3/reference/tickers/", 0) == 0;
  }
  EXPECT_EQ(list, 3u);
  EXPECT_EQ(details, 3u);
  EXPECT_EQ(log.size(), 6u);
}

TEST_F(MassiveTest, DetailsWithABadKeyFailAsApiKeyInvalid) {
  MassiveProvider p(config("sk-WRONG-3333"));
  const auto few = p.symbol_details(symbols({"AAPL", "MSFT"}));
  ASSERT_FALSE(few);
  EXPECT_EQ(few.error().code, ImportError::api_key_invalid);
  std::vector<Symbol> many;
  for (const char* s : {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"}) many.push_back(sym(s));
  const auto listed = p.symbol_details(many);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ImportError::api_key_invalid);
  EXPECT_EQ(request_count(*fake_), 2u);  // the first details request, the first list page
}

TEST_F(MassiveTest, CacheSyncStoresSymbolDetailsOncePerWeekAndNeverFailsASymbolForThem) {
  const auto dir = std::filesystem::temp_directory_path() / ("ts_vendor_details_" + make_uuid_v4());
  auto db = storage::open_storage("sqlite:" + (dir / "t.db").string());
  MassiveProvider p(config());
  engine::RunRequest req;
  // 12 symbols: more than a handful, so the ticker list serves them.
  req.universe =
      universe_from_symbols(parse_symbol_list("AAA,BBB,CCC,DDD,EEE,FFA,FFB,FFC,FFD,FFE,FFF,DLST").value());
  req.phases = {Phase::import, Phase::cache_sync};
  req.from = d("2026-02-02");
  req.to = d("2026-03-05");
  req.threads = 2;
  engine::CancellationToken cancel;

  // The vendor's reference data is down: the run still completes, no details stored.
  fake_->admin("/admin/script?path=/v3/reference/tickers&codes=500,500,500");
  const auto first = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(first.status, RunStatus::completed) << first.error;
  EXPECT_EQ(first.phase_summaries[1].processed, 12);
  EXPECT_FALSE(db->symbol_record("AAA")->active.has_value());

  // It is back: the next run fills every symbol's details with one list
  // request plus one details request per symbol the list lacks.
  fake_->admin("/admin/reset");
  req.to = d("2026-03-06");
  const auto second = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(second.status, RunStatus::completed) << second.error;
  const auto aaa = db->symbol_record("AAA");
  EXPECT_EQ(aaa->name, "AAA Corp.");
  EXPECT_EQ(aaa->exchange, "XNAS");
  EXPECT_EQ(aaa->type, "CS");
  EXPECT_EQ(aaa->active, true);
  EXPECT_EQ(db->symbol_record("FFE")->name, "FFE Corp.");
  EXPECT_EQ(db->symbol_record("DLST")->active, false);
  EXPECT_EQ(request_count(*fake_, "/v3/reference/tickers"), 1u + 7u);  // the list; FFA..FFF and DLST

  // Fresh details are not asked for again.
  fake_->admin("/admin/reset");
  req.to = d("2026-03-09");
  const auto third = engine::run_pipeline(req, *db, p, cancel);
  ASSERT_EQ(third.status, RunStatus::completed) << third.error;
  EXPECT_EQ(request_count(*fake_, "/v3/reference/tickers"), 0u);
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(MassiveTest, FactoryReadsSpecAndEnvironment) {
  unsetenv("MASSIVE_BASE_URL");
  unsetenv("MASSIVE_RPM");
  unsetenv("MASSIVE_API_KEY");
  unsetenv("POLYGON_API_KEY");
  auto none = make_massive_provider(std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "INVALID_PROVIDER");
  EXPECT_THAT(none.error().message, HasSubstr("MASSIVE_API_KEY"));

  setenv("POLYGON_API_KEY", kKey, 1);
  auto dflt = make_massive_provider(std::nullopt);
  ASSERT_TRUE(dflt) << dflt.error().message;
  EXPECT_EQ((*dflt)->describe(), "massive:base=https://api.massive.com");

  auto p = make_massive_provider("base=" + fake_->base() + ",rpm=0");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_THAT((*p)->describe(), Not(HasSubstr(kKey)));
  auto bars = (*p)->fetch(request("AAPL", "2026-01-05", "2026-01-09"));
  ASSERT_TRUE(bars) << bars.error().message;
  EXPECT_EQ(bars->size(), 5u);

  EXPECT_FALSE(make_massive_provider(std::string_view("colour=blue")));
  EXPECT_FALSE(make_massive_provider(std::string_view("rpm=fast")));
  EXPECT_FALSE(make_massive_provider(std::string_view("base=ftp://x")));
  unsetenv("POLYGON_API_KEY");
}

}  // namespace
}  // namespace ts::vendor
