// Directional movement: PLUS_DI, MINUS_DI, ADX, ADXR, DX, PLUS_DM, MINUS_DM.
// One Wilder-smoothed state (+DM, -DM, TR) shared by them: TA-Lib's seed sums,
// then its smoothing x - x / n + new with the division by n replaced by the
// multiplication by 1 / n (detail::wilder_by_reciprocal; docs/indicators.md
// gives the measured difference from TA-Lib), two bars per SSE2 step.
#include <emmintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/multi.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

using std::size_t;

// Two doubles per SSE2 register: lane-wise IEEE operations round exactly like
// the scalar ones, so each lane holds one bar's (or one side's) value.
using V = __m128d;

V high_lane(V v) { return _mm_unpackhi_pd(v, v); }
V pick(V mask, V a, V b) { return _mm_or_pd(_mm_and_pd(mask, a), _mm_andnot_pd(mask, b)); }

// The moves of bars i and i + 1 (lanes 0 and 1), from pointers at bar i - 1.
detail::DmMoves moves(const double* h, const double* l, const double* c) {
  return detail::dm_moves(_mm_loadu_pd(h), _mm_loadu_pd(h + 1), _mm_loadu_pd(l), _mm_loadu_pd(l + 1),
                          _mm_loadu_pd(c));
}

// +DM and -DM ({+DM, -DM}) and TR (in both lanes) after a bar.
struct DmState {
  V dm = _mm_setzero_pd();
  V tr = _mm_setzero_pd();
};

// Bars 1 .. period-1 add their moves (TA-Lib's seed sums); later bars smooth.
template <bool Smooth>
DmState dm_next(const DmState& s, V r, V plus_minus, V range) {
  if constexpr (Smooth)
    return {detail::wilder_by_reciprocal(s.dm, r, plus_minus), detail::wilder_by_reciprocal(s.tr, r, range)};
  else
    return {_mm_add_pd(s.dm, plus_minus), _mm_add_pd(s.tr, range)};
}

// Advances `st` over bars from .. to-1 (from >= 1) two at a time and calls
// emit(i, s0, s1, two) with the states after bars i and i + 1; an odd last bar
// comes alone (two = false, s1 = s0), its move read from a copy padded with a
// repeat of the bar. Returns the state after bar to-1. Only the Wilder chains
// carry from pair to pair: the moves, divisions and outputs of consecutive
// pairs overlap.
template <bool Smooth, class Emit>
DmState dm_scan(const double* h, const double* l, const double* c, size_t from, size_t to, double recip,
                DmState st, Emit&& emit) {
  const V r = _mm_set1_pd(recip);
  const auto step = [&](const double* hp, const double* lp, const double* cp, size_t i, bool two) {
    const detail::DmMoves m = moves(hp, lp, cp);
    const DmState s0 =
        dm_next<Smooth>(st, r, _mm_unpacklo_pd(m.plus, m.minus), _mm_unpacklo_pd(m.range, m.range));
    if (!two) {
      emit(i, s0, s0, false);
      st = s0;
      return;
    }
    const DmState s1 = dm_next<Smooth>(s0, r, _mm_unpackhi_pd(m.plus, m.minus), high_lane(m.range));
    emit(i, s0, s1, true);
    st = s1;
  };
  size_t i = from;
  for (; i + 1 < to; i += 2) step(h + i - 1, l + i - 1, c + i - 1, i, true);
  if (i < to) {
    const double hh[3] = {h[i - 1], h[i], h[i]}, ll[3] = {l[i - 1], l[i], l[i]}, cc[2] = {c[i - 1], c[i]};
    step(hh, ll, cc, i, false);
  }
  return st;
}

// The state after bar period - 1: the sums of bars 1 .. period-1.
DmState dm_seed(const double* h, const double* l, const double* c, size_t period) {
  const auto none = [](size_t, const DmState&, const DmState&, bool) {};
  return dm_scan<false>(h, l, c, 1, period, 0.0, DmState{}, none);
}

// o[i] = lane 0, and o[i + 1] = lane 1 when two.
void store(double* o, size_t i, V v, bool two) {
  if (two)
    _mm_storeu_pd(o + i, v);
  else
    _mm_store_sd(o + i, v);
}

// DX of two bars (lanes), from the {+DI, -DI} of each.
detail::DxLanes dx_of(const DmState& s0, const DmState& s1) {
  const V di0 = detail::di_lanes(s0.dm, s0.tr), di1 = detail::di_lanes(s1.dm, s1.tr);
  return detail::dx_lanes(_mm_unpacklo_pd(di0, di1), _mm_unpackhi_pd(di0, di1),
                          _mm_unpacklo_pd(s0.tr, s1.tr));
}

// PLUS_DI / MINUS_DI. Period 1 is TA-Lib's special case: DM / TR of the bar,
// not scaled by 100.
template <bool Plus>
int directional_index(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = period > 1 ? static_cast<size_t>(period) : 1;
  if (n <= lb) return static_cast<int>(n);
  const double *h = high.data(), *l = low.data(), *c = close.data();
  double* o = out.data();
  if (period <= 1) {
    for (size_t i = 1; i < n; ++i) {
      const double x = detail::directional_move<Plus>(h[i] - h[i - 1], l[i - 1] - l[i]);
      const double range = detail::true_range(h[i], l[i], c[i - 1]);
      // x is non-zero exactly when the bar is a +DM (-DM) bar.
      o[i] = (x == 0.0 || detail::is_zero(range)) ? 0.0 : x / range;
    }
    return 1;
  }
  const auto emit = [o](size_t i, const DmState& s0, const DmState& s1, bool two) {
    const V dm = Plus ? _mm_unpacklo_pd(s0.dm, s1.dm) : _mm_unpackhi_pd(s0.dm, s1.dm);
    const V tr = _mm_unpacklo_pd(s0.tr, s1.tr);
    store(o, i, _mm_andnot_pd(detail::zero_lanes(tr), detail::di_lanes(dm, tr)), two);
  };
  dm_scan<true>(h, l, c, lb, n, 1.0 / period, dm_seed(h, l, c, lb), emit);
  return static_cast<int>(lb);
}

}  // namespace

int plus_di_lookback(int period) { return period > 1 ? period : 1; }
int plus_di(In high, In low, In close, int period, Out out) {
  return directional_index<true>(high, low, close, period, out);
}
int minus_di_lookback(int period) { return period > 1 ? period : 1; }
int minus_di(In high, In low, In close, int period, Out out) {
  return directional_index<false>(high, low, close, period, out);
}

int adx_lookback(int period) { return 2 * period - 1; }

namespace {

// ADX: DX summed over bars period .. 2*period-1 and averaged, then Wilder
// smoothing, detail::wilder_by_reciprocal(adx, r, dx * r). A bar whose TR or
// -DI + +DI is ~0 leaves the ADX as it is (TA-Lib skips it): its r and dx * r
// are masked to +0.0, and (adx - adx * 0) + 0 is adx (adx is >= +0 or NaN), so
// no select sits on the chain. Calls
// sink(i, v, two) for the bars from the lookback on: lane 0 of v is bar i,
// lane 1 bar i + 1 when two.
template <class Sink>
int adx_impl(In high, In low, In close, int period, Sink sink) {
  const size_t n = high.size();
  const size_t per = static_cast<size_t>(period);
  const size_t lb = 2 * per - 1;
  if (n <= lb) return static_cast<int>(n);
  const double *h = high.data(), *l = low.data(), *c = close.data();
  const double recip = 1.0 / period;
  V sum_dx = _mm_setzero_pd();
  const auto add_dx = [&](size_t, const DmState& s0, const DmState& s1, bool two) {
    const detail::DxLanes d = dx_of(s0, s1);
    const V v = _mm_and_pd(d.ok, d.dx);
    sum_dx = _mm_add_sd(sum_dx, v);
    if (two) sum_dx = _mm_add_sd(sum_dx, high_lane(v));
  };
  const DmState st = dm_scan<true>(h, l, c, per, lb + 1, recip, dm_seed(h, l, c, per), add_dx);
  V adx_v = _mm_div_sd(sum_dx, _mm_set_sd(period));
  sink(lb, adx_v, false);
  const V r = _mm_set1_pd(recip);
  // Pair k's masked r and dx * r wait in a ring; its ADX steps run when pair
  // k + kSkew has its DX. So the chain never waits on the divisions, and a
  // pair's work does not stay in flight until its ADX store.
  constexpr size_t kSkew = 16;
  struct Coefficients {
    V rr, rd;
  };
  Coefficients ring[kSkew];
  size_t pairs = 0;
  bool last_two = true;
  const auto adx_step = [&](const Coefficients& q, size_t k, bool two) {
    const V a0 = detail::wilder_by_reciprocal(adx_v, q.rr, q.rd);
    const V a1 = detail::wilder_by_reciprocal(a0, high_lane(q.rr), high_lane(q.rd));
    sink(lb + 1 + 2 * k, _mm_unpacklo_pd(a0, a1), two);
    adx_v = two ? a1 : a0;
  };
  const auto smooth = [&](size_t, const DmState& s0, const DmState& s1, bool two) {
    const detail::DxLanes d = dx_of(s0, s1);
    Coefficients& slot = ring[pairs % kSkew];
    if (pairs >= kSkew) adx_step(slot, pairs - kSkew, true);
    slot = {_mm_and_pd(d.ok, r), _mm_and_pd(d.ok, _mm_mul_pd(d.dx, r))};
    ++pairs;
    last_two = two;
  };
  dm_scan<true>(h, l, c, lb + 1, n, recip, st, smooth);
  for (size_t k = pairs > kSkew ? pairs - kSkew : 0; k < pairs; ++k)
    adx_step(ring[k % kSkew], k, k + 1 < pairs || last_two);
  return static_cast<int>(lb);
}

}  // namespace

int adx(In high, In low, In close, int period, Out out) {
  double* o = out.data();
  return adx_impl(high, low, close, period, [o](size_t i, V v, bool two) { store(o, i, v, two); });
}

int adxr_lookback(int period) { return adx_lookback(period) + period - 1; }
// ADXR[i] = (ADX[i] + ADX[i - (period-1)]) / 2, as * 0.5 (the same value). The
// ADX values are appended to a history buffer (on the stack up to 512 values)
// whose last period-1 entries move to its front when it fills, at most one
// copied value per bar, so both bars of a pair read their lagged ADX as one pair.
int adxr(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(adxr_lookback(period));
  if (n <= lb) return static_cast<int>(n);
  const size_t lag = static_cast<size_t>(period - 1);
  detail::Ring ring(lag + std::max(lag, detail::kBlock));
  double* hist = ring.data();
  size_t w = 0;  // hist[w] takes the next ADX; hist[w - lag] is the ADX lag bars before it
  double* o = out.data();
  adx_impl(high, low, close, period, [&](size_t i, V v, bool two) {
    if (w + 2 > ring.size()) {
      std::memmove(hist, hist + (w - lag), lag * sizeof(double));
      w = lag;
    }
    store(hist, w, v, two);  // first: with lag 1, bar i + 1 reads bar i's ADX
    if (w >= lag) {
      store(o, i, _mm_mul_pd(_mm_add_pd(v, _mm_loadu_pd(hist + (w - lag))), _mm_set1_pd(0.5)), two);
    } else if (two && w + 1 == lag) {  // the pair straddles the first ADXR
      o[i + 1] = (_mm_cvtsd_f64(high_lane(v)) + hist[0]) * 0.5;
    }
    w += two ? 2 : 1;
  });
  return static_cast<int>(lb);
}

int dx_lookback(int period) { return period; }
// TA-Lib repeats the previous DX on a bar whose TR or -DI + +DI is ~0 (0.0
// before any DX).
int dx(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  const double *h = high.data(), *l = low.data(), *c = close.data();
  double* o = out.data();
  V last = _mm_setzero_pd();
  const auto emit = [&](size_t i, const DmState& s0, const DmState& s1, bool two) {
    const detail::DxLanes d = dx_of(s0, s1);
    V v = d.dx;
    if (_mm_movemask_pd(d.ok) != 3) {                       // a flat stretch
      const V first = pick(d.ok, d.dx, last);               // lane 0: bar i
      v = pick(d.ok, d.dx, _mm_unpacklo_pd(first, first));  // lane 1: bar i + 1
    }
    store(o, i, v, two);
    last = two ? high_lane(v) : v;
  };
  dm_scan<true>(h, l, c, lb, n, 1.0 / period, dm_seed(h, l, c, lb), emit);
  return static_cast<int>(lb);
}

namespace {
// PLUS_DM / MINUS_DM: the sum of the moves of bars 1 .. period-1 (the DI
// state's seed), then its Wilder smoothing; period 1 gives each bar's raw move.
// The true range, which needs the closes, is not used: high stands in for them.
template <bool Plus>
int directional_movement(In high, In low, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = period > 1 ? static_cast<size_t>(period - 1) : 1;
  if (n <= lb) return static_cast<int>(n);
  const double *h = high.data(), *l = low.data();
  double* o = out.data();
  if (period <= 1) {
    for (size_t i = 1; i < n; ++i) o[i] = detail::directional_move<Plus>(h[i] - h[i - 1], l[i - 1] - l[i]);
    return 1;
  }
  const DmState st = dm_seed(h, l, h, static_cast<size_t>(period));
  _mm_store_sd(o + lb, Plus ? st.dm : high_lane(st.dm));
  const auto emit = [o](size_t i, const DmState& s0, const DmState& s1, bool two) {
    store(o, i, Plus ? _mm_unpacklo_pd(s0.dm, s1.dm) : _mm_unpackhi_pd(s0.dm, s1.dm), two);
  };
  dm_scan<true>(h, l, h, lb + 1, n, 1.0 / period, st, emit);
  return static_cast<int>(lb);
}
}  // namespace

int plus_dm_lookback(int period) { return period > 1 ? period - 1 : 1; }
int plus_dm(In high, In low, int period, Out out) {
  return directional_movement<true>(high, low, period, out);
}
int minus_dm_lookback(int period) { return period > 1 ? period - 1 : 1; }
int minus_dm(In high, In low, int period, Out out) {
  return directional_movement<false>(high, low, period, out);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// The DmState of directional.cpp: this bar's +DM, -DM and TR, and their
/// plain sums over bars 1..period-1 followed by Wilder smoothing
/// detail::wilder_by_reciprocal(x, 1 / n, new) (the batch's two-lane vector
/// form rounds identically).
struct DmState {
  double prev_high = 0.0, prev_low = 0.0, prev_close = 0.0;
  double plus = 0.0, minus = 0.0, tr = 0.0;  // smoothed
  int count = 0;                             // bars seen, capped
  double cur_plus = 0.0, cur_minus = 0.0, cur_range = 0.0;

  template <class Ar>
  void persist(Ar& ar) {
    ar(prev_high, prev_low, prev_close, plus, minus, tr, count, cur_plus, cur_minus, cur_range);
  }
  /// Advances a copy; returns the bar index (count before the bar). r = 1.0 / period.
  int advance(const StreamBar& b, double r, int period, int cap) {
    const int i = count;
    if (i == 0) {
      prev_high = b.high;
      prev_low = b.low;
      prev_close = b.close;
      count = 1;
      return 0;
    }
    const double diff_p = b.high - prev_high;
    const double diff_m = prev_low - b.low;
    cur_minus = detail::directional_move<false>(diff_p, diff_m);
    cur_plus = detail::directional_move<true>(diff_p, diff_m);
    cur_range = detail::true_range(b.high, b.low, prev_close);
    prev_high = b.high;
    prev_low = b.low;
    prev_close = b.close;
    if (i < period) {
      minus += cur_minus;
      plus += cur_plus;
      tr += cur_range;
    } else {
      minus = detail::wilder_by_reciprocal(minus, r, cur_minus);
      plus = detail::wilder_by_reciprocal(plus, r, cur_plus);
      tr = detail::wilder_by_reciprocal(tr, r, cur_range);
    }
    count = std::min(i + 1, cap);
    return i;
  }
};

/// DX of a smoothed state; false when TR or +DI + -DI is ~0.
bool dx_of(const DmState& d, double& dx) {
  if (is_zero(d.tr)) return false;
  const double minus_di = 100.0 * (d.minus / d.tr);
  const double plus_di = 100.0 * (d.plus / d.tr);
  const double s = minus_di + plus_di;
  if (is_zero(s)) return false;
  dx = 100.0 * (std::fabs(minus_di - plus_di) / s);
  return true;
}

enum class DirOut : unsigned char { plus_di, minus_di, dx };

/// PLUS_DI, MINUS_DI (period 1: the bar's DM / TR) and DX (repeats the last DX).
struct DiCore {
  int period;
  double r;
  DirOut what;
  DmState dm;
  double last_dx = 0.0;
  DiCore(int n, DirOut w) : period(n), r(1.0 / n), what(w) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, r, what);
    ar(dm, last_dx);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    DmState d = dm;
    const int i = d.advance(b, r, std::max(period, 1), std::max(period, 1) + 1);
    double last = last_dx;
    bool valid = i >= std::max(period, 1);
    if (valid) {
      if (period <= 1) {
        const double x = what == DirOut::plus_di ? d.cur_plus : d.cur_minus;
        out[0] = (x == 0.0 || is_zero(d.cur_range)) ? 0.0 : x / d.cur_range;
      } else if (what == DirOut::dx) {
        double v;
        if (dx_of(d, v)) last = v;
        out[0] = last;
      } else {
        const double x = what == DirOut::plus_di ? d.plus : d.minus;
        out[0] = is_zero(d.tr) ? 0.0 : 100.0 * (x / d.tr);
      }
    }
    if (commit) {
      dm = d;
      last_dx = last;
    }
    return valid;
  }
};

/// adx_impl() (ADX) and adxr(): DX summed over bars period..2*period-1 and
/// averaged, then Wilder smoothing wilder_by_reciprocal(adx, r, dx * r) (the
/// batch masks a skipped bar's r and dx * r to 0, which leaves the same adx);
/// ADXR averages with the ADX period-1 bars back.
struct AdxCore {
  int period;
  double p, r;
  bool rating;
  DmState dm;
  double sum_dx = 0.0, adx = 0.0;
  int adx_count = 0;  // ADX values produced, capped at period
  Lag lag;
  AdxCore(int n, bool adxr) : period(n), p(n), r(1.0 / n), rating(adxr), lag(static_cast<size_t>(n - 1)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, p, r, rating);
    ar(dm, sum_dx, adx, adx_count, lag);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    DmState d = dm;
    const int i = d.advance(b, r, period, 2 * period);
    double s = sum_dx, a = adx;
    bool have = false;
    if (i >= period) {
      double v;
      const bool ok = dx_of(d, v);
      if (i < 2 * period - 1 || adx_count == 0) {
        if (ok) s += v;
        if (i == 2 * period - 1) {
          a = s / p;
          have = true;
        }
      } else {
        if (ok) a = detail::wilder_by_reciprocal(a, r, v * r);
        have = true;
      }
    }
    // i saturates at 2 * period - 1; adx_count tells the seed bar from later ones.
    bool valid = have;
    if (have && rating) {
      valid = adx_count >= period - 1;
      if (valid) out[0] = (a + lag.oldest()) * 0.5;
    } else if (have) {
      out[0] = a;
    }
    if (commit) {
      dm = d;
      sum_dx = s;
      adx = a;
      if (have) {
        if (rating) lag.push(a);
        adx_count = std::min(adx_count + 1, period);
      }
    }
    return valid;
  }
};

/// directional_movement(): PLUS_DM / MINUS_DM, the plain sum of the first
/// period-1 moves, then wilder_by_reciprocal(acc, 1 / n, move).
struct DmCore {
  int period;
  double r;
  bool plus_side;
  int count = 0;  // bars seen, capped at period
  double prev_high = 0.0, prev_low = 0.0, acc = 0.0;
  DmCore(int n, bool plus) : period(n), r(1.0 / n), plus_side(plus) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, r, plus_side);
    ar(count, prev_high, prev_low, acc);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        prev_high = b.high;
        prev_low = b.low;
        count = 1;
      }
      return false;
    }
    const double diff_p = b.high - prev_high;
    const double diff_m = prev_low - b.low;
    const double m = plus_side ? detail::directional_move<true>(diff_p, diff_m)
                               : detail::directional_move<false>(diff_p, diff_m);
    double a = acc;
    bool valid = true;
    if (period <= 1) {
      a = m;
    } else if (count < period) {
      a += m;
      valid = count == period - 1;
    } else {
      a = detail::wilder_by_reciprocal(a, r, m);
    }
    if (valid) out[0] = a;
    if (commit) {
      prev_high = b.high;
      prev_low = b.low;
      acc = a;
      count = std::min(count + 1, std::max(period, 1));
    }
    return valid;
  }
};

std::unique_ptr<Stream> adx(Opts o) { return make<AdxCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> adxr(Opts o) { return make<AdxCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> dx(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::dx); }
std::unique_ptr<Stream> plus_di(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::plus_di); }
std::unique_ptr<Stream> minus_di(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::minus_di); }
std::unique_ptr<Stream> plus_dm(Opts o) { return make<DmCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> minus_dm(Opts o) { return make<DmCore>(as_int(o[0]), false); }

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

template <int (*Kernel)(In, In, int, Out)>
int hl_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(in.high, in.low, as_int(o[0]), out[0]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"ADX", kMomentum, "Average Directional Movement Index", kHlc, kPeriod14, kOutReal,
     period_lookback<adx_lookback>, hlc_period<adx>, streams::adx, multi::adx},
    {"PLUS_DI", kMomentum, "Plus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<plus_di_lookback>, hlc_period<plus_di>, streams::plus_di},
    {"MINUS_DI", kMomentum, "Minus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<minus_di_lookback>, hlc_period<minus_di>, streams::minus_di},
    {"ADXR", kMomentum, "Average Directional Movement Index Rating: (ADX + ADX[n-1 bars ago]) / 2", kHlc,
     kPeriod14, kOutReal, period_lookback<adxr_lookback>, hlc_period<adxr>, streams::adxr},
    {"DX", kMomentum, "Directional Movement Index", kHlc, kPeriod14, kOutReal, period_lookback<dx_lookback>,
     hlc_period<dx>, streams::dx},
    {"PLUS_DM", kMomentum, "Plus Directional Movement (Wilder smoothing)", kHl, kPeriod14Min1, kOutReal,
     period_lookback<plus_dm_lookback>, hl_period<plus_dm>, streams::plus_dm},
    {"MINUS_DM", kMomentum, "Minus Directional Movement (Wilder smoothing)", kHl, kPeriod14Min1, kOutReal,
     period_lookback<minus_dm_lookback>, hl_period<minus_dm>, streams::minus_dm},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> directional_functions() { return kRows; }

}  // namespace ts::ta
