#pragma once
// Internals shared by the candlestick kernels: candle geometry, the running
// average of a candle setting, and the scan loop. Not a public header.
//
// Bit-parity with TA-Lib depends on evaluating the same floating-point
// expressions in the same order (and on -ffp-contract=off, set for ts_ta):
//   * a setting's total is seeded by summing range() in increasing bar order;
//   * it slides as total += (range(new) - range(old)), AFTER the bar is judged;
//   * the threshold is (factor * (total / period)) / divisor.
#include <algorithm>
#include <cassert>
#include <cmath>

#include "ta/candles/candles.hpp"
#include "ta/candles/settings.hpp"

namespace ts::ta::candles::detail {

/// Unchecked column access with TA-Lib's candle geometry.
struct Bars {
  const double* o;
  const double* h;
  const double* l;
  const double* c;

  explicit Bars(const Ohlc& in)
      : o(in.open.data()), h(in.high.data()), l(in.low.data()), c(in.close.data()) {}

  double real_body(int i) const { return std::fabs(c[i] - o[i]); }
  double body_top(int i) const { return c[i] >= o[i] ? c[i] : o[i]; }
  double body_bottom(int i) const { return c[i] >= o[i] ? o[i] : c[i]; }
  double upper_shadow(int i) const { return h[i] - body_top(i); }
  double lower_shadow(int i) const { return body_bottom(i) - l[i]; }
  double high_low(int i) const { return h[i] - l[i]; }
  /// +1 white (close >= open), -1 black.
  int color(int i) const { return c[i] >= o[i] ? 1 : -1; }
  /// Real body of bar `later` entirely above / below the real body of bar `earlier`.
  bool body_gap_up(int later, int earlier) const { return body_bottom(later) > body_top(earlier); }
  bool body_gap_down(int later, int earlier) const { return body_top(later) < body_bottom(earlier); }
  /// Whole candle `later` (shadows included) above / below candle `earlier`.
  bool candle_gap_up(int later, int earlier) const { return l[later] > h[earlier]; }
  bool candle_gap_down(int later, int earlier) const { return h[later] < l[earlier]; }

  double range(RangeType t, int i) const {
    switch (t) {
      case RangeType::real_body:
        return real_body(i);
      case RangeType::high_low:
        return high_low(i);
      case RangeType::shadows:
        return upper_shadow(i) + lower_shadow(i);
    }
    return 0.0;
  }
};

/// The longest averaging period among the settings a pattern reads.
template <class... P>
constexpr int max_period(P... s) {
  return std::max({avg_period(s)...});
}

/// The running average of one candle setting, judged at bar (scan bar - lag):
/// a 3-candle pattern judging its first candle at scan bar i uses lag 2.
/// The total covers the setting's avg_period bars just before the judged bar.
class RunningAverage {
 public:
  RunningAverage(const Bars& bars, Setting s, int lag) : bars_(bars), s_(candle_setting(s)), lag_(lag) {}

  /// Sums the window of the judged bar for scan bar `start`.
  void seed(int start) {
    for (int j = start - lag_ - s_.avg_period; j < start - lag_; ++j) total_ += range(j);
  }
  /// Threshold for bar j; j must be (current scan bar - lag).
  double at(int j) const {
    const double base = s_.avg_period != 0 ? total_ / s_.avg_period : range(j);
    return s_.factor * base / (s_.range == RangeType::shadows ? 2.0 : 1.0);
  }
  /// Slides the window after scan bar i was judged.
  void roll(int i) {
    if (s_.avg_period == 0) return;  // the total is never read
    total_ += range(i - lag_) - range(i - lag_ - s_.avg_period);
  }

 private:
  double range(int j) const { return bars_.range(s_.range, j); }

  const Bars& bars_;
  const CandleSetting& s_;
  int lag_;
  double total_ = 0.0;
};

/// The batch loop every kernel shares: judges bars [lookback, n) with `judge`
/// (returns 0, +/-80, +/-100 or +/-200), sliding each running average after
/// each bar. A stateful judge (Hikkake) first sees the `warmup` bars before
/// the lookback, their values discarded, as TA-Lib replays them.
template <class Judge, class... Avg>
int scan_with_warmup(const Ohlc& in, int lookback, int warmup, Out out, Judge judge, Avg&... avgs) {
  const int n = static_cast<int>(in.close.size());
  assert(in.open.size() >= in.close.size() && in.high.size() >= in.close.size() &&
         in.low.size() >= in.close.size() && out.size() >= in.close.size());
  assert(warmup >= 0 && warmup <= lookback);
  if (n <= lookback) return n;
  (avgs.seed(lookback - warmup), ...);
  for (int i = lookback - warmup; i < lookback; ++i) {
    judge(i);
    (avgs.roll(i), ...);
  }
  for (int i = lookback; i < n; ++i) {
    out[static_cast<std::size_t>(i)] = judge(i);
    (avgs.roll(i), ...);
  }
  return lookback;
}

template <class Judge, class... Avg>
int scan(const Ohlc& in, int lookback, Out out, Judge judge, Avg&... avgs) {
  return scan_with_warmup(in, lookback, 0, out, judge, avgs...);
}

/// Kernel files use the detail names unqualified, and S for Setting.
using S = Setting;

}  // namespace ts::ta::candles::detail
