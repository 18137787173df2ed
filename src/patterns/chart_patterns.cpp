// Chart patterns built on swing pivots: support/resistance breakouts and
// double tops/bottoms. A swing pivot high at j has a high strictly above the
// kPivotWing (5) highs before it and at or above the 5 after it (lows mirror);
// it is usable from bar j + 5 on, so no rule looks ahead. Each bullish/bearish
// pair is one code path with a side (+1 bullish, -1 bearish). Strength is 100.
#include <algorithm>

#include "patterns/detail.hpp"

namespace ts::patterns::detail {

namespace {

using namespace params;

constexpr std::size_t kWing = static_cast<std::size_t>(kPivotWing);

// Resistance (side +1): the highest swing-pivot high among pivots j in
// [i-60, i-5]; support (side -1): the lowest swing-pivot low. Fires on the
// close that crosses it (close[i-1] at or short of the level, close[i]
// beyond). 0.6; +0.2 on volume >= 1.5x the 20-bar average; +0.1 when at least
// two pivots of the window lie within 1% of the level (a tested level).
// Levels: level; stop = the bar's low (high); target = level +/- the window's
// height (level - lowest low of the 60 bars before, or highest high - level).
std::optional<Hit> level_break(const Context& c, std::size_t i, int side) {
  const std::size_t window = static_cast<std::size_t>(kLevelWindow);
  if (i < window) return std::nullopt;
  const auto& pivot = side > 0 ? c.pivot_high : c.pivot_low;
  const auto& x = side > 0 ? c.s.high : c.s.low;
  double level = 0;
  bool found = false;
  for (std::size_t j = i - window; j + kWing <= i; ++j) {
    if (pivot[j] && (!found || beyond(x[j], level, side))) {
      level = x[j];
      found = true;
    }
  }
  if (!found || !not_beyond(c.s.close[i - 1], level, side) || !beyond(c.s.close[i], level, side))
    return std::nullopt;

  int touches = 0;
  for (std::size_t j = i - window; j + kWing <= i; ++j)
    if (pivot[j] && std::fabs(x[j] - level) <= kTouchTolerance * level) ++touches;
  int score = 60;
  if (c.volume_at_least(i, kBreakoutVolume)) score += 20;
  if (touches >= 2) score += 10;

  // The far side of the window: lowest low (resistance) / highest high (support).
  const auto& far = side > 0 ? c.s.low : c.s.high;
  double opposite = far[i - window];
  for (std::size_t j = i - window; j < i; ++j)
    opposite = side > 0 ? std::min(opposite, far[j]) : std::max(opposite, far[j]);

  Hit h = chart_hit(side, score, c, i);
  h.levels.level = level;
  h.levels.stop = side > 0 ? c.s.low[i] : c.s.high[i];
  h.levels.target = level + (level - opposite);
  return h;
}

// Double bottom (side +1) / double top (side -1). With "deep" meaning low for
// a bottom and high for a top, and x the lows (bottom) or highs (top):
//  1. second extreme j2 in [i-40, i-1]: x[j2] strictly deeper than the 5 bars
//     before it and at least as deep as every bar in (j2, i];
//  2. first extreme j1 in [j2-60, j2-10], a swing pivot; the latest that fits:
//  3. |x[j1] - x[j2]| <= 3% of the smaller;
//  4. no bar in (j1, j2) deeper than the deeper of the two;
//  5. neckline = highest high (bottom) / lowest low (top) in (j1, j2), at
//     least 3% beyond the shallower extreme;
//  6. close[i] beyond the neckline, every close in [j2, i) not beyond it.
// The latest j2 that completes 1-6 wins. 0.6; +0.2 on volume >= 1.5x the
// 20-bar average; +0.1 when the extremes are within 1%. Levels: level =
// neckline; stop = the deeper extreme; target = neckline + (neckline - stop).
std::optional<Hit> double_extreme(const Context& c, std::size_t i, int side) {
  // Cheap pre-filter: a first close through the neckline also beats the prior close.
  if (i < 1 || !beyond(c.s.close[i], c.s.close[i - 1], side)) return std::nullopt;
  // x holds the extremes (troughs or peaks), counter the neckline's side.
  const auto& x = side > 0 ? c.s.low : c.s.high;
  const auto& counter = side > 0 ? c.s.high : c.s.low;
  const auto& pivot = side > 0 ? c.pivot_low : c.pivot_high;
  const int deep = -side;  // "deeper" = beyond on the opposite side
  const std::size_t wait = static_cast<std::size_t>(kDoubleMaxWait);
  const std::size_t min_sep = static_cast<std::size_t>(kDoubleMinSep),
                    max_sep = static_cast<std::size_t>(kDoubleMaxSep);

  double deepest_after = x[i];  // deepest x in (j2, i]
  for (std::size_t j2 = i - 1; j2 + wait >= i && j2 >= kWing + min_sep; --j2) {
    const bool j2_ok = !beyond(deepest_after, x[j2], deep);
    if (beyond(x[j2], deepest_after, deep)) deepest_after = x[j2];
    if (!j2_ok) continue;
    bool wing = true;
    for (std::size_t m = 1; m <= kWing && wing; ++m) wing = beyond(x[j2], x[j2 - m], deep);
    if (!wing) continue;

    // Walk j1 back from j2 - min_sep, keeping the deepest x and the neckline of (j1, j2).
    double deepest_between = x[j2 - 1], neckline = counter[j2 - 1];
    for (std::size_t j = j2 - min_sep + 1; j < j2 - 1; ++j) {
      if (beyond(x[j], deepest_between, deep)) deepest_between = x[j];
      if (beyond(counter[j], neckline, side)) neckline = counter[j];
    }
    for (std::size_t j1 = j2 - min_sep; j1 + max_sep >= j2; --j1) {
      const double e1 = x[j1], e2 = x[j2];
      const double deeper = beyond(e1, e2, deep) ? e1 : e2, shallower = deeper == e1 ? e2 : e1;
      const bool fits = pivot[j1] && std::fabs(e1 - e2) <= kDoubleTolerance * std::min(e1, e2) &&
                        !beyond(deepest_between, deeper, deep) &&
                        (side > 0 ? neckline >= shallower * (1 + kDoubleMinHeight)
                                  : neckline <= shallower * (1 - kDoubleMinHeight));
      if (fits) {
        if (!beyond(c.s.close[i], neckline, side)) break;  // this j2's pattern is not broken here
        bool first_break = true;
        for (std::size_t j = j2; j < i && first_break; ++j)
          first_break = not_beyond(c.s.close[j], neckline, side);
        if (!first_break) break;
        int score = 60;
        if (c.volume_at_least(i, kBreakoutVolume)) score += 20;
        if (std::fabs(e1 - e2) <= kTouchTolerance * std::min(e1, e2)) score += 10;
        Hit h = chart_hit(side, score, c, i);
        h.levels.level = neckline;
        h.levels.stop = deeper;
        h.levels.target = neckline + (neckline - deeper);
        return h;
      }
      if (j1 == 0) break;
      // Extend (j1, j2) to (j1 - 1, j2) by taking bar j1 in.
      if (beyond(x[j1], deepest_between, deep)) deepest_between = x[j1];
      if (beyond(counter[j1], neckline, side)) neckline = counter[j1];
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Hit> detect_resistance_breakout(const Rule&, const Context& c, std::size_t i) {
  return level_break(c, i, +1);
}
std::optional<Hit> detect_support_breakdown(const Rule&, const Context& c, std::size_t i) {
  return level_break(c, i, -1);
}
std::optional<Hit> detect_double_bottom(const Rule&, const Context& c, std::size_t i) {
  return double_extreme(c, i, +1);
}
std::optional<Hit> detect_double_top(const Rule&, const Context& c, std::size_t i) {
  return double_extreme(c, i, -1);
}

}  // namespace ts::patterns::detail
