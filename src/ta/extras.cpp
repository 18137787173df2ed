// TickStock extras: moving averages, volume flow, VWAP and trend studies.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

namespace ts::ta {

using std::size_t;

namespace {

/// TA-Lib's WMA arithmetic (running weighted sum and plain sum, same order of
/// operations as wma(); period 1 copies) over a value stream; the window lives
/// in a Ring.
class StreamWma {
 public:
  explicit StreamWma(int period)
      : p_(period),
        divider_(static_cast<double>((static_cast<long long>(period) * (period + 1)) >> 1)),
        ring_(static_cast<size_t>(period)) {}
  StreamWma(const StreamWma&) = delete;
  StreamWma& operator=(const StreamWma&) = delete;

  /// Returns true once `value` holds the WMA of the last `period` values.
  bool push(double x, double& value) {
    if (p_ == 1) {  // TA-Lib's WMA copies the input for period 1
      value = x;
      return true;
    }
    double* r = ring_.data();
    r[pos_] = x;
    pos_ = pos_ + 1 == ring_.size() ? 0 : pos_ + 1;
    if (count_ < p_ - 1) {
      sub_ += x;
      sum_ += x * static_cast<double>(count_ + 1);
      ++count_;
      return false;
    }
    sub_ += x;
    sub_ -= trailing_;
    sum_ += x * p_;
    trailing_ = r[pos_];  // the oldest value of the current window
    value = sum_ / divider_;
    sum_ -= sub_;
    return true;
  }

 private:
  int p_;
  double divider_;
  int count_ = 0;
  double sum_ = 0.0;
  double sub_ = 0.0;
  double trailing_ = 0.0;
  size_t pos_ = 0;
  detail::Ring ring_;
};

int isqrt(int n) {
  int s = static_cast<int>(std::sqrt(static_cast<double>(n)));
  while (s > 0 && s * s > n) --s;
  while ((s + 1) * (s + 1) <= n) ++s;
  return s;
}

}  // namespace

int hma_lookback(int period) { return (period - 1) + (isqrt(period) - 1); }

// One pass with three streaming WMAs: half = floor(n/2) and n over the input,
// floor(sqrt(n)) over 2*WMA(half) - WMA(n).
int hma(In real, int period, Out out) {
  const size_t n = real.size();
  const size_t lb = static_cast<size_t>(hma_lookback(period));
  if (n <= lb) return static_cast<int>(n);
  StreamWma half(period / 2);
  StreamWma full(period);
  StreamWma hull(isqrt(period));
  const double* x = real.data();
  double wh = 0.0;
  double wf = 0.0;
  double v = 0.0;
  for (size_t i = 0; i < n; ++i) {
    half.push(x[i], wh);
    if (!full.push(x[i], wf)) continue;
    if (hull.push((2.0 * wh) - wf, v)) out[i] = v;
  }
  return static_cast<int>(lb);
}

int cmf_lookback(int period) { return period - 1; }

// Compensated running sums of money-flow volume and volume over the window
// (add the new bar, output, drop the oldest): O(1) per bar, and a window that
// leaves a stretch of huge prices or volumes keeps no residue of it. 0 when
// the window's volume is 0.
int cmf(In high, In low, In close, In volume, int period, Out out) {
  const size_t n = close.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  const double* v = volume.data();
  auto mfv = [&](size_t i) {
    const double range = h[i] - l[i];
    const double mfm = range != 0.0 ? ((c[i] - l[i]) - (h[i] - c[i])) / range : 0.0;
    return mfm * v[i];
  };
  detail::CompensatedSum flow;
  detail::CompensatedSum vol;
  for (size_t i = 0; i < lb; ++i) {
    flow.add(mfv(i));
    vol.add(v[i]);
  }
  for (size_t i = lb; i < n; ++i) {
    flow.add(mfv(i));
    vol.add(v[i]);
    const double total = vol.value();
    out[i] = total != 0.0 ? flow.value() / total : 0.0;
    const size_t t = i - lb;
    flow.add(-mfv(t));
    vol.add(-v[t]);
  }
  return static_cast<int>(lb);
}

// ha_close is the bar's OHLC mean, ha_open the midpoint of the previous
// Heikin-Ashi body (the first bar: of its own open and close).
int heikinashi_lookback() { return 0; }

int heikinashi(In open, In high, In low, In close, Out ha_open, Out ha_high, Out ha_low, Out ha_close) {
  const size_t n = close.size();
  if (n == 0) return 0;
  double prev_open = (open[0] + close[0]) / 2.0;
  double prev_close = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double hc = (((open[i] + high[i]) + low[i]) + close[i]) / 4.0;
    const double ho = i == 0 ? prev_open : (prev_open + prev_close) / 2.0;
    ha_open[i] = ho;
    ha_close[i] = hc;
    ha_high[i] = std::max(high[i], std::max(ho, hc));
    ha_low[i] = std::min(low[i], std::min(ho, hc));
    prev_open = ho;
    prev_close = hc;
  }
  return 0;
}

int supertrend_lookback(int atr_period) { return atr_period; }

// The final-band recursion (Olivier Seban's SuperTrend in the form of
// TradingView's ta.supertrend): the upper band only falls and the lower band
// only rises unless the previous close broke through them; the trend flips
// when the close crosses the band it is riding. Seeded on the first valid bar
// with the basic bands and a downtrend (supertrend = upper band), as
// ta.supertrend does. The direction is kept as state (not by comparing the
// previous supertrend with the previous upper band, which is ambiguous when
// ATR = 0 makes the bands equal).
int supertrend(In high, In low, In close, int atr_period, double multiplier, Out trend, Out direction) {
  const size_t n = close.size();
  const size_t lb = static_cast<size_t>(atr_period);
  if (n <= lb) return static_cast<int>(n);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  detail::WilderAtr atr(h, l, c, atr_period);
  double fu = 0.0;
  double fl = 0.0;
  int dir = -1;
  for (size_t i = lb; i < n; ++i) {
    const double hl2 = (h[i] + l[i]) / 2.0;
    const double width = multiplier * atr.advance(i);
    const double bu = hl2 + width;
    const double bl = hl2 - width;
    if (i == lb) {
      fu = bu;
      fl = bl;
    } else {
      const double pc = c[i - 1];
      fu = (bu < fu || pc > fu) ? bu : fu;
      fl = (bl > fl || pc < fl) ? bl : fl;
      if (dir < 0) {
        dir = c[i] > fu ? 1 : -1;
      } else {
        dir = c[i] < fl ? -1 : 1;
      }
    }
    trend[i] = dir > 0 ? fl : fu;
    direction[i] = dir;
  }
  return static_cast<int>(lb);
}

int vwap_lookback() { return 0; }

// Cumulative from the first bar of the input (the anchor). Every term
// tp * volume is >= 0 for prices and volumes >= 0, so the plain running sums
// lose nothing to cancellation.
int vwap(In high, In low, In close, In volume, Out out) {
  const size_t n = close.size();
  double pv = 0.0;
  double vol = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double tp = ((high[i] + low[i]) + close[i]) / 3.0;
    pv += tp * volume[i];
    vol += volume[i];
    out[i] = vol != 0.0 ? pv / vol : tp;
  }
  return 0;
}

}  // namespace ts::ta
