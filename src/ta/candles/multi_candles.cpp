// Four- and five-candle patterns and the Hikkake family: TA-Lib 0.6
// definitions (ta_func/ta_CDL*.c), thresholds from the settings table. Each
// pattern is defined once (k_<name>) for its batch kernel and its stream; see
// detail.hpp for the drivers and the parity rules.
#include <algorithm>

#include "ta/candles/candles.hpp"
#include "ta/candles/detail.hpp"
#include "ta/table.hpp"

// Most judges combine their conditions with & and | rather than && and ||:
// every operand is a pure comparison of valid bars, and evaluating them all
// costs less than the mispredicted branches of a short circuit on a random
// series. Judges whose thresholds (one division each) rarely need evaluating
// keep && where ta_bench measured it faster. Same outcomes either way.
#pragma GCC diagnostic ignored "-Wparentheses"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wbitwise-instead-of-logical"
#endif

namespace ts::ta::candles {

using namespace detail;  // NOLINT(google-build-using-namespace): the kernels' own toolkit

namespace {

// The Hikkake state machine shared by CDLHIKKAKE and CDLHIKKAKEMOD. `setup(b, i)`
// (also over a BarPair: see scan_stateful) returns +1.0 (bullish) / -1.0
// (bearish) when bar i completes the pattern, which
// then outputs +/-100. Within 3 bars after it, the first close beyond the
// inside bar's high (bullish) / low (bearish) confirms it: +/-200, and the
// pattern is spent. TA-Lib replays the 3 bars before the lookback to pick up a
// pattern still open there; so do we. `avgs` slide after each bar.
template <class D, class Setup, class... Avg>
auto hikkake_scan(D& d, int lookback, Setup setup, Avg&... avgs) {
  const auto& b = d.bars;
  // The memory in locals through the scan (registers, not stores the
  // compiler must keep ordered with the outputs'), written back after it.
  int pattern_idx = d.memory.pattern_idx;
  double pattern = d.memory.pattern;
  const auto result = d.scan_stateful(
      lookback, 3, [&](auto i) { return setup(b, i); },
      [&](int i, double dir) {
        if (dir != 0.0) {
          pattern = 100.0 * dir;
          pattern_idx = i;
          return pattern;
        }
        // TA-Lib reads bar pattern_idx - 1 here; the "i <= pattern_idx + 3" guard
        // keeps that index >= 0 (a pattern needs i >= 2, and after a reset to 0
        // every later i is > 3).
        if (i <= pattern_idx + 3 && ((pattern > 0 && b.c[i] > b.h[pattern_idx - 1]) ||
                                     (pattern < 0 && b.c[i] < b.l[pattern_idx - 1]))) {
          pattern_idx = 0;
          return pattern + (pattern > 0 ? 100.0 : -100.0);
        }
        return 0.0;
      },
      avgs...);
  d.memory = {pattern_idx, pattern};
  return result;
}

/// Bar i-1 is an inside bar of bar i-2 (lower high, higher low).
auto inside_bar(const auto& b, auto i) { return b.h[i - 1]<b.h[i - 2] & b.l[i - 1]> b.l[i - 2]; }

}  // namespace

// CDL3LINESTRIKE: three candles of one colour with closes stepping in that
// direction, the second and third opening within/near the prior body, then an
// opposite candle opening beyond the third close and closing beyond the first
// open; sign = the three candles' colour.
int three_line_strike_lookback() { return avg_period(S::near) + 3; }
constexpr auto k_three_line_strike = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage near3(b, S::near, 3), near2(b, S::near, 2);
  return d.scan_pairs(
      three_line_strike_lookback(),
      [&](auto i) {
        const auto &o = b.o, &c = b.c;
        const auto color = b.color(i - 1);
        const auto rising =
            color == 1 & c[i - 1] > c[i - 2] & c[i - 2] > c[i - 3] & o[i] > c[i - 1] & c[i] < o[i - 3];
        const auto falling =
            color == -1 & c[i - 1] < c[i - 2] & c[i - 2] < c[i - 3] & o[i]<c[i - 1] & c[i]> o[i - 3];
        return when(b.color(i - 3) == b.color(i - 2) & b.color(i - 2) == color & b.color(i) == -color &
                        o[i - 2] >= b.body_bottom(i - 3) - near3.at(i - 3) &
                        o[i - 2] <= b.body_top(i - 3) + near3.at(i - 3) &
                        o[i - 1] >= b.body_bottom(i - 2) - near2.at(i - 2) &
                        o[i - 1] <= b.body_top(i - 2) + near2.at(i - 2) & (rising | falling),
                    color * 100.0);
      },
      near3, near2);
};
int three_line_strike(const Ohlc& in, Out out) { return run_batch<true, true>(in, out, k_three_line_strike); }
StreamPtr three_line_strike_stream(Opts o) { return make_stream(k_three_line_strike, o); }

// CDLCONCEALBABYSWALL (+100): four black candles; two marubozu, a third opening
// with a body gap down whose upper shadow reaches into the second body, and a
// fourth engulfing the third's whole range.
int conceal_baby_swallow_lookback() { return avg_period(S::shadow_very_short) + 3; }
constexpr auto k_conceal_baby_swallow = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage vshort3(b, S::shadow_very_short, 3), vshort2(b, S::shadow_very_short, 2),
      vshort1(b, S::shadow_very_short, 1);
  return d.scan_pairs(
      conceal_baby_swallow_lookback(),
      [&](auto i) {
        const auto &h = b.h, &l = b.l;
        const auto black = b.color(i - 3) == -1 & b.color(i - 2) == -1 & b.color(i - 1) == -1 & b.color(i) == -1;
        if (!any_of(black)) return when(black, 0.0);  // rare in both lanes: measured faster
        return when(
            black &
                b.lower_shadow(i - 3) < vshort3.at(i - 3) & b.upper_shadow(i - 3) < vshort3.at(i - 3) &
                b.lower_shadow(i - 2) < vshort2.at(i - 2) & b.upper_shadow(i - 2) < vshort2.at(i - 2) &
                b.body_gap_down(i - 1, i - 2) & b.upper_shadow(i - 1) > vshort1.at(i - 1) &
                h[i - 1] > b.c[i - 2] & h[i] > h[i - 1] & l[i] < l[i - 1],
            100.0);
      },
      vshort3, vshort2, vshort1);
};
int conceal_baby_swallow(const Ohlc& in, Out out) { return run_batch(in, out, k_conceal_baby_swallow); }
StreamPtr conceal_baby_swallow_stream(Opts o) { return make_stream(k_conceal_baby_swallow, o); }

// CDLBREAKAWAY: a long candle, a body gap in its direction, two more candles
// extending the move (second and fourth of the first's colour), then an
// opposite candle closing inside the gap; sign = last candle's colour.
int breakaway_lookback() { return avg_period(S::body_long) + 4; }
constexpr auto k_breakaway = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage body_long(b, S::body_long, 4);
  const auto colours = [&](auto i) {  // 1 bar in 8
    return b.color(i - 4) == b.color(i - 3) & b.color(i - 3) == b.color(i - 1) & b.color(i - 1) == -b.color(i);
  };
  return d.scan_sparse(
      breakaway_lookback(), colours,
      [&](int i) {
        if (!colours(i)) return 0.0;
        const auto &o = b.o, &h = b.h, &l = b.l, &c = b.c;
        const bool down = b.color(i - 4) == -1 & b.body_gap_down(i - 3, i - 4) & h[i - 2] < h[i - 3] &
                          l[i - 2] < l[i - 3] & h[i - 1] < h[i - 2] & l[i - 1]<l[i - 2] & c[i]> o[i - 3] &
                          c[i] < c[i - 4];
        const bool up = b.color(i - 4) == 1 & b.body_gap_up(i - 3, i - 4) & h[i - 2] > h[i - 3] &
                        l[i - 2] > l[i - 3] & h[i - 1] > h[i - 2] & l[i - 1] > l[i - 2] &
                        c[i]<o[i - 3] & c[i]> c[i - 4];
        return when(b.real_body(i - 4) > body_long.at(i - 4) & b.color(i - 4) == b.color(i - 3) &
                        b.color(i - 3) == b.color(i - 1) & b.color(i - 1) == -b.color(i) & (down | up),
                    b.color(i) * 100.0);
      },
      body_long);
};
int breakaway(const Ohlc& in, Out out) { return run_batch<true, true>(in, out, k_breakaway); }
StreamPtr breakaway_stream(Opts o) { return make_stream(k_breakaway, o); }

// CDLLADDERBOTTOM (+100): three black candles with lower opens and closes, a
// fourth black one with an upper shadow, then a white candle opening above the
// fourth's open and closing above its high.
int ladder_bottom_lookback() { return avg_period(S::shadow_very_short) + 4; }
constexpr auto k_ladder_bottom = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage very_short(b, S::shadow_very_short, 1);
  const auto colours = [&](auto i) {  // 1 bar in 32; the judge tests them again
    return b.color(i - 4) == -1 & b.color(i - 3) == -1 & b.color(i - 2) == -1 & b.color(i - 1) == -1 &
           b.color(i) == 1;
  };
  return d.scan_sparse(
      ladder_bottom_lookback(), colours,
      [&](int i) {
        const auto &o = b.o, &c = b.c;
        return when(b.color(i - 4) == -1 & b.color(i - 3) == -1 & b.color(i - 2) == -1 & o[i - 4] > o[i - 3] &
                        o[i - 3] > o[i - 2] & c[i - 4] > c[i - 3] & c[i - 3] > c[i - 2] &
                        b.color(i - 1) == -1 & b.upper_shadow(i - 1) > very_short.at(i - 1) &
                        b.color(i) == 1 & o[i] > o[i - 1] & c[i] > b.h[i - 1],
                    100.0);
      },
      very_short);
};
int ladder_bottom(const Ohlc& in, Out out) { return run_batch(in, out, k_ladder_bottom); }
StreamPtr ladder_bottom_stream(Opts o) { return make_stream(k_ladder_bottom, o); }

// CDLMATHOLD (+100): a long white candle, a short black body gapping up, two
// more short candles falling but holding inside the first body (penetrating it
// less than `penetration`), then a white candle opening above the prior close
// and closing above the reaction's highest high.
int mat_hold_lookback(double /*penetration*/) { return max_period(S::body_short, S::body_long) + 4; }
constexpr auto k_mat_hold = [](auto& d) {
  const auto& b = d.bars;
  const auto penetration = d.penetration;
  RunningAverage body_long(b, S::body_long, 4), short3(b, S::body_short, 3), short2(b, S::body_short, 2),
      short1(b, S::body_short, 1);
  return d.scan_pairs(
      mat_hold_lookback(penetration),
      [&](auto i) {
        const auto &o = b.o, &h = b.h, &c = b.c;
        const auto floor = c[i - 4] - b.real_body(i - 4) * penetration;
        return when(b.real_body(i - 4) > body_long.at(i - 4) & b.real_body(i - 3) < short3.at(i - 3) &
                        b.real_body(i - 2) < short2.at(i - 2) & b.real_body(i - 1) < short1.at(i - 1) &
                        b.color(i - 4) == 1 & b.color(i - 3) == -1 & b.color(i) == 1 &
                        b.body_gap_up(i - 3, i - 4) & b.body_bottom(i - 2) < c[i - 4] &
                        b.body_bottom(i - 1) < c[i - 4] & b.body_bottom(i - 2) > floor &
                        b.body_bottom(i - 1) > floor & b.body_top(i - 2) < o[i - 3] &
                        b.body_top(i - 1) < b.body_top(i - 2) & o[i] > c[i - 1] &
                        c[i] > max_of(max_of(h[i - 3], h[i - 2]), h[i - 1]),
                    100.0);
      },
      body_long, short3, short2, short1);
};
int mat_hold(const Ohlc& in, double penetration, Out out) {
  return run_batch(in, out, k_mat_hold, penetration);
}
StreamPtr mat_hold_stream(Opts o) { return make_stream(k_mat_hold, o); }

// CDLRISEFALL3METHODS: a long candle, three short opposite candles stepping
// against it with bodies inside its range, then a long candle of the first's
// colour opening beyond the prior close and closing beyond the first close;
// sign = first candle's colour.
int rise_fall_three_methods_lookback() { return max_period(S::body_short, S::body_long) + 4; }
constexpr auto k_rise_fall_three_methods = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage long4(b, S::body_long, 4), short3(b, S::body_short, 3), short2(b, S::body_short, 2),
      short1(b, S::body_short, 1), long0(b, S::body_long, 0);
  // The colour run (1 bar in 16 on a random walk) filters first.
  const auto colours = [&](auto i) {
    return b.color(i - 4) == -b.color(i - 3) & b.color(i - 3) == b.color(i - 2) &
           b.color(i - 2) == b.color(i - 1) & b.color(i - 1) == -b.color(i);
  };
  return d.scan_sparse(
      rise_fall_three_methods_lookback(), colours,
      [&](int i) {
        if (!colours(i)) return 0.0;
        const auto &o = b.o, &h = b.h, &l = b.l, &c = b.c;
        const auto within_first = [&](int k) { return b.body_bottom(k)<h[i - 4] & b.body_top(k)> l[i - 4]; };
        // k = +1 rising (white first), -1 falling: TA-Lib multiplies prices by the
        // colour to test both directions at once.
        const double k = b.color(i - 4);
        return when(
            b.real_body(i - 4) > long4.at(i - 4) & b.real_body(i - 3) < short3.at(i - 3) &
                b.real_body(i - 2) < short2.at(i - 2) & b.real_body(i - 1) < short1.at(i - 1) &
                b.real_body(i) > long0.at(i) & b.color(i - 4) == -b.color(i - 3) &
                b.color(i - 3) == b.color(i - 2) & b.color(i - 2) == b.color(i - 1) &
                b.color(i - 1) == -b.color(i) & within_first(i - 3) & within_first(i - 2) &
                within_first(i - 1) &
                c[i - 2] *
                    k<c[i - 3] * k & c[i - 1] * k<c[i - 2] * k & o[i] * k> c[i - 1] * k & c[i] * k> c[i - 4] *
                    k,
            100.0 * k);
      },
      long4, short3, short2, short1, long0);
};
int rise_fall_three_methods(const Ohlc& in, Out out) { return run_batch(in, out, k_rise_fall_three_methods); }
StreamPtr rise_fall_three_methods_stream(Opts o) { return make_stream(k_rise_fall_three_methods, o); }

// CDLHIKKAKE: an inside bar, then a bar breaking out of it with both high and
// low lower (+100, bullish: a false downside break) or both higher (-100);
// +/-200 on confirmation (see hikkake_scan).
int hikkake_lookback() { return 5; }
constexpr auto k_hikkake = [](auto& d) {
  return hikkake_scan(d, hikkake_lookback(), [](const auto& b, auto i) {
    const auto inside = inside_bar(b, i);
    return when(inside & b.h[i] < b.h[i - 1] & b.l[i] < b.l[i - 1], 1.0) -
           when(inside & b.h[i] > b.h[i - 1] & b.l[i] > b.l[i - 1], 1.0);
  });
};
int hikkake(const Ohlc& in, Out out) { return run_batch(in, out, k_hikkake); }
StreamPtr hikkake_stream(Opts o) { return make_stream(k_hikkake, o); }

// CDLHIKKAKEMOD: two nested inside bars; the bullish break (+100) also needs the
// first inside bar to close within Near of its low, the bearish one (-100)
// within Near of its high; +/-200 on confirmation (see hikkake_scan).
int hikkake_mod_lookback() { return std::max(1, avg_period(S::near)) + 5; }
constexpr auto k_hikkake_mod = [](auto& d) {
  RunningAverage near(d.bars, S::near, 2);
  return hikkake_scan(
      d, hikkake_mod_lookback(),
      [&](const auto& b, auto i) {
        const auto nested = b.h[i - 2]<b.h[i - 3] & b.l[i - 2]> b.l[i - 3] & inside_bar(b, i);
        return when(nested & b.h[i] < b.h[i - 1] & b.l[i] < b.l[i - 1] &
                        b.c[i - 2] <= b.l[i - 2] + near.at(i - 2),
                    1.0) -
               when(nested & b.h[i] > b.h[i - 1] & b.l[i] > b.l[i - 1] &
                        b.c[i - 2] >= b.h[i - 2] - near.at(i - 2),
                    1.0);
      },
      near);
};
int hikkake_mod(const Ohlc& in, Out out) { return run_batch(in, out, k_hikkake_mod); }
StreamPtr hikkake_mod_stream(Opts o) { return make_stream(k_hikkake_mod, o); }

}  // namespace ts::ta::candles

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"CDL3LINESTRIKE", kPatterns, "Three-Line Strike", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_line_strike_lookback>, candle_run<candles::three_line_strike>, candles::three_line_strike_stream},
    {"CDLBREAKAWAY", kPatterns, "Breakaway", kOhlc, {}, kOutInteger,
     candle_lb<candles::breakaway_lookback>, candle_run<candles::breakaway>, candles::breakaway_stream},
    {"CDLCONCEALBABYSWALL", kPatterns, "Concealing Baby Swallow", kOhlc, {}, kOutInteger,
     candle_lb<candles::conceal_baby_swallow_lookback>, candle_run<candles::conceal_baby_swallow>, candles::conceal_baby_swallow_stream},
    {"CDLHIKKAKE", kPatterns, "Hikkake Pattern: +/-100 on the inside-bar breakout, +/-200 when confirmed within 3 bars", kOhlc, {}, kOutInteger,
     candle_lb<candles::hikkake_lookback>, candle_run<candles::hikkake>, candles::hikkake_stream},
    {"CDLHIKKAKEMOD", kPatterns, "Modified Hikkake Pattern: +/-100 on the breakout, +/-200 when confirmed within 3 bars", kOhlc, {}, kOutInteger,
     candle_lb<candles::hikkake_mod_lookback>, candle_run<candles::hikkake_mod>, candles::hikkake_mod_stream},
    {"CDLLADDERBOTTOM", kPatterns, "Ladder Bottom", kOhlc, {}, kOutInteger,
     candle_lb<candles::ladder_bottom_lookback>, candle_run<candles::ladder_bottom>, candles::ladder_bottom_stream},
    {"CDLMATHOLD", kPatterns, "Mat Hold", kOhlc, kPenetration50, kOutInteger,
     penetration_lb<candles::mat_hold_lookback>, penetration_run<candles::mat_hold>, candles::mat_hold_stream},
    {"CDLRISEFALL3METHODS", kPatterns, "Rising/Falling Three Methods", kOhlc, {}, kOutInteger,
     candle_lb<candles::rise_fall_three_methods_lookback>, candle_run<candles::rise_fall_three_methods>, candles::rise_fall_three_methods_stream},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> multi_candles_functions() { return kRows; }

}  // namespace ts::ta
