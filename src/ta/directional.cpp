// Directional movement: PLUS_DI, MINUS_DI, ADX, ADXR, DX, PLUS_DM, MINUS_DM.
// One Wilder-smoothed state (+DM, -DM, TR) shared by them, updated in TA-Lib's operation order.
#include <cmath>
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

namespace ts::ta {
namespace {

using std::size_t;

struct Dm {
  const double* h;
  const double* l;
  const double* c;
  double prev_high, prev_low, prev_close;
  double plus_dm = 0.0, minus_dm = 0.0, tr = 0.0;

  Dm(const double* high, const double* low, const double* close)
      : h(high), l(low), c(close), prev_high(high[0]), prev_low(low[0]), prev_close(close[0]) {}

  // Directional moves and true range of bar i (TA-Lib's classification:
  // -DM when diffM > 0 and diffM > diffP, +DM when diffP > 0 and diffP > diffM).
  void move(size_t i, double& plus, double& minus, double& range) {
    const double diff_p = h[i] - prev_high;
    const double diff_m = prev_low - l[i];
    prev_high = h[i];
    prev_low = l[i];
    minus = detail::keep_if((diff_m > 0) & (diff_p < diff_m), diff_m);
    plus = detail::keep_if((diff_p > 0) & (diff_p > diff_m), diff_p);
    range = detail::true_range(h[i], l[i], prev_close);
    prev_close = c[i];
  }
  // Bars 1 .. period-1: plain sums (adding 0.0 to a non-negative sum is exact).
  void accumulate(size_t i) {
    double plus, minus, range;
    move(i, plus, minus, range);
    minus_dm += minus;
    plus_dm += plus;
    tr += range;
  }
  // Later bars: x = x - x / n + new.
  void smooth(size_t i, double p) {
    double plus, minus, range;
    move(i, plus, minus, range);
    minus_dm = minus_dm - (minus_dm / p) + minus;
    plus_dm = plus_dm - (plus_dm / p) + plus;
    tr = tr - (tr / p) + range;
  }
};

// PLUS_DI / MINUS_DI. Period 1 is TA-Lib's special case: DM / TR of the bar,
// not scaled by 100.
template <bool Plus>
int directional_index(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = period > 1 ? static_cast<size_t>(period) : 1;
  if (n <= lb) return static_cast<int>(n);
  double* o = out.data();
  Dm dm(high.data(), low.data(), close.data());
  if (period <= 1) {
    for (size_t i = 1; i < n; ++i) {
      double plus, minus, range;
      dm.move(i, plus, minus, range);
      const double x = Plus ? plus : minus;
      // x is non-zero exactly when the bar is a +DM (-DM) bar.
      o[i] = (x == 0.0 || detail::is_zero(range)) ? 0.0 : x / range;
    }
    return 1;
  }
  const double p = period;
  for (size_t i = 1; i < lb; ++i) dm.accumulate(i);
  for (size_t i = lb; i < n; ++i) {
    dm.smooth(i, p);
    const double x = Plus ? dm.plus_dm : dm.minus_dm;
    o[i] = detail::is_zero(dm.tr) ? 0.0 : 100.0 * (x / dm.tr);
  }
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

// Two doubles in one SSE register (GCC/Clang vector extension): lane-wise
// IEEE operations, so each lane rounds exactly like the scalar code, but two
// divisions cost one divider slot. ADX is bound by divider throughput (seven
// divisions per bar in TA-Lib's formulation; five instructions here).
typedef double V2 __attribute__((vector_size(16)));

struct AdxState {
  V2 dm;  // {+DM, -DM}
  double tr;
};

// Wilder update of {+DM, -DM} and TR for bar i (same operation order as Dm::smooth).
inline void adx_smooth(Dm& d, AdxState& st, std::size_t i, V2 pv, double p) {
  double plus, minus, range;
  d.move(i, plus, minus, range);
  st.dm = st.dm - (st.dm / pv) + V2{plus, minus};
  st.tr = st.tr - (st.tr / p) + range;
}

// DX of the current state; false when TR or +DI + -DI is ~0 (TA-Lib skips those bars).
inline bool adx_dx(const AdxState& st, double& dx) {
  if (detail::is_zero(st.tr)) return false;
  const V2 di = V2{100.0, 100.0} * (st.dm / V2{st.tr, st.tr});  // {+DI, -DI}
  const double s = di[1] + di[0];                               // minusDI + plusDI
  if (detail::is_zero(s)) return false;
  dx = 100.0 * (std::fabs(di[1] - di[0]) / s);
  return true;
}

}  // namespace

namespace {

// ADX: DX summed over bars period .. 2*period-1 and averaged, then Wilder
// smoothing. Bars whose TR or (+DI + -DI) is ~0 leave the ADX unchanged.
// Calls sink(i, adx) for every bar from the lookback on.
template <class Sink>
int adx_impl(In high, In low, In close, int period, Sink sink) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(2 * period - 1);
  if (n <= lb) return static_cast<int>(n);
  Dm dm(high.data(), low.data(), close.data());
  const size_t per = static_cast<size_t>(period);
  const double p = period;
  const double pm1 = period - 1;
  const V2 pv = {p, p};
  for (size_t i = 1; i < per; ++i) dm.accumulate(i);
  AdxState st{V2{dm.plus_dm, dm.minus_dm}, dm.tr};
  double sum_dx = 0.0;
  for (size_t i = per; i <= lb; ++i) {
    adx_smooth(dm, st, i, pv, p);
    double dx;
    if (adx_dx(st, dx)) sum_dx += dx;
  }
  double adx_v = sum_dx / p;
  sink(lb, adx_v);
  for (size_t i = lb + 1; i < n; ++i) {
    adx_smooth(dm, st, i, pv, p);
    double dx;
    if (adx_dx(st, dx)) adx_v = ((adx_v * pm1) + dx) / p;
    sink(i, adx_v);
  }
  return static_cast<int>(lb);
}

}  // namespace

int adx(In high, In low, In close, int period, Out out) {
  double* o = out.data();
  return adx_impl(high, low, close, period, [o](size_t i, double v) { o[i] = v; });
}

int adxr_lookback(int period) { return adx_lookback(period) + period - 1; }
// ADXR[i] = (ADX[i] + ADX[i - (period-1)]) / 2; the last period-1 ADX values
// wait in a ring (on the stack up to 512 bars).
int adxr(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(adxr_lookback(period));
  if (n <= lb) return static_cast<int>(n);
  const size_t lag = static_cast<size_t>(period - 1);
  detail::Ring ring(lag);
  double* r = ring.data();
  size_t pos = 0;
  double* o = out.data();
  adx_impl(high, low, close, period, [&](size_t i, double v) {
    if (i >= lb) o[i] = (v + r[pos]) / 2.0;
    r[pos] = v;
    pos = pos + 1 == lag ? 0 : pos + 1;
  });
  return static_cast<int>(lb);
}

int dx_lookback(int period) { return period; }
int dx(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  double* o = out.data();
  Dm dm(high.data(), low.data(), close.data());
  const double p = period;
  for (size_t i = 1; i < lb; ++i) dm.accumulate(i);
  double last = 0.0;
  for (size_t i = lb; i < n; ++i) {
    dm.smooth(i, p);
    if (!detail::is_zero(dm.tr)) {
      const double minus_di = 100.0 * (dm.minus_dm / dm.tr);
      const double plus_di = 100.0 * (dm.plus_dm / dm.tr);
      const double s = minus_di + plus_di;
      if (!detail::is_zero(s)) last = 100.0 * (std::fabs(minus_di - plus_di) / s);
    }
    o[i] = last;  // TA-Lib repeats the previous DX (0 on the first bar)
  }
  return static_cast<int>(lb);
}

namespace {
// PLUS_DM / MINUS_DM: the sum of the first period-1 moves, then Wilder
// smoothing; period 1 gives each bar's raw move.
template <bool Plus>
int directional_movement(In high, In low, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = period > 1 ? static_cast<size_t>(period - 1) : 1;
  if (n <= lb) return static_cast<int>(n);
  double prev_high = high[0];
  double prev_low = low[0];
  auto move = [&](size_t i) {
    const double diff_p = high[i] - prev_high;
    const double diff_m = prev_low - low[i];
    prev_high = high[i];
    prev_low = low[i];
    if (Plus) return (diff_p > 0 && diff_p > diff_m) ? diff_p : 0.0;
    return (diff_m > 0 && diff_p < diff_m) ? diff_m : 0.0;
  };
  if (period <= 1) {
    for (size_t i = 1; i < n; ++i) out[i] = move(i);
    return 1;
  }
  const double p = period;
  double acc = 0.0;
  for (size_t i = 1; i <= lb; ++i) acc += move(i);
  out[lb] = acc;
  for (size_t i = lb + 1; i < n; ++i) {
    const double m = move(i);
    acc = m != 0.0 ? acc - (acc / p) + m : acc - (acc / p);
    out[i] = acc;
  }
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
