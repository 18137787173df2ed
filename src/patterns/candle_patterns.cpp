// Candlestick patterns: one detector for all ten, reading the TA-Lib-exact
// kernel column of its rule. Confidence rule (docs/patterns.md):
//   0.6 at |value| 100, 0.5 at 80 (doji: 0.5);
//   +0.2 when the prior trend is the one the reversal needs (bullish after a
//        decline: close[s-1] < close[s-1-10], bearish after an advance), s being
//        the pattern's first candle; never for the neutral doji;
//   +0.1 when the last candle's volume is at least the 20-bar average before it.
#include <algorithm>

#include "patterns/detail.hpp"

namespace ts::patterns::detail {

std::optional<Hit> detect_candle(const Rule& r, const Context& c, std::size_t i) {
  const double v = c.candle_column(r)[i];
  if (std::isnan(v) || v == 0) return std::nullopt;
  const std::size_t bars = static_cast<std::size_t>(r.candle_bars);
  if (i + 1 < bars) return std::nullopt;
  const std::size_t s = i + 1 - bars;  // first candle of the pattern

  const int side = r.neutral ? 0 : (v > 0 ? +1 : -1);
  Hit h{direction_of(side), std::fabs(v), 0.0, {}};
  int score = side == 0 ? 50 : (h.strength >= 100 ? 60 : 50);
  const std::size_t trend = static_cast<std::size_t>(params::kTrendBars);
  // A reversal needs the opposite move before it: close[s-1] beyond close[s-11] against the side.
  if (side != 0 && s >= trend + 1 && beyond(c.s.close[s - 1 - trend], c.s.close[s - 1], side)) score += 20;
  if (c.volume_at_least(i, 1.0)) score += 10;
  h.confidence = percent(score);

  h.levels.entry = c.s.close[i];
  const auto lows = c.s.low.subspan(s, bars), highs = c.s.high.subspan(s, bars);
  if (side > 0) h.levels.stop = *std::min_element(lows.begin(), lows.end());
  if (side < 0) h.levels.stop = *std::max_element(highs.begin(), highs.end());
  return h;
}

}  // namespace ts::patterns::detail
