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
// and returns `d.scan(lookback, judge, averages...)`, or `d.scan_pairs(...)`
// for a judge that can also take two bars at once (see "Two bars at a time"),
// or `d.scan_sparse(lookback, prefilter, judge, ...)` for a judge that fails a
// cheap first condition on most bars (a run of colours).
// A stateful pattern (the Hikkake family) returns `d.scan_stateful(...)`.
// BatchDriver runs that scan over whole columns, in blocks of 256 bars
// (geometry, sliding totals and their divisions first, then the judge: see
// "Batch: the block driver"); StreamDriver runs exactly one bar of it against
// a 16-bar ring and the carried running totals with the scalar BarsOf
// geometry, so the stream evaluates the same judge with the same totals, bit
// for bit. The CandleBlocks tests hold the two paths to the same bits.
#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

#include "ta/candles/candles.hpp"
#include "ta/candles/settings.hpp"
#include "ta/function.hpp"
#include "ta/stream_state.hpp"

namespace ts::ta::candles::detail {

// The accessors and block steps must inline into the judge and block loops:
// GCC stopped inlining some once they were layered (DerivedGeometry), and a
// call per bar costs more than a whole pattern.
#define TS_CANDLE_INLINE [[gnu::always_inline]]

// ---- Two bars at a time -------------------------------------------------------
//
// A judge written over `auto i` (see BatchDriver::scan_pairs) is also called
// with a BarPair: every column read then loads bars i and i + 1 into one SSE2
// register (Pair2), every comparison gives a lane mask (Mask2: all ones or
// zero per lane), & and | combine masks as they combine bools, and
// when()/pick() select lane-wise. Each lane evaluates the scalar judge's
// operations in the same order (lane-wise IEEE arithmetic), so the outputs are
// the scalar ones bit for bit. What a pair judge must not use: && and ||, !,
// `if` or `?:` on a condition (any_of() for an early-out), == between
// conditions: use &, |, ~ and pick().
//
// Pair2 and Mask2 are SSE2 intrinsics behind operators rather than GCC vector
// types: GCC 12 treats `(a < b) & (c < d)` on vector types as a boolean
// vector and re-derives each lane's -1/0 through general registers (about ten
// instructions) wherever the mask is then used as bits.

// The block passes (geometry, averages) use GCC vector types directly.
typedef double V2 __attribute__((vector_size(16)));
typedef long M2 __attribute__((vector_size(16)));  // what a V2 comparison gives

// Unaligned two-double access through a vector type (not memcpy, which the
// compiler must assume aliases every member it then reloads).
typedef double V2u __attribute__((vector_size(16), aligned(8)));
TS_CANDLE_INLINE inline V2 load2(const double* p) { return *reinterpret_cast<const V2u*>(p); }
TS_CANDLE_INLINE inline void store2(double* p, V2 v) { *reinterpret_cast<V2u*>(p) = v; }
TS_CANDLE_INLINE inline V2 select2(M2 mask, V2 a, V2 b) {
  return reinterpret_cast<V2>((mask & reinterpret_cast<M2>(a)) | (~mask & reinterpret_cast<M2>(b)));
}

/// Scan bars i and i + 1, judged together. Offsets move both: `p - 2` is the
/// pair of bars two back.
struct BarPair {
  int i;
  friend constexpr BarPair operator-(BarPair p, int k) { return {p.i - k}; }
  friend constexpr BarPair operator+(BarPair p, int k) { return {p.i + k}; }
};

/// The conditions of two bars, a lane each (all ones: holds).
struct Mask2 {
  __m128d m;
  TS_CANDLE_INLINE friend Mask2 operator&(Mask2 a, Mask2 b) { return {_mm_and_pd(a.m, b.m)}; }
  TS_CANDLE_INLINE friend Mask2 operator|(Mask2 a, Mask2 b) { return {_mm_or_pd(a.m, b.m)}; }
  TS_CANDLE_INLINE friend Mask2 operator~(Mask2 a) { return {_mm_xor_pd(a.m, _mm_castsi128_pd(_mm_set1_epi32(-1)))}; }
};

/// The values of two bars, a lane each; arithmetic with a double applies it
/// to both lanes.
struct Pair2 {
  __m128d v;
  TS_CANDLE_INLINE double first() const { return _mm_cvtsd_f64(v); }
  TS_CANDLE_INLINE double second() const { return _mm_cvtsd_f64(_mm_unpackhi_pd(v, v)); }
};
TS_CANDLE_INLINE inline __m128d lanes_of(Pair2 x) { return x.v; }
TS_CANDLE_INLINE inline __m128d lanes_of(double x) { return _mm_set1_pd(x); }
template <class A, class B>
concept PairOperands = (std::is_same_v<A, Pair2> && (std::is_same_v<B, Pair2> || std::is_arithmetic_v<B>)) ||
                       (std::is_arithmetic_v<A> && std::is_same_v<B, Pair2>);
// One operator: Result{intrinsic(a's lanes, b's lanes)}, a double applied to both lanes.
#define TS_PAIR_OPERATOR(Result, op, intrinsic)                                                        \
  template <class A, class B>                                                                          \
    requires PairOperands<A, B>                                                                        \
  TS_CANDLE_INLINE inline Result operator op(A a, B b) {                                               \
    using LaneA = std::conditional_t<std::is_same_v<A, Pair2>, Pair2, double>;                         \
    using LaneB = std::conditional_t<std::is_same_v<B, Pair2>, Pair2, double>;                         \
    return {intrinsic(lanes_of(static_cast<LaneA>(a)), lanes_of(static_cast<LaneB>(b)))};              \
  }
TS_PAIR_OPERATOR(Pair2, +, _mm_add_pd)
TS_PAIR_OPERATOR(Pair2, -, _mm_sub_pd)
TS_PAIR_OPERATOR(Pair2, *, _mm_mul_pd)
TS_PAIR_OPERATOR(Pair2, /, _mm_div_pd)
TS_PAIR_OPERATOR(Mask2, <, _mm_cmplt_pd)
TS_PAIR_OPERATOR(Mask2, <=, _mm_cmple_pd)
TS_PAIR_OPERATOR(Mask2, >, _mm_cmpgt_pd)
TS_PAIR_OPERATOR(Mask2, >=, _mm_cmpge_pd)
TS_PAIR_OPERATOR(Mask2, ==, _mm_cmpeq_pd)
TS_PAIR_OPERATOR(Mask2, !=, _mm_cmpneq_pd)
#undef TS_PAIR_OPERATOR
/// -x flips the sign bit, as the scalar negation does.
TS_CANDLE_INLINE inline Pair2 operator-(Pair2 x) { return {_mm_xor_pd(x.v, _mm_set1_pd(-0.0))}; }

/// Bar i of a column, or bars (i, i + 1).
TS_CANDLE_INLINE inline double col_at(const double* p, int i) { return p[i]; }
TS_CANDLE_INLINE inline Pair2 col_at(const double* p, BarPair q) { return {_mm_loadu_pd(p + q.i)}; }

/// A raw price column that also reads pairs.
struct Column {
  const double* p;
  template <class I>
  TS_CANDLE_INLINE auto operator[](I i) const {
    return col_at(p, i);
  }
};

/// std::fabs, lane-wise for a pair (clears the sign bit, as fabs does).
TS_CANDLE_INLINE inline double abs_of(double x) { return std::fabs(x); }
TS_CANDLE_INLINE inline Pair2 abs_of(Pair2 x) { return {_mm_andnot_pd(_mm_set1_pd(-0.0), x.v)}; }

/// The geometry every bar accessor derives from its columns (o, h, l, c) and
/// its body_top / body_bottom (BarsOf computes those per call, BlockBarsOf
/// reads them from its block columns).
template <class Self>
struct DerivedGeometry {
  // `I` is a bar index (int) or a BarPair (see "Two bars at a time").
  template <class I>
  TS_CANDLE_INLINE auto upper_shadow(I i) const {
    return self().h[i] - self().body_top(i);
  }
  template <class I>
  TS_CANDLE_INLINE auto lower_shadow(I i) const {
    return self().body_bottom(i) - self().l[i];
  }
  template <class I>
  TS_CANDLE_INLINE auto high_low(I i) const {
    return self().h[i] - self().l[i];
  }
  /// Real body of bar `later` entirely above / below the real body of bar `earlier`.
  template <class I>
  TS_CANDLE_INLINE auto body_gap_up(I later, I earlier) const {
    return self().body_bottom(later) > self().body_top(earlier);
  }
  template <class I>
  TS_CANDLE_INLINE auto body_gap_down(I later, I earlier) const {
    return self().body_top(later) < self().body_bottom(earlier);
  }
  /// Whole candle `later` (shadows included) above / below candle `earlier`.
  template <class I>
  TS_CANDLE_INLINE auto candle_gap_up(I later, I earlier) const {
    return self().l[later] > self().h[earlier];
  }
  template <class I>
  TS_CANDLE_INLINE auto candle_gap_down(I later, I earlier) const {
    return self().h[later] < self().l[earlier];
  }

 private:
  TS_CANDLE_INLINE const Self& self() const { return static_cast<const Self&>(*this); }
};

/// Candle geometry over four columns indexed by bar: `Col` is a raw pointer
/// (batch) or a RingColumn (stream).
template <class Col>
struct BarsOf : DerivedGeometry<BarsOf<Col>> {
  BarsOf(Col o_, Col h_, Col l_, Col c_) : o(o_), h(h_), l(l_), c(c_) {}
  Col o, h, l, c;

  TS_CANDLE_INLINE double real_body(int i) const { return std::fabs(c[i] - o[i]); }
  TS_CANDLE_INLINE double body_top(int i) const { return c[i] >= o[i] ? c[i] : o[i]; }
  TS_CANDLE_INLINE double body_bottom(int i) const { return c[i] >= o[i] ? o[i] : c[i]; }
  /// +1 white (close >= open), -1 black.
  TS_CANDLE_INLINE int color(int i) const { return c[i] >= o[i] ? 1 : -1; }

  TS_CANDLE_INLINE double range(RangeType t, int i) const {
    switch (t) {
      case RangeType::real_body:
        return real_body(i);
      case RangeType::high_low:
        return this->high_low(i);
      case RangeType::shadows:
        return this->upper_shadow(i) + this->lower_shadow(i);
    }
    return 0.0;
  }
};

/// Unchecked column access with TA-Lib's candle geometry.
using Bars = BarsOf<const double*>;

/// `value` when `c`, else +0.0, without a branch (a random series makes a
/// pattern's outcome unpredictable; a mispredicted branch costs more than the
/// whole judge of a one-candle pattern).
inline double when(bool c, double value) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(value) & (std::uint64_t{0} - c));
}
/// when() for a pair: per lane, the value where the mask is set, else +0.0.
template <class V>
TS_CANDLE_INLINE inline Pair2 when(Mask2 c, V value) {
  return {_mm_and_pd(c.m, lanes_of(value))};
}
/// `c ? a : b` for a condition (bool) or a pair's lane mask, without a
/// branch (as when()).
TS_CANDLE_INLINE inline double pick(bool c, double a, double b) {
  const std::uint64_t m = std::uint64_t{0} - c;
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}
template <class A, class B>
TS_CANDLE_INLINE inline Pair2 pick(Mask2 c, A a, B b) {
  return {_mm_or_pd(_mm_and_pd(c.m, lanes_of(a)), _mm_andnot_pd(c.m, lanes_of(b)))};
}
/// std::max(a, b), lane-wise for a pair: `a < b ? b : a` (a when either is NaN).
TS_CANDLE_INLINE inline double max_of(double a, double b) { return std::max(a, b); }
TS_CANDLE_INLINE inline Pair2 max_of(Pair2 a, Pair2 b) { return pick(a < b, b, a); }
/// Whether the condition holds (a bool), or holds in either lane (a pair's
/// mask): for a judge's early-out on a rare condition.
TS_CANDLE_INLINE inline bool any_of(bool c) { return c; }
TS_CANDLE_INLINE inline bool any_of(Mask2 c) { return _mm_movemask_pd(c.m) != 0; }

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
  TS_CANDLE_INLINE double at(int j) const { return threshold(s_, j); }
  /// The threshold of setting `other`, which shares this average's total
  /// (shares_total): its own running total would be the same sums in the same
  /// order, so this is its value bit for bit, and the division is shared.
  TS_CANDLE_INLINE double at_as(Setting other, int j) const {
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
  TS_CANDLE_INLINE double range(int j) const { return bars_.range(s_.range, j); }
  TS_CANDLE_INLINE double threshold(const CandleSetting& s, int j) const {
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
  template <class Ar>
  void persist(Ar& ar) {
    ar(pattern_idx, pattern);
  }
};

// ---- Batch: the block driver -----------------------------------------------------
//
// The batch kernel runs the scan in blocks of kBlock bars, in three passes per
// block, each free of the others' latencies:
//   1. geometry, for the patterns that keep body columns (`Bodies`): every
//      bar's body top and bottom, the shadows range when an average reads it
//      and optionally the colour, two bars per SSE2 operation (GCC vector
//      extensions; lane-wise IEEE operations, the same as the scalar BarsOf
//      ones);
//   2. averages: every running total slides through the block in one loop (the
//      totals' add chains are the only serial dependency, and the chains of
//      different averages overlap), and each bar's total / avg_period is
//      divided two bars per divpd;
//   3. the judge, reading those columns instead of branching on a candle's
//      colour or waiting for a division.
// Every value is the one the scalar expression gives (same operations, same
// order); the stream, which runs the scalar BarsOf path, checks it bit for bit
// (CandleStream and CandleBlocks tests).

/// The most running averages one pattern keeps (CDLADVANCEBLOCK: 7).
inline constexpr std::size_t kMaxAverages = 10;

/// Scan bars per block, and the bars before a block's first scan bar whose
/// geometry a judge or a sliding total reads (a lag of 4 candles plus an
/// averaging period of 10).
inline constexpr int kBlock = 256;
inline constexpr int kHalo = 16;
inline constexpr int kSpan = kBlock + kHalo;
static_assert([] {
  int p = 0;
  for (const auto& s : kCandleSettings) p = std::max(p, s.avg_period);
  return p + 4 < kHalo;
}());

/// BarsOf's interface over raw columns. With `Bodies`, the body top and
/// bottom (and the shadows range the averages read) of the current block are
/// precomputed by fill() into columns; without it, a pair's top and bottom are
/// computed where the judge reads them, from open and close with BarsOf's
/// comparison (two bars per operation, the same values bit for bit). Computing
/// them is faster for most patterns: the fill pass costs loads, a select and
/// stores per bar, while most judges read each bar's body once or twice.
/// Which patterns keep the columns was measured per pattern (ta_bench,
/// session 13, Zen 4 host; docs/PERFORMANCE.md): of the 46 that had them, 41
/// took up to 30% less time without; CDLENGULFING, CDLABANDONEDBABY,
/// CDLBREAKAWAY and CDLADVANCEBLOCK took 7% to 3.6x more and keep them, as
/// does CDL3LINESTRIKE (equal either way). `Colours` (which needs `Bodies`)
/// also keeps each bar's colour as a column of +/-1.0 (color() then returns a
/// double: faster for some judges, slower for others, as measured).
template <bool Bodies, bool Colours = false>
class BlockBarsOf : public DerivedGeometry<BlockBarsOf<Bodies, Colours>> {
  static_assert(Bodies || !Colours);

 public:
  explicit BlockBarsOf(const Ohlc& in)
      : o{in.open.data()}, h{in.high.data()}, l{in.low.data()}, c{in.close.data()}, raw{o.p, h.p, l.p, c.p} {}

  Column o, h, l, c;
  /// The scalar geometry (the averages' seeds, before the first block).
  Bars raw;
  /// The first scan bar of the current block.
  int block_begin = 0;

  template <class I>
  TS_CANDLE_INLINE auto real_body(I i) const {
    return abs_of(c[i] - o[i]);
  }
  template <class I>
  TS_CANDLE_INLINE auto body_top(I i) const {
    if constexpr (Bodies) {
      return col_at(top_at_, i);
    } else if constexpr (std::is_same_v<I, BarPair>) {
      const auto ci = c[i], oi = o[i];
      return pick(ci >= oi, ci, oi);
    } else {
      return raw.body_top(i);
    }
  }
  template <class I>
  TS_CANDLE_INLINE auto body_bottom(I i) const {
    if constexpr (Bodies) {
      return col_at(bottom_at_, i);
    } else if constexpr (std::is_same_v<I, BarPair>) {
      const auto ci = c[i], oi = o[i];
      return pick(ci >= oi, oi, ci);
    } else {
      return raw.body_bottom(i);
    }
  }
  /// +1 white, -1 black: an int (as BarsOf), or a double from the colour
  /// column with `Colours`; a pair of doubles for a BarPair.
  template <class I>
  TS_CANDLE_INLINE auto color(I i) const {
    if constexpr (Colours) {
      return col_at(color_at_, i);
    } else if constexpr (std::is_same_v<I, BarPair>) {
      return pick(c[i] >= o[i], 1.0, -1.0);
    } else {
      return raw.color(i);
    }
  }
  /// BarsOf::range; the shadows from the block's column.
  template <class I>
  TS_CANDLE_INLINE auto range(RangeType t, I i) const {
    if (t == RangeType::real_body) return real_body(i);
    if (t == RangeType::high_low) return this->high_low(i);
    if constexpr (Bodies) {
      return col_at(shadows_at_, i);  // (h - top) + (bottom - l)
    } else if constexpr (std::is_same_v<I, BarPair>) {
      const auto white = c[i] >= o[i];
      return (h[i] - pick(white, c[i], o[i])) + (pick(white, o[i], c[i]) - l[i]);
    } else {
      return raw.upper_shadow(i) + raw.lower_shadow(i);
    }
  }
  /// A column for one running average's per-bar averages (RunningAverage).
  double* claim_column() const {
    assert(claimed_ < static_cast<int>(kMaxAverages));
    return columns_[claimed_++];
  }

  /// The geometry of bars [max(0, begin - kHalo), end), for the block of scan
  /// bars [begin, end); the shadows range when `shadows`.
  void fill(int begin, int end, bool shadows) {
    block_begin = begin;
    if constexpr (Bodies) {
      const int base = begin - kHalo;  // the bar in slot 0
      // Indexed by bar number within [base, base + kSpan).
      double *top = top_ - base, *bottom = bottom_ - base, *sh = shadows_ - base, *color = color_ - base;
      top_at_ = top;
      bottom_at_ = bottom;
      shadows_at_ = sh;
      color_at_ = color;
      const double *po = o.p, *ph = h.p, *pl = l.p, *pc = c.p;
      int j = std::max(0, base);
      for (; j + 1 < end; j += 2) {
        const V2 vo = load2(po + j), vc = load2(pc + j);
        const M2 white = vc >= vo;
        const V2 t = select2(white, vc, vo), b = select2(white, vo, vc);
        store2(top + j, t);
        store2(bottom + j, b);
        if constexpr (Colours) store2(color + j, select2(white, V2{1.0, 1.0}, V2{-1.0, -1.0}));
        if (shadows) store2(sh + j, (load2(ph + j) - t) + (b - load2(pl + j)));
      }
      for (; j < end; ++j) {
        top[j] = raw.body_top(j);
        bottom[j] = raw.body_bottom(j);
        if constexpr (Colours) color[j] = raw.color(j);
        sh[j] = raw.upper_shadow(j) + raw.lower_shadow(j);
      }
    }
  }

 private:
  double *top_at_ = nullptr, *bottom_at_ = nullptr, *shadows_at_ = nullptr, *color_at_ = nullptr;
  static constexpr int kCols = Bodies ? kSpan : 1;
  alignas(16) double top_[kCols], bottom_[kCols], shadows_[kCols], color_[Colours ? kSpan : 1];
  mutable int claimed_ = 0;
  alignas(16) mutable double columns_[kMaxAverages][kBlock];
};

/// RunningAverage over a BlockBarsOf: the block driver slides the total through
/// a whole block at once and keeps each scan bar's total / avg_period in a
/// column of the BlockBarsOf (so that this object stays small, its members in
/// registers and the setting's numbers folded into the judge).
template <bool Bodies, bool Colours>
class RunningAverage<BlockBarsOf<Bodies, Colours>> {
 public:
  RunningAverage(const BlockBarsOf<Bodies, Colours>& bars, Setting s, int lag)
      : bars_(bars), s_(candle_setting(s)), lag_(lag), column_(bars.claim_column()) {}

  void seed(int start) {
    for (int j = start - lag_ - s_.avg_period; j < start - lag_; ++j) total_ += bars_.raw.range(s_.range, j);
  }
  template <class I>
  TS_CANDLE_INLINE auto at(I j) const {
    return threshold(s_, j);
  }
  template <class I>
  TS_CANDLE_INLINE auto at_as(Setting other, I j) const {
    assert(shares_total(s_.id, other));
    return threshold(candle_setting(other), j);
  }
  bool reads_shadows() const { return s_.range == RangeType::shadows; }

  // The block driver's steps for the block of scan bars starting at `begin`;
  // it keeps the running total in a local across the block.
  void begin_block(int begin) { average_ = column_ - begin; }
  double total() const { return total_; }
  void set_total(double t) { total_ = t; }
  /// Scan bars i and i + 1 (i - begin even): their averages, one division for
  /// both, and the total slid after each, as roll() does.
  TS_CANDLE_INLINE double slide_pair(int i, double total) {
    if (s_.avg_period == 0) return total;
    // Both bars' (range(new) - range(old)) in one subtraction; the adds stay
    // in bar order.
    const Pair2 step = range(BarPair{i - lag_}) - range(BarPair{i - lag_ - s_.avg_period});
    const double t0 = total;
    total += step.first();
    const double t1 = total;
    total += step.second();
    const double p = s_.avg_period;
    store2(average_ + i, V2{t0, t1} / V2{p, p});
    return total;
  }
  TS_CANDLE_INLINE double slide_one(int i, double total) {
    if (s_.avg_period == 0) return total;
    average_[i] = total / s_.avg_period;
    return total + (range(i - lag_) - range(i - lag_ - s_.avg_period));
  }

 private:
  template <class I>
  TS_CANDLE_INLINE auto range(I j) const {
    return bars_.range(s_.range, j);
  }
  /// TA-Lib's factor * average / divisor, the divisor (1 or 2) as an exact
  /// multiplication (x / 2 == x * 0.5 and x / 1 == x in IEEE arithmetic).
  template <class I>
  TS_CANDLE_INLINE auto threshold(const CandleSetting& s, I j) const {
    const auto base = s.avg_period != 0 ? col_at(average_, j + lag_) : range(j);
    return s.factor * base * (s.range == RangeType::shadows ? 0.5 : 1.0);
  }

  const BlockBarsOf<Bodies, Colours>& bars_;
  const CandleSetting& s_;
  int lag_;
  double* column_;
  double* average_ = nullptr;  // indexed by scan bar within the current block
  double total_ = 0.0;
};

/// Runs a pattern definition over whole columns, block by block.
template <bool Bodies, bool Colours>
class BatchDriver {
 public:
  BatchDriver(const Ohlc& in, Out out, double penetration)
      : bars(in), penetration(penetration), in_(in), out_(out) {}

  BlockBarsOf<Bodies, Colours> bars;
  const double penetration;
  Memory memory;

  /// Judges bars [lookback, n) with `judge` (returns 0, +/-80, +/-100 or
  /// +/-200), one bar per call.
  template <class Judge, class... Avg>
  int scan(int lookback, Judge judge, Avg&... avgs) {
    const auto judge_block = [&](int begin, int end) {
      for (int i = begin; i < end; ++i) out_[static_cast<std::size_t>(i)] = judge(i);
    };
    return scan_blocks(lookback, 0, judge_block, avgs...);
  }
  /// scan() for a stateless judge over `auto i` that also takes a BarPair
  /// (see "Two bars at a time"): the batch judges two bars per call; the
  /// stream, and a block's odd last bar, call it with an int. Which patterns
  /// use it was measured per pattern (ta_bench): a judge GCC already
  /// vectorises, or one whose early-out on a rare condition is predictable,
  /// stays scalar.
  template <class Judge, class... Avg>
  int scan_pairs(int lookback, Judge judge, Avg&... avgs) {
    const auto judge_block = [&](int begin, int end) {
      double* out = out_.data();
      int i = begin;
      for (; i + 1 < end; i += 2) _mm_storeu_pd(out + i, lanes_of(judge(BarPair{i})));
      if (i < end) out[i] = judge(i);
    };
    return scan_blocks(lookback, 0, judge_block, avgs...);
  }
  /// scan() for a judge that returns 0 on most bars because a cheap condition
  /// it starts with fails (a run of colours). `prefilter` is that condition,
  /// over `auto i` like a pair judge; the judge must itself return 0 where it
  /// fails (the stream calls the judge alone). The batch evaluates the
  /// prefilter two bars at a time over the block, lists the bars where it
  /// holds without a branch, writes 0 for the others and judges only the
  /// listed ones: no per-bar branch left to mispredict on the common case.
  template <class Prefilter, class Judge, class... Avg>
  int scan_sparse(int lookback, Prefilter prefilter, Judge judge, Avg&... avgs) {
    const auto judge_block = [&](int begin, int end) {
      double* out = out_.data();
      int listed[kBlock];
      int count = 0;
      int i = begin;
      for (; i + 1 < end; i += 2) {
        const int holds = _mm_movemask_pd(prefilter(BarPair{i}).m);
        _mm_storeu_pd(out + i, _mm_setzero_pd());
        listed[count] = i;
        count += holds & 1;
        listed[count] = i + 1;
        count += holds >> 1;
      }
      if (i < end) {
        out[i] = 0.0;
        listed[count] = i;
        count += prefilter(i) ? 1 : 0;
      }
      for (int k = 0; k < count; ++k) out[listed[k]] = judge(listed[k]);
    };
    return scan_blocks(lookback, 0, judge_block, avgs...);
  }
  /// A stateful pattern (the Hikkake family) as a stateless per-bar
  /// `feature` over `auto i` (its setup, +/-1.0 or 0.0) and the serial `step(i,
  /// feature)` that carries the state and returns the bar's value. The batch
  /// computes a block's features two bars at a time, then steps through them
  /// in bar order; the `warmup` bars before the lookback are stepped, their
  /// values discarded, as TA-Lib replays them.
  template <class Feature, class Step, class... Avg>
  int scan_stateful(int lookback, int warmup, Feature feature, Step step, Avg&... avgs) {
    const auto judge_block = [&](int begin, int end) {
      double features[kBlock];  // bar i's at i - begin
      int i = begin;
      for (; i + 1 < end; i += 2) _mm_storeu_pd(features + (i - begin), lanes_of(feature(BarPair{i})));
      if (i < end) features[i - begin] = feature(i);
      for (i = begin; i < std::min(end, lookback); ++i) step(i, features[i - begin]);
      for (; i < end; ++i) out_[static_cast<std::size_t>(i)] = step(i, features[i - begin]);
    };
    return scan_blocks(lookback, warmup, judge_block, avgs...);
  }

 private:
  /// The block loop: per block of scan bars [begin, end), the geometry and the
  /// averages, then `judge_block(begin, end)`.
  template <class JudgeBlock, class... Avg>
  int scan_blocks(int lookback, int warmup, const JudgeBlock& judge_block, Avg&... avgs) {
    const int n = static_cast<int>(in_.close.size());
    assert(in_.open.size() >= in_.close.size() && in_.high.size() >= in_.close.size() &&
           in_.low.size() >= in_.close.size() && out_.size() >= in_.close.size());
    assert(warmup >= 0 && warmup <= lookback);
    if (n <= lookback) return n;
    const int start = lookback - warmup;
    (avgs.seed(start), ...);
    const bool shadows = (false || ... || avgs.reads_shadows());
    for (int begin = start; begin < n; begin += kBlock) {
      const int end = std::min(n, begin + kBlock);
      bars.fill(begin, end, shadows);
      (avgs.begin_block(begin), ...);
      // The totals live in locals (registers) through the block.
      [[maybe_unused]] double totals[sizeof...(Avg) + 1] = {avgs.total()...};
      int i = begin;
      for (; i + 1 < end; i += 2) {
        std::size_t k = 0;
        ((totals[k] = avgs.slide_pair(i, totals[k]), ++k), ...);
      }
      if (i < end) {
        std::size_t k = 0;
        ((totals[k] = avgs.slide_one(i, totals[k]), ++k), ...);
      }
      std::size_t k = 0;
      ((avgs.set_total(totals[k++])), ...);
      judge_block(begin, end);
    }
    return lookback;
  }

  const Ohlc& in_;
  Out out_;
};

/// A pattern's batch kernel: its definition run by a BatchDriver. `Bodies`
/// true keeps the block's body top and bottom columns, for the few patterns
/// measured faster with them (see BlockBarsOf).
template <bool Bodies = false, bool Colours = false, class Def>
int run_batch(const Ohlc& in, Out out, Def def, double penetration = 0.0) {
  BatchDriver<Bodies, Colours> d(in, out, penetration);
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
  /// A stream judges one bar: a pair judge is called with an int.
  template <class Judge, class... Avg>
  bool scan_pairs(int lookback, Judge judge, Avg&... avgs) {
    return scan_with_warmup(lookback, 0, judge, avgs...);
  }
  /// BatchDriver::scan_sparse, one bar: the judge alone (it returns 0 itself
  /// where the prefilter fails).
  template <class Prefilter, class Judge, class... Avg>
  bool scan_sparse(int lookback, Prefilter, Judge judge, Avg&... avgs) {
    return scan_with_warmup(lookback, 0, judge, avgs...);
  }
  /// BatchDriver::scan_stateful, one bar: its feature, then its step.
  template <class Feature, class Step, class... Avg>
  bool scan_stateful(int lookback, int warmup, Feature feature, Step step, Avg&... avgs) {
    return scan_with_warmup(lookback, warmup, [&](int i) { return step(i, feature(i)); }, avgs...);
  }

 private:
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
  bool save_fields(ta::detail::StateWriter& w) const override { return const_cast<CandleStream*>(this)->fields(w); }
  bool restore_fields(ta::detail::StateReader& r) override { return fields(r); }
  template <class Ar>
  bool fields(Ar& ar) {
    ar.same(penetration_);
    ar(o_, h_, l_, c_, totals_, memory_, count_);
    ar.check(count_ >= 0 && memory_.pattern_idx >= 0 && memory_.pattern_idx <= count_,
             "bar count or pattern bar out of range");
    return true;
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

#undef TS_CANDLE_INLINE

}  // namespace ts::ta::candles::detail
