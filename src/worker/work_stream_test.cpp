// The distributed workers' wire: shard, result and settings entries round-trip, and bad entries
// are refused with a code instead of being half-read.
#include "worker/work_stream.hpp"

#include <gtest/gtest.h>

namespace ts::worker {
namespace {

TEST(WorkStream, KeysAreDerivedFromTheRunId) {
  EXPECT_EQ(work_key("r1"), "tickstock:work:r1");
  EXPECT_EQ(results_key("r1"), "tickstock:work:r1:results");
  EXPECT_EQ(dead_key("r1"), "tickstock:work:r1:dead");
  EXPECT_EQ(cancel_key("r1"), "tickstock:work:r1:cancel");
}

TEST(WorkStream, ShardRoundTrips) {
  const Shard s{"run-1", Phase::indicators, 3, {"AAPL", "MSFT"}, R"({"full":true})", 7};
  const auto back = decode_shard(encode_shard(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->run_id, "run-1");
  EXPECT_EQ(back->phase, Phase::indicators);
  EXPECT_EQ(back->index, 3);
  EXPECT_EQ(back->symbols, s.symbols);
  EXPECT_EQ(back->parameters, s.parameters);
  EXPECT_EQ(back->alert_bars, 7);
}

TEST(WorkStream, BadShardsAreRefused) {
  for (const char* bad : {"", "[]", R"({"run_id":"r"})", R"({"run_id":"r","phase":"import","symbols":[]})",
                          R"({"run_id":"r","phase":"nope","symbols":[]})",
                          R"({"run_id":"r","phase":"patterns","symbols":"AAPL"})"}) {
    const auto s = decode_shard(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, "BAD_SHARD") << bad;
  }
}

TEST(WorkStream, SymbolResultRoundTripsWithDetectionsAndValues) {
  ResultEntry r{ResultEntry::Kind::symbol, "1-0", Phase::patterns, "KO", {}, "w1", 0};
  r.report.ok = true;
  r.report.count = 2;
  r.report.ms = 1.25;
  r.report.alerts.push_back(
      {"engulfing", parse_date("2025-06-02").value(), "bullish", 100, 0.1 + 0.2, R"({"entry":1.5})"});
  r.report.values.push_back(
      {Timeframe::weekly, {{"SMA(timeperiod=20)", parse_date("2025-05-30").value(), R"({"real":1})"}}});
  const auto back = decode_result(encode_result(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, ResultEntry::Kind::symbol);
  EXPECT_EQ(back->shard_id, "1-0");
  EXPECT_EQ(back->symbol, "KO");
  EXPECT_EQ(back->worker_id, "w1");
  EXPECT_EQ(back->report.worker_id, "w1");
  EXPECT_TRUE(back->report.ok);
  EXPECT_EQ(back->report.count, 2);
  ASSERT_EQ(back->report.alerts.size(), 1u);
  EXPECT_EQ(back->report.alerts[0].confidence, 0.1 + 0.2);  // bit for bit
  EXPECT_EQ(back->report.alerts[0].levels_json, R"({"entry":1.5})");
  EXPECT_EQ(format_date(back->report.alerts[0].bar_date), "2025-06-02");
  ASSERT_EQ(back->report.values.size(), 1u);
  EXPECT_EQ(back->report.values[0].tf, Timeframe::weekly);
  EXPECT_EQ(back->report.values[0].rows[0].indicator, "SMA(timeperiod=20)");
}

TEST(WorkStream, FailedAndDeadResultsKeepTheirFields) {
  ResultEntry f{ResultEntry::Kind::symbol, "2-0", Phase::cache_sync, "XOM", {}, "w2", 0};
  f.report = {false, "STORAGE_FAILED", "disk full", 0};
  f.report.storage_failure = true;
  auto back = decode_result(encode_result(f));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->report.ok);
  EXPECT_EQ(back->report.error_code, "STORAGE_FAILED");
  EXPECT_EQ(back->report.message, "disk full");
  EXPECT_TRUE(back->report.storage_failure);

  const ResultEntry d{ResultEntry::Kind::dead, "3-0", Phase::indicators, "", {}, "w3", 4};
  back = decode_result(encode_result(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, ResultEntry::Kind::dead);
  EXPECT_EQ(back->deliveries, 4);
  EXPECT_FALSE(decode_result(R"({"kind":"other","shard":"1-0","phase":"patterns"})"));
  EXPECT_FALSE(decode_result("not json"));
}

TEST(WorkStream, SettingsRoundTripAndDefault) {
  const RunSettings s{std::chrono::milliseconds(1500), 5};
  const auto back = decode_settings(encode_settings(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->claim_timeout.count(), 1500);
  EXPECT_EQ(back->max_deliveries, 5);
  EXPECT_FALSE(decode_settings("[]"));
}

}  // namespace
}  // namespace ts::worker
