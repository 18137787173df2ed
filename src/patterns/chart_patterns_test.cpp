// Swing-pivot chart patterns on crafted series: support/resistance breaks and
// double tops/bottoms, with exact indices and levels; plus negative cases.
#include <gtest/gtest.h>

#include "patterns/pattern.hpp"
#include "patterns/test_support.hpp"

namespace ts::patterns {
namespace {

using testing::detect;
using testing::only;
using testing::SeriesBuilder;

// Triangle wave between 95 and 105 (period 20: troughs at multiples of 20,
// peaks at 10 mod 20), bars 0..last, each bar +/-0.5 around its close.
SeriesBuilder wave(int last) {
  SeriesBuilder b;
  for (int j = 0; j <= last; ++j) {
    const int phase = j % 20;
    b.flat_bar(phase <= 10 ? 95 + phase : 115 - phase);
  }
  return b;
}

TEST(LevelBreak, ResistanceBreakoutAboveTestedPeaks) {
  SeriesBuilder b = wave(110);  // bar 110 is a peak at 105
  b.flat_bar(106, 0.5, 2000);   // bar 111 closes above the 105.5 pivot highs
  const auto found = only(detect(b.s), "resistance_breakout");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 111u);
  EXPECT_EQ(found[0].direction, Direction::bullish);
  EXPECT_EQ(found[0].confidence, 0.9);  // volume 2x, two pivots at the level
  EXPECT_EQ(*found[0].levels.level, 105.5);
  EXPECT_EQ(*found[0].levels.stop, 105.5);    // the bar's low
  EXPECT_EQ(*found[0].levels.target, 116.5);  // 105.5 + (105.5 - 94.5)
  EXPECT_EQ(*found[0].levels.entry, 106);
}

TEST(LevelBreak, SupportBreakdownBelowTestedTroughs) {
  SeriesBuilder b = wave(120);  // bar 120 is a trough at 95
  b.flat_bar(94, 0.5, 2000);
  const auto found = only(detect(b.s), "support_breakdown");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 121u);
  EXPECT_EQ(found[0].direction, Direction::bearish);
  EXPECT_EQ(found[0].confidence, 0.9);
  EXPECT_EQ(*found[0].levels.level, 94.5);
  EXPECT_EQ(*found[0].levels.stop, 94.5);    // the bar's high
  EXPECT_EQ(*found[0].levels.target, 83.5);  // 94.5 - (105.5 - 94.5)
}

TEST(LevelBreak, RangeWithoutABreakYieldsNothing) {
  const auto all = detect(wave(200).s);
  EXPECT_TRUE(only(all, "resistance_breakout").empty());
  EXPECT_TRUE(only(all, "support_breakdown").empty());
  EXPECT_TRUE(only(all, "double_top").empty());
  EXPECT_TRUE(only(all, "double_bottom").empty());
}

// Closes: 120 down to 100 (bar 20, low 99.5), up to 110 (bar 30, high 110.5),
// down to `second` (bar 30 + 110 - second), then up by 1 per bar to 115.
// For second = 101: troughs 99.5 / 100.5 at bars 20 and 39, neckline 110.5,
// first close above it at bar 49 (111).
BarSeries double_bottom_series(double second, double break_volume = 2000) {
  SeriesBuilder b;
  b.flat_bar(120);
  b.walk_to(100);
  b.walk_to(110);
  b.walk_to(second);
  while (b.s.close.back() < 115) {
    const double c = b.s.close.back() + 1;
    b.flat_bar(c, 0.5, c > 110.5 && b.s.close.back() <= 110.5 ? break_volume : 1000);
  }
  return b.s;
}

// The mirror image around 110: 100 up to 120, down to 110, up to 220 - second, down.
BarSeries double_top_series(double second) {
  const BarSeries bottom = double_bottom_series(second);
  SeriesBuilder b;
  for (std::size_t i = 0; i < bottom.size(); ++i) b.flat_bar(220 - bottom.close[i], 0.5, bottom.volume[i]);
  return b.s;
}

TEST(DoubleBottom, ConfirmedByTheNecklineBreak) {
  const auto found = only(detect(double_bottom_series(101)), "double_bottom");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 49u);
  EXPECT_EQ(found[0].direction, Direction::bullish);
  EXPECT_EQ(found[0].confidence, 0.8);  // volume 2x; troughs 1.0 apart (> 1%)
  EXPECT_EQ(*found[0].levels.level, 110.5);
  EXPECT_EQ(*found[0].levels.entry, 111);
  EXPECT_EQ(*found[0].levels.stop, 99.5);
  EXPECT_EQ(*found[0].levels.target, 121.5);
}

TEST(DoubleBottom, EqualTroughsRaiseConfidence) {
  const auto found = only(detect(double_bottom_series(100)), "double_bottom");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 51u);  // the second trough is one bar later and 1 lower
  EXPECT_EQ(found[0].confidence, 0.9);
}

TEST(DoubleBottom, NotWithoutVolumeBonusOrWithTroughsTooFarApart) {
  const auto quiet = only(detect(double_bottom_series(101, 1000)), "double_bottom");
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_EQ(quiet[0].confidence, 0.6);
  // Second trough at 96 (low 95.5): 4 below the first, more than 3%.
  EXPECT_TRUE(only(detect(double_bottom_series(96)), "double_bottom").empty());
}

TEST(DoubleBottom, NotBeforeTheNecklineBreaks) {
  BarSeries s = double_bottom_series(101);
  SeriesBuilder b;
  for (std::size_t i = 0; i < 49; ++i) b.bar(s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]);
  EXPECT_TRUE(only(detect(b.s), "double_bottom").empty());
}

TEST(DoubleTop, ConfirmedByTheNecklineBreak) {
  const auto all = detect(double_top_series(101));
  const auto found = only(all, "double_top");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 49u);
  EXPECT_EQ(found[0].direction, Direction::bearish);
  EXPECT_EQ(found[0].confidence, 0.9);  // volume 2x; peaks 1.0 apart, within 1% of 119.5
  EXPECT_EQ(*found[0].levels.level, 109.5);
  EXPECT_EQ(*found[0].levels.entry, 109);
  EXPECT_EQ(*found[0].levels.stop, 120.5);
  EXPECT_EQ(*found[0].levels.target, 98.5);
  EXPECT_TRUE(only(all, "double_bottom").empty());
}

}  // namespace
}  // namespace ts::patterns
