// MAXINDEX, MININDEX, MINMAXINDEX, AROON and AROONOSC run a van Herk block
// scan over (value, index) pairs with TA-Lib's tie rules, and fall back to
// TA-Lib's own scan when the input holds NaN. These tests hold the batch
// kernels to a plain transcription of TA-Lib's index-tracking loops on data
// full of ties (a few price levels, flat stretches, ±0.0, ±inf), at periods
// around the block edges, and with NaN holes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ta/function.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

/// TA-Lib's tracked extreme: a rescan keeps the earliest (kLatest: the
/// latest) extreme, a new bar at least as extreme takes over.
template <bool kMax, bool kLatest>
struct Tracked {
  std::ptrdiff_t idx = -1;
  double v = 0.0;
  static bool gt(double a, double b) { return kMax ? a > b : a < b; }
  static bool ge(double a, double b) { return kMax ? a >= b : a <= b; }
  void update(const std::vector<double>& x, std::ptrdiff_t trailing, std::ptrdiff_t today) {
    if (idx < trailing) {
      idx = trailing;
      v = x[static_cast<std::size_t>(trailing)];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double u = x[static_cast<std::size_t>(i)];
        if (kLatest ? ge(u, v) : gt(u, v)) {
          idx = i;
          v = u;
        }
      }
    } else if (ge(x[static_cast<std::size_t>(today)], v)) {
      idx = today;
      v = x[static_cast<std::size_t>(today)];
    }
  }
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Few distinct levels (many ties), flat stretches, signed zeros and infinities;
/// `nan_at` >= 0 puts a NaN there.
std::vector<double> tie_series(std::size_t n, unsigned seed, std::ptrdiff_t nan_at = -1) {
  std::mt19937 rng(seed);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned r = rng() % 16;
    if (r < 8)
      x[i] = static_cast<double>(r % 4);
    else if (r < 10)
      x[i] = r == 8 ? 0.0 : -0.0;
    else if (r == 10)
      x[i] = (rng() % 2) ? kInf : -kInf;
    else
      x[i] = i > 0 ? x[i - 1] : 1.0;  // flat stretch
  }
  if (nan_at >= 0 && static_cast<std::size_t>(nan_at) < n) x[static_cast<std::size_t>(nan_at)] = kNaN;
  return x;
}

/// Mostly distinct values (a random walk) with a tie now and then (a copy of
/// a recent bar, or a short flat stretch): the block scan's tie-free fast path
/// alternates with the recurrence, and has to get back in step.
std::vector<double> sparse_tie_series(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> x(n);
  double p = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    p += z(rng);
    x[i] = p;
    const unsigned r = rng() % 300;
    if (i >= 20 && r == 0) x[i] = x[i - 1 - rng() % 20];  // equals a bar of the window
    if (i >= 1 && r == 1) x[i] = x[i - 1];                // flat
  }
  return x;
}

/// Runs `name(timeperiod=period)` on close = high = x (low = lo).
std::vector<std::vector<double>> run_on(const std::string& name, int period, const std::vector<double>& x,
                                        const std::vector<double>& lo, int& begin) {
  const std::pair<std::string_view, double> opts[] = {{"timeperiod", static_cast<double>(period)}};
  auto call = make_call(name, opts);
  EXPECT_TRUE(call.ok()) << name;
  Inputs in{x, x, lo, x, x, {}, {}, x.size()};
  std::vector<std::vector<double>> cols(call->spec->outputs.size(), std::vector<double>(x.size(), -7.0));
  std::vector<std::span<double>> spans(cols.begin(), cols.end());
  begin = run(*call, in, spans);
  return cols;
}

void expect_bits(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_TRUE(same_bits(got[i], want[i]))
        << what << " bar " << i << ": got " << got[i] << ", want " << want[i];
}

// Periods 2..40 cover a window inside, at and across one block; lengths up to
// 600 cross the 256-bar stack blocks.
TEST(WindowIndex, IndexFunctionsMatchTaLibScanWithTies) {
  for (int period : {2, 3, 5, 7, 16, 30, 31, 40, 255, 256, 257}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, static_cast<std::size_t>(period) - 1,
                          static_cast<std::size_t>(period), std::size_t{97}, std::size_t{600}}) {
      for (std::ptrdiff_t nan_at : {std::ptrdiff_t{-1}, std::ptrdiff_t{0}, std::ptrdiff_t{300}}) {
        for (int kind = 0; kind < 2; ++kind) {
          const auto x = kind == 0 ? tie_series(n, static_cast<unsigned>(period * 1000 + n), nan_at)
                                   : sparse_tie_series(n * 10, static_cast<unsigned>(period + n));
          const std::size_t len = x.size();
          const auto lb = static_cast<std::size_t>(period - 1);
          std::vector<double> want_max(len, kNaN), want_min(len, kNaN);
          Tracked<true, false> mx;
          Tracked<false, false> mn;
          for (std::size_t t = lb; t < len; ++t) {
            const auto today = static_cast<std::ptrdiff_t>(t);
            mx.update(x, today - period + 1, today);
            mn.update(x, today - period + 1, today);
            want_max[t] = static_cast<double>(mx.idx);
            want_min[t] = static_cast<double>(mn.idx);
          }
          const std::string at = " period " + std::to_string(period) + " n " + std::to_string(len) + " nan " +
                                 std::to_string(nan_at) + " kind " + std::to_string(kind);
          int begin = 0;
          expect_bits(run_on("MAXINDEX", period, x, x, begin)[0], want_max, "MAXINDEX" + at);
          EXPECT_EQ(begin, static_cast<int>(std::min(len, lb)));
          expect_bits(run_on("MININDEX", period, x, x, begin)[0], want_min, "MININDEX" + at);
          const auto both = run_on("MINMAXINDEX", period, x, x, begin);
          expect_bits(both[0], want_min, "MINMAXINDEX min" + at);
          expect_bits(both[1], want_max, "MINMAXINDEX max" + at);
        }
      }
    }
  }
}

TEST(WindowIndex, AroonMatchesTaLibScanWithTies) {
  for (int period : {2, 3, 5, 14, 29, 30, 64, 255, 256}) {
    for (std::size_t n : {std::size_t{0}, static_cast<std::size_t>(period),
                          static_cast<std::size_t>(period) + 1, std::size_t{123}, std::size_t{700}}) {
      for (std::ptrdiff_t nan_at : {std::ptrdiff_t{-1}, std::ptrdiff_t{2}, std::ptrdiff_t{400}}) {
        const auto hi = tie_series(n, static_cast<unsigned>(period * 7 + n), nan_at);
        const auto lo = tie_series(n, static_cast<unsigned>(period * 11 + n + 1), -1);
        const double factor = 100.0 / static_cast<double>(period);
        std::vector<double> want_up(n, kNaN), want_down(n, kNaN), want_osc(n, kNaN);
        Tracked<true, true> mx;
        Tracked<false, true> mn;
        for (std::size_t t = static_cast<std::size_t>(period); t < n; ++t) {
          const auto today = static_cast<std::ptrdiff_t>(t);
          mx.update(hi, today - period, today);
          mn.update(lo, today - period, today);
          want_up[t] = factor * static_cast<double>(period - (today - mx.idx));
          want_down[t] = factor * static_cast<double>(period - (today - mn.idx));
          want_osc[t] = factor * static_cast<double>(mx.idx - mn.idx);
        }
        const std::string at = " period " + std::to_string(period) + " n " + std::to_string(n) + " nan " +
                               std::to_string(nan_at);
        int begin = 0;
        const auto aroon = run_on("AROON", period, hi, lo, begin);
        EXPECT_EQ(begin, static_cast<int>(std::min(n, static_cast<std::size_t>(period))));
        expect_bits(aroon[0], want_down, "AROON down" + at);
        expect_bits(aroon[1], want_up, "AROON up" + at);
        expect_bits(run_on("AROONOSC", period, hi, lo, begin)[0], want_osc, "AROONOSC" + at);
      }
    }
  }
}

}  // namespace
}  // namespace ts::ta
