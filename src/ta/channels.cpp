// TickStock extras: price channels and bands (DONCHIAN, KELTNER).
#include <algorithm>
#include <cstddef>
#include <limits>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {

using std::size_t;

int donchian_lookback(int period) { return period - 1; }

// Van Herk / Gil-Werman window extremes (O(1) per bar, no data-dependent
// branches). A NaN high/low is skipped; a window without any valid high (low)
// yields NaN for the upper (lower) band and the middle.
int donchian(In high, In low, int period, Out upper, Out middle, Out lower) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  detail::each_window_extreme(high.data(), low.data(), static_cast<size_t>(period), lb, n,
                              [&](size_t i, double h, double l) {
                                const double hi = h == -kInf ? kNaN : h;
                                const double lo = l == kInf ? kNaN : l;
                                upper[i] = hi;
                                lower[i] = lo;
                                middle[i] = (hi + lo) / 2.0;
                              });
  return static_cast<int>(lb);
}

int keltner_lookback(int period, int atr_period) { return std::max(period - 1, atr_period); }

// One pass: ema()'s EMA (TA-Lib's seed, then detail::EmaTwoStep) and the ATR
// (detail::WilderAtr, atr()'s operations) side by side, so the middle band
// equals EMA and the band width equals multiplier * ATR bit for bit.
int keltner(In high, In low, In close, int period, int atr_period, double multiplier, Out upper, Out middle,
            Out lower) {
  const size_t n = close.size();
  const size_t lb = static_cast<size_t>(keltner_lookback(period, atr_period));
  if (n <= lb) return static_cast<int>(n);
  const double* c = close.data();
  const size_t ema_lb = static_cast<size_t>(period - 1);
  double sum = 0.0;
  for (size_t i = 0; i <= ema_lb; ++i) sum += c[i];
  const detail::EmaTwoStep w(period);
  double e1 = sum / period;  // e[i-1]
  double e2 = 0.0;           // e[i-2]
  auto ema_at = [&](size_t i) {
    const double e = i == ema_lb + 1 ? w.first(e1, c[i]) : w.next(e2, c[i], c[i - 1]);
    e2 = e1;
    e1 = e;
  };
  for (size_t i = ema_lb + 1; i < lb; ++i) ema_at(i);
  detail::WilderAtr atr(high.data(), low.data(), c, atr_period);
  for (size_t i = static_cast<size_t>(atr_period); i < lb; ++i) atr.advance(i);
  for (size_t i = lb; i < n; ++i) {
    if (i > ema_lb) ema_at(i);
    const double width = multiplier * atr.advance(i);
    middle[i] = e1;
    upper[i] = e1 + width;
    lower[i] = e1 - width;
  }
  return static_cast<int>(lb);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// keltner(): EMA(close) middle, +/- multiplier * ATR (atr()'s operations).
struct KeltnerCore {
  double multiplier;
  EmaTwoStepCore ema;
  AtrCore atr;
  KeltnerCore(int period, int atr_period, double mult) : multiplier(mult), ema(period), atr(atr_period, false) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(multiplier);
    ar(ema, atr);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double e = 0.0, a = 0.0;
    const bool he = ema.step_value(b.close, e, commit);
    const bool ha = atr.step(b, &a, commit);
    if (!he || !ha) return false;
    const double width = multiplier * a;
    out[0] = e + width;
    out[1] = e;
    out[2] = e - width;
    return true;
  }
};

/// donchian(): van Herk extremes where a NaN never wins and an all-NaN window
/// gives NaN; here a NaN enters the deques as -inf (highs) / +inf (lows).
struct DonchianCore {
  HighLow hl;
  explicit DonchianCore(int period) : hl(period) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double hi, lo;
    const double h = std::isnan(b.high) ? -kInf : b.high;
    const double l = std::isnan(b.low) ? kInf : b.low;
    if (!hl.step(h, l, hi, lo, commit)) return false;
    hi = hi == -kInf ? kNaN : hi;
    lo = lo == kInf ? kNaN : lo;
    out[0] = hi;
    out[1] = (hi + lo) / 2.0;
    out[2] = lo;
    return true;
  }
};

std::unique_ptr<Stream> keltner(Opts o) { return make<KeltnerCore>(as_int(o[0]), as_int(o[1]), o[2]); }
std::unique_ptr<Stream> donchian(Opts o) { return make<DonchianCore>(as_int(o[0])); }

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OptionSpec kKeltnerOptions[] = {
    period_option<20, 2>(),
    {"atrperiod", OptionType::integer, 10, 1, kMaxPeriod, "Number of periods of the ATR (Wilder smoothing)"},
    {"multiplier", OptionType::real, 2, 0, kRealLimit, "ATR multiplier of the band width"}};

int donchian_run(const Inputs& in, Opts o, Outs out) {
  return donchian(in.high, in.low, as_int(o[0]), out[0], out[1], out[2]);
}

int keltner_lb(Opts o) { return keltner_lookback(as_int(o[0]), as_int(o[1])); }

int keltner_run(const Inputs& in, Opts o, Outs out) {
  return keltner(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), o[2], out[0], out[1], out[2]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"DONCHIAN", kExtras,
     "Donchian channel: upper = highest high, lower = lowest low of the last n bars, middle = (upper+lower)/2. "
     "Lookback n-1.",
     kHl, kPeriod20, kOutBands, period_lookback<donchian_lookback>, donchian_run, streams::donchian},
    {"KELTNER", kExtras,
     "Keltner channel: middle = EMA(close, timeperiod), upper/lower = middle +/- multiplier * ATR(atrperiod) "
     "(the EMA and ATR functions' values). Lookback max(timeperiod-1, atrperiod).",
     kHlc, kKeltnerOptions, kOutBands, keltner_lb, keltner_run, streams::keltner},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> channels_functions() { return kRows; }

}  // namespace ts::ta
