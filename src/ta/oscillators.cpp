// Rate-of-change family (MOM, ROC, ROCP, ROCR, ROCR100), CMO, BOP, AROON,
// AROONOSC, AD, ADOSC, NATR, TRIX, ULTOSC, APO, PPO and SAR, following TA-Lib's C code.
#include <emmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

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

}  // namespace

int roc_lookback(int period) { return period; }
namespace {
// One loop per kind, so each is a simple vectorizable pass.
template <RocKind Kind>
int roc_impl(In real, int period, Out out) {
  const std::size_t n = real.size();
  const int begin = first_valid(n, period);
  const std::size_t p = static_cast<std::size_t>(period);
  const double* x = real.data();
  double* o = out.data();
  for (std::size_t i = static_cast<std::size_t>(begin); i < n; ++i) {
    const double prev = x[i - p];
    const double v = x[i];
    if constexpr (Kind == RocKind::mom) {
      o[i] = v - prev;
    } else if constexpr (Kind == RocKind::roc) {
      o[i] = prev != 0.0 ? ((v / prev) - 1.0) * 100.0 : 0.0;
    } else if constexpr (Kind == RocKind::rocp) {
      o[i] = prev != 0.0 ? (v - prev) / prev : 0.0;
    } else if constexpr (Kind == RocKind::rocr) {
      o[i] = prev != 0.0 ? (v / prev) : 0.0;
    } else {
      o[i] = prev != 0.0 ? (v / prev) * 100.0 : 0.0;
    }
  }
  return begin;
}
}  // namespace

int roc_family(In real, int period, RocKind kind, Out out) {
  switch (kind) {
    case RocKind::mom:
      return roc_impl<RocKind::mom>(real, period, out);
    case RocKind::roc:
      return roc_impl<RocKind::roc>(real, period, out);
    case RocKind::rocp:
      return roc_impl<RocKind::rocp>(real, period, out);
    case RocKind::rocr:
      return roc_impl<RocKind::rocr>(real, period, out);
    case RocKind::rocr100:
      break;
  }
  return roc_impl<RocKind::rocr100>(real, period, out);
}

int cmo_lookback(int period) { return period; }
int cmo(In real, int period, Out out) {
  const std::size_t n = real.size();
  const int begin = first_valid(n, period);
  if (static_cast<std::size_t>(begin) >= n) return begin;
  const double p = period;
  double gain = 0.0;
  double loss = 0.0;
  double prev = real[0];
  for (std::size_t i = 1; i <= static_cast<std::size_t>(period); ++i) {
    const double d = real[i] - prev;
    prev = real[i];
    if (d < 0)
      loss -= d;
    else
      gain += d;
  }
  loss /= p;
  gain /= p;
  auto emit = [&](std::size_t i) {
    const double t = gain + loss;
    out[i] = is_zero(t) ? 0.0 : 100.0 * ((gain - loss) / t);
  };
  emit(static_cast<std::size_t>(period));
  for (std::size_t i = static_cast<std::size_t>(period) + 1; i < n; ++i) {
    const double d = real[i] - prev;
    prev = real[i];
    loss *= (p - 1);
    gain *= (p - 1);
    if (d < 0)
      loss -= d;
    else
      gain += d;
    loss /= p;
    gain /= p;
    emit(i);
  }
  return begin;
}

int bop(In open, In high, In low, In close, Out out) {
  const std::size_t n = open.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double range = high[i] - low[i];
    // Divided unconditionally (a discarded inf/NaN traps nothing) so that the
    // loop vectorizes: two divisions per divpd.
    const double ratio = (close[i] - open[i]) / range;
    out[i] = is_zero_or_neg(range) ? 0.0 : ratio;
  }
  return 0;
}

int aroon_lookback(int period) { return period; }
namespace {
/// AROON's window of period+1 bars with TA-Lib's tie rule (the LATEST extreme
/// wins, also on a rescan). Calls f(i, highest_idx, lowest_idx).
template <class F>
int aroon_scan(In high, In low, int period, F f) {
  const std::size_t n = high.size();
  const int begin = first_valid(n, period);
  std::ptrdiff_t lo_idx = -1;
  std::ptrdiff_t hi_idx = -1;
  double lowest = 0.0;
  double highest = 0.0;
  for (std::ptrdiff_t today = begin; today < static_cast<std::ptrdiff_t>(n); ++today) {
    const std::ptrdiff_t trailing = today - period;
    if (lo_idx < trailing) {
      lo_idx = trailing;
      lowest = low[static_cast<std::size_t>(trailing)];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double v = low[static_cast<std::size_t>(i)];
        if (v <= lowest) {
          lo_idx = i;
          lowest = v;
        }
      }
    } else if (low[static_cast<std::size_t>(today)] <= lowest) {
      lo_idx = today;
      lowest = low[static_cast<std::size_t>(today)];
    }
    if (hi_idx < trailing) {
      hi_idx = trailing;
      highest = high[static_cast<std::size_t>(trailing)];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double v = high[static_cast<std::size_t>(i)];
        if (v >= highest) {
          hi_idx = i;
          highest = v;
        }
      }
    } else if (high[static_cast<std::size_t>(today)] >= highest) {
      hi_idx = today;
      highest = high[static_cast<std::size_t>(today)];
    }
    f(static_cast<std::size_t>(today), today - hi_idx, today - lo_idx, hi_idx - lo_idx);
  }
  return begin;
}

/// AROON's latest-wins rule makes the tracked indices the latest extremes of
/// each window of period+1 bars, so they come from two RollingArgExtreme
/// block scans on the stack; f(i, highest_idx, lowest_idx) per bar. NaN in
/// high or low: the series is redone with aroon_scan.
template <class F>
int aroon_blocks(In high, In low, int period, F f) {
  const std::size_t n = high.size();
  const int begin = first_valid(n, period);
  const auto first = static_cast<std::size_t>(begin);
  if (first >= n) return begin;
  const auto w = static_cast<std::size_t>(period) + 1;
  detail::RollingArgExtreme<true, true> hi(high.data(), w);
  detail::RollingArgExtreme<false, true> lo(low.data(), w);
  double v[detail::kBlock];
  double hi_idx[detail::kBlock];
  double lo_idx[detail::kBlock];
  bool nan = false;
  for (std::size_t b = first; b < n && !nan; b += detail::kBlock) {
    const std::size_t cnt = std::min(detail::kBlock, n - b);
    hi.fill(b, cnt, v, hi_idx);
    lo.fill(b, cnt, v, lo_idx);
    nan = hi.saw_nan() || lo.saw_nan();
    f(b, cnt, hi_idx, lo_idx);
  }
  return nan ? -1 : begin;
}
}  // namespace

int aroon(In high, In low, int period, Out down, Out up) {
  const double factor = 100.0 / static_cast<double>(period);
  const double p = static_cast<double>(period);
  double* u = up.data();
  double* d = down.data();
  // period - (i - idx) is exact in doubles, as TA-Lib's int arithmetic.
  const int begin = aroon_blocks(
      high, low, period, [=](std::size_t b, std::size_t cnt, const double* hi_idx, const double* lo_idx) {
        const double t0 = static_cast<double>(b);
        for (std::size_t k = 0; k < cnt; ++k) {
          const double t = t0 + static_cast<double>(k);
          u[b + k] = factor * (p - (t - hi_idx[k]));
          d[b + k] = factor * (p - (t - lo_idx[k]));
        }
      });
  if (begin >= 0) return begin;
  return aroon_scan(high, low, period,
                    [&](std::size_t i, std::ptrdiff_t since_hi, std::ptrdiff_t since_lo, std::ptrdiff_t) {
                      up[i] = factor * static_cast<double>(period - since_hi);
                      down[i] = factor * static_cast<double>(period - since_lo);
                    });
}
int aroonosc(In high, In low, int period, Out out) {
  const double factor = 100.0 / static_cast<double>(period);
  double* o = out.data();
  const int begin = aroon_blocks(
      high, low, period, [=](std::size_t b, std::size_t cnt, const double* hi_idx, const double* lo_idx) {
        for (std::size_t k = 0; k < cnt; ++k) o[b + k] = factor * (hi_idx[k] - lo_idx[k]);
      });
  if (begin >= 0) return begin;
  return aroon_scan(high, low, period,
                    [o, factor](std::size_t i, std::ptrdiff_t, std::ptrdiff_t, std::ptrdiff_t hi_minus_lo) {
                      o[i] = factor * static_cast<double>(hi_minus_lo);
                    });
}

// Two bars per step: both bars' steps in SSE2 (two divisions per divpd, where
// TA-Lib's loop issues one divsd per bar and is bound by the divider), then
// the serial accumulation in bar order, in the same loop so that the add chain
// overlaps the next pair's loads and division. (A first version in blocks,
// steps into a buffer then the accumulation, kept the two phases apart: 1.44
// ns per bar against 1.08 for this one on a Zen 4 host, TA-Lib 1.42.) A bar
// with no range adds +0.0, which leaves the line unchanged as TA-Lib's skip
// does (the line is never -0.0: it starts at +0.0, and x + -x is +0.0). ADOSC
// keeps its one scalar loop: its EMA chains, not the division, bound it.
int ad(In high, In low, In close, In volume, Out out) {
  const std::size_t n = high.size();
  const double *h = high.data(), *l = low.data(), *c = close.data(), *v = volume.data();
  double* o = out.data();
  double line = 0.0;
  std::size_t i = 0;
  const __m128d zero = _mm_setzero_pd();
  for (; i + 1 < n; i += 2) {
    const __m128d hp = _mm_loadu_pd(h + i), lp = _mm_loadu_pd(l + i), cp = _mm_loadu_pd(c + i);
    const __m128d range = _mm_sub_pd(hp, lp);
    const __m128d step = _mm_mul_pd(_mm_div_pd(_mm_sub_pd(_mm_sub_pd(cp, lp), _mm_sub_pd(hp, cp)), range),
                                    _mm_loadu_pd(v + i));  // ad_step, lane-wise
    const __m128d kept = _mm_and_pd(_mm_cmpgt_pd(range, zero), step);
    line += _mm_cvtsd_f64(kept);
    o[i] = line;
    line += _mm_cvtsd_f64(_mm_unpackhi_pd(kept, kept));
    o[i + 1] = line;
  }
  if (i < n) {
    if (h[i] - l[i] > 0.0) line += detail::ad_step(h[i], l[i], c[i], v[i]);
    o[i] = line;
  }
  return 0;
}

int adosc_lookback(int fast, int slow) { return ema_lookback(fast < slow ? slow : fast); }
int adosc(In high, In low, In close, In volume, int fast, int slow, Out out) {
  const std::size_t n = high.size();
  const int begin = first_valid(n, adosc_lookback(fast, slow));
  if (static_cast<std::size_t>(begin) >= n) return begin;
  const double fk = detail::per_to_k(fast);
  const double sk = detail::per_to_k(slow);
  const double fk1 = 1.0 - fk;
  const double sk1 = 1.0 - sk;
  double acc = 0.0;
  auto step = [&](std::size_t i) {
    if (high[i] - low[i] > 0.0) acc += detail::ad_step(high[i], low[i], close[i], volume[i]);
  };
  step(0);
  double fast_ema = acc;
  double slow_ema = acc;
  for (std::size_t i = 1; i < n; ++i) {
    step(i);
    fast_ema = (fk * acc) + (fk1 * fast_ema);
    slow_ema = (sk * acc) + (sk1 * slow_ema);
    if (i >= static_cast<std::size_t>(begin)) out[i] = fast_ema - slow_ema;
  }
  return begin;
}

int trix_lookback(int period) { return 3 * ema_lookback(period) + 1; }
// 1-bar rate of change ((x / prev) - 1) * 100 of a triple EMA, each EMA
// seeded with the SMA of its first `period` inputs.
int trix(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, trix_lookback(period));
  detail::StreamMa e1(period, 1);
  detail::StreamMa e2(period, 1);
  detail::StreamMa e3(period, 1);
  bool have_prev = false;
  double prev = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double v1, v2, v3;
    if (!e1.push(real[i], v1) || !e2.push(v1, v2) || !e3.push(v2, v3)) continue;
    if (have_prev) out[i] = prev != 0.0 ? ((v3 / prev) - 1.0) * 100.0 : 0.0;
    prev = v3;
    have_prev = true;
  }
  return begin;
}

// TA-Lib: SMA lookback of the longest period + 1. With all three periods 1
// TA-Lib's lookback is 0 and it reads close[-1]; we start at bar 1 instead.
int ultosc_lookback(int period1, int period2, int period3) {
  return std::max(sma_lookback(std::max(std::max(period1, period2), period3)), 0) + 1;
}
namespace {
/// ULTOSC's buying pressure (close - true low) and true range of bars i and
/// i + 1, with terms()'s comparisons as minpd/maxpd (same results, NaN too).
inline void ultosc_terms2(const double* h, const double* l, const double* c, size_t i, __m128d& cmtl,
                          __m128d& tr) {
  const __m128d lt = _mm_loadu_pd(l + i);
  const __m128d ht = _mm_loadu_pd(h + i);
  const __m128d cy = _mm_loadu_pd(c + i - 1);
  const __m128d sign = _mm_set1_pd(-0.0);
  cmtl = _mm_sub_pd(_mm_loadu_pd(c + i), _mm_min_pd(lt, cy));
  tr = _mm_sub_pd(ht, lt);
  tr = _mm_max_pd(_mm_andnot_pd(sign, _mm_sub_pd(cy, ht)), tr);
  tr = _mm_max_pd(_mm_andnot_pd(sign, _mm_sub_pd(cy, lt)), tr);
}
}  // namespace

// TA-Lib's three running sums of buying pressure and true range per period,
// staged (detail::pipelined): the terms of the bar entering and of the three
// bars leaving the windows two bars at a time ahead of the sums, the sums in
// TA-Lib's order, then the three ratios two bars per divpd.
int ultosc(In high, In low, In close, int period1, int period2, int period3, Out out) {
  const size_t n = high.size();
  const int begin = first_valid(n, ultosc_lookback(period1, period2, period3));
  if (static_cast<size_t>(begin) >= n) return begin;
  // Shortest period first (weight 4), longest last (weight 1).
  int p[3] = {period1, period2, period3};
  std::sort(p, p + 3);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  auto terms = [&](size_t day, double& cmtl, double& tr) {
    const double lt = l[day];
    const double ht = h[day];
    const double cy = c[day - 1];
    const double true_low = lt < cy ? lt : cy;
    cmtl = c[day] - true_low;
    tr = ht - lt;
    double t = std::fabs(cy - ht);
    if (t > tr) tr = t;
    t = std::fabs(cy - lt);
    if (t > tr) tr = t;
  };
  const size_t start = static_cast<size_t>(begin);
  double a[3] = {0, 0, 0};
  double b[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    for (size_t i = start - static_cast<size_t>(p[k]) + 1; i < start; ++i) {
      double cmtl, tr;
      terms(i, cmtl, tr);
      a[k] += cmtl;
      b[k] += tr;
    }
  }
  constexpr size_t kR = detail::kRing;
  // Entering terms (slot 0) and each window's leaving terms (slots 1..3).
  alignas(16) double cm[4][kR] = {}, tv[4][kR] = {};
  alignas(16) double sa[3][kR] = {}, sb[3][kR] = {};
  size_t back[4] = {0};
  for (int k = 0; k < 3; ++k) back[k + 1] = static_cast<size_t>(p[k]) - 1;
  detail::pipelined(
      start, n,
      [&](size_t i, size_t slot) {
        for (int t = 0; t < 4; ++t) {
          const size_t day = i - back[t];
          if (i + 1 < n) {
            __m128d cmtl, tr;
            ultosc_terms2(h, l, c, day, cmtl, tr);
            _mm_store_pd(cm[t] + slot, cmtl);
            _mm_store_pd(tv[t] + slot, tr);
          } else {  // the last bar alone (a pair would read bar n)
            terms(day, cm[t][slot], tv[t][slot]);
          }
        }
      },
      [&](size_t, size_t slot) {
        for (int k = 0; k < 3; ++k) {
          a[k] += cm[0][slot];
          b[k] += tv[0][slot];
          sa[k][slot] = a[k];
          sb[k][slot] = b[k];
          a[k] -= cm[k + 1][slot];
          b[k] -= tv[k + 1][slot];
        }
      },
      [&](size_t i, size_t slot) {
        // output = 0.0, then += each defined ratio: adding +0.0 for a skipped
        // one leaves the sum's bits as they are (it is never -0.0).
        const __m128d weight[3] = {_mm_set1_pd(4.0), _mm_set1_pd(2.0), _mm_set1_pd(1.0)};
        __m128d output = _mm_setzero_pd();
        for (int k = 0; k < 3; ++k) {
          const __m128d bk = _mm_load_pd(sb[k] + slot);
          __m128d ratio = _mm_div_pd(_mm_load_pd(sa[k] + slot), bk);
          if (k < 2) ratio = _mm_mul_pd(weight[k], ratio);
          output = _mm_add_pd(output, detail::zero_if_near_zero(bk, ratio));
        }
        detail::store_pair(out.data(), i, n, _mm_mul_pd(_mm_set1_pd(100.0), _mm_div_pd(output, _mm_set1_pd(7.0))));
      });
  return begin;
}

int apo_lookback(int fast, int slow, int matype) { return ma_lookback(std::max(fast, slow), matype); }
namespace {
/// TA-Lib's INT_PO: MA(fast) and MA(slow) of the whole series (both seeded
/// at bar 0, unlike MACD's fast EMA), combined from the slower one's lookback.
template <bool kPercent>
int price_oscillator(In real, int fast, int slow, int matype, Out out) {
  if (slow < fast) std::swap(fast, slow);
  const size_t n = real.size();
  const int begin = first_valid(n, apo_lookback(fast, slow, matype));
  if (static_cast<size_t>(begin) >= n) return begin;
  const double* x = real.data();
  double* o = out.data();
  auto emit = [o](size_t i, double f, double s) {
    if constexpr (kPercent)
      o[i] = is_zero(s) ? 0.0 : ((f - s) / s) * 100.0;
    else
      o[i] = f - s;
  };
  if (matype > 1) {  // WMA ... T3: MA's streams over the whole series (TA_MA from bar 0 for both)
    detail::StreamMa fast_ma(fast, matype);
    detail::StreamMa slow_ma(slow, matype);
    for (size_t i = 0; i < n; ++i) {
      double f = 0.0, s = 0.0;
      const bool hf = fast_ma.push(x[i], f);
      const bool hs = slow_ma.push(x[i], s);
      if (hf && hs) emit(i, f, s);
    }
    return begin;
  }
  const size_t fl = static_cast<size_t>(fast - 1);
  const size_t sl = static_cast<size_t>(slow - 1);
  if (matype == 0) {  // two running sums from bar 0, TA-Lib's INT_SMA order
    double fs = 0.0;
    double ss = 0.0;
    for (size_t i = 0; i < fl; ++i) fs += x[i];
    for (size_t i = 0; i < sl; ++i) ss += x[i];
    const double fp = fast;
    const double sp = slow;
    for (size_t i = fl; i < sl; ++i) {
      fs += x[i];
      fs -= x[i - fl];
    }
    // The two chains run ahead of the divisions (detail::pipelined), which
    // take two bars per divpd with emit()'s operations.
    alignas(16) double ft[detail::kRing] = {};
    alignas(16) double st[detail::kRing] = {};
    const __m128d fpp = _mm_set1_pd(fp), spp = _mm_set1_pd(sp);
    detail::pipelined(
        sl, n, detail::kNoLead,
        [&](size_t i, size_t slot) {
          fs += x[i];
          ss += x[i];
          ft[slot] = fs;
          st[slot] = ss;
          fs -= x[i - fl];
          ss -= x[i - sl];
        },
        [&](size_t i, size_t slot) {
          const __m128d f = _mm_div_pd(_mm_load_pd(ft + slot), fpp);
          const __m128d sv = _mm_div_pd(_mm_load_pd(st + slot), spp);
          __m128d v = _mm_sub_pd(f, sv);
          if constexpr (kPercent)
            v = detail::zero_if_near_zero(sv, _mm_mul_pd(_mm_div_pd(v, sv), _mm_set1_pd(100.0)));
          detail::store_pair(o, i, n, v);
        });
    return begin;
  }
  // EMA: both seeded at bar 0 with the SMA of their first `period` values.
  const double kf = detail::per_to_k(fast);
  const double ks = detail::per_to_k(slow);
  double fs = 0.0;
  for (size_t i = 0; i <= fl; ++i) fs += x[i];
  double f = fs / fast;
  for (size_t i = fl + 1; i <= sl; ++i) f = ((x[i] - f) * kf) + f;
  double ss = 0.0;
  for (size_t i = 0; i <= sl; ++i) ss += x[i];
  double sv = ss / slow;
  emit(sl, f, sv);
  for (size_t i = sl + 1; i < n; ++i) {
    f = ((x[i] - f) * kf) + f;
    sv = ((x[i] - sv) * ks) + sv;
    emit(i, f, sv);
  }
  return begin;
}
}  // namespace
int apo(In real, int fast, int slow, int matype, Out out) {
  return price_oscillator<false>(real, fast, slow, matype, out);
}
int ppo(In real, int fast, int slow, int matype, Out out) {
  return price_oscillator<true>(real, fast, slow, matype, out);
}

namespace {
// SAR and SAREXT share detail::Sar (kernel_util.hpp), which the streams use too.
template <bool kNegativeShort>
int sar_core(In high, In low, const SarExtParams& prm, Out out) {
  const size_t n = high.size();
  if (n <= 1) return static_cast<int>(n);
  detail::Sar sar(prm.start_value, prm.offset_on_reverse, prm.accel_init_long, prm.accel_long,
                  prm.accel_max_long, prm.accel_init_short, prm.accel_short, prm.accel_max_short,
                  kNegativeShort);
  sar.begin(high[0], low[0], high[1], low[1]);
  for (size_t i = 1; i < n; ++i) out[i] = sar.step(high[i], low[i]);
  return 1;
}
}  // namespace

int sar_lookback() { return 1; }
// Wilder's Parabolic SAR as TA-Lib runs it: SAREXT with one acceleration for
// both directions, no start value or offset, and short positions reported as
// positive values.
int sar(In high, In low, double acceleration, double maximum, Out out) {
  SarExtParams p;
  p.accel_init_long = p.accel_long = p.accel_init_short = p.accel_short = acceleration;
  p.accel_max_long = p.accel_max_short = maximum;
  return sar_core<false>(high, low, p, out);
}

// SAREXT: separate long/short acceleration, an optional start value and offset
// on reversal; short positions are negative values.
int sarext(In high, In low, const SarExtParams& prm, Out out) { return sar_core<true>(high, low, prm, out); }

int natr_lookback(int period) { return period; }
int natr(In high, In low, In close, int period, Out out) {
  // TA-Lib returns the plain true range for period 1 (not normalised).
  if (period <= 1) return trange(high, low, close, out);
  const int begin = atr(high, low, close, period, out);
  const std::size_t n = high.size();
  for (std::size_t i = static_cast<std::size_t>(begin); i < n; ++i) {
    const double c = close[i];
    out[i] = is_zero(c) ? 0.0 : (out[i] / c) * 100.0;
  }
  return begin;
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// roc_family(): the value `period` bars back from a ring.
template <int Kind>
struct RocCore {
  int period;
  int count = 0;  // capped at period
  Lag lag;
  explicit RocCore(int n) : period(n), lag(static_cast<size_t>(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period);
    ar(count, lag);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.real0;
    const bool valid = count >= period;
    if (valid) {
      const double prev = lag.oldest();
      constexpr auto kind = static_cast<RocKind>(Kind);
      if constexpr (kind == RocKind::mom) {
        out[0] = v - prev;
      } else if constexpr (kind == RocKind::roc) {
        out[0] = prev != 0.0 ? ((v / prev) - 1.0) * 100.0 : 0.0;
      } else if constexpr (kind == RocKind::rocp) {
        out[0] = prev != 0.0 ? (v - prev) / prev : 0.0;
      } else if constexpr (kind == RocKind::rocr) {
        out[0] = prev != 0.0 ? (v / prev) : 0.0;
      } else {
        out[0] = prev != 0.0 ? (v / prev) * 100.0 : 0.0;
      }
    }
    if (commit) {
      lag.push(v);
      count = std::min(count + 1, period);
    }
    return valid;
  }
};

/// ad() and adosc(): the A/D line, and for ADOSC its two EMAs in k x + (1-k) e
/// form seeded with the first bar's A/D value.
struct AdCore {
  bool osc;
  double fk, sk, fk1, sk1;
  std::uint64_t begin;
  std::uint64_t i = 0;
  double acc = 0.0, fast = 0.0, slow = 0.0;
  AdCore(bool oscillator, int f, int s)
      : osc(oscillator),
        fk(detail::per_to_k(f)),
        sk(detail::per_to_k(s)),
        fk1(1.0 - fk),
        sk1(1.0 - sk),
        begin(oscillator ? static_cast<std::uint64_t>(ema_lookback(std::max(f, s))) : 0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(osc, fk, sk, fk1, sk1, begin);
    ar(i, acc, fast, slow);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double a = acc;
    if (b.high - b.low > 0.0) a += detail::ad_step(b.high, b.low, b.close, b.volume);
    double fe = a, se = a;
    if (i > 0) {
      fe = (fk * a) + (fk1 * fast);
      se = (sk * a) + (sk1 * slow);
    }
    const bool valid = i >= begin;
    if (valid) out[0] = osc ? fe - se : a;
    if (commit) {
      acc = a;
      fast = fe;
      slow = se;
      ++i;
    }
    return valid;
  }
};

/// price_oscillator(): APO / PPO from two MAs of the whole series (SMA running
/// sums or EMAs from bar 0; matype 2-8: MA's streams).
struct PoCore {
  bool percent;
  MaCore fast, slow;
  PoCore(int f, int s, int matype, bool ppo) : percent(ppo), fast(f, matype), slow(s, matype) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(percent);
    ar(fast, slow);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double f = 0.0, s = 0.0;
    const bool hf = fast.step(b.real0, f, commit);
    const bool hs = slow.step(b.real0, s, commit);
    if (!hf || !hs) return false;
    out[0] = percent ? (is_zero(s) ? 0.0 : ((f - s) / s) * 100.0) : f - s;
    return true;
  }
};

/// trix(): 1-bar rate of change of a triple EMA.
struct TrixCore {
  EmaCore e1, e2, e3;
  bool have_prev = false;
  double prev = 0.0;
  explicit TrixCore(int n)
      : e1(n, detail::per_to_k(n)), e2(n, detail::per_to_k(n)), e3(n, detail::per_to_k(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(e1, e2, e3, have_prev, prev);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double v1, v2, v3;
    if (!e1.step(b.real0, v1, commit) || !e2.step(v1, v2, commit) || !e3.step(v2, v3, commit)) return false;
    const bool valid = have_prev;
    if (valid) out[0] = prev != 0.0 ? ((v3 / prev) - 1.0) * 100.0 : 0.0;
    if (commit) {
      prev = v3;
      have_prev = true;
    }
    return valid;
  }
};

/// aroon_scan(): bars since the highest high / lowest low over period+1 bars,
/// the LATEST bar winning ties, as the batch scan (exact for NaN-free input).
struct AroonCore {
  int period;
  bool osc;
  double factor;
  std::uint64_t i = 0;
  MonoDeque<true> hi;
  MonoDeque<false> lo;
  AroonCore(int n, bool oscillator)
      : period(n), osc(oscillator), factor(100.0 / static_cast<double>(n)), hi(n + 1), lo(n + 1) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, osc, factor);
    ar(i, hi, lo);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool valid = i >= static_cast<std::uint64_t>(period);
    if (valid) {
      const auto hi_idx = static_cast<std::ptrdiff_t>(hi.extreme_index(b.high, i));
      const auto lo_idx = static_cast<std::ptrdiff_t>(lo.extreme_index(b.low, i));
      const auto today = static_cast<std::ptrdiff_t>(i);
      if (osc) {
        out[0] = factor * static_cast<double>(hi_idx - lo_idx);
      } else {
        out[0] = factor * static_cast<double>(period - (today - lo_idx));
        out[1] = factor * static_cast<double>(period - (today - hi_idx));
      }
    }
    if (commit) {
      hi.push(b.high, i);
      lo.push(b.low, i);
      ++i;
    }
    return valid;
  }
};

/// ultosc(): three window sums of buying pressure and true range, each begun
/// `period_k` - 1 bars before the first output (not at bar 0), as the batch.
struct UltoscCore {
  std::array<int, 3> p;
  std::uint64_t start;
  std::uint64_t i = 0;
  double prev_close = 0.0;
  Lag cm, trs;  // the terms of the last max(p) - 1 bars
  std::array<double, 3> a{}, bsum{};
  UltoscCore(int p1, int p2, int p3)
      : p{p1, p2, p3},
        start(static_cast<std::uint64_t>(ultosc_lookback(p1, p2, p3))),
        cm(static_cast<size_t>(std::max({p1, p2, p3}))),
        trs(cm) {
    std::sort(p.begin(), p.end());
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p, start);
    ar(i, prev_close, cm, trs, a, bsum);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (i == 0) {
      if (commit) {
        prev_close = b.close;
        i = 1;
      }
      return false;
    }
    const double cy = prev_close;
    const double true_low = b.low < cy ? b.low : cy;
    const double cmtl = b.close - true_low;
    double tr = b.high - b.low;
    double t = std::fabs(cy - b.high);
    if (t > tr) tr = t;
    t = std::fabs(cy - b.low);
    if (t > tr) tr = t;
    std::array<double, 3> x = a, y = bsum;
    const bool valid = i >= start;
    for (size_t k = 0; k < 3; ++k) {
      if (i + static_cast<std::uint64_t>(p[k]) < start + 1) continue;  // this window has not begun
      x[k] += cmtl;
      y[k] += tr;
    }
    if (valid) {
      double output = 0.0;
      if (!is_zero(y[0])) output += 4.0 * (x[0] / y[0]);
      if (!is_zero(y[1])) output += 2.0 * (x[1] / y[1]);
      if (!is_zero(y[2])) output += x[2] / y[2];
      for (size_t k = 0; k < 3; ++k) {
        const auto back = static_cast<size_t>(p[k] - 1);
        x[k] -= back == 0 ? cmtl : cm.ago(back);
        y[k] -= back == 0 ? tr : trs.ago(back);
      }
      out[0] = 100.0 * (output / 7.0);
    }
    if (commit) {
      a = x;
      bsum = y;
      cm.push(cmtl);
      trs.push(tr);
      prev_close = b.close;
      ++i;
    }
    return valid;
  }
};

/// sar_core(): detail::Sar begun with bars 0 and 1, stepped from bar 1 on.
struct SarCore {
  detail::Sar sar;
  int count = 0;  // bars seen, capped at 2
  double h0 = 0.0, l0 = 0.0;
  explicit SarCore(const detail::Sar& s) : sar(s) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(sar, count, h0, l0);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        h0 = b.high;
        l0 = b.low;
        count = 1;
      }
      return false;
    }
    detail::Sar next = sar;
    if (count == 1) next.begin(h0, l0, b.high, b.low);
    out[0] = next.step(b.high, b.low);
    if (commit) {
      sar = next;
      count = 2;
    }
    return true;
  }
};

std::unique_ptr<Stream> cmo(Opts o) { return make<RsiCore>(as_int(o[0]), RsiCore::Form::cmo); }
std::unique_ptr<Stream> natr(Opts o) { return make<AtrCore>(as_int(o[0]), true); }

std::unique_ptr<Stream> apo(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<PoCore>(f, s, as_int(o[2]), false);
}

std::unique_ptr<Stream> ppo(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<PoCore>(f, s, as_int(o[2]), true);
}

std::unique_ptr<Stream> trix(Opts o) { return make<TrixCore>(as_int(o[0])); }
std::unique_ptr<Stream> aroon(Opts o) { return make<AroonCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> aroonosc(Opts o) { return make<AroonCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> ultosc(Opts o) { return make<UltoscCore>(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

std::unique_ptr<Stream> sar(Opts o) {
  return make<SarCore>(detail::Sar(0.0, 0.0, o[0], o[0], o[1], o[0], o[0], o[1], false));
}

std::unique_ptr<Stream> sarext(Opts o) {
  return make<SarCore>(detail::Sar(o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], true));
}

std::unique_ptr<Stream> ad(Opts) { return make<AdCore>(false, 2, 2); }
std::unique_ptr<Stream> adosc(Opts o) { return make<AdCore>(true, as_int(o[0]), as_int(o[1])); }

template <int Kind>
std::unique_ptr<Stream> roc(Opts o) {
  return make<RocCore<Kind>>(as_int(o[0]));
}

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutAroon[] = {{"aroondown", OutputKind::real}, {"aroonup", OutputKind::real}};
constexpr OptionSpec kPeriod10Min1[] = {period_option<10, 1>()};

constexpr OptionSpec kAdoscOptions[] = {
    {"fastperiod", OptionType::integer, 3, 2, kMaxPeriod, "Number of periods of the fast EMA"},
    {"slowperiod", OptionType::integer, 10, 2, kMaxPeriod, "Number of periods of the slow EMA"}};

constexpr OptionSpec kUltoscOptions[] = {
    {"timeperiod1", OptionType::integer, 7, 1, kMaxPeriod, "Number of bars of the first (weight 4) window"},
    {"timeperiod2", OptionType::integer, 14, 1, kMaxPeriod, "Number of bars of the second (weight 2) window"},
    {"timeperiod3", OptionType::integer, 28, 1, kMaxPeriod, "Number of bars of the third (weight 1) window"}};

constexpr OptionSpec kPoOptions[] = {
    {"fastperiod", OptionType::integer, 12, 2, kMaxPeriod, "Number of periods of the fast MA"},
    {"slowperiod", OptionType::integer, 26, 2, kMaxPeriod, "Number of periods of the slow MA"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

constexpr OptionSpec kSarOptions[] = {
    {"acceleration", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step and start"},
    {"maximum", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum"}};

constexpr OptionSpec kSarExtOptions[] = {
    {"startvalue", OptionType::real, 0, -kRealLimit, kRealLimit,
     "Start value and direction: 0 = auto, > 0 long at that value, < 0 short at its absolute value"},
    {"offsetonreverse", OptionType::real, 0, 0, kRealLimit,
     "Percent offset added/removed to the SAR on reversal"},
    {"accelerationinitlong", OptionType::real, 0.02, 0, kRealLimit,
     "Acceleration factor initial value, long"},
    {"accelerationlong", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step, long"},
    {"accelerationmaxlong", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum, long"},
    {"accelerationinitshort", OptionType::real, 0.02, 0, kRealLimit,
     "Acceleration factor initial value, short"},
    {"accelerationshort", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step, short"},
    {"accelerationmaxshort", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum, short"}};

template <RocKind Kind>
int roc_run(const Inputs& in, Opts o, Outs out) {
  return roc_family(real0(in), as_int(o[0]), Kind, out[0]);
}

int bop_run(const Inputs& in, Opts, Outs out) { return bop(in.open, in.high, in.low, in.close, out[0]); }

int aroon_run(const Inputs& in, Opts o, Outs out) {
  return aroon(in.high, in.low, as_int(o[0]), out[0], out[1]);
}

int aroonosc_run(const Inputs& in, Opts o, Outs out) {
  return aroonosc(in.high, in.low, as_int(o[0]), out[0]);
}

int ad_run(const Inputs& in, Opts, Outs out) { return ad(in.high, in.low, in.close, in.volume, out[0]); }
int adosc_lb(Opts o) { return adosc_lookback(as_int(o[0]), as_int(o[1])); }

int adosc_run(const Inputs& in, Opts o, Outs out) {
  return adosc(in.high, in.low, in.close, in.volume, as_int(o[0]), as_int(o[1]), out[0]);
}

int sar_lb(Opts) { return sar_lookback(); }

int sarext_run(const Inputs& in, Opts o, Outs out) {
  return sarext(in.high, in.low, SarExtParams{o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]}, out[0]);
}

int sar_run(const Inputs& in, Opts o, Outs out) { return sar(in.high, in.low, o[0], o[1], out[0]); }
int ultosc_lb(Opts o) { return ultosc_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

int ultosc_run(const Inputs& in, Opts o, Outs out) {
  return ultosc(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}

int po_lb(Opts o) { return apo_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

template <int (*Kernel)(In, int, int, int, Out)>
int po_run(const Inputs& in, Opts o, Outs out) {
  return Kernel(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"TRIX", kMomentum,
     "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA (period >= 2: TA-Lib's period 1 output is misaligned)",
     kReal, kPeriod30, kOutReal,
     period_lookback<trix_lookback>, real_period<trix>, streams::trix},
    {"ULTOSC", kMomentum, "Ultimate Oscillator", kHlc, kUltoscOptions, kOutReal, ultosc_lb, ultosc_run, streams::ultosc},
    {"APO", kMomentum, "Absolute Price Oscillator: MA(fast) - MA(slow)", kReal, kPoOptions, kOutReal, po_lb,
     po_run<apo>, streams::apo},
    {"PPO", kMomentum, "Percentage Price Oscillator: (MA(fast) - MA(slow)) / MA(slow) * 100", kReal, kPoOptions,
     kOutReal, po_lb, po_run<ppo>, streams::ppo},
    {"NATR", kVolatility, "Normalized Average True Range: ATR / close * 100", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<natr_lookback>, hlc_period<natr>, streams::natr},
    {"MOM", kMomentum, "Momentum: real - real[n bars ago]", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::mom>, streams::roc<0>},
    {"ROC", kMomentum, "Rate of change: ((real / prev) - 1) * 100", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::roc>, streams::roc<1>},
    {"ROCP", kMomentum, "Rate of change percentage: (real - prev) / prev", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::rocp>, streams::roc<2>},
    {"ROCR", kMomentum, "Rate of change ratio: real / prev", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::rocr>, streams::roc<3>},
    {"ROCR100", kMomentum, "Rate of change ratio, 100 scale: (real / prev) * 100", kReal, kPeriod10Min1,
     kOutReal, period_lookback<roc_lookback>, roc_run<RocKind::rocr100>, streams::roc<4>},
    {"CMO", kMomentum, "Chande Momentum Oscillator (Wilder smoothing, as TA-Lib)", kReal, kPeriod14, kOutReal,
     period_lookback<cmo_lookback>, real_period<cmo>, streams::cmo},
    {"BOP", kMomentum, "Balance Of Power: (close - open) / (high - low)", kOhlc, {}, kOutReal, zero_lb, bop_run, rerun<bop_run, 1, 1>},
    {"AROON", kMomentum, "Aroon (down, up)", kHl, kPeriod14, kOutAroon, period_lookback<aroon_lookback>,
     aroon_run, streams::aroon},
    {"AROONOSC", kMomentum, "Aroon Oscillator: up - down", kHl, kPeriod14, kOutReal,
     period_lookback<aroon_lookback>, aroonosc_run, streams::aroonosc},
    {"AD", kVolumeGroup, "Chaikin A/D Line", kHlcv, {}, kOutReal, zero_lb, ad_run, streams::ad},
    {"ADOSC", kVolumeGroup, "Chaikin A/D Oscillator: EMA(fast) - EMA(slow) of the A/D line", kHlcv,
     kAdoscOptions, kOutReal, adosc_lb, adosc_run, streams::adosc},
    {"SAR", kOverlap, "Parabolic SAR", kHl, kSarOptions, kOutReal, sar_lb, sar_run, streams::sar},
    {"SAREXT", kOverlap, "Parabolic SAR - Extended (short positions as negative values)", kHl, kSarExtOptions,
     kOutReal, sar_lb, sarext_run, streams::sarext},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> oscillators_functions() { return kRows; }

}  // namespace ts::ta
