// WMA, DEMA, TEMA, TRIMA and KAMA (TA-Lib MA types 2..6), T3 and ACCBANDS, following TA-Lib's
// C code: WMA and TRIMA with its running numerators, DEMA/TEMA as chained EMAs
// each seeded with the SMA of its first n inputs, KAMA with TA-Lib's fast/slow
// constants 2/(2+1) and 2/(30+1).
#include <emmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

namespace ts::ta {
namespace {

using std::size_t;

int first_valid(size_t n, int lookback) {
  return n <= static_cast<size_t>(lookback) ? static_cast<int>(n) : lookback;
}

/// DEMA/TEMA's EMA stages (TA-Lib's INT_EMA on a buffer starting at the first value).
struct ChainEma : detail::EmaCore {
  explicit ChainEma(int period) : detail::EmaCore(period, detail::per_to_k(period)) {}
  bool push(double x, double& value) { return step(x, value, true); }
};

}  // namespace

int wma_lookback(int period) { return period - 1; }
int wma(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, period - 1);
  if (static_cast<size_t>(begin) >= n) return begin;
  // 64-bit: period * (period + 1) overflows int above period 46,340 (the range allows 100,000).
  const double divider = static_cast<double>((static_cast<long long>(period) * (period + 1)) >> 1);
  const size_t lb = static_cast<size_t>(period - 1);
  double sum = 0.0;
  double sub = 0.0;
  for (size_t i = 0; i < lb; ++i) {
    const double x = real[i];
    sub += x;
    sum += x * static_cast<double>(i + 1);
  }
  double trailing = 0.0;
  for (size_t i = lb; i < n; ++i) {
    const double x = real[i];
    sub += x;
    sub -= trailing;
    sum += x * period;
    trailing = real[i - lb];
    out[i] = sum / divider;
    sum -= sub;
  }
  return begin;
}

int dema_lookback(int period) { return 2 * (period - 1); }
int dema(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, dema_lookback(period));
  ChainEma e1(period);
  ChainEma e2(period);
  for (size_t i = 0; i < n; ++i) {
    double v1 = 0.0;
    double v2 = 0.0;
    if (!e1.push(real[i], v1)) continue;
    if (!e2.push(v1, v2)) continue;
    out[i] = (2.0 * v1) - v2;
  }
  return begin;
}

int tema_lookback(int period) { return 3 * (period - 1); }
int tema(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, tema_lookback(period));
  ChainEma e1(period);
  ChainEma e2(period);
  ChainEma e3(period);
  for (size_t i = 0; i < n; ++i) {
    double v1 = 0.0;
    double v2 = 0.0;
    double v3 = 0.0;
    if (!e1.push(real[i], v1)) continue;
    if (!e2.push(v1, v2)) continue;
    if (!e3.push(v2, v3)) continue;
    double t = v3;
    t += (3.0 * v1) - (3.0 * v2);
    out[i] = t;
  }
  return begin;
}

int trima_lookback(int period) { return period - 1; }
int trima(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, period - 1);
  if (static_cast<size_t>(begin) >= n) return begin;
  // The window's weights rise 1, 2, ... to the middle and fall again; the
  // numerator moves by the running sums of its two halves.
  const bool odd = (period % 2) == 1;
  const size_t half = static_cast<size_t>(period >> 1);
  const double factor =
      odd ? 1.0 / static_cast<double>((half + 1) * (half + 1)) : 1.0 / static_cast<double>(half * (half + 1));
  size_t trailing = 0;
  size_t middle = odd ? half : half - 1;
  size_t today = middle + half;
  double numerator = 0.0;
  double num_sub = 0.0;
  for (size_t i = middle + 1; i-- > trailing;) {
    num_sub += real[i];
    numerator += num_sub;
  }
  double num_add = 0.0;
  ++middle;
  for (size_t i = middle; i <= today; ++i) {
    num_add += real[i];
    numerator += num_add;
  }
  double t = real[trailing++];
  out[today] = numerator * factor;
  ++today;
  for (; today < n; ++today) {
    detail::trima_roll(numerator, num_sub, num_add, t, real[middle++], real[today], odd);
    t = real[trailing++];
    out[today] = numerator * factor;
  }
  return begin;
}

int kama_lookback(int period) { return period; }
int kama(In real, int period, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, period);
  if (static_cast<size_t>(begin) >= n) return begin;
  const size_t p = static_cast<size_t>(period);
  double sum_roc = 0.0;
  for (size_t i = 0; i < p; ++i) sum_roc += std::fabs(real[i] - real[i + 1]);
  auto smoothing = [&](double period_roc) { return detail::kama_smoothing(sum_roc, period_roc); };
  double prev = real[p - 1];
  double trailing_value = real[0];
  prev = ((real[p] - prev) * smoothing(real[p] - real[0])) + prev;
  out[p] = prev;
  for (size_t today = p + 1; today < n; ++today) {
    const double x = real[today];
    const double old = real[today - p];
    sum_roc -= std::fabs(trailing_value - old);
    sum_roc += std::fabs(x - real[today - 1]);
    trailing_value = old;
    prev = ((x - prev) * smoothing(x - old)) + prev;
    out[today] = prev;
  }
  return begin;
}

int t3_lookback(int period) { return 6 * (period - 1); }
// Tillson's T3: six chained EMAs (k x + (1-k) e form), each seeded with the
// mean of its first `period` inputs, combined with the volume-factor weights.
int t3(In real, int period, double vfactor, Out out) {
  const size_t n = real.size();
  const int begin = first_valid(n, t3_lookback(period));
  if (static_cast<size_t>(begin) >= n) return begin;
  const double k = 2.0 / (period + 1.0);
  const double k1 = 1.0 - k;
  double e[6] = {0, 0, 0, 0, 0, 0};
  size_t today = 0;
  const int pm1 = period - 1;
  // Stage s (0..5): seed e[s] with the mean of its first `period` inputs while
  // the stages before it keep running.
  for (int s = 0; s < 6; ++s) {
    double sum;
    if (s == 0) {
      sum = real[today++];
      for (int i = pm1; i > 0; --i) sum += real[today++];
    } else {
      sum = e[s - 1];
      for (int i = pm1; i > 0; --i) {
        e[0] = (k * real[today++]) + (k1 * e[0]);
        for (int j = 1; j < s; ++j) e[j] = (k * e[j - 1]) + (k1 * e[j]);
        sum += e[s - 1];
      }
    }
    e[s] = sum / period;
  }
  const detail::T3Weights w(vfactor);
  const double c1 = w.c1, c2 = w.c2, c3 = w.c3, c4 = w.c4;
  out[today - 1] = c1 * e[5] + c2 * e[4] + c3 * e[3] + c4 * e[2];
  double e1 = e[0], e2 = e[1], e3 = e[2], e4 = e[3], e5 = e[4], e6 = e[5];
  const double* x = real.data();
  double* o = out.data();
  // hist[s][b % 6]: stage s+1 at bar b, for the last six bars.
  double hist[6][6];
  const auto record = [&](size_t b) {
    const double v[6] = {e1, e2, e3, e4, e5, e6};
    for (int s = 0; s < 6; ++s) hist[s][b % 6] = v[s];
  };
  record(today - 1);
  // The first five bars one at a time, as TA-Lib.
  for (const size_t scalar_end = std::min(n, today + 5); today < scalar_end; ++today) {
    e1 = (k * x[today]) + (k1 * e1);
    e2 = (k * e1) + (k1 * e2);
    e3 = (k * e2) + (k1 * e3);
    e4 = (k * e3) + (k1 * e4);
    e5 = (k * e4) + (k1 * e5);
    e6 = (k * e5) + (k1 * e6);
    o[today] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    record(today);
  }
  if (today >= n) return begin;
  // Then the six stages skewed across bars, in three SSE2 pairs R1 = (e1, e4),
  // R2 = (e2, e5), R3 = (e3, e6): step u computes stage s for bar u - (s - 1).
  // A stage's input, the stage before at that bar, is then the previous
  // step's value in the same lane of the pair before (R1 -> R2 -> R3), and R1
  // takes (x, e3) from R3's low lane. Each stage and bar gets the same
  // k * in + k1 * e as above; six multiplies per bar instead of twelve, and
  // one shuffle in the loop-carried chains. Bar u - 5 completes at step u (e4,
  // e5, e3 from two, one and three steps back).
  const auto hv = [&](int s, size_t b) { return hist[s - 1][b % 6]; };
  const size_t b0 = today - 1;  // the state at step b0, from the history
  __m128d r1 = _mm_set_pd(hv(4, b0 - 3), hv(1, b0));
  __m128d r2 = _mm_set_pd(hv(5, b0 - 4), hv(2, b0 - 1));
  __m128d r3 = _mm_set_pd(hv(6, b0 - 5), hv(3, b0 - 2));
  __m128d r1_prev = _mm_set_pd(hv(4, b0 - 4), hv(1, b0 - 1));  // R1 two steps back
  __m128d r3_1 = _mm_set_sd(hv(3, b0 - 3));                    // R3 two and three steps back
  __m128d r3_2 = _mm_set_sd(hv(3, b0 - 4));                    // (only e3 is read)
  const __m128d kk = _mm_set1_pd(k);
  const __m128d kk1 = _mm_set1_pd(k1);
  const __m128d c12 = _mm_set_pd(c2, c1);
  const __m128d c34 = _mm_set_pd(c4, c3);
  const auto step = [&](double in, size_t u) {
    const __m128d r1o = r1, r2o = r2, r3o = r3;
    r1 = _mm_add_pd(_mm_mul_pd(kk, _mm_unpacklo_pd(_mm_set_sd(in), r3o)), _mm_mul_pd(kk1, r1o));
    r2 = _mm_add_pd(_mm_mul_pd(kk, r1o), _mm_mul_pd(kk1, r2o));
    r3 = _mm_add_pd(_mm_mul_pd(kk, r2o), _mm_mul_pd(kk1, r3o));
    // Bar u - 5: (c1 e6, c2 e5) and (c3 e4, c4 e3), summed in TA-Lib's order.
    const __m128d a = _mm_mul_pd(c12, _mm_shuffle_pd(r3, r2o, 3));        // (e6, e5)
    const __m128d b = _mm_mul_pd(c34, _mm_shuffle_pd(r1_prev, r3_2, 1));  // (e4, e3)
    const __m128d ab = _mm_add_sd(_mm_add_sd(a, _mm_unpackhi_pd(a, a)), b);
    o[u - 5] = _mm_cvtsd_f64(_mm_add_sd(ab, _mm_unpackhi_pd(b, b)));
    r1_prev = r1o;
    r3_2 = r3_1;
    r3_1 = r3o;
  };
  for (size_t u = today; u < n; ++u) step(x[u], u);
  for (size_t u = n; u < n + 5; ++u) step(0.0, u);  // drain: the last five bars' later stages
  return begin;
}

int accbands_lookback(int period) { return period - 1; }
// Acceleration Bands: SMAs of high * (1 + 4 (h-l)/(h+l)), close and
// low * (1 - 4 (h-l)/(h+l)). The value leaving a window is recomputed from
// the inputs (same bits), so no window buffer is needed.
int accbands(In high, In low, In close, int period, Out upper, Out middle, Out lower) {
  const size_t n = high.size();
  const int begin = first_valid(n, period - 1);
  if (static_cast<size_t>(begin) >= n) return begin;
  auto band = [&](size_t i, double& up, double& lo) {
    const double s = high[i] + low[i];
    if (!detail::is_zero(s)) {
      const double t = 4 * (high[i] - low[i]) / s;
      up = high[i] * (1 + t);
      lo = low[i] * (1 - t);
    } else {
      up = high[i];
      lo = low[i];
    }
  };
  const size_t lb = static_cast<size_t>(period - 1);
  const double p = period;
  double su = 0.0, sm = 0.0, sl = 0.0;
  for (size_t i = 0; i < lb; ++i) {
    double u, l;
    band(i, u, l);
    su += u;
    sm += close[i];
    sl += l;
  }
  for (size_t i = lb; i < n; ++i) {
    double u, l;
    band(i, u, l);
    su += u;
    sm += close[i];
    sl += l;
    upper[i] = su / p;
    middle[i] = sm / p;
    lower[i] = sl / p;
    band(i - lb, u, l);
    su -= u;
    sm -= close[i - lb];
    sl -= l;
  }
  return begin;
}

}  // namespace ts::ta
