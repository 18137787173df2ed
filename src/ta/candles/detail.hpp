#pragma once
// Internals shared by the candlestick kernels: candle geometry, the running
// average of a candle setting, and the two drivers that run a pattern's one
// definition either over whole columns (batch) or one bar at a time (stream).
// Not a public header.
//
// Bit-parity with TA-Lib depends on evaluating the same floating-point
// expressions in the same order (and on -ffp-contract=off, set for ts_ta):
//   * a setting's total is seeded by summing range() in increasing bar order;
//   * it slides as total += (range(new) - range(old)), AFTER the bar is judged;
//   * the threshold is (factor * (total / period)) / divisor.
//
// One definition per pattern. A pattern is written once, as a generic lambda
// `[](auto& d) {...}` over a driver `d`: it reads the bars through `d.bars`
// (column access by absolute bar index, `b.o[i]`), makes its running averages
// and returns `d.scan(lookback, judge, averages...)`. BatchDriver runs that
// scan over whole columns (`scan_with_warmup`); StreamDriver runs exactly one
// bar of it against a 16-bar ring and the carried running totals, so the
// stream evaluates the same judge with the same totals, bit for bit.
#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>

#include "ta/candles/candles.hpp"
#include "ta/candles/settings.hpp"
#include "ta/function.hpp"

namespace ts::ta::candles::detail {

/// Candle geometry over four columns indexed by bar: `Col` is a raw pointer
/// (batch) or a RingColumn (stream).
template <class Col>
struct BarsOf {
  Col o, h, l, c;

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

/// Unchecked column access with TA-Lib's candle geometry (batch kernels).
using Bars = BarsOf<const double*>;
inline Bars bars_of(const Ohlc& in) {
  return {in.open.data(), in.high.data(), in.low.data(), in.close.data()};
}

/// `value` when `c`, else +0.0, without a branch (a random series makes a
/// pattern's outcome unpredictable; a mispredicted branch costs more than the
/// whole judge of a one-candle pattern).
inline double when(bool c, double value) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(value) & (std::uint64_t{0} - c));
}

/// The longest averaging period among the settings a pattern reads.
template <class... P>
constexpr int max_period(P... s) {
  return std::max({avg_period(s)...});
}

/// Settings averaging the same range over the same period keep identical
/// running totals (at the same lag), whatever their factors.
constexpr bool shares_total(Setting a, Setting b) {
  return candle_setting(a).range == candle_setting(b).range &&
         candle_setting(a).avg_period == candle_setting(b).avg_period;
}

/// The running average of one candle setting, judged at bar (scan bar - lag):
/// a 3-candle pattern judging its first candle at scan bar i uses lag 2.
/// The total covers the setting's avg_period bars just before the judged bar.
template <class B>
class RunningAverage {
 public:
  RunningAverage(const B& bars, Setting s, int lag) : bars_(bars), s_(candle_setting(s)), lag_(lag) {}

  /// Sums the window of the judged bar for scan bar `start`.
  void seed(int start) {
    for (int j = start - lag_ - s_.avg_period; j < start - lag_; ++j) total_ += range(j);
  }
  /// The same sum, one bar at a time: bar j's part of seed(start).
  void seed_bar(int start, int j) {
    if (j >= start - lag_ - s_.avg_period && j < start - lag_) total_ += range(j);
  }
  /// Threshold for bar j; j must be (current scan bar - lag).
  double at(int j) const { return threshold(s_, j); }
  /// The threshold of setting `other`, which shares this average's total
  /// (shares_total): its own running total would be the same sums in the same
  /// order, so this is its value bit for bit, and the division is shared.
  double at_as(Setting other, int j) const {
    assert(shares_total(s_.id, other));
    return threshold(candle_setting(other), j);
  }
  /// Slides the window after scan bar i was judged.
  void roll(int i) {
    if (s_.avg_period == 0) return;  // the total is never read
    total_ += range(i - lag_) - range(i - lag_ - s_.avg_period);
  }
  /// The running total a stream carries between bars.
  double total() const { return total_; }
  void set_total(double t) { total_ = t; }

 private:
  double range(int j) const { return bars_.range(s_.range, j); }
  double threshold(const CandleSetting& s, int j) const {
    const double base = s.avg_period != 0 ? total_ / s.avg_period : range(j);
    return s.factor * base / (s.range == RangeType::shadows ? 2.0 : 1.0);
  }

  const B& bars_;
  const CandleSetting& s_;
  int lag_;
  double total_ = 0.0;
};
template <class B>
RunningAverage(const B&, Setting, int) -> RunningAverage<B>;

/// What a stateful pattern (the Hikkake family) remembers between bars.
struct Memory {
  int pattern_idx = 0;
  double pattern = 0.0;
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

/// Runs a pattern definition over whole columns: d.scan is the batch loop.
class BatchDriver {
 public:
  BatchDriver(const Ohlc& in, Out out, double penetration)
      : bars(bars_of(in)), penetration(penetration), in_(in), out_(out) {}

  const Bars bars;
  const double penetration;
  Memory memory;

  template <class Judge, class... Avg>
  int scan(int lookback, Judge judge, Avg&... avgs) {
    return detail::scan_with_warmup(in_, lookback, 0, out_, judge, avgs...);
  }
  template <class Judge, class... Avg>
  int scan_with_warmup(int lookback, int warmup, Judge judge, Avg&... avgs) {
    return detail::scan_with_warmup(in_, lookback, warmup, out_, judge, avgs...);
  }

 private:
  const Ohlc& in_;
  Out out_;
};

/// A pattern's batch kernel: its definition run by a BatchDriver.
template <class Def>
int run_batch(const Ohlc& in, Out out, Def def, double penetration = 0.0) {
  BatchDriver d(in, out, penetration);
  return def(d);
}

// ---- Streaming ------------------------------------------------------------------

/// A stream keeps the last kRing bars: enough for the oldest bar any pattern
/// reads (a lag of 4 candles plus an averaging period of 10, or the Hikkake's
/// inside bar 4 bars back).
inline constexpr int kRing = 16;
static_assert([] {
  int p = 0;
  for (const auto& s : kCandleSettings) p = std::max(p, s.avg_period);
  return p + 4 < kRing;
}());

/// One price column of the ring: bar i lives in slot i % kRing.
struct RingColumn {
  const double* slots;
  double operator[](int i) const { return slots[static_cast<unsigned>(i) % kRing]; }
};
using RingBars = BarsOf<RingColumn>;

/// The most running averages one pattern keeps (CDLADVANCEBLOCK: 9).
inline constexpr std::size_t kMaxAverages = 10;

/// Runs one bar (`i`, already in the ring) of a pattern definition. Without
/// `commit` it only reads the carried state (`memory` is then a scratch copy).
class StreamDriver {
 public:
  StreamDriver(const RingBars& b, double pen, Memory& m, std::array<double, kMaxAverages>& totals, int i,
               bool commit, double* out)
      : bars(b), penetration(pen), memory(m), totals_(totals), i_(i), commit_(commit), out_(out) {}

  const RingBars& bars;
  const double penetration;
  Memory& memory;

  template <class Judge, class... Avg>
  bool scan(int lookback, Judge judge, Avg&... avgs) {
    return scan_with_warmup(lookback, 0, judge, avgs...);
  }
  /// The batch loop's body for bar i: before the scan starts, the bar only
  /// feeds the seeds; then it is judged and the averages slide; its value is
  /// the output from the lookback on.
  template <class Judge, class... Avg>
  bool scan_with_warmup(int lookback, int warmup, Judge judge, Avg&... avgs) {
    static_assert(sizeof...(Avg) <= kMaxAverages);
    const int start = lookback - warmup;
    std::size_t k = 0;
    ((avgs.set_total(totals_[k++])), ...);
    if (i_ < start) {
      if (commit_) {
        (avgs.seed_bar(start, i_), ...);
        k = 0;
        ((totals_[k++] = avgs.total()), ...);
      }
      return false;
    }
    const double v = judge(i_);
    if (commit_) {
      (avgs.roll(i_), ...);
      k = 0;
      ((totals_[k++] = avgs.total()), ...);
    }
    if (i_ < lookback) return false;
    *out_ = v;
    return true;
  }

 private:
  std::array<double, kMaxAverages>& totals_;
  int i_;
  bool commit_;
  double* out_;
};

/// The streaming form of a pattern definition (see function.hpp's contract):
/// state = the last kRing bars, one running total per average, the Hikkake
/// memory and the bar count (an int, like the batch kernels' indices: 2^31
/// bars). O(1) per update; no allocation after make.
template <class Def>
class CandleStream final : public Stream {
 public:
  explicit CandleStream(double penetration) : penetration_(penetration) {}

 private:
  bool step(const StreamBar& bar, double* out, bool commit) override {
    // Bar i's slot held bar i - kRing, which nothing reads any more: peek
    // may write it too.
    const unsigned slot = static_cast<unsigned>(count_) % kRing;
    o_[slot] = bar.open;
    h_[slot] = bar.high;
    l_[slot] = bar.low;
    c_[slot] = bar.close;
    const RingBars b{{o_.data()}, {h_.data()}, {l_.data()}, {c_.data()}};
    Memory scratch = memory_;
    StreamDriver d(b, penetration_, commit ? memory_ : scratch, totals_, count_, commit, out);
    const bool valid = Def{}(d);
    if (commit) ++count_;
    return valid;
  }

  double penetration_;
  std::array<double, kRing> o_{}, h_{}, l_{}, c_{};
  std::array<double, kMaxAverages> totals_{};
  Memory memory_;
  int count_ = 0;
};

using Opts = std::span<const double>;

/// The registry's stream factory for a pattern definition.
template <class Def>
std::unique_ptr<Stream> make_stream(Def, Opts options) {
  return std::make_unique<CandleStream<Def>>(options.empty() ? 0.0 : options[0]);
}

/// Kernel files use the detail names unqualified, and S for Setting.
using S = Setting;

}  // namespace ts::ta::candles::detail
