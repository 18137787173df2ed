// Window statistics: SUM, MAX/MIN and their index forms, MIDPOINT, MIDPRICE,
// VAR, STDDEV, the LINEARREG family, TSF, AVGDEV, IMI, CORREL, BETA. Same arithmetic and
// tie rules as TA-Lib's C code.
#include <emmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

using detail::is_zero;
using detail::is_zero_or_neg;
using std::size_t;

int first_valid(std::size_t n, int lookback) {
  return n <= static_cast<std::size_t>(lookback) ? static_cast<int>(n) : lookback;
}

template <bool kMax>
using Extreme = detail::TrackedExtreme<kMax>;

/// Calls f(today, max, min) for every bar from the lookback on.
template <bool kWantMax, bool kWantMin, class F>
int window_extremes(const double* hi, const double* lo, std::size_t n, int period, F f) {
  const int lb = period - 1;
  const int begin = first_valid(n, lb);
  Extreme<true> mx;
  Extreme<false> mn;
  for (std::ptrdiff_t today = begin; today < static_cast<std::ptrdiff_t>(n); ++today) {
    const std::ptrdiff_t trailing = today - lb;
    if constexpr (kWantMax) mx.update([hi](std::ptrdiff_t j) { return hi[j]; }, trailing, today);
    if constexpr (kWantMin) mn.update([lo](std::ptrdiff_t j) { return lo[j]; }, trailing, today);
    f(today, mx, mn);
  }
  return begin;
}

}  // namespace

int sum_lookback(int period) { return period - 1; }
int sum(In real, int period, Out out) {
  const std::size_t n = real.size();
  const int lb = period - 1;
  const int begin = first_valid(n, lb);
  if (static_cast<std::size_t>(begin) >= n) return begin;
  double total = 0.0;
  for (int i = 0; i < lb; ++i) total += real[static_cast<std::size_t>(i)];
  for (std::size_t i = static_cast<std::size_t>(lb); i < n; ++i) {
    total += real[i];
    out[i] = total;
    total -= real[i - static_cast<std::size_t>(lb)];
  }
  return begin;
}

int minmax_lookback(int period) { return period - 1; }
// MAX, MIN, MINMAX: van Herk extremes (see midrange() below); with NaN in the
// input the series is redone with TA-Lib's own index-tracking scan.
namespace {
template <bool kWantMax, bool kWantMin>
int rolling_minmax(In real, int period, double* min_out, double* max_out) {
  const std::size_t n = real.size();
  const int begin = first_valid(n, period - 1);
  const std::size_t first = static_cast<std::size_t>(begin);
  if (first >= n) return begin;
  {
    detail::RollingExtremes ext(real.data(), real.data(), static_cast<std::size_t>(period));
    double h[detail::kBlock];
    double l[detail::kBlock];
    bool nan = false;
    for (std::size_t b = first; b < n && !nan; b += detail::kBlock) {
      const std::size_t cnt = std::min(detail::kBlock, n - b);
      ext.fill(b, cnt, h, l);
      nan = ext.saw_nan();
      if constexpr (kWantMax) std::copy(h, h + cnt, max_out + b);
      if constexpr (kWantMin) std::copy(l, l + cnt, min_out + b);
    }
    if (!nan) return begin;
  }
  return window_extremes<kWantMax, kWantMin>(real.data(), real.data(), n, period,
                                             [&](std::ptrdiff_t i, const auto& mx, const auto& mn) {
                                               if constexpr (kWantMax) max_out[i] = mx.value;
                                               if constexpr (kWantMin) min_out[i] = mn.value;
                                             });
}
}  // namespace

int max(In real, int period, Out out) {
  return rolling_minmax<true, false>(real, period, nullptr, out.data());
}
int min(In real, int period, Out out) {
  return rolling_minmax<false, true>(real, period, out.data(), nullptr);
}
namespace {
// TA-Lib's MAXINDEX/MININDEX loop, written out flat (the exact scan, used
// when the input holds NaN).
template <bool kMax>
int extreme_index_scan(const double* x, std::size_t n, int period, double* o) {
  const int begin = first_valid(n, period - 1);
  const auto end = static_cast<std::ptrdiff_t>(n);
  std::ptrdiff_t idx = -1;
  double v = 0.0;
  std::ptrdiff_t trailing = 0;
  for (std::ptrdiff_t today = begin; today < end; ++today, ++trailing) {
    const double t = x[today];
    if (idx < trailing) {
      idx = trailing;
      v = x[trailing];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double u = x[i];
        if (kMax ? u > v : u < v) {
          idx = i;
          v = u;
        }
      }
    } else if (kMax ? t >= v : t <= v) {
      idx = today;
      v = t;
    }
    o[today] = static_cast<double>(idx);
  }
  return begin;
}

/// TA-Lib's tracked index (TrackedExtreme) over one block of bars b..b+cnt-1,
/// from each window's extreme m[k] and its earliest index e[k], written over
/// e[k]: a rescan when the tracked bar left the window finds e[k]; otherwise
/// bar t takes over when it reaches the extreme (t >= the tracked value,
/// which is then the window's extreme).
///
/// The tracked index equals e[k] until a tie event: bar t reaches the extreme
/// while an earlier bar of the window holds it too (x == m, e != t); TA-Lib
/// then tracks t and the earliest index stays behind. Once the tracked index
/// equals e[k] again it follows e[k] up to the next tie event: a rescan finds
/// e[k]; a new bar either is the only extreme (t == e[k]) or leaves the
/// extreme and its earliest index unchanged. So a block without tie events
/// that starts in step is e[] as it stands, with no loop-carried chain; any
/// other block runs the recurrence.
struct TrackedIndex {
  std::int64_t idx = -1;  // tracked index after the last bar of the previous block
  bool in_step = true;    // idx equals that bar's earliest index (or no bar yet)

  void block(std::size_t b, std::size_t cnt, std::int64_t lookback, const double* x, const double* m,
             double* e) {
    bool tie = false;
    double t = static_cast<double>(b);
    for (std::size_t k = 0; k < cnt; ++k, t += 1.0) tie |= (x[k] == m[k]) & (e[k] != t);
    if (in_step && !tie) {
      idx = static_cast<std::int64_t>(e[cnt - 1]);
      return;
    }
    double earliest = 0.0;
    for (std::size_t k = 0; k < cnt; ++k) {
      const auto today = static_cast<std::int64_t>(b + k);
      earliest = e[k];
      if (idx < today - lookback)
        idx = static_cast<std::int64_t>(earliest);
      else if (x[k] == m[k])
        idx = today;
      e[k] = static_cast<double>(idx);
    }
    in_step = static_cast<double>(idx) == earliest;
  }
};

/// MAXINDEX (kWantMax), MININDEX (kWantMin), MINMAXINDEX (both): the extremes
/// and their earliest indices by RollingArgExtreme in blocks (the extremes on
/// the stack, the indices in the output), then TrackedIndex per block. With NaN in the input the series is
/// redone with the exact scan.
template <bool kWantMax, bool kWantMin>
int extreme_index(In real, int period, double* min_out, double* max_out) {
  const std::size_t n = real.size();
  const int begin = first_valid(n, period - 1);
  const std::size_t first = static_cast<std::size_t>(begin);
  if (first >= n) return begin;
  const double* x = real.data();
  {
    const auto w = static_cast<std::size_t>(period);
    detail::RollingArgExtreme<true, false> hi(x, w);
    detail::RollingArgExtreme<false, false> lo(x, w);
    double hv[detail::kBlock];
    double lv[detail::kBlock];
    TrackedIndex th;
    TrackedIndex tl;
    const std::int64_t lb = period - 1;
    bool nan = false;
    for (std::size_t b = first; b < n && !nan; b += detail::kBlock) {
      const std::size_t cnt = std::min(detail::kBlock, n - b);
      if constexpr (kWantMax) {
        hi.fill(b, cnt, hv, max_out + b);
        nan |= hi.saw_nan();
        th.block(b, cnt, lb, x + b, hv, max_out + b);
      }
      if constexpr (kWantMin) {
        lo.fill(b, cnt, lv, min_out + b);
        nan |= lo.saw_nan();
        tl.block(b, cnt, lb, x + b, lv, min_out + b);
      }
    }
    if (!nan) return begin;
  }
  if constexpr (kWantMax && kWantMin) {
    return window_extremes<true, true>(x, x, n, period,
                                       [&](std::ptrdiff_t i, const auto& mx, const auto& mn) {
                                         min_out[i] = static_cast<double>(mn.idx);
                                         max_out[i] = static_cast<double>(mx.idx);
                                       });
  } else {
    return extreme_index_scan<kWantMax>(x, n, period, kWantMax ? max_out : min_out);
  }
}
}  // namespace

int maxindex(In real, int period, Out out) {
  return extreme_index<true, false>(real, period, nullptr, out.data());
}
int minindex(In real, int period, Out out) {
  return extreme_index<false, true>(real, period, out.data(), nullptr);
}
int minmax(In real, int period, Out min_out, Out max_out) {
  return rolling_minmax<true, true>(real, period, min_out.data(), max_out.data());
}
int minmaxindex(In real, int period, Out min_idx, Out max_idx) {
  return extreme_index<true, true>(real, period, min_idx.data(), max_idx.data());
}
namespace {
/// (highest high + lowest low) / 2 over each window. Fast path: van Herk
/// extremes (the extremes of NaN-free data do not depend on the scan order);
/// when a NaN shows up, the series is redone with TA-Lib's per-bar scan so
/// NaN behaves exactly as in TA-Lib.
int midrange(const double* hi, const double* lo, std::size_t n, int period, Out out) {
  const int begin = first_valid(n, period - 1);
  const std::size_t first = static_cast<std::size_t>(begin);
  if (first >= n) return begin;
  double* o = out.data();
  {
    detail::RollingExtremes ext(hi, lo, static_cast<std::size_t>(period));
    double h[detail::kBlock];
    double l[detail::kBlock];
    bool nan = false;
    for (std::size_t b = first; b < n && !nan; b += detail::kBlock) {
      const std::size_t cnt = std::min(detail::kBlock, n - b);
      ext.fill(b, cnt, h, l);
      nan = ext.saw_nan();
      for (std::size_t k = 0; k < cnt; ++k) o[b + k] = (h[k] + l[k]) / 2.0;
    }
    if (!nan) return begin;
  }
  const std::size_t lb = static_cast<std::size_t>(period - 1);
  for (std::size_t today = first; today < n; ++today) {
    double lowest = lo[today - lb];
    double highest = hi[today - lb];
    for (std::size_t i = today - lb + 1; i <= today; ++i) {
      if (lo[i] < lowest) lowest = lo[i];
      if (hi[i] > highest) highest = hi[i];
    }
    o[today] = (highest + lowest) / 2.0;
  }
  return begin;
}
}  // namespace

int midpoint(In real, int period, Out out) {
  return midrange(real.data(), real.data(), real.size(), period, out);
}
int midprice(In high, In low, int period, Out out) {
  return midrange(high.data(), low.data(), high.size(), period, out);
}

int var_lookback(int period) { return period - 1; }
namespace {

using detail::kNoLead;
using detail::kRing;
using detail::pipelined;
using detail::store_pair;
using detail::zero_if_near_zero;
using detail::zero_if_not_above_eps;

/// TA-Lib's INT_VAR (mean of squares minus squared mean, running sums).
/// `kStdDev`: TA_STDDEV's sqrt(var) * nbdev, 0 where var <= epsilon.
template <bool kStdDev>
int variance(In real, int period, double nbdev, Out out) {
  const std::size_t n = real.size();
  const int lb = period - 1;
  const int begin = first_valid(n, lb);
  if (static_cast<std::size_t>(begin) >= n) return begin;
  const double* x = real.data();
  double s1 = 0.0;
  double s2 = 0.0;
  detail::add_sums_of_squares(x, 0, static_cast<std::size_t>(lb), s1, s2);
  const __m128d p = _mm_set1_pd(period), k = _mm_set1_pd(nbdev);
  alignas(16) double t1[kRing] = {};
  alignas(16) double t2[kRing] = {};
  pipelined(
      static_cast<std::size_t>(lb), n, kNoLead,
      [&](std::size_t i, std::size_t slot) {
        const double v = x[i];
        s1 += v;
        s2 += v * v;
        t1[slot] = s1;
        t2[slot] = s2;
        const double t = x[i - static_cast<std::size_t>(lb)];
        s1 -= t;
        s2 -= t * t;
      },
      [&](std::size_t i, std::size_t slot) {
        const __m128d m1 = _mm_div_pd(_mm_load_pd(t1 + slot), p);
        const __m128d m2 = _mm_div_pd(_mm_load_pd(t2 + slot), p);
        __m128d v = _mm_sub_pd(m2, _mm_mul_pd(m1, m1));
        if constexpr (kStdDev) v = zero_if_not_above_eps(v, _mm_mul_pd(_mm_sqrt_pd(v), k));
        store_pair(out.data(), i, n, v);
      });
  return begin;
}
}  // namespace

int var(In real, int period, Out out) { return variance<false>(real, period, 0.0, out); }
int stddev(In real, int period, double nbdev, Out out) { return variance<true>(real, period, nbdev, out); }

int linearreg_lookback(int period) { return period - 1; }
int linearreg(In real, int period, LinRegOut what, Out out) {
  const std::size_t n = real.size();
  const int lb = period - 1;
  const int begin = first_valid(n, lb);
  const double p = period;
  const double sum_x = p * (p - 1) * 0.5;
  const double sum_x_sqr = p * (p - 1) * (2 * p - 1) / 6;
  const double divisor = sum_x * sum_x - p * sum_x_sqr;
  auto finish = [&](std::size_t today, double sum_xy, double sum_y) {
    const double m = (p * sum_xy - sum_x * sum_y) / divisor;
    switch (what) {
      case LinRegOut::value:
        out[today] = (sum_y - m * sum_x) / p + m * (p - 1);
        break;
      case LinRegOut::slope:
        out[today] = m;
        break;
      case LinRegOut::intercept:
        out[today] = (sum_y - m * sum_x) / p;
        break;
      case LinRegOut::angle:
        out[today] = std::atan(m) * (180.0 / std::numbers::pi);
        break;
      case LinRegOut::forecast:
        out[today] = (sum_y - m * sum_x) / p + m * p;
        break;
    }
  };
  // Each bar's two sums are independent of every other bar's: 4 consecutive
  // bars run as 4 chains (two SSE2 pairs), each lane in TA-Lib's order (oldest
  // bar first, x = bars ago, product then add), so the bits are TA-Lib's while
  // the add latencies of the 4 chains overlap.
  typedef double V2 __attribute__((vector_size(16)));
  const double* x = real.data();
  std::size_t today = static_cast<std::size_t>(begin);
  for (; today + 4 <= n; today += 4) {
    V2 sy0 = {0.0, 0.0}, sy1 = {0.0, 0.0}, sxy0 = {0.0, 0.0}, sxy1 = {0.0, 0.0};
    for (int i = period; i-- != 0;) {
      const double* q = x + (today - static_cast<std::size_t>(i));
      const V2 y0 = {q[0], q[1]};
      const V2 y1 = {q[2], q[3]};
      const double di = static_cast<double>(i);
      const V2 d = {di, di};
      sy0 += y0;
      sxy0 += d * y0;
      sy1 += y1;
      sxy1 += d * y1;
    }
    finish(today, sxy0[0], sy0[0]);
    finish(today + 1, sxy0[1], sy0[1]);
    finish(today + 2, sxy1[0], sy1[0]);
    finish(today + 3, sxy1[1], sy1[1]);
  }
  for (; today < n; ++today) {
    // Same accumulation order as TA-Lib (oldest bar first, x = bars ago).
    double sum_xy = 0.0;
    double sum_y = 0.0;
    for (int i = period; i-- != 0;) {
      const double y = x[today - static_cast<std::size_t>(i)];
      sum_y += y;
      sum_xy += static_cast<double>(i) * y;
    }
    finish(today, sum_xy, sum_y);
  }
  return begin;
}

int avgdev_lookback(int period) { return period - 1; }
// Mean absolute deviation around the window mean. Like TA-Lib, each bar sums
// its window twice (O(period) per bar; the deviation has no running form),
// newest value first. Four consecutive bars run as four chains (two SSE2
// pairs, each lane one bar in TA-Lib's order), so their add latencies overlap.
int avgdev(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, period - 1);
  const size_t p = static_cast<size_t>(period);
  const double* x = real.data();
  size_t today = static_cast<size_t>(begin);
  const __m128d per = _mm_set1_pd(period);
  const __m128d sign = _mm_set1_pd(-0.0);
  for (; today + 3 < n; today += 4) {
    __m128d s0 = _mm_setzero_pd(), s1 = _mm_setzero_pd();
    for (size_t i = 0; i < p; ++i) {
      s0 = _mm_add_pd(s0, _mm_loadu_pd(x + today - i));
      s1 = _mm_add_pd(s1, _mm_loadu_pd(x + today + 2 - i));
    }
    const __m128d m0 = _mm_div_pd(s0, per), m1 = _mm_div_pd(s1, per);
    __m128d d0 = _mm_setzero_pd(), d1 = _mm_setzero_pd();
    for (size_t i = 0; i < p; ++i) {
      d0 = _mm_add_pd(d0, _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(x + today - i), m0)));
      d1 = _mm_add_pd(d1, _mm_andnot_pd(sign, _mm_sub_pd(_mm_loadu_pd(x + today + 2 - i), m1)));
    }
    _mm_storeu_pd(out.data() + today, _mm_div_pd(d0, per));
    _mm_storeu_pd(out.data() + today + 2, _mm_div_pd(d1, per));
  }
  for (; today < n; ++today) {
    double sum = 0.0;
    for (size_t i = 0; i < p; ++i) sum += x[today - i];
    const double mean = sum / period;
    double dev = 0.0;
    for (size_t i = 0; i < p; ++i) dev += std::fabs(x[today - i] - mean);
    out[today] = dev / period;
  }
  return begin;
}

int imi_lookback(int period) { return period - 1; }
// Intraday Momentum Index over the window's open->close moves. Summed per bar
// like TA-Lib (a window of only doji bars is 0/0 = NaN there, and here).
int imi(In open, In close, int period, Out out) {
  const size_t n = open.size();
  const int begin = first_valid(n, period - 1);
  const size_t lb = static_cast<size_t>(period - 1);
  for (size_t today = static_cast<size_t>(begin); today < n; ++today) {
    double up = 0.0;
    double down = 0.0;
    for (size_t i = today - lb; i <= today; ++i) {
      const double c = close[i];
      const double o = open[i];
      if (c > o)
        up += (c - o);
      else
        down += (o - c);
    }
    out[today] = 100.0 * (up / (up + down));
  }
  return begin;
}

int correl_lookback(int period) { return period - 1; }
// Pearson's r from TA-Lib's five running sums; the per-bar
// (sxx - sx²/n)(syy - sy²/n), its square root and the division in pairs
// (see pipelined()).
int correl(In real0, In real1, int period, Out out) {
  const std::size_t n = real0.size();
  const int lb = period - 1;
  const int begin = first_valid(n, lb);
  if (static_cast<std::size_t>(begin) >= n) return begin;
  const double* xs = real0.data();
  const double* ys = real1.data();
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  auto add = [&](std::size_t i) {
    const double x = xs[i];
    const double y = ys[i];
    sx += x;
    sxx += x * x;
    sxy += x * y;
    sy += y;
    syy += y * y;
  };
  for (std::size_t i = 0; i < static_cast<std::size_t>(lb); ++i) add(i);
  const __m128d p = _mm_set1_pd(period);
  alignas(16) double bx[kRing] = {}, by[kRing] = {}, bxx[kRing] = {}, byy[kRing] = {}, bxy[kRing] = {};
  pipelined(
      static_cast<std::size_t>(lb), n, kNoLead,
      [&](std::size_t i, std::size_t slot) {
        if (i > static_cast<std::size_t>(lb)) {  // the bar leaving the window
          const double tx = xs[i - static_cast<std::size_t>(period)];
          const double ty = ys[i - static_cast<std::size_t>(period)];
          sx -= tx;
          sxx -= tx * tx;
          sxy -= tx * ty;
          sy -= ty;
          syy -= ty * ty;
        }
        add(i);
        bx[slot] = sx;
        by[slot] = sy;
        bxx[slot] = sxx;
        byy[slot] = syy;
        bxy[slot] = sxy;
      },
      [&](std::size_t i, std::size_t slot) {
        const __m128d x = _mm_load_pd(bx + slot), y = _mm_load_pd(by + slot);
        const __m128d vx = _mm_sub_pd(_mm_load_pd(bxx + slot), _mm_div_pd(_mm_mul_pd(x, x), p));
        const __m128d vy = _mm_sub_pd(_mm_load_pd(byy + slot), _mm_div_pd(_mm_mul_pd(y, y), p));
        const __m128d t = _mm_mul_pd(vx, vy);
        const __m128d cov = _mm_sub_pd(_mm_load_pd(bxy + slot), _mm_div_pd(_mm_mul_pd(x, y), p));
        store_pair(out.data(), i, n, zero_if_not_above_eps(t, _mm_div_pd(cov, _mm_sqrt_pd(t))));
      });
  return begin;
}

int beta_lookback(int period) { return period; }
// TA_BETA: the regression slope of real0's returns on real1's over the last
// `period` returns. The returns entering and leaving the window two bars per
// divpd ahead of TA-Lib's running sums (TA-Lib's order), the slope two bars
// per divpd after them (see pipelined()).
int beta(In real0, In real1, int period, Out out) {
  const std::size_t n = real0.size();
  const int begin = first_valid(n, period);
  if (static_cast<std::size_t>(begin) >= n) return begin;
  const double* xs = real0.data();
  const double* ys = real1.data();
  // Returns of each series; the window holds the last `period` returns.
  auto ret = [](double now, double prev) { return is_zero(prev) ? 0.0 : (now - prev) / prev; };
  auto ret2 = [](const double* s, std::size_t i) {  // the returns of bars i and i + 1
    const __m128d prev = _mm_loadu_pd(s + i - 1);
    return zero_if_near_zero(prev, _mm_div_pd(_mm_sub_pd(_mm_loadu_pd(s + i), prev), prev));
  };
  double sxx = 0, sxy = 0, sx = 0, sy = 0;
  const std::size_t per = static_cast<std::size_t>(period);
  for (std::size_t i = 1; i < per; ++i) {
    const double x = ret(xs[i], xs[i - 1]);
    const double y = ret(ys[i], ys[i - 1]);
    sxx += x * x;
    sxy += x * y;
    sx += x;
    sy += y;
  }
  const __m128d p = _mm_set1_pd(period);
  // Returns of bar i (entering the window) and of bar i + 1 - period (leaving it).
  alignas(16) double rx[kRing] = {}, ry[kRing] = {}, ox[kRing] = {}, oy[kRing] = {};
  alignas(16) double bxx[kRing] = {}, bxy[kRing] = {}, bx[kRing] = {}, by[kRing] = {};
  pipelined(
      per, n,
      [&](std::size_t i, std::size_t slot) {
        if (i + 1 < n) {
          _mm_store_pd(rx + slot, ret2(xs, i));
          _mm_store_pd(ry + slot, ret2(ys, i));
          _mm_store_pd(ox + slot, ret2(xs, i + 1 - per));
          _mm_store_pd(oy + slot, ret2(ys, i + 1 - per));
        } else {  // the last bar alone (a pair would read bar n)
          rx[slot] = ret(xs[i], xs[i - 1]);
          ry[slot] = ret(ys[i], ys[i - 1]);
          ox[slot] = ret(xs[i + 1 - per], xs[i - per]);
          oy[slot] = ret(ys[i + 1 - per], ys[i - per]);
        }
      },
      [&](std::size_t, std::size_t slot) {
        double x = rx[slot];
        double y = ry[slot];
        sxx += x * x;
        sxy += x * y;
        sx += x;
        sy += y;
        bxx[slot] = sxx;
        bxy[slot] = sxy;
        bx[slot] = sx;
        by[slot] = sy;
        // The oldest return of the window leaves it after this output.
        x = ox[slot];
        y = oy[slot];
        sxx -= x * x;
        sxy -= x * y;
        sx -= x;
        sy -= y;
      },
      [&](std::size_t i, std::size_t slot) {
        const __m128d x = _mm_load_pd(bx + slot), y = _mm_load_pd(by + slot);
        const __m128d d = _mm_sub_pd(_mm_mul_pd(p, _mm_load_pd(bxx + slot)), _mm_mul_pd(x, x));
        const __m128d num = _mm_sub_pd(_mm_mul_pd(p, _mm_load_pd(bxy + slot)), _mm_mul_pd(x, y));
        store_pair(out.data(), i, n, zero_if_near_zero(d, _mm_div_pd(num, d)));
      });
  return begin;
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

enum class ExtOut : unsigned char { max, min, minmax, midpoint, midprice };

/// MAX, MIN, MINMAX, MIDPOINT (over real0) and MIDPRICE (high/low).
struct ExtremeCore {
  ExtOut what;
  HighLow hl;
  ExtremeCore(int period, ExtOut w) : what(w), hl(period) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(what);
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool price = what == ExtOut::midprice;
    double hi, lo;
    if (!hl.step(price ? b.high : b.real0, price ? b.low : b.real0, hi, lo, commit)) return false;
    switch (what) {
      case ExtOut::max:
        out[0] = hi;
        break;
      case ExtOut::min:
        out[0] = lo;
        break;
      case ExtOut::minmax:
        out[0] = lo;
        out[1] = hi;
        break;
      case ExtOut::midpoint:
      case ExtOut::midprice:
        out[0] = (hi + lo) / 2.0;
        break;
    }
    return true;
  }
};

/// variance(): running sums of x and x^2 from bar 0 (VAR; STDDEV = sqrt * nbdev).
struct VarCore {
  int period;
  size_t lb;
  bool stddev;
  double nbdev;
  Lag lag;
  size_t count = 0;  // capped at lb
  double s1 = 0.0, s2 = 0.0;
  VarCore(int n, bool sd, double nb)
      : period(n), lb(static_cast<size_t>(n - 1)), stddev(sd), nbdev(nb), lag(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, lb, stddev, nbdev);
    ar(lag, count, s1, s2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0;
    double a = s1 + x, q = s2 + x * x;
    const bool valid = count >= lb;
    if (valid) {
      const double m1 = a / period;
      const double m2 = q / period;
      const double t = lb == 0 ? x : lag.oldest();
      a -= t;
      q -= t * t;
      const double v = m2 - m1 * m1;
      out[0] = stddev ? (detail::is_zero_or_neg(v) ? 0.0 : std::sqrt(v) * nbdev) : v;
    }
    if (commit) {
      s1 = a;
      s2 = q;
      if (lb > 0) lag.push(x);
      if (count < lb) ++count;
    }
    return valid;
  }
};

/// extreme_index() / window_extremes(): detail::TrackedExtreme over a ring of
/// the last `period` values: O(1) except when the extreme leaves the window (an
/// O(period) rescan, the batch kernel's cost profile); exact also with NaN.
template <bool kMax>
using Tracked = detail::TrackedExtreme<kMax>;
enum class IndexOut : unsigned char { max, min, both };

/// MAXINDEX, MININDEX, MINMAXINDEX (absolute bar indexes).
struct IndexCore {
  IndexOut what;
  std::ptrdiff_t lb;
  std::ptrdiff_t i = 0;
  Lag hist;
  Tracked<true> mx;
  Tracked<false> mn;
  IndexCore(int period, IndexOut w) : what(w), lb(period - 1), hist(static_cast<size_t>(period)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(what, lb);
    ar(i, hist, mx, mn);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool valid = i >= lb;
    Tracked<true> a = mx;
    Tracked<false> c = mn;
    if (valid) {
      // Bar j of the window: today's value, or a ring entry i - j bars back.
      const double x = b.real0;
      auto at = [&](std::ptrdiff_t j) { return j == i ? x : hist.ago(static_cast<size_t>(i - j)); };
      if (what != IndexOut::min) a.update(at, i - lb, i);
      if (what != IndexOut::max) c.update(at, i - lb, i);
      switch (what) {
        case IndexOut::max:
          out[0] = static_cast<double>(a.idx);
          break;
        case IndexOut::min:
          out[0] = static_cast<double>(c.idx);
          break;
        case IndexOut::both:
          out[0] = static_cast<double>(c.idx);
          out[1] = static_cast<double>(a.idx);
          break;
      }
    }
    if (commit) {
      mx = a;
      mn = c;
      hist.push(b.real0);
      ++i;
    }
    return valid;
  }
};

/// correl(): five running sums, seeded over the first window; from then on
/// the value `period` bars back leaves BEFORE the new one enters.
struct CorrelCore {
  size_t lb;
  double p;
  Lag xs, ys;
  size_t count = 0;  // capped at lb + 1
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  explicit CorrelCore(int period)
      : lb(static_cast<size_t>(period - 1)), p(period), xs(static_cast<size_t>(period)), ys(xs) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, p);
    ar(xs, ys, count, sx, sy, sxx, syy, sxy);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0, y = b.real1;
    double a = sx, c = sy, aa = sxx, cc = syy, ac = sxy;
    if (count > lb) {
      const double tx = xs.oldest(), ty = ys.oldest();
      a -= tx;
      aa -= tx * tx;
      ac -= tx * ty;
      c -= ty;
      cc -= ty * ty;
    }
    a += x;
    aa += x * x;
    ac += x * y;
    c += y;
    cc += y * y;
    const bool valid = count >= lb;
    if (valid) {
      const double t = (aa - ((a * a) / p)) * (cc - ((c * c) / p));
      out[0] = detail::is_zero_or_neg(t) ? 0.0 : (ac - ((a * c) / p)) / std::sqrt(t);
    }
    if (commit) {
      sx = a, sy = c, sxx = aa, syy = cc, sxy = ac;
      xs.push(x);
      ys.push(y);
      count = std::min(count + 1, lb + 1);
    }
    return valid;
  }
};

/// beta(): running sums of the two series' returns over the last `period` returns.
struct BetaCore {
  int period;
  double p;
  Lag rx, ry;     // the last period-1 returns
  int count = 0;  // bars seen, capped at period
  double px = 0, py = 0, sxx = 0, sxy = 0, sx = 0, sy = 0;
  explicit BetaCore(int n) : period(n), p(n), rx(static_cast<size_t>(std::max(n - 1, 1))), ry(rx) {}
  static double ret(double now, double prev) { return is_zero(prev) ? 0.0 : (now - prev) / prev; }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, p);
    ar(rx, ry, count, px, py, sxx, sxy, sx, sy);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        px = b.real0;
        py = b.real1;
        count = 1;
      }
      return false;
    }
    const double x = ret(b.real0, px), y = ret(b.real1, py);
    double aa = sxx + x * x, ab = sxy + x * y, a = sx + x, c = sy + y;
    const bool valid = count >= period;
    if (valid) {
      const double ox = period == 1 ? x : rx.ago(static_cast<size_t>(period - 1));
      const double oy = period == 1 ? y : ry.ago(static_cast<size_t>(period - 1));
      const double d = (p * aa) - (a * a);
      out[0] = is_zero(d) ? 0.0 : ((p * ab) - (a * c)) / d;
      aa -= ox * ox;
      ab -= ox * oy;
      a -= ox;
      c -= oy;
    }
    if (commit) {
      sxx = aa, sxy = ab, sx = a, sy = c;
      rx.push(x);
      ry.push(y);
      px = b.real0;
      py = b.real1;
      count = std::min(count + 1, period);
    }
    return valid;
  }
};

std::unique_ptr<Stream> sum(Opts o) { return make<SumCore>(WindowSum(as_int(o[0]), false)); }
std::unique_ptr<Stream> max(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::max); }
std::unique_ptr<Stream> min(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::min); }
std::unique_ptr<Stream> minmax(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::minmax); }
std::unique_ptr<Stream> midpoint(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::midpoint); }
std::unique_ptr<Stream> midprice(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::midprice); }
std::unique_ptr<Stream> var(Opts o) { return make<VarCore>(as_int(o[0]), false, 1.0); }
std::unique_ptr<Stream> stddev(Opts o) { return make<VarCore>(as_int(o[0]), true, o[1]); }
std::unique_ptr<Stream> maxindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::max); }
std::unique_ptr<Stream> minindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::min); }
std::unique_ptr<Stream> minmaxindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::both); }
std::unique_ptr<Stream> correl(Opts o) { return make<CorrelCore>(as_int(o[0])); }
std::unique_ptr<Stream> beta(Opts o) { return make<BetaCore>(as_int(o[0])); }

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutMinMax[] = {{"min", OutputKind::real}, {"max", OutputKind::real}};
constexpr OutputSpec kOutMinMaxIndex[] = {{"minidx", OutputKind::integer}, {"maxidx", OutputKind::integer}};
constexpr OptionSpec kPeriod5Min1[] = {period_option<5, 1>()};
constexpr OptionSpec kPeriod30Min1[] = {period_option<30, 1>()};

constexpr OptionSpec kVarOptions[] = {period_option<5, 1>(),
                                      {"nbdev", OptionType::real, 1, -kRealLimit, kRealLimit,
                                       "Number of deviations (unused by VAR, as in TA-Lib)"}};

constexpr OptionSpec kStddevOptions[] = {
    period_option<5, 2>(),
    {"nbdev", OptionType::real, 1, -kRealLimit, kRealLimit, "Multiplier of the standard deviation"}};

int minmax_run(const Inputs& in, Opts o, Outs out) { return minmax(real0(in), as_int(o[0]), out[0], out[1]); }

int minmaxindex_run(const Inputs& in, Opts o, Outs out) {
  return minmaxindex(real0(in), as_int(o[0]), out[0], out[1]);
}

int midprice_run(const Inputs& in, Opts o, Outs out) {
  return midprice(in.high, in.low, as_int(o[0]), out[0]);
}

int stddev_run(const Inputs& in, Opts o, Outs out) { return stddev(real0(in), as_int(o[0]), o[1], out[0]); }

template <LinRegOut What>
int linearreg_run(const Inputs& in, Opts o, Outs out) {
  return linearreg(real0(in), as_int(o[0]), What, out[0]);
}

template <int (*Kernel)(In, In, int, Out)>
int real2_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(pair0(in), pair1(in), as_int(o[0]), out[0]);
}

constexpr Input kOc[] = {Input::open, Input::close};
int imi_run(const Inputs& in, Opts o, Outs out) { return imi(in.open, in.close, as_int(o[0]), out[0]); }

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"IMI", kMomentum, "Intraday Momentum Index", kOc, kPeriod14, kOutReal, period_lookback<imi_lookback>,
     imi_run, rerun_lb<imi_run, period_lookback<imi_lookback>, 1>},
    {"AVGDEV", kPrice, "Average Deviation (mean absolute deviation around the window mean)", kReal, kPeriod14,
     kOutReal, period_lookback<avgdev_lookback>, real_period<avgdev>, rerun_lb<real_period<avgdev>, period_lookback<avgdev_lookback>, 1>},
    {"SUM", kMathOperators, "Summation over a window", kReal, kPeriod30, kOutReal,
     period_lookback<sum_lookback>, real_period<sum>, streams::sum},
    {"MAX", kMathOperators, "Highest value over a window", kReal, kPeriod30, kOutReal,
     period_lookback<minmax_lookback>, real_period<max>, streams::max},
    {"MIN", kMathOperators, "Lowest value over a window", kReal, kPeriod30, kOutReal,
     period_lookback<minmax_lookback>, real_period<min>, streams::min},
    {"MAXINDEX", kMathOperators, "Index of the highest value over a window", kReal, kPeriod30, kOutInteger,
     period_lookback<minmax_lookback>, real_period<maxindex>, streams::maxindex},
    {"MININDEX", kMathOperators, "Index of the lowest value over a window", kReal, kPeriod30, kOutInteger,
     period_lookback<minmax_lookback>, real_period<minindex>, streams::minindex},
    {"MINMAX", kMathOperators, "Lowest and highest values over a window", kReal, kPeriod30, kOutMinMax,
     period_lookback<minmax_lookback>, minmax_run, streams::minmax},
    {"MINMAXINDEX", kMathOperators, "Indexes of the lowest and highest values over a window", kReal, kPeriod30,
     kOutMinMaxIndex, period_lookback<minmax_lookback>, minmaxindex_run, streams::minmaxindex},
    {"MIDPOINT", kOverlap, "MidPoint over period: (highest + lowest) / 2", kReal, kPeriod14, kOutReal,
     period_lookback<minmax_lookback>, real_period<midpoint>, streams::midpoint},
    {"MIDPRICE", kOverlap, "Midpoint Price over period: (highest high + lowest low) / 2", kHl, kPeriod14,
     kOutReal, period_lookback<minmax_lookback>, midprice_run, streams::midprice},
    {"VAR", kStatistic, "Variance (population, over the window)", kReal, kVarOptions, kOutReal,
     period_lookback<var_lookback>, real_period<var>, streams::var},
    {"STDDEV", kStatistic, "Standard deviation (population) * nbdev", kReal, kStddevOptions, kOutReal,
     period_lookback<var_lookback>, stddev_run, streams::stddev},
    {"LINEARREG", kStatistic, "Linear regression: the fitted value at the last bar", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::value>, rerun_lb<linearreg_run<LinRegOut::value>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_SLOPE", kStatistic, "Linear regression slope", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::slope>, rerun_lb<linearreg_run<LinRegOut::slope>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_INTERCEPT", kStatistic, "Linear regression intercept (at the window's first bar)", kReal,
     kPeriod14, kOutReal, period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::intercept>, rerun_lb<linearreg_run<LinRegOut::intercept>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_ANGLE", kStatistic, "Linear regression angle, in degrees: atan(slope)", kReal, kPeriod14,
     kOutReal, period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::angle>, rerun_lb<linearreg_run<LinRegOut::angle>, period_lookback<linearreg_lookback>, 1>},
    {"TSF", kStatistic, "Time series forecast: the regression line one bar ahead", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::forecast>, rerun_lb<linearreg_run<LinRegOut::forecast>, period_lookback<linearreg_lookback>, 1>},
    {"CORREL", kStatistic, "Pearson's correlation coefficient of real0 and real1", kReal2, kPeriod30Min1,
     kOutReal, period_lookback<correl_lookback>, real2_period<correl>, streams::correl},
    {"BETA", kStatistic, "Beta: regression slope of real1's returns on real0's returns (TA-Lib's formula)", kReal2, kPeriod5Min1, kOutReal,
     period_lookback<beta_lookback>, real2_period<beta>, streams::beta},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> stats_functions() { return kRows; }

}  // namespace ts::ta
