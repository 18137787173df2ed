#include <gtest/gtest.h>

#include <set>

#include "core/csv.hpp"
#include "core/resample.hpp"
#include "core/run_types.hpp"
#include "core/symbol.hpp"
#include "core/timeframe.hpp"
#include "core/universe.hpp"
#include "core/uuid.hpp"

namespace ts {
namespace {

TradingDate d(const char* s) { return parse_date(s).value(); }

TEST(TradingDate, ParsesAndFormatsRoundTrip) {
  EXPECT_EQ(format_date(d("2024-02-29")), "2024-02-29");
  EXPECT_EQ(format_date(d("20240105")), "2024-01-05");
  EXPECT_EQ(format_date(d("2024/01/05")), "2024-01-05");
  EXPECT_FALSE(parse_date("2024-02-30").ok());
  EXPECT_FALSE(parse_date("2023-02-29").ok());
  EXPECT_FALSE(parse_date("2024-1-5").ok());
  EXPECT_FALSE(parse_date("abcd-ef-gh").ok());
  EXPECT_FALSE(parse_date("").ok());
  EXPECT_EQ(parse_date("2024-13-01").error().code, "INVALID_DATE");
}

TEST(TradingDate, WeekAndMonthStarts) {
  EXPECT_EQ(week_start(d("2024-01-07")), d("2024-01-01"));  // Sunday -> Monday before
  EXPECT_EQ(week_start(d("2024-01-01")), d("2024-01-01"));
  EXPECT_EQ(week_start(d("2025-01-02")), d("2024-12-30"));  // ISO week crosses the year
  EXPECT_EQ(month_start(d("2024-02-29")), d("2024-02-01"));
  EXPECT_TRUE(is_weekend(d("2024-01-06")));
  EXPECT_FALSE(is_weekend(d("2024-01-05")));
}

TEST(TradingDate, NewYorkDateUsesTheTzDatabase) {
  using namespace std::chrono;
  // 03:30 UTC on 2024-07-02 is still 1 July in New York (EDT, UTC-4).
  EXPECT_EQ(new_york_date(sys_days{d("2024-07-02")} + hours{3} + minutes{30}), d("2024-07-01"));
  // 04:30 UTC in January is still the previous day (EST, UTC-5)...
  EXPECT_EQ(new_york_date(sys_days{d("2024-01-10")} + hours{4} + minutes{30}), d("2024-01-09"));
  // ...but 04:30 UTC in July is already the same day.
  EXPECT_EQ(new_york_date(sys_days{d("2024-07-10")} + hours{4} + minutes{30}), d("2024-07-10"));
}

TEST(TradingDate, FormatsUtcWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(format_utc_ms(sys_days{d("2025-01-02")} + hours{21} + minutes{10} + milliseconds{123}),
            "2025-01-02T21:10:00.123Z");
}

TEST(Symbol, ValidatesTheGrammar) {
  for (const char* ok : {"A", "AAPL", "BRK.B", "BF-B", "X1", "ABCDEFGHIJ"})
    EXPECT_TRUE(Symbol::parse(ok).ok()) << ok;
  for (const char* bad : {"", "aapl", "1ABC", "../etc", "A/B", "ABCDEFGHIJK", "A B", ".A", "A;DROP"})
    EXPECT_FALSE(Symbol::parse(bad).ok()) << bad;
  EXPECT_EQ(Symbol::parse("a").error().code, "INVALID_SYMBOL");
  const auto e = Symbol::parse(std::string("A\x01") + "B");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("\\x01"), std::string::npos);  // control bytes are escaped
}

TEST(Symbol, ParsesListsTrimmingAndDeduplicating) {
  const auto l = parse_symbol_list(" AAPL, MSFT ,AAPL,,NVDA");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[1].str(), "MSFT");
  EXPECT_FALSE(parse_symbol_list("AAPL,msft").ok());
  EXPECT_FALSE(parse_symbol_list(" , ").ok());
}

TEST(Timeframe, NamesRoundTrip) {
  for (const auto& info : kTimeframes) EXPECT_EQ(parse_timeframe(info.name), info.tf);
  EXPECT_EQ(to_string(Timeframe::minute1), "1min");
  EXPECT_FALSE(parse_timeframe("Daily").has_value());
}

TEST(RunTypes, NamesAndAliases) {
  EXPECT_EQ(parse_phase("data_import"), Phase::import);
  EXPECT_EQ(parse_phase("cache"), Phase::cache_sync);
  EXPECT_FALSE(parse_phase("everything").has_value());
  for (std::size_t i = 0; i < kRunStatusNames.size(); ++i)
    EXPECT_EQ(parse_run_status(kRunStatusNames[i]), static_cast<RunStatus>(i));
  EXPECT_EQ(exit_code(RunStatus::completed_with_errors), 3);
  EXPECT_EQ(exit_code(RunStatus::cancelled), 130);
  EXPECT_TRUE(is_terminal(RunStatus::interrupted));
  EXPECT_FALSE(is_terminal(RunStatus::running));
}

TEST(Resample, WeeklyAndMonthlyBarsAggregateDaily) {
  BarSeries daily;
  // Thu 2024-02-29 .. Tue 2024-03-05: two ISO weeks, two months.
  daily.push_back({d("2024-02-29"), 10, 12, 9, 11, 100});
  daily.push_back({d("2024-03-01"), 11, 15, 10, 14, 200});
  daily.push_back({d("2024-03-04"), 14, 14.5, 8, 9, 300});
  daily.push_back({d("2024-03-05"), 9, 10, 7, 8, 400});
  const auto w = resample(daily.view(), Timeframe::weekly);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w.bar(0), (Bar{d("2024-02-26"), 10, 15, 9, 14, 300}));
  EXPECT_EQ(w.bar(1), (Bar{d("2024-03-04"), 14, 14.5, 7, 8, 700}));
  const auto m = resample(daily.view(), Timeframe::monthly);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.bar(0), (Bar{d("2024-02-01"), 10, 12, 9, 11, 100}));
  EXPECT_EQ(m.bar(1), (Bar{d("2024-03-01"), 11, 15, 7, 8, 900}));
  EXPECT_EQ(resample(daily.view(), Timeframe::daily).size(), 4u);
}

TEST(Universe, BuiltinsAreDatedAndValid) {
  const auto names = builtin_universe_names();
  for (const char* n : {"dow30", "nasdaq100", "sp500"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  const auto dow = builtin_universe("dow30");
  ASSERT_TRUE(dow.ok()) << dow.error().message;
  EXPECT_EQ(dow->members.size(), 30u);
  EXPECT_FALSE(dow->as_of.empty());
  EXPECT_EQ(dow->description, "Dow Jones Industrial Average members.");  // not the "Source:" note
  const auto spx = builtin_universe("sp500");
  ASSERT_TRUE(spx.ok()) << spx.error().message;
  EXPECT_GE(spx->members.size(), 490u);
  EXPECT_LE(spx->members.size(), 510u);
  const auto ndx = builtin_universe("nasdaq100");
  ASSERT_TRUE(ndx.ok()) << ndx.error().message;
  EXPECT_GE(ndx->members.size(), 98u);
  std::set<std::string> sectors;
  for (const auto& m : spx->members) sectors.insert(m.sector);
  EXPECT_EQ(sectors.size(), 11u);  // the GICS sectors
  EXPECT_EQ(builtin_universe("ftse").error().code, "UNKNOWN_UNIVERSE");
}

TEST(Universe, CustomCsvReportsTheBadLine) {
  const auto ok = parse_universe_csv("mine", "# as_of: 2025-01-01\nsymbol,weight\nAAPL,0.5\n\"MSFT\",0.5\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->as_of, "2025-01-01");
  EXPECT_EQ(ok->description, "");
  EXPECT_EQ(ok->members.size(), 2u);
  const auto bad = parse_universe_csv("mine", "symbol\nAAPL\nbad sym\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("mine:3"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_universe_csv("mine", "ticker_name\nAAPL\n").ok());
  EXPECT_FALSE(parse_universe_csv("mine", "symbol\n").ok());
}

TEST(Universe, WeightsAndEveryBadRowNameFileAndLine) {
  const auto ok = parse_universe_csv("mine", "symbol,name,weight\nAAPL,Apple,0.25\nMSFT,,0\n", "u.csv");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_EQ(ok->members.size(), 2u);
  EXPECT_EQ(ok->members[0].weight, 0.25);
  EXPECT_EQ(ok->members[0].name, "Apple");
  EXPECT_EQ(ok->members[1].weight, 0.0);
  EXPECT_FALSE(parse_universe_csv("mine", "symbol\nAAPL\n")->members[0].weight.has_value());
  struct Case {
    const char* csv;
    const char* message;
  };
  const Case cases[] = {
      {"symbol,weight\nAAPL,1\nbad sym,2\n", "u.csv:3: "},
      {"symbol,weight\nAAPL,-0.5\n", "u.csv:2: AAPL: weight -0.5 is negative"},
      {"symbol,weight\nAAPL,lots\n", "u.csv:2: AAPL: weight 'lots' is not a number"},
      {"symbol,weight\nAAPL,\n", "u.csv:2: AAPL: weight '' is not a number"},
      {"symbol,weight\nAAPL,inf\n", "is not a number"},
      {"# c\nsymbol\nAAPL\nMSFT\nAAPL\n", "u.csv:5: AAPL is listed twice (first on line 3)"},
      {"", "u.csv: empty file"},
      {"# only a comment\n\n", "u.csv: empty file"},
      {"symbol\n", "u.csv: universe 'mine' has no symbols"},
      {"name\nAAPL\n", "u.csv:1: header has no 'symbol' column"},
  };
  for (const auto& c : cases) {
    const auto r = parse_universe_csv("mine", c.csv, "u.csv");
    ASSERT_FALSE(r.ok()) << c.csv;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
  }
}

TEST(Universe, RegistrableNames) {
  for (const char* good : {"mine", "A", "tech_2025.v1-b"})
    EXPECT_TRUE(validate_universe_name(good).ok()) << good;
  EXPECT_TRUE(validate_universe_name(std::string(64, 'x')).ok());
  for (const char* bad : {"", "_x", "-x", ".x", "a b", "a+b", "a/b", "é"})
    EXPECT_EQ(validate_universe_name(bad).error().code, "INVALID_UNIVERSE_NAME") << bad;
  EXPECT_FALSE(validate_universe_name(std::string(65, 'x')).ok());
  const auto builtin = validate_universe_name("sp500");
  ASSERT_FALSE(builtin.ok());
  EXPECT_NE(builtin.error().message.find("built-in"), std::string::npos);
  EXPECT_FALSE(validate_universe_name("custom").ok());
}

TEST(Csv, SplitsQuotedFields) {
  std::vector<std::string_view> f;
  ASSERT_TRUE(csv::split_line(R"(a, "b,c" ,d,)", f));
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1], "b,c");
  EXPECT_EQ(f[3], "");
  EXPECT_FALSE(csv::split_line(R"(a,"b)", f));
}

TEST(Uuid, GeneratesVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto u = make_uuid_v4();
    ASSERT_TRUE(is_uuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(is_uuid("not-a-uuid"));
}

}  // namespace
}  // namespace ts
