// TickStock extras added with issue 5's second slice: Ichimoku Kinko Hyo,
// ZigZag and anchored VWAP, batch and streaming forms side by side (the
// streams replay the batch operations; see kernels.hpp for the definitions).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/stream_state.hpp"
#include "ta/streams.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

using std::size_t;

/// Calls emit(i, (highest high + lowest low) / 2) for the windows of `period`
/// bars ending at bars from .. to-1 (from >= period - 1).
template <class Emit>
void window_midpoints(In high, In low, int period, size_t from, size_t to, Emit&& emit) {
  detail::each_window_extreme(high.data(), low.data(), static_cast<size_t>(period), from, to,
                              [&](size_t i, double hi, double lo) { emit(i, (hi + lo) / 2.0); });
}

}  // namespace

int ichimoku_lookback(int tenkan, int kijun, int senkou, int displacement) {
  return std::max({tenkan, kijun, senkou}) - 1 + displacement;
}

int ichimoku(In high, In low, In close, int tenkan, int kijun, int senkou, int displacement,
             const IchimokuOut& out) {
  const size_t n = close.size();
  const int lb = ichimoku_lookback(tenkan, kijun, senkou, displacement);
  if (n <= static_cast<size_t>(lb)) return static_cast<int>(n);
  const size_t first = static_cast<size_t>(lb);
  const size_t d = static_cast<size_t>(displacement);
  window_midpoints(high, low, tenkan, first, n, [&](size_t i, double v) { out.tenkan[i] = v; });
  window_midpoints(high, low, kijun, first, n, [&](size_t i, double v) { out.kijun[i] = v; });
  // The cloud at bar i was computed at bar i - displacement.
  window_midpoints(high, low, tenkan, first - d, n - d, [&](size_t i, double v) { out.senkou_a[i + d] = v; });
  window_midpoints(high, low, kijun, first - d, n - d,
                   [&](size_t i, double v) { out.senkou_a[i + d] = (out.senkou_a[i + d] + v) / 2.0; });
  window_midpoints(high, low, senkou, first - d, n - d, [&](size_t i, double v) { out.senkou_b[i + d] = v; });
  for (size_t i = first; i < n; ++i) out.chikou[i] = close[i];
  return lb;
}

namespace detail {

/// The ZigZag state machine shared by the batch kernel and the stream.
struct ZigZag {
  double up, down;     // reversal factors 1 + dev/100 and 1 - dev/100
  int trend = 0;       // +1 up leg, -1 down leg, 0 before the first pivot
  double pivot = 0.0;  // the last confirmed pivot (bar 0's close before one)
  double pivot_index = 0.0;
  double cand = 0.0;  // the current leg's extreme (trend != 0)
  double cand_index = 0.0;
  double hi = 0.0, lo = 0.0;  // trend 0: highest high and lowest low so far
  double hi_index = 0.0, lo_index = 0.0;
  std::uint64_t i = 0;

  explicit ZigZag(double deviation) : up(1.0 + deviation / 100.0), down(1.0 - deviation / 100.0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(up, down);
    ar(trend, pivot, pivot_index, cand, cand_index, hi, lo, hi_index, lo_index, i);
  }

  void confirm(double value, double index, int new_trend, double extreme, double at) {
    pivot = value;
    pivot_index = index;
    trend = new_trend;
    cand = extreme;
    cand_index = at;
  }

  void step(double high, double low, double close) {
    const double at = static_cast<double>(i++);
    if (at == 0.0) {
      pivot = close;
      hi = high;
      lo = low;
      return;
    }
    if (trend == 0) {
      if (high > hi) {
        hi = high;
        hi_index = at;
      }
      if (low < lo) {
        lo = low;
        lo_index = at;
      }
      const bool falls = low <= hi * down && hi_index < at;  // a high before this bar, then a fall
      const bool rises = high >= lo * up && lo_index < at;
      // Both on one bar: the older extreme is the pivot.
      if (falls && (!rises || hi_index <= lo_index))
        confirm(hi, hi_index, -1, low, at);
      else if (rises)
        confirm(lo, lo_index, +1, high, at);
      return;
    }
    if (trend > 0) {
      if (high > cand) {
        cand = high;
        cand_index = at;
      } else if (low <= cand * down) {
        confirm(cand, cand_index, -1, low, at);
      }
      return;
    }
    if (low < cand) {
      cand = low;
      cand_index = at;
    } else if (high >= cand * up) {
      confirm(cand, cand_index, +1, high, at);
    }
  }
};

}  // namespace detail

int zigzag(In high, In low, In close, double deviation, Out pivot, Out direction, Out pivot_index) {
  const size_t n = close.size();
  detail::ZigZag z(deviation);
  for (size_t i = 0; i < n; ++i) {
    z.step(high[i], low[i], close[i]);
    pivot[i] = z.pivot;
    direction[i] = z.trend;
    pivot_index[i] = z.pivot_index;
  }
  return 0;
}

int avwap_lookback(int anchor) { return anchor; }

int avwap(In high, In low, In close, In volume, int anchor, Out out) {
  const size_t n = close.size();
  const size_t a = static_cast<size_t>(anchor);
  if (n <= a) return static_cast<int>(n);
  vwap(high.subspan(a), low.subspan(a), close.subspan(a), volume.subspan(a), out.subspan(a));
  return anchor;
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// zigzag(): the same state machine, one bar at a time (peek steps a copy).
class ZigZagStream final : public Stream {
 public:
  explicit ZigZagStream(double deviation) : z_(deviation) {}

 protected:
  bool step(const StreamBar& bar, double* out, bool commit) override {
    detail::ZigZag z = z_;
    z.step(bar.high, bar.low, bar.close);
    out[0] = z.pivot;
    out[1] = z.trend;
    out[2] = z.pivot_index;
    if (commit) z_ = z;
    return true;
  }
  bool save_fields(detail::StateWriter& w) const override {
    w(const_cast<detail::ZigZag&>(z_));
    return true;
  }
  bool restore_fields(detail::StateReader& r) override {
    r(z_);
    return true;
  }

 private:
  detail::ZigZag z_;
};

/// avwap(): VWAP's stream (vwap()'s running sums) fed from the anchor bar on.
class AvwapStream final : public Stream {
 public:
  explicit AvwapStream(int anchor) : anchor_(static_cast<std::uint64_t>(anchor)), vwap_(vwap(Opts{})) {}

 protected:
  bool step(const StreamBar& b, double* out, bool commit) override {
    const bool valid = i_ >= anchor_;
    if (commit) ++i_;
    if (!valid) return false;
    const std::span<double> one(out, 1);
    return commit ? vwap_->update(b, one) : vwap_->peek(b, one);
  }
  bool save_fields(detail::StateWriter& w) const override { return const_cast<AvwapStream*>(this)->fields(w); }
  bool restore_fields(detail::StateReader& r) override { return fields(r); }
  template <class Ar>
  bool fields(Ar& ar) {
    ar.same(anchor_);
    ar(i_, vwap_);
    return true;
  }

 private:
  std::uint64_t anchor_;
  std::uint64_t i_ = 0;
  std::unique_ptr<Stream> vwap_;
};

std::unique_ptr<Stream> zigzag(Opts o) { return std::make_unique<ZigZagStream>(o[0]); }
std::unique_ptr<Stream> avwap(Opts o) { return std::make_unique<AvwapStream>(as_int(o[0])); }


/// ichimoku(): three window midpoints per bar (monotonic deques: the values of
/// the batch's van Herk windows on NaN-free input); the cloud lines wait
/// `displacement` bars in two delay rings. O(1) amortised per bar.
struct IchimokuCore {
  std::uint64_t lb;
  std::uint64_t i = 0;
  size_t d;
  HighLow t, k, s;
  Lag a_lag, b_lag;
  IchimokuCore(int tenkan, int kijun, int senkou, int displacement)
      : lb(static_cast<std::uint64_t>(ichimoku_lookback(tenkan, kijun, senkou, displacement))),
        d(static_cast<size_t>(displacement)),
        t(tenkan),
        k(kijun),
        s(senkou),
        a_lag(d),
        b_lag(d) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, d);
    ar(i, t, k, s, a_lag, b_lag);
  }
  bool step(const StreamBar& bar, double* out, bool commit) {
    double hi, lo;
    t.step(bar.high, bar.low, hi, lo, commit);
    const double tm = (hi + lo) / 2.0;
    k.step(bar.high, bar.low, hi, lo, commit);
    const double km = (hi + lo) / 2.0;
    s.step(bar.high, bar.low, hi, lo, commit);
    const double sm = (hi + lo) / 2.0;
    const double a = (tm + km) / 2.0;
    const bool valid = i >= lb;
    if (valid) {
      out[0] = tm;
      out[1] = km;
      out[2] = d == 0 ? a : a_lag.oldest();
      out[3] = d == 0 ? sm : b_lag.oldest();
      out[4] = bar.close;
    }
    if (commit) {
      a_lag.push(a);
      b_lag.push(sm);
      ++i;
    }
    return valid;
  }
};

std::unique_ptr<Stream> ichimoku(Opts o) {
  return make<IchimokuCore>(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]));
}

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutIchimoku[] = {{"tenkan", OutputKind::real},
                                       {"kijun", OutputKind::real},
                                       {"senkou_a", OutputKind::real},
                                       {"senkou_b", OutputKind::real},
                                       {"chikou", OutputKind::real}};

constexpr OutputSpec kOutZigZag[] = {
    {"pivot", OutputKind::real}, {"direction", OutputKind::integer}, {"pivot_index", OutputKind::integer}};

constexpr OptionSpec kIchimokuOptions[] = {
    {"tenkan", OptionType::integer, 9, 1, kMaxPeriod, "Periods of the conversion line (tenkan-sen)"},
    {"kijun", OptionType::integer, 26, 1, kMaxPeriod, "Periods of the base line (kijun-sen)"},
    {"senkou", OptionType::integer, 52, 1, kMaxPeriod, "Periods of leading span B (senkou span B)"},
    {"displacement", OptionType::integer, 26, 0, kMaxPeriod,
     "Bars the leading spans are shifted ahead (and the lagging span behind)"}};

constexpr OptionSpec kZigZagOptions[] = {
    {"deviation", OptionType::real, 5, 0.01, 100,
     "Reversal from the leg's extreme that confirms a pivot, in percent"}};

constexpr OptionSpec kAvwapOptions[] = {{"anchor", OptionType::integer, 0, 0, 1e9,
                                         "Bar index of the input where the VWAP starts (0 = first bar)"}};

int ichimoku_lb(Opts o) { return ichimoku_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3])); }

int ichimoku_run(const Inputs& in, Opts o, Outs out) {
  return ichimoku(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]),
                  IchimokuOut{out[0], out[1], out[2], out[3], out[4]});
}

int zigzag_run(const Inputs& in, Opts o, Outs out) {
  return zigzag(in.high, in.low, in.close, o[0], out[0], out[1], out[2]);
}

int avwap_lb(Opts o) { return avwap_lookback(as_int(o[0])); }

int avwap_run(const Inputs& in, Opts o, Outs out) {
  return avwap(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"AVWAP", kExtras,
     "Anchored VWAP: sum(tp*volume) / sum(volume) over bars anchor..i, tp = (H+L+C)/3 (tp itself while the "
     "cumulative volume is 0); anchor is a bar index of the input. Lookback anchor.",
     kHlcv, kAvwapOptions, kOutReal, avwap_lb, avwap_run, streams::avwap},
    {"ICHIMOKU", kExtras,
     "Ichimoku Kinko Hyo (Hosoda): mid(p, j) = (highest high + lowest low)/2 of the p bars ending at j, "
     "d = displacement; tenkan = mid(tenkan, i), kijun = mid(kijun, i), senkou_a = (mid(tenkan, i-d) + "
     "mid(kijun, i-d))/2 and senkou_b = mid(senkou, i-d) (the cloud drawn at bar i, computed d bars earlier), "
     "chikou = close[i] (drawn d bars back; never a later close). Lookback max(tenkan, kijun, senkou)-1+d.",
     kHlc, kIchimokuOptions, kOutIchimoku, ichimoku_lb, ichimoku_run, streams::ichimoku},
    {"ZIGZAG", kExtras,
     "ZigZag of confirmed pivots (no repainting): a leg's extreme becomes a pivot once price reverses from it "
     "by deviation percent (high >= low*(1+dev/100), low <= high*(1-dev/100); no reversal on a bar that extends "
     "the leg). pivot = last confirmed pivot price (bar 0's close before one), direction = +1 after a low pivot "
     "(up leg), -1 after a high, 0 before the first; pivot_index = its bar index. Lookback 0.",
     kHlc, kZigZagOptions, kOutZigZag, zero_lb, zigzag_run, streams::zigzag},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> trend_extras_functions() { return kRows; }

}  // namespace ts::ta
