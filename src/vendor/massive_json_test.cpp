#include "vendor/massive_json.hpp"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ts::vendor {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono;

TradingDate d(std::string_view s) { return parse_date(s).value(); }

/// ms UTC of a UTC calendar time.
std::int64_t utc_ms(std::string_view day, int h, int m = 0, int s = 0, int ms = 0) {
  const auto t = d(day) + hours{h} + minutes{m} + seconds{s} + milliseconds{ms};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TEST(TradingDate, NearMidnightUtcUsesNewYorkDate) {
  // January: EST (UTC-5). 02:00Z on the 6th is 21:00 on the 5th in New York.
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-01-06", 2)), d("2026-01-05"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-01-06", 4, 59, 59, 999)), d("2026-01-05"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-01-06", 5)), d("2026-01-06"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-01-05", 23, 59)), d("2026-01-05"));
}

TEST(TradingDate, AcrossSpringForward2026) {
  // DST starts 2026-03-08: midnight in New York is 05:00Z before, 04:00Z after.
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-03-06", 5)), d("2026-03-06"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-03-06", 4, 59)), d("2026-03-05"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-03-09", 4)), d("2026-03-09"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-03-09", 3, 59, 59, 999)), d("2026-03-08"));
  EXPECT_EQ(trading_date_from_ms(1773028800000), d("2026-03-09"));  // a vendor session start
}

TEST(TradingDate, AcrossFallBack2026) {
  // DST ends 2026-11-01: midnight is 04:00Z on 10-30, 05:00Z on 11-02.
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-10-30", 4)), d("2026-10-30"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-10-30", 3, 59)), d("2026-10-29"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-11-02", 4, 30)), d("2026-11-01"));
  EXPECT_EQ(trading_date_from_ms(utc_ms("2026-11-02", 5)), d("2026-11-02"));
}

std::string bar_json(std::string_view day, double o, double h, double l, double c, double v = 1000) {
  return R"({"o":)" + std::to_string(o) + R"(,"h":)" + std::to_string(h) + R"(,"l":)" + std::to_string(l) +
         R"(,"c":)" + std::to_string(c) + R"(,"v":)" + std::to_string(v) + R"(,"vw":1.5,"n":12,"t":)" +
         std::to_string(utc_ms(day, 5)) + "}";
}

TEST(ParseAggregates, ReadsBarsAndPaging) {
  const std::string body =
      R"({"ticker":"AAPL","status":"OK","request_id":"r1","resultsCount":2,"results":[)" +
      bar_json("2026-01-05", 10, 11, 9, 10.5) + "," + bar_json("2026-01-06", 10.5, 12, 10, 11) +
      R"(],"next_url":"https://api.massive.com/v2/aggs/ticker/AAPL/range/1/day/1/2?cursor=x"})";
  auto p = parse_aggregates(body);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->request_id, "r1");
  EXPECT_EQ(p->status, "OK");
  ASSERT_TRUE(p->next_url);
  ASSERT_EQ(p->bars.size(), 2u);
  EXPECT_EQ(p->bars.bar(0), (Bar{d("2026-01-05"), 10, 11, 9, 10.5, 1000}));
  EXPECT_EQ(p->bars.date[1], d("2026-01-06"));
}

TEST(ParseAggregates, NoResultsIsAnEmptyPage) {
  auto p = parse_aggregates(R"({"status":"OK","request_id":"r2","resultsCount":0,"queryCount":0})");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->bars.empty());
  EXPECT_FALSE(p->next_url);
}

TEST(ParseAggregates, BadBarNamesRequestAndIndex) {
  const std::string body = R"({"status":"OK","request_id":"r3","results":[)" +
                           bar_json("2026-01-05", 10, 11, 9, 10.5) + "," +
                           bar_json("2026-01-06", 10, 9.5, 9, 10.2) + "]}";
  auto p = parse_aggregates(body);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "BAD_DATA");
  EXPECT_THAT(p.error().message, HasSubstr("request r3 bar 1: high"));
}

TEST(ParseAggregates, IndicesAndDatesCarryAcrossPages) {
  const std::string body =
      R"({"status":"OK","request_id":"r4","results":[)" + bar_json("2026-01-05", 10, 11, 9, 10.5) + "]}";
  auto p = parse_aggregates(body, PageContext{d("2026-01-05"), 7});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "BAD_DATA");
  EXPECT_THAT(p.error().message, HasSubstr("request r4 bar 7: date 2026-01-05 not after previous"));
}

TEST(ParseAggregates, MissingFieldsAndWrongTypes) {
  auto p = parse_aggregates(R"({"request_id":"r5","results":[{"o":1,"h":1,"l":1,"v":1,"t":0}]})");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "request r5 bar 0: missing field 'c'");
  p = parse_aggregates(R"({"request_id":"r6","results":[{"o":1,"h":1,"l":1,"c":1,"v":1,"t":"x"}]})");
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message, HasSubstr("request r6 bar 0: field 't'"));
  p = parse_aggregates(R"({"request_id":"r7","results":{}})");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "BAD_JSON");
}

TEST(ParseAggregates, RejectsTruncatedAndNonJson) {
  const std::string body =
      R"({"status":"OK","request_id":"r8","results":[)" + bar_json("2026-01-05", 10, 11, 9, 10.5) + "]}";
  for (std::string_view b : {std::string_view(body).substr(0, body.size() / 2), std::string_view("<html>"),
                             std::string_view(""), std::string_view("[1,2]")}) {
    auto p = parse_aggregates(b);
    ASSERT_FALSE(p) << b;
    EXPECT_EQ(p.error().code, "BAD_JSON");
  }
}

TEST(ParseAggregates, VendorErrorStatus) {
  auto p = parse_aggregates(R"({"status":"ERROR","request_id":"r9","error":"Unknown API Key"})");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "VENDOR_ERROR");
  EXPECT_THAT(p.error().message, HasSubstr("Unknown API Key"));
}

TEST(ParseGroupedDaily, ReadsTickers) {
  std::string a = bar_json("2026-03-09", 10, 11, 9, 10.5), b = bar_json("2026-03-09", 20, 21, 19, 20.5);
  a.insert(1, R"("T":"AAA",)");
  b.insert(1, R"("T":"BBB",)");
  auto g = parse_grouped_daily(R"({"status":"OK","request_id":"g1","results":[)" + a + "," + b + "]}");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->request_id, "g1");
  ASSERT_EQ(g->bars.size(), 2u);
  EXPECT_EQ(g->bars[1].ticker, "BBB");
  EXPECT_EQ(g->bars[1].bar, (Bar{d("2026-03-09"), 20, 21, 19, 20.5, 1000}));
}

TEST(ParseGroupedDaily, BadBarAndMissingTicker) {
  std::string a = bar_json("2026-03-09", 10, 9, 8, 10.5);
  a.insert(1, R"("T":"AAA",)");
  std::string b = bar_json("2026-03-09", 20, 21, 19, 20.5);
  b.insert(1, R"("T":"BBB",)");
  auto g = parse_grouped_daily(R"({"request_id":"g2","results":[)" + a + "," + b + "]}");
  ASSERT_TRUE(g) << g.error().message;  // one bad bar fails only its ticker
  ASSERT_EQ(g->bars.size(), 1u);
  EXPECT_EQ(g->bars[0].ticker, "BBB");
  ASSERT_EQ(g->rejected.size(), 1u);
  EXPECT_EQ(g->rejected[0].ticker, "AAA");
  EXPECT_THAT(g->rejected[0].message, HasSubstr("request g2 bar 0: AAA: high"));
  g = parse_grouped_daily(R"({"request_id":"g3","results":[)" + bar_json("2026-03-09", 10, 11, 9, 10) + "]}");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->rejected.size(), 1u);
  EXPECT_EQ(g->rejected[0].message, "request g3 bar 0: missing field 'T'");
  EXPECT_FALSE(parse_grouped_daily(R"({"request_id":"g4","results":7})"));
}

TEST(ParseSplits, ReadsSplits) {
  auto s = parse_splits(
      R"({"status":"OK","request_id":"s1","results":[{"id":"x","ticker":"SPLT","execution_date":"2025-06-02","split_from":1,"split_to":2}]})");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->splits.size(), 1u);
  EXPECT_EQ(s->splits[0].ticker, "SPLT");
  EXPECT_EQ(s->splits[0].execution_date, d("2025-06-02"));
  EXPECT_EQ(s->splits[0].split_to, 2);
  auto bad = parse_splits(
      R"({"request_id":"s2","results":[{"ticker":"X","execution_date":"2025-06-02","split_from":0,"split_to":2}]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "BAD_DATA");
}

TEST(ParseTickerDetails, ReadsFields) {
  auto t = parse_ticker_details(
      R"({"status":"OK","request_id":"t1","results":{"ticker":"AAPL","name":"Apple Inc.","primary_exchange":"XNAS","type":"CS","active":false}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->name, "Apple Inc.");
  EXPECT_EQ(t->primary_exchange, "XNAS");
  EXPECT_FALSE(t->active);
}

TEST(ParseTickerList, ReadsEveryTickerAndTheNextPage) {
  auto page = parse_ticker_list(
      R"({"status":"OK","request_id":"l1","count":3,"next_url":"https://api.massive.com/v3/reference/tickers?cursor=abc",
          "results":[{"ticker":"AAPL","name":"Apple Inc.","market":"stocks","primary_exchange":"XNAS","type":"CS","active":true},
                     {"name":"no ticker"},
                     {"ticker":"SPY","name":"SPDR S&P 500","primary_exchange":"ARCX","type":"ETF"}]})");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->next_url, "https://api.massive.com/v3/reference/tickers?cursor=abc");
  ASSERT_EQ(page->tickers.size(), 2u);
  EXPECT_EQ(page->tickers[1].ticker, "SPY");
  EXPECT_EQ(page->tickers[1].type, "ETF");
  EXPECT_TRUE(page->tickers[1].active);  // absent: active
  auto last = parse_ticker_list(R"({"status":"OK","request_id":"l2","results":[]})");
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->next_url);
  EXPECT_FALSE(parse_ticker_list(R"({"results":{}})"));
  EXPECT_EQ(parse_ticker_list(R"({"status":"ERROR","request_id":"x","error":"bad"})").error().code,
            "VENDOR_ERROR");
}

}  // namespace
}  // namespace ts::vendor
