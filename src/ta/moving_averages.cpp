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
#include "ta/multi.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

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

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// dema() / tema(): chained EMAs, each seeded with the mean of its first inputs.
struct MultiEmaCore {
  int depth;
  EmaCore e1, e2, e3;
  MultiEmaCore(int n, int d)
      : depth(d), e1(n, detail::per_to_k(n)), e2(n, detail::per_to_k(n)), e3(n, detail::per_to_k(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(depth);
    ar(e1, e2, e3);
  }
  bool step(double x, double& out, bool commit) {
    double v1, v2, v3;
    if (!e1.step(x, v1, commit) || !e2.step(v1, v2, commit)) return false;
    if (depth == 2) {
      out = (2.0 * v1) - v2;
      return true;
    }
    if (!e3.step(v2, v3, commit)) return false;
    double t = v3;
    t += (3.0 * v1) - (3.0 * v2);
    out = t;
    return true;
  }
};

/// kama(): the efficiency-ratio denominator as a running sum of |x[i-1] - x[i]|
/// (seeded in bar order, then one out and one in per bar), x[i - period] from a ring.
struct KamaCore {
  size_t p;
  Lag lag;
  size_t count = 0;  // capped at p + 1
  double last = 0.0, sum_roc = 0.0, prev = 0.0, trailing_value = 0.0;
  explicit KamaCore(int n) : p(static_cast<size_t>(n)), lag(p) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p);
    ar(lag, count, last, sum_roc, prev, trailing_value);
  }
  bool step(double x, double& out, bool commit) {
    double sr = sum_roc, pv = prev, tv = trailing_value;
    const bool valid = count >= p;
    if (count == 0) {
      // the first bar only seeds `last`
    } else if (count < p) {
      sr += std::fabs(last - x);
    } else {
      const double old = lag.oldest();
      if (count == p) {
        sr += std::fabs(last - x);
        pv = last;
      } else {
        sr -= std::fabs(tv - old);
        sr += std::fabs(x - last);
      }
      tv = old;
      pv = ((x - pv) * detail::kama_smoothing(sr, x - old)) + pv;
      out = pv;
    }
    if (commit) {
      sum_roc = sr;
      prev = pv;
      trailing_value = tv;
      last = x;
      lag.push(x);
      count = std::min(count + 1, p + 1);
    }
    return valid;
  }
};

/// t3(): six EMAs in k x + (1-k) e form, each seeded with the mean of its
/// first `period` inputs (the sum starts AT the first input, as TA-Lib's).
struct T3Core {
  struct Stage {
    int count = 0;
    double sum = 0.0, e = 0.0;
    template <class Ar>
    void persist(Ar& ar) {
      ar(count, sum, e);
    }
  };
  int period;
  double k, k1;
  detail::T3Weights w;
  std::array<Stage, 6> st{};
  T3Core(int n, double vfactor) : period(n), k(2.0 / (n + 1.0)), k1(1.0 - k), w(vfactor) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, k, k1);
    ar(w, st);
  }
  bool step(double x, double& out, bool commit) {
    std::array<Stage, 6> s = st;
    double in = x;
    bool all = true;
    for (auto& g : s) {
      if (g.count < period) {
        g.sum = g.count == 0 ? in : g.sum + in;
        if (++g.count < period) {
          all = false;
          break;
        }
        g.e = g.sum / period;
      } else {
        g.e = (k * in) + (k1 * g.e);
      }
      in = g.e;
    }
    if (all) out = w.c1 * s[5].e + w.c2 * s[4].e + w.c3 * s[3].e + w.c4 * s[2].e;
    if (commit) st = s;
    return all;
  }
};

/// accbands(): three SMA running sums (band values, close) from bar 0.
struct AccbandsCore {
  WindowSum up, mid, lo;
  explicit AccbandsCore(int period) : up(period, true), mid(period, true), lo(period, true) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(up, mid, lo);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double u = b.high, l = b.low;
    const double s = b.high + b.low;
    if (!is_zero(s)) {
      const double t = 4 * (b.high - b.low) / s;
      u = b.high * (1 + t);
      l = b.low * (1 - t);
    }
    const bool a = up.step(u, out[0], commit);
    mid.step(b.close, out[1], commit);
    lo.step(l, out[2], commit);
    return a;
  }
};

/// trima(): TA-Lib's numerator of triangular weights moved by the running sums
/// of the window's two halves; seeded over the first window, then three values
/// (the one leaving, the middle one, the new one) update it per bar.
struct TrimaCore {
  size_t lb, k_mid;
  bool odd;
  double factor;
  Lag hist;          // the last `period` values
  size_t count = 0;  // capped at lb + 1
  double numerator = 0.0, num_sub = 0.0, num_add = 0.0;
  explicit TrimaCore(int period)
      : lb(static_cast<size_t>(period - 1)),
        k_mid(0),
        odd(period % 2 == 1),
        factor(0.0),
        hist(static_cast<size_t>(period)) {
    const auto half = static_cast<size_t>(period >> 1);
    factor = odd ? 1.0 / static_cast<double>((half + 1) * (half + 1))
                 : 1.0 / static_cast<double>(half * (half + 1));
    k_mid = lb - (odd ? half : half - 1);  // the middle value is this many bars back
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, k_mid, odd, factor);
    ar(hist, count, numerator, num_sub, num_add);
  }
  bool step(double x, double& out, bool commit) {
    double num = numerator, sub = num_sub, add = num_add;
    const bool valid = count >= lb;
    if (count == lb) {  // the first window x[0..lb]; x[j] is lb - j bars back
      const size_t mid0 = lb - k_mid;
      num = sub = add = 0.0;
      for (size_t j = mid0 + 1; j-- > 0;) {
        sub += hist.ago(lb - j);
        num += sub;
      }
      for (size_t j = mid0 + 1; j <= lb; ++j) {
        add += j == lb ? x : hist.ago(lb - j);
        num += add;
      }
    } else if (valid) {
      // hist.oldest() is x[today - lb - 1], the value leaving the first half.
      detail::trima_roll(num, sub, add, hist.oldest(), hist.ago(k_mid), x, odd);
    }
    if (valid) out = num * factor;
    if (commit) {
      numerator = num;
      num_sub = sub;
      num_add = add;
      hist.push(x);
      if (count <= lb) ++count;
    }
    return valid;
  }
};

std::unique_ptr<Stream> accbands(Opts o) { return make<AccbandsCore>(as_int(o[0])); }

}  // namespace

std::unique_ptr<Stream> wma(Opts o) { return make<RealCore<WmaCore>>(WmaCore(as_int(o[0]))); }
std::unique_ptr<Stream> dema(Opts o) { return make<RealCore<MultiEmaCore>>(MultiEmaCore(as_int(o[0]), 2)); }
std::unique_ptr<Stream> tema(Opts o) { return make<RealCore<MultiEmaCore>>(MultiEmaCore(as_int(o[0]), 3)); }
std::unique_ptr<Stream> trima(Opts o) { return make<RealCore<TrimaCore>>(TrimaCore(as_int(o[0]))); }
std::unique_ptr<Stream> kama(Opts o) { return make<RealCore<KamaCore>>(KamaCore(as_int(o[0]))); }
std::unique_ptr<Stream> t3(Opts o) { return make<RealCore<T3Core>>(T3Core(as_int(o[0]), o[1])); }

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OptionSpec kT3Options[] = {period_option<5, 2>(),
                                     {"vfactor", OptionType::real, 0.7, 0, 1, "Volume factor"}};

int t3_lb(Opts o) { return t3_lookback(as_int(o[0])); }
int t3_run(const Inputs& in, Opts o, Outs out) { return t3(real0(in), as_int(o[0]), o[1], out[0]); }

int accbands_run(const Inputs& in, Opts o, Outs out) {
  return accbands(in.high, in.low, in.close, as_int(o[0]), out[0], out[1], out[2]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"WMA", kOverlap, "Weighted Moving Average (linear weights 1..n)", kReal, kPeriod30, kOutReal,
     period_lookback<wma_lookback>, real_period<wma>, streams::wma},
    {"DEMA", kOverlap, "Double Exponential Moving Average: 2 EMA - EMA(EMA)", kReal, kPeriod30, kOutReal,
     period_lookback<dema_lookback>, real_period<dema>, streams::dema, multi::dema},
    {"TEMA", kOverlap, "Triple Exponential Moving Average: 3 EMA - 3 EMA(EMA) + EMA(EMA(EMA))", kReal,
     kPeriod30, kOutReal, period_lookback<tema_lookback>, real_period<tema>, streams::tema, multi::tema},
    {"TRIMA", kOverlap, "Triangular Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<trima_lookback>, real_period<trima>, streams::trima},
    {"KAMA", kOverlap, "Kaufman Adaptive Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<kama_lookback>, real_period<kama>, streams::kama},
    {"T3", kOverlap, "Triple Exponential Moving Average (T3, Tillson)", kReal, kT3Options, kOutReal, t3_lb,
     t3_run, streams::t3},
    {"ACCBANDS", kOverlap, "Acceleration Bands", kHlc, kPeriod20Min2, kOutBands,
     period_lookback<accbands_lookback>, accbands_run, streams::accbands},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> moving_averages_functions() { return kRows; }

}  // namespace ts::ta
