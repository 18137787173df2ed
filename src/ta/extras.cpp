// TickStock extras: moving averages, volume flow, VWAP and trend studies.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

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

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// vwap(): cumulative price*volume over cumulative volume.
struct VwapCore {
  double pv = 0.0, vol = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(pv, vol);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double tp = ((b.high + b.low) + b.close) / 3.0;
    const double a = pv + tp * b.volume;
    const double v = vol + b.volume;
    out[0] = v != 0.0 ? a / v : tp;
    if (commit) {
      pv = a;
      vol = v;
    }
    return true;
  }
};

/// heikinashi(): each candle's open from the previous HA open and close.
struct HeikinAshiCore {
  bool started = false;
  double prev_open = 0.0, prev_close = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(started, prev_open, prev_close);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double hc = (((b.open + b.high) + b.low) + b.close) / 4.0;
    const double ho = started ? (prev_open + prev_close) / 2.0 : (b.open + b.close) / 2.0;
    out[0] = ho;
    out[1] = std::max(b.high, std::max(ho, hc));
    out[2] = std::min(b.low, std::min(ho, hc));
    out[3] = hc;
    if (commit) {
      started = true;
      prev_open = ho;
      prev_close = hc;
    }
    return true;
  }
};

/// supertrend(): final-band recursion over atr()'s ATR, direction as state.
struct SuperTrendCore {
  double multiplier;
  AtrCore atr;
  bool started = false;
  double fu = 0.0, fl = 0.0, prev_close = 0.0;
  int dir = -1;
  SuperTrendCore(int atr_period, double mult) : multiplier(mult), atr(atr_period, false) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(multiplier);
    ar(atr, started, fu, fl, prev_close, dir);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double a = 0.0;
    const bool valid = atr.step(b, &a, commit);
    double u = fu, l = fl;
    int d = dir;
    if (valid) {
      const double hl2 = (b.high + b.low) / 2.0;
      const double width = multiplier * a;
      const double bu = hl2 + width;
      const double bl = hl2 - width;
      if (!started) {
        u = bu;
        l = bl;
      } else {
        u = (bu < u || prev_close > u) ? bu : u;
        l = (bl > l || prev_close < l) ? bl : l;
        d = d < 0 ? (b.close > u ? 1 : -1) : (b.close < l ? -1 : 1);
      }
      out[0] = d > 0 ? l : u;
      out[1] = d;
    }
    if (commit) {
      if (valid) {
        started = true;
        fu = u;
        fl = l;
        dir = d;
      }
      prev_close = b.close;
    }
    return valid;
  }
};

/// cmf(): compensated running sums of money-flow volume and volume; the
/// leaving bar's terms come from rings (the same bits the batch recomputes).
struct CmfCore {
  size_t lb;
  Lag flows, vols;
  size_t count = 0;  // capped at lb
  detail::CompensatedSum flow, vol;
  explicit CmfCore(int period) : lb(static_cast<size_t>(period - 1)), flows(lb), vols(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb);
    ar(flows, vols, count, flow, vol);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double range = b.high - b.low;
    const double mfm = range != 0.0 ? ((b.close - b.low) - (b.high - b.close)) / range : 0.0;
    const double mfv = mfm * b.volume;
    detail::CompensatedSum f = flow, v = vol;
    f.add(mfv);
    v.add(b.volume);
    const bool valid = count >= lb;
    if (valid) {
      const double total = v.value();
      out[0] = total != 0.0 ? f.value() / total : 0.0;
      f.add(-(lb == 0 ? mfv : flows.oldest()));
      v.add(-(lb == 0 ? b.volume : vols.oldest()));
    }
    if (commit) {
      flow = f;
      vol = v;
      if (lb > 0) {
        flows.push(mfv);
        vols.push(b.volume);
      }
      if (count < lb) ++count;
    }
    return valid;
  }
};

int isqrt(int n) {
  int s = static_cast<int>(std::sqrt(static_cast<double>(n)));
  while (s > 0 && s * s > n) --s;
  while ((s + 1) * (s + 1) <= n) ++s;
  return s;
}

/// hma(): WMA(half) and WMA(n) of the input, WMA(floor(sqrt n)) of 2 half - full.
struct HmaCore {
  WmaCore half, full, hull;
  explicit HmaCore(int n) : half(n / 2), full(n), hull(isqrt(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(half, full, hull);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double wh = 0.0, wf = 0.0;
    half.step(b.real0, wh, commit);
    if (!full.step(b.real0, wf, commit)) return false;
    return hull.step((2.0 * wh) - wf, out[0], commit);
  }
};

std::unique_ptr<Stream> heikinashi(Opts) { return make<HeikinAshiCore>(); }
std::unique_ptr<Stream> supertrend(Opts o) { return make<SuperTrendCore>(as_int(o[0]), o[1]); }
std::unique_ptr<Stream> cmf(Opts o) { return make<CmfCore>(as_int(o[0])); }
std::unique_ptr<Stream> hma(Opts o) { return make<HmaCore>(as_int(o[0])); }

}  // namespace

std::unique_ptr<Stream> vwap(Opts) { return make<VwapCore>(); }

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutHeikinAshi[] = {{"ha_open", OutputKind::real},
                                         {"ha_high", OutputKind::real},
                                         {"ha_low", OutputKind::real},
                                         {"ha_close", OutputKind::real}};

constexpr OutputSpec kOutSuperTrend[] = {{"supertrend", OutputKind::real},
                                         {"direction", OutputKind::integer}};

constexpr OptionSpec kSuperTrendOptions[] = {
    {"atrperiod", OptionType::integer, 10, 1, kMaxPeriod, "Number of periods of the ATR (Wilder smoothing)"},
    {"multiplier", OptionType::real, 3, 0, kRealLimit, "ATR multiplier of the band width"}};

int cmf_run(const Inputs& in, Opts o, Outs out) {
  return cmf(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}

int heikinashi_run(const Inputs& in, Opts, Outs out) {
  return heikinashi(in.open, in.high, in.low, in.close, out[0], out[1], out[2], out[3]);
}

int supertrend_lb(Opts o) { return supertrend_lookback(as_int(o[0])); }

int supertrend_run(const Inputs& in, Opts o, Outs out) {
  return supertrend(in.high, in.low, in.close, as_int(o[0]), o[1], out[0], out[1]);
}

int vwap_run(const Inputs& in, Opts, Outs out) { return vwap(in.high, in.low, in.close, in.volume, out[0]); }

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"HMA", kExtras,
     "Hull Moving Average: WMA(2*WMA(n/2) - WMA(n), sqrt(n)), n/2 and sqrt(n) rounded down. "
     "Lookback (n-1) + (floor(sqrt(n))-1).",
     kReal, kPeriod20Min2, kOutReal, period_lookback<hma_lookback>, real_period<hma>, streams::hma},
    {"CMF", kExtras,
     "Chaikin Money Flow: sum(MFM*volume) / sum(volume) over n bars, MFM = ((C-L)-(H-C))/(H-L) (0 when H = L); "
     "0 when the window's volume is 0. Lookback n-1.",
     kHlcv, kPeriod20, kOutReal, period_lookback<cmf_lookback>, cmf_run, streams::cmf},
    {"HEIKINASHI", kExtras,
     "Heikin-Ashi candles: ha_close = (O+H+L+C)/4, ha_open = (prev ha_open + prev ha_close)/2 seeded with "
     "(O0+C0)/2, ha_high = max(H, ha_open, ha_close), ha_low = min(L, ha_open, ha_close). Lookback 0.",
     kOhlc, {}, kOutHeikinAshi, fixed_lb<heikinashi_lookback>, heikinashi_run, streams::heikinashi},
    {"SUPERTREND", kExtras,
     "SuperTrend: bands (H+L)/2 +/- multiplier * ATR(atrperiod) (TA-Lib's Wilder ATR) with the final-band "
     "recursion; supertrend = lower band in an uptrend, upper band in a downtrend; direction +1 up, -1 down "
     "(the first bar starts down, as TradingView's ta.supertrend). Lookback atrperiod.",
     kHlc, kSuperTrendOptions, kOutSuperTrend, supertrend_lb, supertrend_run, streams::supertrend},
    {"VWAP", kExtras,
     "Volume-weighted average price anchored at the first input bar: sum(tp*volume) / sum(volume) over bars "
     "0..i, tp = (H+L+C)/3 (tp itself while the cumulative volume is 0). Lookback 0.",
     kHlcv, {}, kOutReal, fixed_lb<vwap_lookback>, vwap_run, streams::vwap},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> extras_functions() { return kRows; }

}  // namespace ts::ta
