// ICHIMOKU, ZIGZAG and AVWAP on hand-checked bars (the values in the comments
// were worked out by hand from the definitions in kernels.hpp), plus the
// properties that make their streams safe: no output depends on a later bar.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "ta/function.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

using Col = std::vector<double>;

/// Bars from (high, low, close) triples; open = close, volume 1.
test_data::Series bars(const std::vector<std::array<double, 3>>& hlc) {
  test_data::Series s;
  for (const auto& [h, l, c] : hlc) {
    s.open.push_back(c);
    s.high.push_back(h);
    s.low.push_back(l);
    s.close.push_back(c);
    s.volume.push_back(1.0);
  }
  return s;
}

std::vector<Col> compute(const std::string& text, const test_data::Series& s, int& begin) {
  auto call = parse_call(text);
  EXPECT_TRUE(call.ok()) << text;
  std::vector<Col> cols(call->spec->outputs.size(), Col(s.close.size(), 0.0));
  std::vector<std::span<double>> spans(cols.begin(), cols.end());
  begin = run(*call, s.inputs(), spans);
  return cols;
}

TEST(Ichimoku, HandCheckedLines) {
  // tenkan 2, kijun 3, senkou 4, displacement 2: lookback 4 - 1 + 2 = 5.
  const auto s =
      bars({{10, 8, 9}, {12, 9, 11}, {11, 7, 8}, {14, 10, 13}, {13, 11, 12}, {15, 12, 14}, {16, 13, 15}});
  int begin = 0;
  const auto c = compute("ICHIMOKU(tenkan=2,kijun=3,senkou=4,displacement=2)", s, begin);
  ASSERT_EQ(begin, 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(std::isnan(c[0][i]));
  // Bar 5: tenkan = mid(bars 4-5) = (15+11)/2; kijun = mid(bars 3-5) = (15+10)/2;
  // the cloud computed at bar 3: senkou_a = (mid(2-3) + mid(1-3))/2 = (10.5+10.5)/2,
  // senkou_b = mid(0-3) = (14+7)/2; chikou = close[5].
  EXPECT_EQ(c[0][5], 13.0);
  EXPECT_EQ(c[1][5], 12.5);
  EXPECT_EQ(c[2][5], 10.5);
  EXPECT_EQ(c[3][5], 10.5);
  EXPECT_EQ(c[4][5], 14.0);
  // Bar 6: tenkan (16+12)/2, kijun (16+11)/2, senkou_a from bar 4 = ((14+10)/2 + (14+7)/2)/2,
  // senkou_b = mid(1-4) = (14+7)/2, chikou = 15.
  EXPECT_EQ(c[0][6], 14.0);
  EXPECT_EQ(c[1][6], 13.5);
  EXPECT_EQ(c[2][6], 11.25);
  EXPECT_EQ(c[3][6], 10.5);
  EXPECT_EQ(c[4][6], 15.0);
}

// No output at bar i changes when bars after i change (no future data).
TEST(TrendExtras, NoOutputReadsALaterBar) {
  const auto base = test_data::random_series(300, 5);
  for (const char* text : {"ICHIMOKU", "ICHIMOKU(tenkan=4,kijun=9,senkou=20,displacement=7)",
                           "ZIGZAG(deviation=2)", "AVWAP(anchor=11)"}) {
    int begin = 0;
    const auto full = compute(text, base, begin);
    for (std::size_t cut : {std::size_t{150}, std::size_t{230}}) {
      auto changed = base;
      for (std::size_t i = cut; i < 300; ++i) {
        changed.high[i] *= 1.5;
        changed.low[i] *= 0.5;
        changed.close[i] *= 0.7;
        changed.volume[i] += 1e6;
      }
      int b2 = 0;
      const auto other = compute(text, changed, b2);
      for (std::size_t k = 0; k < full.size(); ++k)
        for (std::size_t i = static_cast<std::size_t>(begin); i < cut; ++i)
          ASSERT_EQ(full[k][i], other[k][i]) << text << " output " << k << " bar " << i << " cut " << cut;
    }
  }
}

TEST(ZigZag, HandCheckedPivots) {
  const auto s = bars({{100, 100, 100},    // anchor: pivot = close 100, direction 0
                       {105, 101, 104},    // no 10% move from 100 either way
                       {112, 108, 110},    // 112 >= 100 * 1.1: low pivot 100 at bar 0, up leg
                       {120, 115, 118},    // extends the up leg to 120 (bar 3)
                       {119, 107, 108},    // 107 <= 120 * 0.9: high pivot 120 at bar 3, down leg
                       {110, 100, 101},    // extends the down leg to 100 (bar 5)
                       {111, 104, 110}});  // 111 >= 100 * 1.1: low pivot 100 at bar 5
  int begin = -1;
  const auto c = compute("ZIGZAG(deviation=10)", s, begin);
  EXPECT_EQ(begin, 0);
  EXPECT_EQ(c[0], (Col{100, 100, 100, 100, 120, 120, 100}));
  EXPECT_EQ(c[1], (Col{0, 0, 1, 1, -1, -1, 1}));
  EXPECT_EQ(c[2], (Col{0, 0, 0, 0, 3, 3, 5}));
}

TEST(Avwap, HandCheckedAndEqualToVwapAtZero) {
  auto s = bars({{5, 1, 3}, {9, 1, 5}, {12, 8, 10}, {15, 9, 12}, {12, 12, 12}});
  s.volume = {7, 7, 100, 300, 0};
  int begin = 0;
  const auto c = compute("AVWAP(anchor=2)", s, begin);
  ASSERT_EQ(begin, 2);
  EXPECT_TRUE(std::isnan(c[0][1]));
  EXPECT_EQ(c[0][2], 10.0);                             // tp of the anchor bar
  EXPECT_EQ(c[0][3], (10.0 * 100 + 12.0 * 300) / 400);  // 11.5
  EXPECT_EQ(c[0][4], 11.5);                             // zero volume: unchanged
  s.volume[2] = 0;
  const auto z = compute("AVWAP(anchor=2)", s, begin);
  EXPECT_EQ(z[0][2], 10.0);  // no volume yet: the bar's tp
  EXPECT_EQ(z[0][3], 12.0);

  const auto walk = test_data::random_series(200, 9, 13);
  const auto a = compute("AVWAP", walk, begin);
  const auto v = compute("VWAP", walk, begin);
  EXPECT_EQ(a[0], v[0]);
}

TEST(TrendExtras, OptionRanges) {
  for (const char* text : {"ICHIMOKU(tenkan=0)", "ICHIMOKU(displacement=-1)", "ZIGZAG(deviation=0)",
                           "ZIGZAG(deviation=101)", "AVWAP(anchor=-1)", "AVWAP(anchor=1.5)"}) {
    auto call = parse_call(text);
    ASSERT_FALSE(call.ok()) << text;
    EXPECT_EQ(call.error().code, "BAD_OPTION") << text;
  }
}

}  // namespace
}  // namespace ts::ta
