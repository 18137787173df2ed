// Candlestick rules: the detections mirror the TA-Lib-exact kernels (sign,
// magnitude, bars), with the documented confidence and levels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "patterns/detail.hpp"
#include "patterns/pattern.hpp"
#include "patterns/test_support.hpp"

namespace ts::patterns {
namespace {

using testing::detect;
using testing::only;
using testing::SeriesBuilder;

/// tests/data/golden/candles_input_designed.csv: the candle golden input.
BarSeries designed_input() {
  std::ifstream f(std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/candles_input_designed.csv");
  std::string line;
  std::getline(f, line);  // header
  SeriesBuilder b;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string field[6];
    for (auto& x : field) std::getline(ss, x, ',');
    auto num = [&](int k) { return std::strtod(field[k].c_str(), nullptr); };
    b.bar(num(1), num(2), num(3), num(4), num(5));
  }
  return b.s;
}

// 20 copies of the first candle (volume history), 12 falling black candles
// (open 120-j, close 119-j, +/-0.3 shadows), then a hammer at bar 32: body
// 107.6-107.8, no upper shadow, low 105.6. Without the decline the 32 black
// candles all open at 109.
BarSeries hammer_series(bool after_decline) {
  SeriesBuilder b;
  const double first_open = after_decline ? 120 : 109;
  for (int j = 0; j < 20; ++j) b.bar(first_open, first_open + 0.3, first_open - 1.3, first_open - 1);
  for (int j = 0; j < 12; ++j) {
    const double o = after_decline ? 120 - j : 109, c = o - 1;
    b.bar(o, o + 0.3, c - 0.3, c);
  }
  b.bar(107.6, 107.8, 105.6, 107.8);
  return b.s;
}

TEST(CandleRules, HammerAfterADecline) {
  const auto found = only(detect(hammer_series(true)), "hammer");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 32u);
  EXPECT_EQ(found[0].direction, Direction::bullish);
  EXPECT_EQ(found[0].strength, 100);
  EXPECT_EQ(found[0].confidence, 0.9);  // 0.6 + 0.2 (prior decline) + 0.1 (volume at average)
  EXPECT_EQ(*found[0].levels.entry, 107.8);
  EXPECT_EQ(*found[0].levels.stop, 105.6);
  EXPECT_FALSE(found[0].levels.target.has_value());
}

TEST(CandleRules, HammerWithoutTrendContextHasLowerConfidence) {
  const auto found = only(detect(hammer_series(false)), "hammer");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].confidence, 0.7);
}

// Every candle rule reports exactly the kernel's non-zero bars, with the
// kernel's sign and magnitude; the doji is neutral.
TEST(CandleRules, MirrorTheKernelsOnTheGoldenInput) {
  const BarSeries s = designed_input();
  ASSERT_GT(s.size(), 2000u);
  const auto all = detect(s);
  const ta::candles::Ohlc ohlc{s.open, s.high, s.low, s.close};
  for (const auto& rule : detail::rules()) {
    if (!rule.candle) continue;
    SCOPED_TRACE(std::string(rule.spec.name));
    std::vector<double> col(s.size(), 0.0);
    rule.candle(ohlc, col);
    const auto found = only(all, rule.spec.name);
    std::size_t k = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (col[i] == 0) continue;
      ASSERT_LT(k, found.size());
      const Detection& d = found[k++];
      EXPECT_EQ(d.index, i);
      EXPECT_EQ(d.strength, std::fabs(col[i]));
      const Direction want =
          rule.neutral ? Direction::neutral : (col[i] > 0 ? Direction::bullish : Direction::bearish);
      EXPECT_EQ(d.direction, want);
      EXPECT_GE(d.confidence, 0.5);
      EXPECT_LE(d.confidence, 0.9);
      EXPECT_EQ(*d.levels.entry, s.close[i]);
      const std::size_t first = i + 1 - static_cast<std::size_t>(rule.candle_bars);
      if (want == Direction::bullish)
        EXPECT_EQ(*d.levels.stop, *std::min_element(s.low.begin() + first, s.low.begin() + i + 1));
      else if (want == Direction::bearish)
        EXPECT_EQ(*d.levels.stop, *std::max_element(s.high.begin() + first, s.high.begin() + i + 1));
      else
        EXPECT_FALSE(d.levels.stop.has_value());
    }
    EXPECT_EQ(k, found.size());
    EXPECT_GE(found.size(), 20u);
  }
}

}  // namespace
}  // namespace ts::patterns
