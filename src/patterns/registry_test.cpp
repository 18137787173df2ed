// The registry table and detect_all's contract: ordering, `first`, and the
// warm-up property the engine's incremental run relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string>

#include "patterns/detail.hpp"
#include "patterns/pattern.hpp"
#include "patterns/test_support.hpp"
#include "ta/candles/candles.hpp"

namespace ts::patterns {
namespace {

using testing::detect;
using testing::random_walk;
using testing::SeriesBuilder;

std::size_t registry_position(std::string_view name) {
  const PatternSpec* p = find_pattern(name);
  return p ? static_cast<std::size_t>(p - pattern_registry().data()) : ~std::size_t{0};
}

BarSeries tail(const BarSeries& s, std::size_t from) {
  BarSeries out;
  for (std::size_t i = from; i < s.size(); ++i) out.push_back(s.bar(i));
  return out;
}

TEST(Registry, NamesAreUniqueSnakeCaseAndFindable) {
  const auto reg = pattern_registry();
  EXPECT_EQ(reg.size(), 27u);
  std::set<std::string_view> names;
  for (const PatternSpec& p : reg) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    for (char ch : p.name)
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(ch) || ch == '_');
    EXPECT_FALSE(p.description.empty()) << p.name;
    EXPECT_EQ(find_pattern(p.name), &p);
    if (p.kind == PatternKind::candlestick) {
      EXPECT_EQ(p.ta_function.substr(0, 3), "CDL") << p.name;
    } else {
      EXPECT_TRUE(p.ta_function.empty()) << p.name;
    }
  }
  EXPECT_EQ(find_pattern("nope"), nullptr);
  for (const char* name : {"doji",
                           "hammer",
                           "hanging_man",
                           "shooting_star",
                           "engulfing",
                           "harami",
                           "morning_star",
                           "evening_star",
                           "three_white_soldiers",
                           "three_black_crows",
                           "golden_cross",
                           "death_cross",
                           "macd_bullish_cross",
                           "macd_bearish_cross",
                           "rsi_oversold_exit",
                           "rsi_overbought_exit",
                           "bb_upper_breakout",
                           "bb_lower_breakout",
                           "high_52w",
                           "low_52w",
                           "day1_breakout",
                           "resistance_breakout",
                           "support_breakdown",
                           "double_top",
                           "double_bottom"})
    EXPECT_NE(find_pattern(name), nullptr) << name;
}

TEST(Registry, DirectionNames) {
  EXPECT_EQ(to_string(Direction::bullish), "bullish");
  EXPECT_EQ(to_string(Direction::bearish), "bearish");
  EXPECT_EQ(to_string(Direction::neutral), "neutral");
}

TEST(Registry, WarmupCoversEveryRule) {
  const auto rules = detail::rules();
  ASSERT_EQ(rules.size(), pattern_registry().size());
  for (const auto& r : rules) {
    EXPECT_LE(r.warmup, warmup_bars()) << r.spec.name;
    if (r.candle) {
      EXPECT_EQ(r.candle(ta::candles::Ohlc{}, {}), 0);  // empty input is safe
      EXPECT_GT(r.candle_bars, 0);
    }
  }
  // Every candle kernel's lookback fits in the candle rules' warm-up.
  for (int lb : {ta::candles::doji_lookback(), ta::candles::hammer_lookback(), ta::candles::harami_lookback(),
                 ta::candles::morning_star_lookback(0.3), ta::candles::three_white_soldiers_lookback(),
                 ta::candles::three_black_crows_lookback()})
    EXPECT_LE(static_cast<std::size_t>(lb), rules.front().warmup);
  EXPECT_EQ(warmup_bars(), 500u);
}

// O = H = L = C: TA-Lib calls every such bar a doji (body 0 <= 10% of a 0 range);
// nothing else may fire.
TEST(DetectAll, PerfectlyFlatSeriesOnlyYieldsDojis) {
  SeriesBuilder b;
  for (int i = 0; i < 700; ++i) b.bar(100, 100, 100, 100, 1000);
  const auto found = detect(b.s);
  for (const auto& d : found) EXPECT_EQ(d.pattern, "doji") << d.index;
  EXPECT_EQ(found.size(), 700u - ta::candles::doji_lookback());
}

TEST(DetectAll, FlatCloseWithConstantCandlesYieldsNothing) {
  SeriesBuilder b;
  for (int i = 0; i < 700; ++i) b.bar(99, 101, 98, 100, 1000);
  EXPECT_TRUE(detect(b.s).empty());
}

TEST(DetectAll, OrderedByIndexThenRegistryOrder) {
  const BarSeries s = random_walk(1500, 7);
  const auto found = detect(s);
  ASSERT_GT(found.size(), 100u);
  for (std::size_t k = 1; k < found.size(); ++k) {
    const auto& a = found[k - 1];
    const auto& b = found[k];
    EXPECT_TRUE(a.index < b.index ||
                (a.index == b.index && registry_position(a.pattern) < registry_position(b.pattern)))
        << k;
  }
}

TEST(DetectAll, RespectsFirstAndAppends) {
  const BarSeries s = random_walk(1200, 11);
  const auto all = detect(s);
  std::vector<Detection> out(1);  // pre-existing content is kept
  detect_all(s.view(), 900, out);
  ASSERT_GE(out.size(), 1u);
  const auto expected =
      std::count_if(all.begin(), all.end(), [](const Detection& d) { return d.index >= 900; });
  EXPECT_EQ(static_cast<long>(out.size() - 1), expected);
  for (std::size_t k = 1; k < out.size(); ++k) EXPECT_GE(out[k].index, 900u);
  std::vector<Detection> none;
  detect_all(s.view(), s.size(), none);
  detect_all(BarSeries{}.view(), 0, none);
  EXPECT_TRUE(none.empty());
}

bool same_optional(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}
bool close_optional(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || std::fabs(*a - *b) <= 1e-9 * std::fabs(*b));
}

// The incremental run: detections for bars >= first are identical whether the
// series starts at 0 or at first - warmup_bars(). Bit for bit.
TEST(DetectAll, ExactGivenWarmupBarsOfHistory) {
  const BarSeries full = random_walk(4000, 2024);
  const std::size_t w = warmup_bars();
  for (std::size_t first : {w, w + 1, std::size_t(1234), std::size_t(2900), std::size_t(3999)}) {
    SCOPED_TRACE(first);
    const auto a = detect(full, first);
    const auto b = detect(tail(full, first - w), w);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].pattern, b[k].pattern);
      EXPECT_EQ(a[k].index, b[k].index + (first - w));
      EXPECT_EQ(a[k].direction, b[k].direction);
      EXPECT_EQ(a[k].strength, b[k].strength);
      EXPECT_EQ(a[k].confidence, b[k].confidence);
      EXPECT_TRUE(same_optional(a[k].levels.entry, b[k].levels.entry));
      EXPECT_TRUE(same_optional(a[k].levels.stop, b[k].levels.stop));
      EXPECT_TRUE(same_optional(a[k].levels.target, b[k].levels.target));
      EXPECT_TRUE(same_optional(a[k].levels.level, b[k].levels.level));
    }
  }
}

// A full-history run agrees with the incremental run on the set of detections:
// EMA seeds older than warmup_bars() weigh less than double precision. Levels
// read from SMAs may differ in the last bits (running sums started elsewhere).
TEST(DetectAll, FullHistoryAgreesWithIncrementalRun) {
  const BarSeries full = random_walk(6000, 99);
  const std::size_t w = warmup_bars();
  const auto whole = detect(full);
  std::set<std::string_view> kinds;
  for (const auto& d : whole) kinds.insert(d.pattern);
  EXPECT_GE(kinds.size(), 22u) << "the random walk should exercise most rules";

  for (std::size_t first : {std::size_t(1500), std::size_t(3001), std::size_t(5990)}) {
    SCOPED_TRACE(first);
    std::vector<Detection> a;
    for (const auto& d : whole)
      if (d.index >= first) a.push_back(d);
    const auto b = detect(tail(full, first - w), w);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].pattern, b[k].pattern);
      EXPECT_EQ(a[k].index, b[k].index + (first - w));
      EXPECT_EQ(a[k].direction, b[k].direction);
      EXPECT_EQ(a[k].strength, b[k].strength);
      EXPECT_EQ(a[k].confidence, b[k].confidence);
      EXPECT_TRUE(close_optional(a[k].levels.entry, b[k].levels.entry));
      EXPECT_TRUE(close_optional(a[k].levels.stop, b[k].levels.stop));
      EXPECT_TRUE(close_optional(a[k].levels.target, b[k].levels.target));
      EXPECT_TRUE(close_optional(a[k].levels.level, b[k].levels.level));
    }
  }
}

}  // namespace
}  // namespace ts::patterns
