// TickStock extras beyond RELVOL/PIVOTS: each kernel is checked against a
// plain, independent implementation of its documented formula (long double
// loops, no shared helpers), on hand-checked small cases, at its first valid
// index and for option range rejection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "ta/function.hpp"
#include "ta/kernels.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Col = std::vector<double>;

using Bars = test_data::Series;
/// Random bars with a zero-volume bar every 17.
Bars random_bars(std::size_t n, unsigned seed) { return test_data::random_series(n, seed, 17); }

/// Runs `text` over bars; returns the output columns (NaN before begin).
std::vector<Col> run_call(const std::string& text, const Bars& b, int* begin = nullptr) {
  auto call = parse_call(text);
  EXPECT_TRUE(call.ok()) << text;
  const std::size_t n = b.close.size();
  std::vector<Col> cols(call->spec->outputs.size(), Col(n, 0.0));
  std::vector<std::span<double>> spans(cols.begin(), cols.end());
  const int got = run(*call, b.inputs(), spans);
  if (begin) *begin = got;
  return cols;
}

/// Same value, or both NaN, within rel/abs tolerance.
void expect_close(const Col& got, const Col& want, std::size_t from, const std::string& what,
                  double rel = 1e-12, double abs = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = from; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " bar " << i << ": " << got[i];
      continue;
    }
    const double tol = std::max(abs, rel * std::fabs(want[i]));
    EXPECT_NEAR(got[i], want[i], tol) << what << " bar " << i;
  }
}

void expect_rejected(const std::string& text) {
  auto call = parse_call(text);
  EXPECT_FALSE(call.ok()) << text;
  if (!call.ok()) {
    EXPECT_EQ(call.error().code, "BAD_OPTION") << text;
  }
}

// ---- Independent reference implementations --------------------------------

long double ref_tr(const Bars& b, std::size_t i) {
  const long double h = b.high[i], l = b.low[i], pc = b.close[i - 1];
  return std::max({h - l, std::fabs(h - pc), std::fabs(l - pc)});
}

/// TA-Lib EMA: SMA seed over the first p values, then k = 2/(p+1).
std::vector<long double> ref_ema(const std::vector<long double>& x, std::size_t first, int p) {
  std::vector<long double> out(x.size(), NAN);
  if (x.size() < first + static_cast<std::size_t>(p)) return out;
  long double s = 0;
  for (std::size_t i = first; i < first + p; ++i) s += x[i];
  long double e = s / p;
  out[first + p - 1] = e;
  const long double k = 2.0L / (p + 1);
  for (std::size_t i = first + p; i < x.size(); ++i) {
    e = e + k * (x[i] - e);
    out[i] = e;
  }
  return out;
}

/// TA-Lib ATR: mean of TR[1..p] at bar p, then Wilder; p = 1 is TR itself.
std::vector<long double> ref_atr(const Bars& b, int p) {
  const std::size_t n = b.close.size();
  std::vector<long double> out(n, NAN);
  if (n <= static_cast<std::size_t>(p)) return out;
  if (p == 1) {
    for (std::size_t i = 1; i < n; ++i) out[i] = ref_tr(b, i);
    return out;
  }
  long double s = 0;
  for (std::size_t i = 1; i <= static_cast<std::size_t>(p); ++i) s += ref_tr(b, i);
  long double a = s / p;
  out[p] = a;
  for (std::size_t i = p + 1; i < n; ++i) {
    a = (a * (p - 1) + ref_tr(b, i)) / p;
    out[i] = a;
  }
  return out;
}

// ---- DONCHIAN ----------------------------------------------------------------

std::vector<Col> ref_donchian(const Bars& b, int p) {
  const std::size_t n = b.close.size();
  std::vector<Col> out(3, Col(n, kNaN));
  for (std::size_t i = p - 1; i < n; ++i) {
    double hi = kNaN, lo = kNaN;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
      if (!std::isnan(b.high[j]) && (std::isnan(hi) || b.high[j] > hi)) hi = b.high[j];
      if (!std::isnan(b.low[j]) && (std::isnan(lo) || b.low[j] < lo)) lo = b.low[j];
    }
    out[0][i] = hi;
    out[1][i] = (hi + lo) / 2;
    out[2][i] = lo;
  }
  return out;
}

TEST(Donchian, HandCheckedValues) {
  Bars b;
  b.high = {10, 12, 11, 15, 9};
  b.low = {8, 9, 7, 10, 8};
  b.open = b.close = b.volume = Col(5, 1.0);
  int begin = -1;
  const auto c = run_call("DONCHIAN(timeperiod=3)", b, &begin);
  EXPECT_EQ(begin, 2);
  EXPECT_TRUE(std::isnan(c[0][1]));
  EXPECT_EQ(c[0][2], 12);
  EXPECT_EQ(c[2][2], 7);
  EXPECT_EQ(c[1][2], 9.5);
  EXPECT_EQ(c[0][3], 15);
  EXPECT_EQ(c[2][3], 7);
  EXPECT_EQ(c[0][4], 15);
  EXPECT_EQ(c[2][4], 7);
  EXPECT_EQ(c[1][4], 11);
}

TEST(Donchian, MatchesPlainLoopsAndMidprice) {
  const Bars b = random_bars(1500, 11);
  for (int p : {1, 2, 3, 7, 20, 64, 600}) {
    const std::string call = "DONCHIAN(timeperiod=" + std::to_string(p) + ")";
    int begin = -1;
    const auto got = run_call(call, b, &begin);
    EXPECT_EQ(begin, p - 1);
    const auto want = ref_donchian(b, p);
    for (int k = 0; k < 3; ++k) expect_close(got[k], want[k], 0, call, 0.0, 0.0);  // exact
    if (p >= 2) {
      Col mid(b.close.size(), kNaN);
      midprice(b.high, b.low, p, mid);
      for (std::size_t i = p - 1; i < mid.size(); ++i) EXPECT_EQ(got[1][i], mid[i]) << call << " " << i;
    }
  }
}

TEST(Donchian, NaNBarsAreSkipped) {
  Bars b = random_bars(300, 12);
  for (std::size_t i = 10; i < 300; i += 29) b.high[i] = kNaN;
  for (std::size_t i = 40; i < 48; ++i) b.low[i] = kNaN;  // a whole window of NaN lows
  const auto got = run_call("DONCHIAN(timeperiod=5)", b);
  const auto want = ref_donchian(b, 5);
  for (int k = 0; k < 3; ++k) expect_close(got[k], want[k], 0, "DONCHIAN nan", 0.0, 0.0);
  EXPECT_TRUE(std::isnan(got[2][46]));
  EXPECT_FALSE(std::isnan(got[0][46]));
}

TEST(Donchian, OptionRange) {
  expect_rejected("DONCHIAN(timeperiod=0)");
  expect_rejected("DONCHIAN(timeperiod=100001)");
  expect_rejected("DONCHIAN(timeperiod=2.5)");
}

// ---- KELTNER -------------------------------------------------------------------

std::vector<Col> ref_keltner(const Bars& b, int p, int ap, double m) {
  const std::size_t n = b.close.size();
  std::vector<long double> c(b.close.begin(), b.close.end());
  const auto e = ref_ema(c, 0, p);
  const auto a = ref_atr(b, ap);
  const std::size_t lb = std::max<std::size_t>(p - 1, ap);
  std::vector<Col> out(3, Col(n, kNaN));
  for (std::size_t i = lb; i < n; ++i) {
    out[0][i] = static_cast<double>(e[i] + m * a[i]);
    out[1][i] = static_cast<double>(e[i]);
    out[2][i] = static_cast<double>(e[i] - m * a[i]);
  }
  return out;
}

TEST(Keltner, HandCheckedValues) {
  // Constant range 2 and unchanged closes: TR = 2, ATR = 2, EMA = close.
  Bars b;
  b.close = Col(6, 10.0);
  b.high = Col(6, 11.0);
  b.low = Col(6, 9.0);
  b.open = b.volume = Col(6, 1.0);
  int begin = -1;
  auto c = run_call("KELTNER(timeperiod=3,atrperiod=2,multiplier=1.5)", b, &begin);
  EXPECT_EQ(begin, 2);
  EXPECT_TRUE(std::isnan(c[1][1]));
  EXPECT_EQ(c[1][2], 10.0);
  EXPECT_EQ(c[0][2], 13.0);
  EXPECT_EQ(c[2][2], 7.0);
  // atrperiod longer than the EMA's lookback sets the first valid bar.
  c = run_call("KELTNER(timeperiod=2,atrperiod=4,multiplier=1)", b, &begin);
  EXPECT_EQ(begin, 4);
  EXPECT_EQ(c[0][4], 12.0);
}

TEST(Keltner, MatchesPlainLoopsAndTheTaLibKernels) {
  const Bars b = random_bars(1200, 21);
  const std::size_t n = b.close.size();
  for (auto [p, ap, m] : {std::tuple{20, 10, 2.0}, {2, 1, 1.0}, {5, 30, 0.5}, {30, 5, 3.0}, {14, 14, 0.0}}) {
    const std::string call = "KELTNER(timeperiod=" + std::to_string(p) + ",atrperiod=" + std::to_string(ap) +
                             ",multiplier=" + std::to_string(m) + ")";
    int begin = -1;
    const auto got = run_call(call, b, &begin);
    const int lb = std::max(p - 1, ap);
    EXPECT_EQ(begin, lb) << call;
    const auto want = ref_keltner(b, p, ap, m);
    for (int k = 0; k < 3; ++k) expect_close(got[k], want[k], 0, call, 1e-12, 1e-12);
    // Bit for bit: middle = ema(), width = multiplier * atr().
    Col e(n, kNaN), a(n, kNaN);
    ema(b.close, p, e);
    atr(b.high, b.low, b.close, ap, a);
    for (std::size_t i = static_cast<std::size_t>(lb); i < n; ++i) {
      ASSERT_EQ(got[1][i], e[i]) << call << " " << i;
      ASSERT_EQ(got[0][i], e[i] + m * a[i]) << call << " " << i;
      ASSERT_EQ(got[2][i], e[i] - m * a[i]) << call << " " << i;
    }
  }
}

TEST(Keltner, OptionRange) {
  expect_rejected("KELTNER(timeperiod=1)");
  expect_rejected("KELTNER(atrperiod=0)");
  expect_rejected("KELTNER(multiplier=-1)");
  auto c = parse_call("KELTNER");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->key(), "KELTNER(timeperiod=20,atrperiod=10,multiplier=2)");
  EXPECT_EQ(c->lookback(), 19);
}

// ---- HMA -----------------------------------------------------------------------

/// Plain WMA with weights 1..p (newest heaviest); NaN where not defined.
std::vector<long double> ref_wma(const std::vector<long double>& x, int p) {
  std::vector<long double> out(x.size(), NAN);
  const long double div = p * (p + 1) / 2.0L;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i + 1 < static_cast<std::size_t>(p)) continue;
    long double s = 0;
    for (int j = 0; j < p; ++j) s += (p - j) * x[i - j];
    out[i] = s / div;
  }
  return out;
}

Col ref_hma(const Col& x, int n) {
  int s = 1;
  while ((s + 1) * (s + 1) <= n) ++s;
  const std::vector<long double> xl(x.begin(), x.end());
  const auto h = ref_wma(xl, n / 2);
  const auto f = ref_wma(xl, n);
  std::vector<long double> d;
  for (std::size_t i = n - 1; i < x.size(); ++i) d.push_back(2 * h[i] - f[i]);
  const auto w = ref_wma(d, s);
  Col out(x.size(), kNaN);
  for (std::size_t k = 0; k < w.size(); ++k)
    if (!std::isnan(static_cast<double>(w[k]))) out[k + n - 1] = static_cast<double>(w[k]);
  return out;
}

TEST(Hma, HandCheckedValues) {
  // n = 4: half 2, sqrt 2. On a straight line x = i the Hull MA tracks the
  // line exactly (its purpose: no lag on a linear trend).
  Bars b = random_bars(10, 31);
  for (std::size_t i = 0; i < 10; ++i) b.close[i] = static_cast<double>(i);
  int begin = -1;
  const auto c = run_call("HMA(timeperiod=4)", b, &begin);
  EXPECT_EQ(begin, 4);  // (4 - 1) + (2 - 1)
  EXPECT_TRUE(std::isnan(c[0][3]));
  for (std::size_t i = 4; i < 10; ++i) EXPECT_NEAR(c[0][i], static_cast<double>(i), 1e-12) << i;
  // A spelled-out case: x = 1, 2, 4, 8, 16. WMA2 = (x[i-1] + 2x[i]) / 3,
  // WMA4 = (x[i-3] + 2x[i-2] + 3x[i-1] + 4x[i]) / 10.
  Bars e = random_bars(5, 32);
  e.close = {1, 2, 4, 8, 16};
  const auto d = run_call("HMA(timeperiod=4)", e);
  const double d3 = 2 * (4 + 16) / 3.0 - (1 + 4 + 12 + 32) / 10.0;
  const double d4 = 2 * (8 + 32) / 3.0 - (2 + 8 + 24 + 64) / 10.0;
  EXPECT_NEAR(d[0][4], (d3 + 2 * d4) / 3.0, 1e-12);
}

TEST(Hma, LookbackFollowsTheRoundedDownParts) {
  EXPECT_EQ(parse_call("HMA")->lookback(), 19 + 3);   // n = 20: sqrt -> 4
  EXPECT_EQ(parse_call("HMA(timeperiod=2)")->lookback(), 1);
  EXPECT_EQ(parse_call("HMA(timeperiod=9)")->lookback(), 8 + 2);
  EXPECT_EQ(parse_call("HMA(timeperiod=15)")->lookback(), 14 + 2);
  EXPECT_EQ(parse_call("HMA(timeperiod=16)")->lookback(), 15 + 3);
  EXPECT_EQ(parse_call("HMA(timeperiod=100000)")->lookback(), 99999 + 315);
}

TEST(Wma, PeriodsNearTheTopOfTheRangeDoNotOverflowTheWeightSum) {
  // period * (period + 1) exceeds int above 46,340; the range allows 100,000.
  const int p = 60000;
  Col x(p + 10);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 100.0 + static_cast<double>(i % 7);
  Col out(x.size(), kNaN);
  ASSERT_EQ(wma(x, p, out), p - 1);
  for (std::size_t end = p - 1; end < x.size(); end += 5) {
    long double num = 0, den = 0;
    for (int k = 0; k < p; ++k) {
      num += static_cast<long double>(k + 1) * x[end + 1 - p + k];
      den += k + 1;
    }
    EXPECT_NEAR(out[end], static_cast<double>(num / den), 1e-9) << end;
  }
}

TEST(Hma, MatchesPlainLoopsAndComposedWmas) {
  const Bars b = random_bars(1500, 33);
  const std::size_t n = b.close.size();
  for (int p : {2, 3, 4, 5, 9, 16, 20, 55, 600}) {
    const std::string call = "HMA(timeperiod=" + std::to_string(p) + ")";
    int begin = -1;
    const auto got = run_call(call, b, &begin);
    int s = 1;
    while ((s + 1) * (s + 1) <= p) ++s;
    EXPECT_EQ(begin, p - 1 + s - 1) << call;
    expect_close(got[0], ref_hma(b.close, p), 0, call, 1e-11, 1e-11);
    // Bit for bit the composition of the TA-Lib WMA kernel.
    Col h(n, kNaN), f(n, kNaN), d(n, kNaN), w(n, kNaN);
    if (p / 2 >= 2) {
      wma(b.close, p / 2, h);
    } else {
      h = b.close;
    }
    wma(b.close, p, f);
    for (std::size_t i = p - 1; i < n; ++i) d[i] = 2.0 * h[i] - f[i];
    const std::size_t off = static_cast<std::size_t>(p - 1);
    if (s >= 2) {
      wma(std::span<const double>(d).subspan(off), s, std::span<double>(w).subspan(off));
    } else {
      w = d;
    }
    for (std::size_t i = static_cast<std::size_t>(begin); i < n; ++i) ASSERT_EQ(got[0][i], w[i]) << call << " " << i;
  }
}

TEST(Hma, OptionRange) {
  expect_rejected("HMA(timeperiod=1)");
  expect_rejected("HMA(timeperiod=100001)");
}

// ---- CMF -------------------------------------------------------------------------

Col ref_cmf(const Bars& b, int p) {
  const std::size_t n = b.close.size();
  Col out(n, kNaN);
  for (std::size_t i = p - 1; i < n; ++i) {
    long double flow = 0, vol = 0;
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
      const long double h = b.high[j], l = b.low[j], c = b.close[j], v = b.volume[j];
      const long double mfm = h == l ? 0.0L : ((c - l) - (h - c)) / (h - l);
      flow += mfm * v;
      vol += v;
    }
    out[i] = vol == 0 ? 0.0 : static_cast<double>(flow / vol);
  }
  return out;
}

TEST(Cmf, HandCheckedValues) {
  Bars b;
  b.high = {10, 10, 12, 5, 5};
  b.low = {8, 8, 8, 5, 5};
  b.close = {10, 8, 11, 5, 5};   // MFM: +1, -1, +0.5, 0 (H = L), 0
  b.volume = {100, 300, 200, 50, 0};
  b.open = Col(5, 1.0);
  int begin = -1;
  auto c = run_call("CMF(timeperiod=2)", b, &begin);
  EXPECT_EQ(begin, 1);
  EXPECT_TRUE(std::isnan(c[0][0]));
  EXPECT_DOUBLE_EQ(c[0][1], (100.0 - 300.0) / 400.0);
  EXPECT_DOUBLE_EQ(c[0][2], (-300.0 + 100.0) / 500.0);
  EXPECT_DOUBLE_EQ(c[0][3], 100.0 / 250.0);
  EXPECT_DOUBLE_EQ(c[0][4], 0.0);  // H = L bars only
  b.volume = {100, 300, 200, 0, 0};
  c = run_call("CMF(timeperiod=2)", b);
  EXPECT_EQ(c[0][4], 0.0);  // the window's volume is 0
  c = run_call("CMF(timeperiod=1)", b, &begin);
  EXPECT_EQ(begin, 0);
  EXPECT_DOUBLE_EQ(c[0][2], 0.5);
}

TEST(Cmf, MatchesPlainLoops) {
  const Bars b = random_bars(2000, 41);  // a zero-volume bar every 17
  for (int p : {1, 2, 3, 20, 21, 200}) {
    const std::string call = "CMF(timeperiod=" + std::to_string(p) + ")";
    int begin = -1;
    const auto got = run_call(call, b, &begin);
    EXPECT_EQ(begin, p - 1) << call;
    expect_close(got[0], ref_cmf(b, p), 0, call, 1e-10, 1e-12);
  }
}

TEST(Cmf, StaysWithinMinusOneAndOne) {
  const Bars b = random_bars(1000, 42);
  const auto got = run_call("CMF", b);
  for (std::size_t i = 19; i < 1000; ++i) {
    EXPECT_LE(got[0][i], 1.0 + 1e-12);
    EXPECT_GE(got[0][i], -1.0 - 1e-12);
  }
}

TEST(Cmf, OptionRange) {
  expect_rejected("CMF(timeperiod=0)");
  expect_rejected("CMF(timeperiod=-3)");
  EXPECT_EQ(parse_call("CMF")->lookback(), 19);
}

// ---- HEIKINASHI -------------------------------------------------------------------

std::vector<Col> ref_heikinashi(const Bars& b) {
  const std::size_t n = b.close.size();
  std::vector<Col> out(4, Col(n, kNaN));
  double ho = 0, hc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double c = (b.open[i] + b.high[i] + b.low[i] + b.close[i]) / 4;
    const double o = i == 0 ? (b.open[0] + b.close[0]) / 2 : (ho + hc) / 2;
    out[0][i] = o;
    out[1][i] = std::max({b.high[i], o, c});
    out[2][i] = std::min({b.low[i], o, c});
    out[3][i] = c;
    ho = o;
    hc = c;
  }
  return out;
}

TEST(HeikinAshi, HandCheckedValues) {
  Bars b;
  b.open = {10, 12, 9};
  b.high = {13, 14, 11};
  b.low = {9, 11, 6};
  b.close = {12, 13, 7};
  b.volume = Col(3, 0.0);
  int begin = -1;
  const auto c = run_call("HEIKINASHI", b, &begin);
  EXPECT_EQ(begin, 0);
  // bar 0: close (10+13+9+12)/4 = 11, open (10+12)/2 = 11
  EXPECT_EQ(c[3][0], 11.0);
  EXPECT_EQ(c[0][0], 11.0);
  EXPECT_EQ(c[1][0], 13.0);
  EXPECT_EQ(c[2][0], 9.0);
  // bar 1: close (12+14+11+13)/4 = 12.5, open (11+11)/2 = 11 -> low min(11, 11, 12.5) = 11
  EXPECT_EQ(c[3][1], 12.5);
  EXPECT_EQ(c[0][1], 11.0);
  EXPECT_EQ(c[1][1], 14.0);
  EXPECT_EQ(c[2][1], 11.0);
  // bar 2: close (9+11+6+7)/4 = 8.25, open (11+12.5)/2 = 11.75 above the high 11
  EXPECT_EQ(c[3][2], 8.25);
  EXPECT_EQ(c[0][2], 11.75);
  EXPECT_EQ(c[1][2], 11.75);
  EXPECT_EQ(c[2][2], 6.0);
  EXPECT_EQ(c[0].size(), 3u);
}

TEST(HeikinAshi, MatchesPlainLoops) {
  const Bars b = random_bars(1000, 51);
  int begin = -1;
  const auto got = run_call("HEIKINASHI", b, &begin);
  EXPECT_EQ(begin, 0);
  const auto want = ref_heikinashi(b);
  for (int k = 0; k < 4; ++k) expect_close(got[k], want[k], 0, "HEIKINASHI", 0.0, 0.0);  // exact
  // Each candle's body lies within its wicks.
  for (std::size_t i = 0; i < 1000; ++i) {
    EXPECT_LE(got[2][i], std::min(got[0][i], got[3][i]));
    EXPECT_GE(got[1][i], std::max(got[0][i], got[3][i]));
  }
}

TEST(HeikinAshi, NaNPropagatesThroughTheOpenChain) {
  Bars b = random_bars(20, 52);
  b.close[5] = kNaN;
  const auto got = run_call("HEIKINASHI", b);
  EXPECT_FALSE(std::isnan(got[0][5]));  // the open comes from bar 4
  EXPECT_TRUE(std::isnan(got[3][5]));
  EXPECT_TRUE(std::isnan(got[0][6]));   // and from then on, as an EMA would
  EXPECT_FALSE(std::isnan(got[3][6]));
  EXPECT_FALSE(parse_call("HEIKINASHI(timeperiod=3)").ok());
}

// ---- SUPERTREND ------------------------------------------------------------------

/// TradingView's ta.supertrend written out (Pine's direction sign flipped:
/// here +1 is up): bands from the previous bar's final bands (0 before the
/// first), the trend read by comparing the previous supertrend with the
/// previous upper band.
std::vector<Col> ref_supertrend(const Bars& b, int ap, double m) {
  const std::size_t n = b.close.size();
  std::vector<Col> out(2, Col(n, kNaN));
  const auto atr = ref_atr(b, ap);
  long double pu = 0, pl = 0, pst = NAN;
  for (std::size_t i = ap; i < n; ++i) {
    const long double hl2 = (static_cast<long double>(b.high[i]) + b.low[i]) / 2;
    long double up = hl2 + m * atr[i], lo = hl2 - m * atr[i];
    const long double pc = b.close[i - 1];
    lo = (lo > pl || pc < pl) ? lo : pl;
    up = (up < pu || pc > pu) ? up : pu;
    int dir;
    if (i == static_cast<std::size_t>(ap)) {
      dir = -1;
    } else if (pst == pu) {
      dir = b.close[i] > up ? 1 : -1;
    } else {
      dir = b.close[i] < lo ? -1 : 1;
    }
    const long double st = dir > 0 ? lo : up;
    out[0][i] = static_cast<double>(st);
    out[1][i] = dir;
    pu = up;
    pl = lo;
    pst = st;
  }
  return out;
}

TEST(SuperTrend, HandCheckedValues) {
  Bars b;
  b.high = {10, 11, 13, 12.5, 10};
  b.low = {8, 9, 11, 10.5, 8};
  b.close = {9, 10, 12.5, 11, 8.5};
  b.open = b.volume = Col(5, 1.0);
  int begin = -1;
  const auto c = run_call("SUPERTREND(atrperiod=1,multiplier=1)", b, &begin);
  EXPECT_EQ(begin, 1);
  EXPECT_TRUE(std::isnan(c[0][0]));
  // bar 1: TR 2, bands 12 / 8, starts down on the upper band
  EXPECT_EQ(c[0][1], 12.0);
  EXPECT_EQ(c[1][1], -1.0);
  // bar 2: TR 3, basic 15 / 9; the upper band holds at 12, the close 12.5 breaks it
  EXPECT_EQ(c[0][2], 9.0);
  EXPECT_EQ(c[1][2], 1.0);
  // bar 3: TR 2, basic 13.5 / 9.5; the lower band rises to 9.5
  EXPECT_EQ(c[0][3], 9.5);
  EXPECT_EQ(c[1][3], 1.0);
  // bar 4: TR 3, basic 12 / 6; the lower band holds at 9.5, the close 8.5 breaks it
  EXPECT_EQ(c[0][4], 12.0);
  EXPECT_EQ(c[1][4], -1.0);
}

TEST(SuperTrend, MatchesTheTradingViewFormulation) {
  const Bars b = random_bars(2000, 61);
  for (auto [ap, m] : {std::pair{10, 3.0}, {1, 1.0}, {2, 0.5}, {14, 2.0}, {50, 4.0}}) {
    const std::string call = "SUPERTREND(atrperiod=" + std::to_string(ap) + ",multiplier=" + std::to_string(m) + ")";
    int begin = -1;
    const auto got = run_call(call, b, &begin);
    EXPECT_EQ(begin, ap) << call;
    const auto want = ref_supertrend(b, ap, m);
    expect_close(got[1], want[1], 0, call + " direction", 0.0, 0.0);
    expect_close(got[0], want[0], 0, call, 1e-12, 1e-12);
    int flips = 0;
    for (std::size_t i = ap + 1; i < b.close.size(); ++i) flips += got[1][i] != got[1][i - 1];
    EXPECT_GT(flips, 5) << call;  // the data exercises both branches
  }
}

TEST(SuperTrend, FlatBarsKeepTheTrend) {
  // ATR 0 makes both bands equal the price; the state-kept direction stays put.
  Bars b;
  b.high = b.low = b.close = b.open = Col(8, 5.0);
  b.volume = Col(8, 0.0);
  const auto c = run_call("SUPERTREND(atrperiod=2,multiplier=3)", b);
  for (std::size_t i = 2; i < 8; ++i) {
    EXPECT_EQ(c[0][i], 5.0);
    EXPECT_EQ(c[1][i], -1.0);
  }
}

TEST(SuperTrend, OptionRange) {
  expect_rejected("SUPERTREND(atrperiod=0)");
  expect_rejected("SUPERTREND(multiplier=-0.5)");
  auto c = parse_call("SUPERTREND");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->key(), "SUPERTREND(atrperiod=10,multiplier=3)");
  EXPECT_EQ(c->lookback(), 10);
}

// ---- VWAP --------------------------------------------------------------------------

TEST(Vwap, HandCheckedValues) {
  Bars b;
  b.high = {12, 12, 15, 9};
  b.low = {9, 9, 9, 6};
  b.close = {9, 12, 12, 6};  // typical prices 10, 11, 12, 7
  b.volume = {0, 100, 300, 0};
  b.open = Col(4, 1.0);
  int begin = -1;
  const auto c = run_call("VWAP", b, &begin);
  EXPECT_EQ(begin, 0);
  EXPECT_EQ(c[0][0], 10.0);  // no volume yet: the bar's typical price
  EXPECT_EQ(c[0][1], 11.0);
  EXPECT_DOUBLE_EQ(c[0][2], (11.0 * 100 + 12.0 * 300) / 400.0);
  EXPECT_DOUBLE_EQ(c[0][3], c[0][2]);  // a zero-volume bar does not move it
}

TEST(Vwap, MatchesPlainLoopsAndIsAnchoredAtTheFirstBar) {
  const Bars b = random_bars(1500, 71);
  const auto got = run_call("VWAP", b);
  long double pv = 0, v = 0;
  Col want(b.close.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const long double tp = (static_cast<long double>(b.high[i]) + b.low[i] + b.close[i]) / 3;
    pv += tp * b.volume[i];
    v += b.volume[i];
    want[i] = v == 0 ? static_cast<double>(tp) : static_cast<double>(pv / v);
  }
  expect_close(got[0], want, 0, "VWAP", 1e-12, 0.0);
  // Anchoring later = running the same call on the suffix.
  Bars tail;
  for (auto [dst, src] : {std::pair{&tail.open, &b.open}, {&tail.high, &b.high}, {&tail.low, &b.low},
                          {&tail.close, &b.close}, {&tail.volume, &b.volume}})
    dst->assign(src->begin() + 700, src->end());
  const auto anchored = run_call("VWAP", tail);
  EXPECT_NE(anchored[0][100], got[0][800]);
  EXPECT_FALSE(parse_call("VWAP(timeperiod=5)").ok());
}

TEST(Vwap, OneBarPerSessionIsTheTypicalPrice) {
  // Daily bars: each bar is its own session, so the session VWAP is its
  // typical price -- VWAP over a single bar.
  const Bars b = random_bars(50, 72);
  for (std::size_t i = 0; i < 50; ++i) {
    Bars one;
    one.open = {b.open[i]};
    one.high = {b.high[i]};
    one.low = {b.low[i]};
    one.close = {b.close[i]};
    one.volume = {b.volume[i] + 1};
    const auto c = run_call("VWAP", one);
    EXPECT_NEAR(c[0][0], (b.high[i] + b.low[i] + b.close[i]) / 3.0, 1e-12 * b.close[i]);
  }
}

// ---- PIVOTS_WOODIE / PIVOTS_CAMARILLA ---------------------------------------------

/// Two bars: the levels of bar 1 come from bar 0's H, L, C alone.
Bars prior_bar(double h, double l, double c) {
  Bars b;
  b.high = {h, 999};
  b.low = {l, 1};
  b.close = {c, 500};
  b.open = {c, 500};
  b.volume = {0, 0};
  return b;
}

TEST(Pivots, WoodieFromThePriorBar) {
  const Bars b = prior_bar(110, 90, 105);
  int begin = -1;
  const auto c = run_call("PIVOTS_WOODIE", b, &begin);
  EXPECT_EQ(begin, 1);
  const double pp = (110.0 + 90.0 + 2 * 105.0) / 4.0;  // 102.5
  EXPECT_TRUE(std::isnan(c[0][0]));
  EXPECT_EQ(c[0][1], pp);
  EXPECT_EQ(c[1][1], 2 * pp - 90);          // r1 115
  EXPECT_EQ(c[2][1], pp + 20);              // r2
  EXPECT_EQ(c[3][1], 110 + 2 * (pp - 90));  // r3
  EXPECT_EQ(c[4][1], 2 * pp - 110);         // s1 95
  EXPECT_EQ(c[5][1], pp - 20);              // s2
  EXPECT_EQ(c[6][1], 90 - 2 * (110 - pp));  // s3
}

TEST(Pivots, CamarillaFromThePriorBar) {
  const Bars b = prior_bar(110, 86, 100);  // range 24: 1.1 * 24 = 26.4
  int begin = -1;
  const auto c = run_call("PIVOTS_CAMARILLA", b, &begin);
  EXPECT_EQ(begin, 1);
  ASSERT_EQ(c.size(), 9u);  // pp, r1..r4, s1..s4
  EXPECT_TRUE(std::isnan(c[4][0]));
  // pp, then C +/- 26.4 / 12, / 6, / 4, / 2.
  const double want[] = {(110.0 + 86.0 + 100.0) / 3.0, 102.2, 104.4, 106.6, 113.2, 97.8, 95.6, 93.4, 86.8};
  for (int k = 0; k < 9; ++k) EXPECT_DOUBLE_EQ(c[k][1], want[k]) << k;
}

TEST(Pivots, WoodieAndCamarillaMatchPlainFormulas) {
  const Bars b = random_bars(500, 81);
  const auto w = run_call("PIVOTS_WOODIE", b);
  const auto m = run_call("PIVOTS_CAMARILLA", b);
  for (std::size_t i = 1; i < 500; ++i) {
    const long double h = b.high[i - 1], l = b.low[i - 1], c = b.close[i - 1], r = h - l;
    const long double pp = (h + l + 2 * c) / 4;
    const long double wl[] = {pp, 2 * pp - l, pp + r, h + 2 * (pp - l), 2 * pp - h, pp - r, l - 2 * (h - pp)};
    for (int k = 0; k < 7; ++k) EXPECT_NEAR(w[k][i], static_cast<double>(wl[k]), 1e-12 * c) << k << " " << i;
    const long double ml[] = {(h + l + c) / 3, c + r * 1.1L / 12, c + r * 1.1L / 6, c + r * 1.1L / 4, c + r * 1.1L / 2,
                              c - r * 1.1L / 12, c - r * 1.1L / 6, c - r * 1.1L / 4, c - r * 1.1L / 2};
    for (int k = 0; k < 9; ++k) EXPECT_NEAR(m[k][i], static_cast<double>(ml[k]), 1e-12 * c) << k << " " << i;
  }
  // Camarilla levels are ordered around the prior close.
  for (std::size_t i = 1; i < 500; ++i) {
    EXPECT_LE(m[8][i], m[7][i]);
    EXPECT_LE(m[5][i], m[1][i]);
    EXPECT_LE(m[3][i], m[4][i]);
  }
}

}  // namespace
}  // namespace ts::ta
