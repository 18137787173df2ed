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

}  // namespace
}  // namespace ts::ta
