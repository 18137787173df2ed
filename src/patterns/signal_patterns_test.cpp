// Indicator signals on crafted series whose detections are known by
// construction: exact bar indices, directions, confidence and levels.
#include <gtest/gtest.h>

#include <cmath>

#include "patterns/pattern.hpp"
#include "patterns/test_support.hpp"

namespace ts::patterns {
namespace {

using testing::detect;
using testing::only;
using testing::SeriesBuilder;

// 250 bars at 100, then a ramp of `step` per bar for 30 bars.
BarSeries flat_then_ramp(double step) {
  SeriesBuilder b;
  for (int i = 0; i < 250; ++i) b.flat_bar(100);
  for (int i = 1; i <= 30; ++i) b.flat_bar(100 + step * i);
  return b.s;
}

TEST(MovingAverageCross, GoldenCrossOnTheFirstRampBar) {
  const auto found = detect(flat_then_ramp(+1));
  const auto golden = only(found, "golden_cross");
  ASSERT_EQ(golden.size(), 1u);
  // SMA50 and SMA200 are both exactly 100 at bar 249; at bar 250 SMA50 = 100.02 > SMA200 = 100.005.
  EXPECT_EQ(golden[0].index, 250u);
  EXPECT_EQ(golden[0].direction, Direction::bullish);
  EXPECT_EQ(golden[0].strength, 100);
  EXPECT_EQ(golden[0].confidence, 0.9);  // SMA200 rising, close above SMA50
  EXPECT_DOUBLE_EQ(*golden[0].levels.level, 100.005);
  EXPECT_EQ(*golden[0].levels.entry, 101);
  EXPECT_TRUE(only(found, "death_cross").empty());
}

TEST(MovingAverageCross, DeathCrossOnTheFirstDropBar) {
  const auto found = detect(flat_then_ramp(-1));
  const auto death = only(found, "death_cross");
  ASSERT_EQ(death.size(), 1u);
  EXPECT_EQ(death[0].index, 250u);
  EXPECT_EQ(death[0].direction, Direction::bearish);
  EXPECT_EQ(death[0].confidence, 0.9);
  EXPECT_DOUBLE_EQ(*death[0].levels.level, 99.995);
  EXPECT_TRUE(only(found, "golden_cross").empty());
}

TEST(MacdCross, BullishAndBearishOnTheFirstRampBar) {
  // Flat data keeps MACD and its signal at exactly 0; the first ramp bar moves
  // the fast EMA more than the slow one.
  const auto up = only(detect(flat_then_ramp(+1)), "macd_bullish_cross");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].index, 250u);
  EXPECT_EQ(up[0].direction, Direction::bullish);
  EXPECT_EQ(up[0].confidence, 0.6);  // above zero (no bonus), volume at its average (+0.1)
  const auto down = only(detect(flat_then_ramp(-1)), "macd_bearish_cross");
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].index, 250u);
  EXPECT_EQ(down[0].direction, Direction::bearish);
}

// Closes 100..119 (bars 0-19), down to 79 (bar 59), up to 119 (bar 99).
// With Wilder smoothing (r = 13/14): falling m bars from RSI 100 gives
// 100 r^m (below 70 at m = 5, below 30 at m = 17); rising k bars after the
// fall gives 100 (1 - (1 - r^40) r^k) (above 30 at k = 5, above 70 at k = 16).
TEST(RsiThresholds, KnownCrossingBars) {
  SeriesBuilder b;
  b.flat_bar(100);
  b.walk_to(119);
  b.walk_to(79);
  b.walk_to(119);
  ASSERT_EQ(b.s.size(), 100u);
  const auto found = detect(b.s);

  const auto ob_exit = only(found, "rsi_overbought_exit");
  ASSERT_EQ(ob_exit.size(), 1u);
  EXPECT_EQ(ob_exit[0].index, 24u);
  EXPECT_EQ(ob_exit[0].direction, Direction::bearish);
  EXPECT_EQ(ob_exit[0].confidence, 0.8);      // RSI was above 80, volume at average
  EXPECT_EQ(*ob_exit[0].levels.stop, 119.5);  // highest high of the last 14 bars

  const auto os_entry = only(found, "rsi_oversold_entry");
  ASSERT_EQ(os_entry.size(), 1u);
  EXPECT_EQ(os_entry[0].index, 36u);
  EXPECT_EQ(os_entry[0].direction, Direction::neutral);

  const auto os_exit = only(found, "rsi_oversold_exit");
  ASSERT_EQ(os_exit.size(), 1u);
  EXPECT_EQ(os_exit[0].index, 64u);
  EXPECT_EQ(os_exit[0].direction, Direction::bullish);
  EXPECT_EQ(os_exit[0].confidence, 0.8);
  EXPECT_EQ(*os_exit[0].levels.stop, 78.5);  // lowest low of the last 14 bars
  EXPECT_EQ(*os_exit[0].levels.entry, 84);

  const auto ob_entry = only(found, "rsi_overbought_entry");
  ASSERT_EQ(ob_entry.size(), 1u);
  EXPECT_EQ(ob_entry[0].index, 75u);
  EXPECT_EQ(ob_entry[0].direction, Direction::neutral);
}

// 30 bars at 100 (zero band width), then one bar closing at 100 +/- 5 on
// double volume. Band at bar 30: 100.25 +/- 2 * sqrt(1.1875) around a mean of
// 100 +/- 0.25.
TEST(BollingerBreakout, FirstCloseOutsideTheBand) {
  for (int side : {+1, -1}) {
    SCOPED_TRACE(side);
    SeriesBuilder b;
    for (int i = 0; i < 30; ++i) b.flat_bar(100);
    const double c = 100 + 5 * side;
    b.bar(100, std::max(100.0, c) + 0.5, std::min(100.0, c) - 0.5, c, 2000);
    for (int i = 0; i < 30; ++i) b.flat_bar(100);
    const auto found = only(detect(b.s), side > 0 ? "bb_upper_breakout" : "bb_lower_breakout");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].index, 30u);
    EXPECT_EQ(found[0].direction, side > 0 ? Direction::bullish : Direction::bearish);
    EXPECT_EQ(found[0].confidence, 0.8);  // volume >= 1.5x, close beyond the prior bar's extreme
    const double mid = 100 + 0.25 * side;
    EXPECT_NEAR(*found[0].levels.level, mid + side * 2 * std::sqrt(1.1875), 1e-9);
    EXPECT_NEAR(*found[0].levels.stop, mid, 1e-12);
    EXPECT_TRUE(only(detect(b.s), side > 0 ? "bb_lower_breakout" : "bb_upper_breakout").empty());
  }
}

// 280 bars at 100; 101 and 102 (bars 280-281); 25 bars at 102; 103 at bar 307.
// Fires at 280 and 307; 281 is a new high within the 20-bar cooldown.
TEST(Extreme52w, FirstNewExtremeOfARun) {
  for (int side : {+1, -1}) {
    SCOPED_TRACE(side);
    SeriesBuilder b;
    for (int i = 0; i < 280; ++i) b.flat_bar(100);
    b.flat_bar(100 + side);
    b.flat_bar(100 + 2 * side);
    for (int i = 0; i < 25; ++i) b.flat_bar(100 + 2 * side);
    b.flat_bar(100 + 3 * side);
    const auto all = detect(b.s);
    const auto found = only(all, side > 0 ? "high_52w" : "low_52w");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].index, 280u);
    EXPECT_EQ(*found[0].levels.level, 100);
    EXPECT_EQ(found[0].confidence, 0.6);
    EXPECT_EQ(found[1].index, 307u);
    EXPECT_EQ(*found[1].levels.level, 100 + 2 * side);
    EXPECT_EQ(found[1].direction, side > 0 ? Direction::bullish : Direction::bearish);
    EXPECT_TRUE(only(all, side > 0 ? "low_52w" : "high_52w").empty());
  }
}

TEST(Extreme52w, NeedsAFullYearOfHistory) {
  SeriesBuilder b;
  for (int i = 0; i < 200; ++i) b.flat_bar(100);
  b.flat_bar(110);
  EXPECT_TRUE(only(detect(b.s), "high_52w").empty());
}

// 40 bars ranging 99-101 (close 100) on volume 1000, then a close at 102.
BarSeries breakout_series(double volume) {
  SeriesBuilder b;
  for (int i = 0; i < 40; ++i) b.bar(100, 101, 99, 100, 1000);
  b.bar(100.5, 102.2, 100.5, 102, volume);
  b.bar(102, 103.5, 101.8, 103, 3000);  // day 2: also above its 20-bar high, not day 1
  return b.s;
}

TEST(Day1Breakout, FiresOnTheFirstCloseAboveThe20BarHighWithVolume) {
  const auto found = only(detect(breakout_series(2000)), "day1_breakout");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 40u);
  EXPECT_EQ(found[0].direction, Direction::bullish);
  EXPECT_EQ(found[0].confidence, 0.9);  // volume >= 2x, close in the top quarter
  EXPECT_EQ(*found[0].levels.level, 101);
  EXPECT_EQ(*found[0].levels.entry, 102);
  EXPECT_EQ(*found[0].levels.stop, 100.5);
  EXPECT_EQ(*found[0].levels.target, 103);  // 101 + (101 - 99)
}

TEST(Day1Breakout, VolumeThresholdIsInclusive) {
  const auto at = only(detect(breakout_series(1500)), "day1_breakout");
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(at[0].confidence, 0.7);
}

TEST(Day1Breakout, NoBreakoutWithoutVolume) {
  EXPECT_TRUE(only(detect(breakout_series(1499)), "day1_breakout").empty());
  EXPECT_TRUE(only(detect(breakout_series(1000)), "day1_breakout").empty());
}

}  // namespace
}  // namespace ts::patterns
