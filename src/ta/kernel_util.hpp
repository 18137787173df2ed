#pragma once
// Internal helpers shared by the kernel translation units (not a public header).
// Everything here is inline and allocation-free unless stated otherwise.
#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "ta/streams.hpp"

namespace ts::ta::detail {

/// TA-Lib's TA_EPSILON and the two tests built on it.
inline constexpr double kEpsilon = 0.00000000000001;
inline bool is_zero(double v) { return -kEpsilon < v && v < kEpsilon; }
inline bool is_zero_or_neg(double v) { return v < kEpsilon; }

/// TA-Lib's PER_TO_K: the EMA smoothing factor 2 / (n + 1).
inline double per_to_k(int period) { return 2.0 / static_cast<double>(period + 1); }

/// TA-Lib's `is_zero_or_neg(v) ? 0.0 : f` and `is_zero(v) ? 0.0 : f` on pairs.
inline __m128d zero_if_not_above_eps(__m128d v, __m128d f) {
  return _mm_andnot_pd(_mm_cmplt_pd(v, _mm_set1_pd(kEpsilon)), f);
}
inline __m128d zero_if_near_zero(__m128d v, __m128d f) {
  const __m128d eps = _mm_set1_pd(kEpsilon);
  const __m128d near = _mm_and_pd(_mm_cmpgt_pd(v, _mm_sub_pd(_mm_setzero_pd(), eps)), _mm_cmplt_pd(v, eps));
  return _mm_andnot_pd(near, f);
}

/// TA-Lib's INT_VAR warm-up: adds x[j] and x[j]^2 for j in [from, to) to the
/// running sums, in bar order (VAR, STDDEV and every BBANDS start this way).
inline void add_sums_of_squares(const double* x, std::size_t from, std::size_t to, double& s1, double& s2) {
  for (std::size_t j = from; j < to; ++j) {
    const double v = x[j];
    s1 += v;
    s2 += v * v;
  }
}

/// A running-sum kernel split in stages (VAR, STDDEV, CORREL, BETA, BBANDS,
/// APO, PPO, ULTOSC):
/// the running sums (the only serial dependency, TA-Lib's adds in TA-Lib's
/// order) store each bar's sums in a small ring, and kLag bars later that
/// bar's divisions and square root run two bars per divpd/sqrtpd, with
/// TA-Lib's operations per bar. One bar at a time, the divisions bound these
/// functions; staged, they overlap the add chains of later bars, and the
/// values stay TA-Lib's bit for bit.
inline constexpr std::size_t kRing = 64;  // slots per sum; a power of two
inline constexpr std::size_t kLag = 32;   // bars between a bar's sums and its pair step

/// Runs, for bars first..n-1: lead(a, slot) for a = first, first + 2, ...
/// (bars a and a + 1; a + 1 may be n) about kLag bars ahead of sums(i, slot)
/// for every bar i, and pair(q, slot) for q = first, first + 2, ... (likewise)
/// at least kLag bars after sums(q + 1). Slots index rings of kRing entries;
/// a pair's slot is even, so slots slot and slot + 1 are one aligned SSE2 load.
template <class Lead, class Sums, class Pair>
void pipelined(std::size_t first, std::size_t n, Lead lead, Sums sums, Pair pair) {
  const auto slot = [first](std::size_t i) { return (i - first) & (kRing - 1); };
  std::size_t a = first;  // the next lead pair
  std::size_t q = first;  // the next output pair
  for (; a < n && a < first + kLag; a += 2) lead(a, slot(a));
  for (std::size_t i = first; i < n; ++i) {
    if (a < n && a <= i + kLag) {
      lead(a, slot(a));
      a += 2;
    }
    sums(i, slot(i));
    if (i >= q + 1 + kLag) {
      pair(q, slot(q));
      q += 2;
    }
  }
  for (; q < n; q += 2) pair(q, slot(q));
}
inline constexpr auto kNoLead = [](std::size_t, std::size_t) {};

inline void store_pair(double* out, std::size_t i, std::size_t n, __m128d v) {
  if (i + 1 < n)
    _mm_storeu_pd(out + i, v);
  else
    _mm_store_sd(out + i, v);
}

/// Wilder's smoothing as RSI (not CMO or STOCHRSI) and the ATR family compute it:
/// avg' = avg * decay + x * weight with decay = (n-1)/n and weight = 1/n.
/// TA-Lib computes ((avg * (n-1)) + x) / n, a division on the dependency
/// chain; here the chain is one multiply and one add (about a third of the
/// latency: RSI 3.1x, ATR 3.8x TA-Lib's speed). The rounding differs from
/// TA-Lib's in the last bits only, and it cannot build up: the recurrence
/// forgets an error at the rate it forgets an input (decay < 1), so ours and
/// TA-Lib's stay within about n units in the last place of each other on any
/// input (measured: docs/indicators.md, "Deliberate deviations"). Batch,
/// stream and run_multi use this one formula, so they agree bit for bit.
struct WilderSmoothing {
  double decay;
  double weight;
  explicit WilderSmoothing(int period)
      : decay(static_cast<double>(period - 1) / static_cast<double>(period)),
        weight(1.0 / static_cast<double>(period)) {}
  double next(double avg, double x) const { return (avg * decay) + (x * weight); }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(decay, weight);
  }
};

/// The recurrence of the EMA function (ema(), its stream and run_multi; MA's
/// EMA type and the EMAs inside DEMA, TEMA, MACD, APO, ... stay TA-Lib's
/// INT_EMA, because those outputs are differences of EMAs that would amplify
/// a last-bit change). Seed as TA-Lib: the mean of the first n values; the
/// first step e1 = a*e0 + k*x; then TA-Lib's e' = e + k*(x - e) taken two bars
/// at a time:
///   e[i] = A*e[i-2] + (k*x[i] + B*x[i-1]),  k = 2/(n+1), a = 1 - k, A = a*a, B = k*a.
/// The even and the odd bars form two chains of one multiply and one add each,
/// which the batch kernel runs side by side in one SSE2 register (2.6x TA-Lib's
/// speed; TA-Lib's chain is a subtract, a multiply and an add per bar). It is
/// contractive like WilderSmoothing: ours and TA-Lib's stay within about n
/// units in the last place (7 at n = 20, 1e-11 relative at the longest
/// period; docs/indicators.md, "Deliberate deviations").
struct EmaTwoStep {
  double k;
  double a;
  double aa;
  double ka;
  explicit EmaTwoStep(int period) : k(per_to_k(period)), a(1.0 - k), aa(a * a), ka(k * a) {}
  double first(double e0, double x) const { return (a * e0) + (k * x); }
  double next(double e2, double x, double x1) const { return (aa * e2) + ((k * x) + (ka * x1)); }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(k, a, aa, ka);
  }
};

/// `cond ? v : +0.0` without a branch (data-dependent conditions on price
/// changes are unpredictable). Bit-exact: v itself or +0.0.
inline double keep_if(bool cond, double v) {
  const std::uint64_t mask = 0 - static_cast<std::uint64_t>(cond);
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) & mask);
}

/// True range of bar i given the previous close (TA-Lib's TRUE_RANGE macro:
/// same comparison order, so ties and NaNs behave identically).
inline double true_range(double high, double low, double prev_close) {
  double out = high - low;
  const double a = std::fabs(high - prev_close);
  if (a > out) out = a;
  const double b = std::fabs(low - prev_close);
  if (b > out) out = b;
  return out;
}

/// A bar's +DM (Plus) or -DM from diffP = high - previous high and diffM =
/// previous low - low, TA-Lib's classification without a branch: +DM is diffP
/// when diffP > 0 and diffP > diffM, -DM is diffM when diffM > 0 and diffM >
/// diffP, +0.0 otherwise.
template <bool Plus>
inline double directional_move(double diff_p, double diff_m) {
  return Plus ? keep_if((diff_p > 0) & (diff_p > diff_m), diff_p)
              : keep_if((diff_m > 0) & (diff_p < diff_m), diff_m);
}

/// Wilder's smoothing as the directional family uses it (TA-Lib: +DM, -DM and
/// TR as x - x / n + v; ADX as (x * (n - 1) + v) / n), with the division off
/// the dependency chain: (x - x * r) + v, where r = 1.0 / n is computed once
/// (ADX passes v = dx * r). The chain is a multiply, a subtract and an add
/// instead of a division (~7 cycles instead of ~17). The recurrence is
/// contractive, and it differs from TA-Lib's step only where x * r and x / n
/// round apart (by one ulp of x / n, unbiased), so the smoothed values stay
/// within a few ulps of TA-Lib's at any period (docs/indicators.md). Not
/// WilderSmoothing's x * decay + v * weight: its rounded decay biases every
/// step alike, ~period x 1e-16 relative in steady state, and DX is a
/// difference of two smoothed values, 100 * |-DI - +DI| / (-DI + +DI): near
/// DX = 0 that bias left TA-Lib by 1.2x the tolerance at period 100,000 on a
/// random walk (this form: 0.03x). T is double or __m128d (lane-wise, the same
/// rounding per lane). Every batch, stream and run_multi form of the family
/// calls this, so they agree bit for bit.
template <class T>
inline T wilder_by_reciprocal(T x, T r, T v) {
  return (x - x * r) + v;
}

/// The directional family's per-bar operations on two lanes (two bars of one
/// series in directional.cpp, one bar of two series in run_multi's ADX), so
/// both forms run the same instructions per lane.
struct DmMoves {
  __m128d plus, minus, range;  ///< +DM, -DM and true range of the bar in each lane
};
/// The moves of the bars whose high, low are hc, lc after a bar with hp, lp
/// and close pc: directional_move() and true_range() as masks. maxpd(a, b) is
/// exactly `a > b ? a : b` (a NaN or a tie gives b), so maxpd(diffP, 0) is
/// diffP when diffP > 0 and +0.0 otherwise, and true_range()'s `if (a > r) r =
/// a` is maxpd(a, r).
inline DmMoves dm_moves(__m128d hp, __m128d hc, __m128d lp, __m128d lc, __m128d pc) {
  const __m128d zero = _mm_setzero_pd();
  const __m128d no_sign = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d diff_p = _mm_sub_pd(hc, hp);
  const __m128d diff_m = _mm_sub_pd(lp, lc);
  DmMoves m;
  m.minus = _mm_and_pd(_mm_cmplt_pd(diff_p, diff_m), _mm_max_pd(diff_m, zero));
  m.plus = _mm_and_pd(_mm_cmpgt_pd(diff_p, diff_m), _mm_max_pd(diff_p, zero));
  const __m128d r = _mm_max_pd(_mm_and_pd(_mm_sub_pd(hc, pc), no_sign), _mm_sub_pd(hc, lc));
  m.range = _mm_max_pd(_mm_and_pd(_mm_sub_pd(lc, pc), no_sign), r);
  return m;
}
/// TA-Lib's DI: 100 * (DM / TR), lane-wise.
inline __m128d di_lanes(__m128d dm, __m128d tr) { return _mm_mul_pd(_mm_set1_pd(100.0), _mm_div_pd(dm, tr)); }
/// is_zero() of values that are >= 0 or NaN, as a mask: `v < eps` (false for
/// NaN, as is_zero). TR, the smoothed DMs and the DIs are such values: every
/// move and range is, and so is (x - x * r) + v for r < 1.
inline __m128d zero_lanes(__m128d v) { return _mm_cmplt_pd(v, _mm_set1_pd(kEpsilon)); }
struct DxLanes {
  __m128d dx, ok;
};
/// TA-Lib's DX = 100 * (|-DI - +DI| / (-DI + +DI)) per lane, and `ok`, the
/// lanes whose TR and -DI + +DI are not ~0 (TA-Lib keeps its previous DX or
/// ADX on the others, whose dx lanes may be inf or NaN).
inline DxLanes dx_lanes(__m128d plus_di, __m128d minus_di, __m128d tr) {
  const __m128d eps = _mm_set1_pd(kEpsilon);
  const __m128d no_sign = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d sum = _mm_add_pd(minus_di, plus_di);
  const __m128d dx =
      _mm_mul_pd(_mm_set1_pd(100.0), _mm_div_pd(_mm_and_pd(_mm_sub_pd(minus_di, plus_di), no_sign), sum));
  return {dx, _mm_and_pd(_mm_cmpnlt_pd(tr, eps), _mm_cmpnlt_pd(sum, eps))};
}

/// OBV's step for one bar: +volume on an up close, -volume on a down close,
/// +0.0 when unchanged, built branch-free (sign bit flipped, or masked). acc +
/// (-v) is the same IEEE operation as TA-Lib's acc - v and adding +0.0 leaves
/// acc unchanged, so the running total is bit-identical to TA-Lib's.
inline double obv_step(double prev, double cur, double volume) {
  const std::uint64_t up = cur > prev;
  const std::uint64_t down = cur < prev;
  const std::uint64_t keep = 0 - (up | down);
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(volume) ^ (down << 63)) & keep);
}

/// Chaikin A/D money-flow volume of one bar (0 when high <= low).
inline double ad_step(double high, double low, double close, double volume) {
  const double range = high - low;
  return range > 0.0 ? (((close - low) - (high - close)) / range) * volume : 0.0;
}

/// Fast %K = (close - lowest) / ((highest - lowest) / 100), 0 when the range is 0.
inline double fast_k(double highest, double lowest, double close) {
  const double diff = (highest - lowest) / 100.0;
  const double k = (close - lowest) / diff;  // computed unconditionally: keeps the block loop vectorizable
  return diff != 0.0 ? k : 0.0;
}

/// Williams %R = (highest - close) / ((highest - lowest) / -100), 0 when the range is 0.
inline double williams_r(double highest, double lowest, double close) {
  const double diff = (highest - lowest) / (-100.0);
  const double r = (highest - close) / diff;
  return diff != 0.0 ? r : 0.0;
}

/// KAMA's squared smoothing constant from the efficiency ratio (TA-Lib's fast
/// and slow constants 2/(2+1) and 2/(30+1)).
inline double kama_smoothing(double sum_roc, double period_roc) {
  const double const_max = 2.0 / (30.0 + 1.0);
  const double const_diff = 2.0 / (2.0 + 1.0) - const_max;
  double e = (sum_roc <= period_roc || is_zero(sum_roc)) ? 1.0 : std::fabs(period_roc / sum_roc);
  e = (e * const_diff) + const_max;
  return e * e;
}

/// Tillson's T3 weights of e3..e6 for a volume factor (TA-Lib's expressions).
struct T3Weights {
  double c1, c2, c3, c4;
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(c1, c2, c3, c4);
  }
  explicit T3Weights(double v) {
    const double v2 = v * v;
    c1 = -(v2 * v);
    c2 = 3.0 * (v2 - c1);
    c3 = -6.0 * v2 - 3.0 * (v - c1);
    c4 = 1.0 + 3.0 * v - c1 + 3.0 * v2;
  }
};

/// TA-Lib's Parabolic SAR (SAR and SAREXT) as a state machine: begin() with
/// bars 0 and 1, then step() for bars 1, 2, ... returns each bar's SAR. On a
/// reversal the SAR jumps to the extreme point, clamped to the last two bars'
/// range; the first trend is short when bar 1 has a -DM, long otherwise
/// (unless a start value says). Short positions are negated when
/// `negative_short` (SAREXT's convention).
struct Sar {
  double init_long, step_long, max_long, init_short, step_short, max_short;
  double start, offset;
  bool negative_short;
  double af_long = 0.0, af_short = 0.0, ep = 0.0, s = 0.0, new_low = 0.0, new_high = 0.0;
  bool is_long = true;

  template <class Ar>
  void persist(Ar& ar) {
    ar.same(init_long, step_long, max_long, init_short, step_short, max_short, start, offset, negative_short);
    ar(af_long, af_short, ep, s, new_low, new_high, is_long);
  }
  Sar(double start_value, double offset_on_reverse, double il, double sl, double ml, double is, double ss,
      double ms, bool negative)
      : init_long(il),
        step_long(sl),
        max_long(ml),
        init_short(is),
        step_short(ss),
        max_short(ms),
        start(start_value),
        offset(offset_on_reverse),
        negative_short(negative) {
    af_long = init_long;
    af_short = init_short;
    if (af_long > max_long) af_long = init_long = max_long;
    if (step_long > max_long) step_long = max_long;
    if (af_short > max_short) af_short = init_short = max_short;
    if (step_short > max_short) step_short = max_short;
  }

  void begin(double high0, double low0, double high1, double low1) {
    if (start == 0) {
      const double diff_p = high1 - high0;
      const double diff_m = low0 - low1;
      is_long = !(diff_m > 0 && diff_p < diff_m);
      ep = is_long ? high1 : low1;
      s = is_long ? low0 : high0;
    } else if (start > 0) {
      is_long = true;
      ep = high1;
      s = start;
    } else {
      is_long = false;
      ep = low1;
      s = std::fabs(start);
    }
    new_low = low1;
    new_high = high1;
  }

  double step(double high, double low) {
    const double prev_low = new_low;
    const double prev_high = new_high;
    new_low = low;
    new_high = high;
    double out;
    if (is_long) {
      if (new_low <= s) {
        is_long = false;
        s = ep;
        if (s < prev_high) s = prev_high;
        if (s < new_high) s = new_high;
        if (offset != 0.0) s += s * offset;
        out = negative_short ? -s : s;
        af_short = init_short;
        ep = new_low;
        s = s + af_short * (ep - s);
        if (s < prev_high) s = prev_high;
        if (s < new_high) s = new_high;
      } else {
        out = s;
        if (new_high > ep) {
          ep = new_high;
          af_long += step_long;
          if (af_long > max_long) af_long = max_long;
        }
        s = s + af_long * (ep - s);
        if (s > prev_low) s = prev_low;
        if (s > new_low) s = new_low;
      }
    } else {
      if (new_high >= s) {
        is_long = true;
        s = ep;
        if (s > prev_low) s = prev_low;
        if (s > new_low) s = new_low;
        if (offset != 0.0) s -= s * offset;
        out = s;
        af_long = init_long;
        ep = new_high;
        s = s + af_long * (ep - s);
        if (s > prev_low) s = prev_low;
        if (s > new_low) s = new_low;
      } else {
        out = negative_short ? -s : s;
        if (new_low < ep) {
          ep = new_low;
          af_short += step_short;
          if (af_short > max_short) af_short = max_short;
        }
        s = s + af_short * (ep - s);
        if (s < prev_high) s = prev_high;
        if (s < new_high) s = new_high;
      }
    }
    return out;
  }
};

/// TA-Lib's INT_EMA over a value stream: seeded with the mean of the first
/// `period` values (ema_impl, DEMA/TEMA, StreamMa's EMA, MACD's lines). step() stores
/// its new state only when `commit` (streams peek with commit == false).
class EmaCore {
 public:
  EmaCore(int period, double k) : period_(period), k_(k) {}
  bool step(double x, double& out, bool commit) {
    int count = count_;
    double sum = sum_;
    double prev = prev_;
    if (count < period_) {
      sum += x;
      ++count;
      if (count < period_) {
        if (commit) {
          sum_ = sum;
          count_ = count;
        }
        return false;
      }
      prev = sum / period_;
    } else {
      prev = ((x - prev) * k_) + prev;
    }
    if (commit) {
      sum_ = sum;
      count_ = count;
      prev_ = prev;
    }
    out = prev;
    return true;
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period_, k_);
    ar(count_, sum_, prev_);
  }

 private:
  int period_;
  double k_;
  int count_ = 0;
  double sum_ = 0.0;
  double prev_ = 0.0;
};

/// TA-Lib's window extreme: the extreme's index is kept and the window is
/// rescanned only when that index falls out. A rescan keeps the earliest
/// extreme (strict comparison); a new bar that ties moves the index forward.
/// `at(j)` reads bar j (an array in the batch kernels, a ring in the streams).
template <bool kMax>
struct TrackedExtreme {
  std::ptrdiff_t idx = -1;
  double value = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(idx, value);
  }
  static bool better(double a, double b) { return kMax ? a > b : a < b; }
  static bool at_least(double a, double b) { return kMax ? a >= b : a <= b; }
  /// Window [trailing, today]; call with today increasing by one each time.
  template <class At>
  void update(const At& at, std::ptrdiff_t trailing, std::ptrdiff_t today) {
    if (idx < trailing) {
      idx = trailing;
      value = at(trailing);
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double v = at(i);
        if (better(v, value)) {
          idx = i;
          value = v;
        }
      }
    } else if (at_least(at(today), value)) {
      idx = today;
      value = at(today);
    }
  }
};

/// TRIMA's per-bar update of TA-Lib's triangular numerator and the running
/// sums of the window's two halves: `leaving` drops out of the first half,
/// `middle` moves from the second half to the first, `x` enters.
inline void trima_roll(double& numerator, double& num_sub, double& num_add, double leaving, double middle,
                       double x, bool odd) {
  numerator -= num_sub;
  num_sub -= leaving;
  num_sub += middle;
  if (odd) {
    numerator += num_add;
    num_add -= middle;
  } else {
    num_add -= middle;
    numerator += num_add;
  }
  num_add += x;
  numerator += x;
}

/// Neumaier-compensated running sum: adding and later subtracting values of
/// very different magnitudes (a window sliding out of a high-price or
/// high-volume stretch) leaves an error of ~eps^2 of the large values instead
/// of ~eps. Requires strict IEEE evaluation (no -ffast-math).
struct CompensatedSum {
  double sum = 0.0;
  double comp = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(sum, comp);
  }
  void add(double x) {
    const double t = sum + x;
    comp += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  double value() const { return sum + comp; }
};

/// The ATR as a sequence: advance(i) for i = period, period + 1, ... (in
/// order) returns ATR[i] with atr()'s exact operations: the mean of
/// TR[1..period] at bar `period`, then WilderSmoothing; period 1 is TR.
class WilderAtr {
 public:
  WilderAtr(const double* high, const double* low, const double* close, int period)
      : h_(high), l_(low), c_(close), period_(period), p_(period), wilder_(period) {}
  double advance(std::size_t i) {
    const double tr = true_range(h_[i], l_[i], c_[i - 1]);
    if (period_ <= 1) {
      value_ = tr;
    } else if (i == static_cast<std::size_t>(period_)) {
      double sum = 0.0;
      for (std::size_t j = 1; j <= i; ++j) sum += true_range(h_[j], l_[j], c_[j - 1]);
      value_ = sum / p_;
    } else {
      value_ = wilder_.next(value_, tr);
    }
    return value_;
  }

 private:
  const double* h_;
  const double* l_;
  const double* c_;
  int period_;
  double p_;
  WilderSmoothing wilder_;
  double value_ = 0.0;
};

/// A ring of `size` doubles: on the stack up to kInline entries, otherwise one
/// heap allocation for the whole call (only long periods pay for it).
class Ring {
 public:
  static constexpr std::size_t kInline = 512;
  explicit Ring(std::size_t size) : size_(size == 0 ? 1 : size) {
    if (size_ > kInline) {
      heap_ = std::make_unique<double[]>(size_);
      data_ = heap_.get();
    } else {
      data_ = local_.data();
    }
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  double* data() { return data_; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  double* data_;
  std::unique_ptr<double[]> heap_;
  std::array<double, kInline> local_;
};

/// Streaming moving average over a value stream, matching TA-Lib's MA() on a
/// buffer that starts at the first streamed value: SMA (running sum, same
/// add/subtract order) or EMA (seeded with the SMA of the first `period`
/// values). Period 1 copies the input, like TA_MA. push() returns true once a
/// value is available in `value`. Matype 2-8 (WMA ... T3) run MA's streaming
/// form over the values (streams::ma: the same operations as ma() on a buffer
/// that starts at the first value, which is how TA-Lib's STOCH, STOCHF,
/// STOCHRSI and MACDEXT apply TA_MA to their intermediate buffers); that
/// stream is allocated here, once per kernel call.
class StreamMa {
 public:
  StreamMa(int period, int matype)
      : period_(period),
        kind_(period <= 1 ? Kind::copy : (matype == 1 ? Kind::ema : (matype == 0 ? Kind::sma : Kind::other))),
        k_(per_to_k(period)),
        ring_(kind_ == Kind::sma ? static_cast<std::size_t>(period) : 1),
        other_(kind_ == Kind::other ? other_ma(period, matype) : nullptr) {}
  StreamMa(const StreamMa&) = delete;
  StreamMa& operator=(const StreamMa&) = delete;

  static int lookback(int period) { return period <= 1 ? 0 : period - 1; }

  bool push(double x, double& value) {
    switch (kind_) {
      case Kind::copy:
        value = x;
        return true;
      case Kind::ema:
        if (count_ < period_) {
          sum_ += x;
          if (++count_ < period_) return false;
          prev_ = sum_ / period_;
        } else {
          prev_ = ((x - prev_) * k_) + prev_;
        }
        value = prev_;
        return true;
      case Kind::other: {
        StreamBar bar;
        bar.real0 = x;
        return other_->update(bar, std::span<double>(&value, 1));
      }
      case Kind::sma:
        break;
    }
    // SMA: TA-Lib adds the new value, divides, then subtracts the oldest value.
    double* r = ring_.data();
    r[pos_] = x;
    sum_ += x;
    pos_ = pos_ + 1 == ring_.size() ? 0 : pos_ + 1;
    if (count_ < period_ - 1) {
      ++count_;
      return false;
    }
    value = sum_ / period_;
    sum_ -= r[pos_];  // the oldest value of the window just used
    return true;
  }

 private:
  enum class Kind : unsigned char { copy, sma, ema, other };
  static std::unique_ptr<Stream> other_ma(int period, int matype) {
    const double options[] = {static_cast<double>(period), static_cast<double>(matype)};
    return streams::ma(options);
  }
  int period_;
  Kind kind_;
  double k_;
  int count_ = 0;
  double sum_ = 0.0;
  double prev_ = 0.0;
  std::size_t pos_ = 0;
  Ring ring_;
  std::unique_ptr<Stream> other_;
};

/// Highest high / lowest low over a sliding window, tracked exactly like
/// TA-Lib's STOCH and WILLR: the extreme's index is kept and the window is
/// rescanned only when that index falls out. Ties move the index forward
/// (<= / >=), a rescan keeps the earliest extreme (< / >); with NaN inputs this
/// reproduces TA-Lib's values too.
struct WindowExtremes {
  std::ptrdiff_t lowest_idx = -1;
  std::ptrdiff_t highest_idx = -1;
  double lowest = 0.0;
  double highest = 0.0;

  /// Window [trailing, today]; call with today increasing by one each time.
  void update(const double* high, const double* low, std::ptrdiff_t trailing, std::ptrdiff_t today) {
    if (lowest_idx < trailing) {
      lowest_idx = trailing;
      lowest = low[trailing];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double v = low[i];
        if (v < lowest) {
          lowest_idx = i;
          lowest = v;
        }
      }
    } else if (low[today] <= lowest) {
      lowest_idx = today;
      lowest = low[today];
    }
    if (highest_idx < trailing) {
      highest_idx = trailing;
      highest = high[trailing];
      for (std::ptrdiff_t i = trailing + 1; i <= today; ++i) {
        const double v = high[i];
        if (v > highest) {
          highest_idx = i;
          highest = v;
        }
      }
    } else if (high[today] >= highest) {
      highest_idx = today;
      highest = high[today];
    }
  }
};

/// The lanes of RollingExtremesOf: one series (doubles) ...
struct OneSeries {
  using V = double;
  static constexpr std::size_t kWidth = 1;  // doubles per V
  const double* h;
  const double* l;
  V high(std::size_t i) const { return h[i]; }
  V low(std::size_t i) const { return l[i]; }
  static V splat(double v) { return v; }
  static V load(const double* p) { return *p; }
  static void store(double* p, V v) { *p = v; }
  static V max(V x, V m) { return x > m ? x : m; }  // x: the new value
  static V min(V x, V m) { return x < m ? x : m; }
  static bool nan(V hv, V lv) { return (hv != hv) | (lv != lv); }
};
/// ... or two series of equal length side by side in an SSE2 register
/// (maxpd/minpd are the same x > m ? x : m, lane-wise).
struct TwoSeries {
  using V = __m128d;
  static constexpr std::size_t kWidth = 2;
  const double *h0, *h1, *l0, *l1;
  V high(std::size_t i) const { return _mm_set_pd(h1[i], h0[i]); }
  V low(std::size_t i) const { return _mm_set_pd(l1[i], l0[i]); }
  static V splat(double v) { return _mm_set1_pd(v); }
  static V load(const double* p) { return _mm_loadu_pd(p); }
  static void store(double* p, V v) { _mm_storeu_pd(p, v); }
  static V max(V x, V m) { return _mm_max_pd(x, m); }
  static V min(V x, V m) { return _mm_min_pd(x, m); }
  static bool nan(V hv, V lv) { return _mm_movemask_pd(_mm_cmpunord_pd(hv, lv)) != 0; }
};

/// Rolling max(high) and min(low) over the window [i-p+1, i], van Herk /
/// Gil-Werman style: the series is cut into blocks of p bars; a window is the
/// suffix of one block plus the prefix of the next, so each bar costs one
/// prefix step, one suffix step and one combine, without data-dependent
/// branches. For NaN-free input the extremes are the same values TA-Lib's
/// index-tracking scan finds (a min/max does not depend on the scan order).
/// NaN in high/low is detected on the way (saw_nan()); callers then redo the
/// series with WindowExtremes, which reproduces TA-Lib's NaN behaviour.
/// `Lanes`: OneSeries, or TwoSeries (run_multi's pairs of series).
template <class Lanes>
class RollingExtremesOf {
  using V = typename Lanes::V;
  static constexpr std::size_t kW = Lanes::kWidth;

 public:
  RollingExtremesOf(Lanes lanes, std::size_t period)
      : x_(lanes), p_(period), suf_hi_((period + 1) * kW), suf_lo_((period + 1) * kW) {
    // Sentinels past the block end: the last bar of a block reads only its prefix.
    Lanes::store(suf_hi_.data() + p_ * kW, Lanes::splat(-kInf));
    Lanes::store(suf_lo_.data() + p_ * kW, Lanes::splat(kInf));
  }

  /// Writes the extremes of bars from .. from+count-1 to hi[0..count) and
  /// lo[0..count). Requires from >= period-1; successive calls must continue
  /// where the previous one stopped.
  void fill(std::size_t from, std::size_t count, V* hi, V* lo) {
    if (!started_) start(from);
    const double* sh = suf_hi_.data();
    const double* sl = suf_lo_.data();
    std::size_t k = 0;
    while (k < count) {
      if (pos_ == p_) {  // first bar of a new block
        suffixes(block_);
        block_ += p_;
        pos_ = 0;
        pre_hi_ = Lanes::splat(-kInf);
        pre_lo_ = Lanes::splat(kInf);
      }
      const std::size_t seg = std::min(count - k, p_ - pos_);
      V ph = pre_hi_;
      V pl = pre_lo_;
      bool nan = false;
      for (std::size_t j = pos_; j < pos_ + seg; ++j, ++k) {
        const V hv = x_.high(block_ + j);
        const V lv = x_.low(block_ + j);
        nan |= Lanes::nan(hv, lv);
        ph = Lanes::max(hv, ph);
        pl = Lanes::min(lv, pl);
        hi[k] = Lanes::max(Lanes::load(sh + (j + 1) * kW), ph);
        lo[k] = Lanes::min(Lanes::load(sl + (j + 1) * kW), pl);
      }
      saw_nan_ |= nan;
      pre_hi_ = ph;
      pre_lo_ = pl;
      pos_ += seg;
    }
  }

  /// True once any high/low visited so far was NaN.
  bool saw_nan() const { return saw_nan_; }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  void start(std::size_t from) {
    started_ = true;
    block_ = from - from % p_;
    if (block_ >= p_) suffixes(block_ - p_);
    pre_hi_ = Lanes::splat(-kInf);
    pre_lo_ = Lanes::splat(kInf);
    for (std::size_t i = block_; i < from; ++i) {  // prefix of the current block so far
      const V hv = x_.high(i);
      const V lv = x_.low(i);
      saw_nan_ |= Lanes::nan(hv, lv);
      pre_hi_ = Lanes::max(hv, pre_hi_);
      pre_lo_ = Lanes::min(lv, pre_lo_);
    }
    pos_ = from - block_;
  }
  // Suffix extremes of the block [b, b + p).
  void suffixes(std::size_t b) {
    double* sh = suf_hi_.data();
    double* sl = suf_lo_.data();
    V mh = Lanes::splat(-kInf);
    V ml = Lanes::splat(kInf);
    for (std::size_t j = p_; j-- > 0;) {
      mh = Lanes::max(x_.high(b + j), mh);
      ml = Lanes::min(x_.low(b + j), ml);
      Lanes::store(sh + j * kW, mh);
      Lanes::store(sl + j * kW, ml);
    }
  }

  Lanes x_;
  std::size_t p_;
  Ring suf_hi_, suf_lo_;   // suffix extremes of the previous block (+ sentinel)
  std::size_t block_ = 0;  // first bar of the current block
  std::size_t pos_ = 0;    // bars of the current block already visited
  bool started_ = false;
  bool saw_nan_ = false;
  V pre_hi_ = Lanes::splat(0.0);  // prefix extremes of the current block
  V pre_lo_ = Lanes::splat(0.0);
};

/// The single-series form.
class RollingExtremes : public RollingExtremesOf<OneSeries> {
 public:
  RollingExtremes(const double* high, const double* low, std::size_t period)
      : RollingExtremesOf<OneSeries>(OneSeries{high, low}, period) {}
};

/// Rolling extreme of x over windows of `width` bars together with its bar
/// index, in RollingExtremes' van Herk / Gil-Werman block form. Ties go to
/// the latest bar (kLatest: AROON's rule) or to the earliest (the rescan of
/// TrackedExtreme: MAXINDEX, MININDEX, MINMAXINDEX). For NaN-free input the
/// pair is the one an exact scan of the window with that tie rule finds; NaN
/// in x is reported by saw_nan() and callers then redo the series with
/// TA-Lib's own scan. Indices are doubles (exact below 2^53), as the
/// registry's output columns are.
///
/// Everything runs in SSE2 scalar lanes with mask selects, no data-dependent
/// branches. A minimum is the maximum of the sign-flipped values (exact), so
/// the loop-carried chains are one `maxsd` for the running value and one
/// `maxsd`/`minsd` for its index (whether bar j takes over is a comparison
/// with the previous value, off the chain).
template <bool kMax, bool kLatest>
class RollingArgExtreme {
 public:
  RollingArgExtreme(const double* x, std::size_t width)
      : x_(x), w_(width), suf_(width + 1), sufi_(width + 1) {
    // Sentinel past the block end: NaN compares false, so the last bar of a
    // block takes its prefix.
    suf_.data()[w_] = std::numeric_limits<double>::quiet_NaN();
    sufi_.data()[w_] = 0.0;
  }

  /// Writes the extremes of the windows ending at bars from .. from+count-1 to
  /// val[0..count) and their bar indices to idx[0..count). Requires from >=
  /// width-1; successive calls must continue where the previous one stopped.
  void fill(std::size_t from, std::size_t count, double* val, double* idx) {
    if (!started_) start(from);
    const double* sv = suf_.data();
    const double* si = sufi_.data();
    const __m128d one = _mm_set_sd(1.0);
    std::size_t k = 0;
    while (k < count) {
      if (pos_ == w_) {  // first bar of a new block
        suffixes(block_);
        block_ += w_;
        pos_ = 0;
        pv_ = _mm_set_sd(std::numeric_limits<double>::quiet_NaN());
        pi_ = _mm_setzero_pd();
      }
      const std::size_t seg = std::min(count - k, w_ - pos_);
      const double* xb = x_ + block_;
      __m128d pv = pv_;
      __m128d pi = pi_;
      __m128d j = _mm_set_sd(static_cast<double>(block_ + pos_));
      __m128d nan = _mm_setzero_pd();
      for (std::size_t jj = pos_; jj < pos_ + seg; ++jj, ++k) {
        const __m128d v = load(xb + jj);
        nan = _mm_or_pd(nan, _mm_cmpunord_sd(v, v));
        // Bar j takes over on a new extreme (on a tie too for kLatest); a NaN
        // running value (empty prefix) is always replaced.
        const __m128d take = kLatest ? _mm_cmpnlt_sd(v, pv) : _mm_cmpnle_sd(v, pv);
        pi = _mm_max_sd(pi, _mm_and_pd(take, j));  // j exceeds every earlier index
        pv = _mm_max_sd(pv, v);                    // maxsd returns v when pv is NaN
        j = _mm_add_sd(j, one);
        // The window: the previous block's suffix (earlier bars) and this prefix.
        const __m128d s = _mm_load_sd(sv + jj + 1);
        const __m128d wins = kLatest ? _mm_cmplt_sd(pv, s) : _mm_cmple_sd(pv, s);  // NaN sentinel: never
        _mm_store_sd(val + k, unflip(pick(wins, s, pv)));
        _mm_store_sd(idx + k, pick(wins, _mm_load_sd(si + jj + 1), pi));
      }
      saw_nan_ |= (_mm_movemask_pd(nan) & 1) != 0;
      pv_ = pv;
      pi_ = pi;
      pos_ += seg;
    }
  }

  /// True once any x visited so far was NaN.
  bool saw_nan() const { return saw_nan_; }

 private:
  // A minimum is computed as the maximum of -x (a sign flip, exact; ties stay ties).
  static __m128d load(const double* p) {
    const __m128d v = _mm_load_sd(p);
    return kMax ? v : _mm_xor_pd(v, _mm_set_sd(-0.0));
  }
  static __m128d unflip(__m128d v) { return kMax ? v : _mm_xor_pd(v, _mm_set_sd(-0.0)); }
  static __m128d pick(__m128d mask, __m128d a, __m128d b) {
    return _mm_or_pd(_mm_and_pd(mask, a), _mm_andnot_pd(mask, b));
  }

  void start(std::size_t from) {
    started_ = true;
    block_ = from - from % w_;
    if (block_ >= w_) suffixes(block_ - w_);
    __m128d pv = _mm_set_sd(std::numeric_limits<double>::quiet_NaN());
    __m128d pi = _mm_setzero_pd();
    for (std::size_t i = block_; i < from; ++i) {  // prefix of the current block so far
      const __m128d v = load(x_ + i);
      saw_nan_ |= x_[i] != x_[i];
      const __m128d take = kLatest ? _mm_cmpnlt_sd(v, pv) : _mm_cmpnle_sd(v, pv);
      pi = _mm_max_sd(pi, _mm_and_pd(take, _mm_set_sd(static_cast<double>(i))));
      pv = _mm_max_sd(pv, v);
    }
    pv_ = pv;
    pi_ = pi;
    pos_ = from - block_;
  }
  // Suffix extremes of the block [b, b + w) and their indices, backwards: an
  // earlier bar takes over on a new extreme (on a tie too for !kLatest), and
  // its index is below every later one.
  void suffixes(std::size_t b) {
    double* sv = suf_.data();
    double* si = sufi_.data();
    const __m128d inf = _mm_set_sd(std::numeric_limits<double>::infinity());
    __m128d m = _mm_set_sd(std::numeric_limits<double>::quiet_NaN());
    __m128d mi = inf;
    for (std::size_t j = w_; j-- > 0;) {
      const __m128d v = load(x_ + b + j);
      const __m128d take = kLatest ? _mm_cmpnle_sd(v, m) : _mm_cmpnlt_sd(v, m);
      mi = _mm_min_sd(mi, pick(take, _mm_set_sd(static_cast<double>(b + j)), inf));
      m = _mm_max_sd(m, v);
      _mm_store_sd(sv + j, m);
      _mm_store_sd(si + j, mi);
    }
  }

  const double* x_;
  std::size_t w_;
  Ring suf_, sufi_;        // suffix extremes (sign-flipped for a minimum) of the previous block
                           // and their indices, + a sentinel
  std::size_t block_ = 0;  // first bar of the current block
  std::size_t pos_ = 0;    // bars of the current block already visited
  bool started_ = false;
  bool saw_nan_ = false;
  __m128d pv_ = _mm_setzero_pd();  // prefix extreme of the current block (sign-flipped for a
  __m128d pi_ = _mm_setzero_pd();  // minimum) and its index
};

/// Bars processed per block by kernels that stage values on the stack.
inline constexpr std::size_t kBlock = 256;

/// Calls emit(i, highest high, lowest low) for the windows of `period` bars
/// ending at bars from .. to-1 (from >= period - 1), by RollingExtremes in
/// blocks of kBlock bars on the stack (DONCHIAN, ICHIMOKU).
template <class Emit>
void each_window_extreme(const double* high, const double* low, std::size_t period, std::size_t from,
                         std::size_t to, Emit&& emit) {
  RollingExtremes ext(high, low, period);
  double hi[kBlock];
  double lo[kBlock];
  for (std::size_t b = from; b < to; b += kBlock) {
    const std::size_t cnt = std::min(kBlock, to - b);
    ext.fill(b, cnt, hi, lo);
    for (std::size_t k = 0; k < cnt; ++k) emit(b + k, hi[k], lo[k]);
  }
}

}  // namespace ts::ta::detail
