// Indicator signals: moving-average and MACD crossovers, RSI threshold
// crossings, Bollinger-band breakouts, 52-week extremes and the day-1 volume
// breakout. Each bullish/bearish pair is one code path with a side (+1 up,
// -1 down). Strength is 100 for every rule; confidence rules are in the
// comments and docs/patterns.md.
#include <algorithm>

#include "patterns/detail.hpp"

namespace ts::patterns::detail {

namespace {

using namespace params;

/// a crosses b at i: at or short of it at i-1, beyond it at i.
bool crosses(std::span<const double> a, std::span<const double> b, std::size_t i, int side) {
  return i >= 1 && not_beyond(a[i - 1], b[i - 1], side) && beyond(a[i], b[i], side);
}
bool crosses(std::span<const double> a, double level, std::size_t i, int side) {
  return i >= 1 && not_beyond(a[i - 1], level, side) && beyond(a[i], level, side);
}

// SMA(50) crosses SMA(200). 0.6; +0.2 when SMA(200) moves the same way over
// 20 bars; +0.1 when the close is on the same side of SMA(50).
std::optional<Hit> ma_cross(const Context& c, std::size_t i, int side) {
  if (!crosses(c.sma_fast, c.sma_slow, i, side)) return std::nullopt;
  int score = 60;
  const std::size_t slope = static_cast<std::size_t>(kSlopeBars);
  if (i >= slope && beyond(c.sma_slow[i], c.sma_slow[i - slope], side)) score += 20;
  if (beyond(c.s.close[i], c.sma_fast[i], side)) score += 10;
  Hit h = chart_hit(side, score, c, i);
  h.levels.level = c.sma_slow[i];
  return h;
}

// MACD(12,26,9) line crosses its signal line. 0.5; +0.2 when the cross happens
// on the far side of zero (bullish below, bearish above); +0.1 on volume at
// least the 20-bar average.
std::optional<Hit> macd_cross(const Context& c, std::size_t i, int side) {
  if (!crosses(c.macd, c.macd_signal, i, side)) return std::nullopt;
  int score = 50;
  if (beyond(0.0, c.macd[i], side)) score += 20;
  if (c.volume_at_least(i, 1.0)) score += 10;
  return chart_hit(side, score, c, i);
}

// RSI(14) leaves a zone: up through 30 (bullish) or down through 70 (bearish).
// 0.5; +0.2 when the RSI went deep (below 20 / above 80) in the 14 bars before;
// +0.1 on volume at least the 20-bar average. Stop: the 14-bar low / high.
std::optional<Hit> rsi_exit(const Context& c, std::size_t i, int side) {
  const double level = side > 0 ? kRsiLow : kRsiHigh;
  if (!crosses(c.rsi, level, i, side)) return std::nullopt;
  const std::size_t period = static_cast<std::size_t>(kRsiPeriod);
  const std::size_t from = i >= period ? i - period : 0;
  const double deep = side > 0 ? kRsiDeepLow : kRsiDeepHigh;
  int score = 50;
  for (std::size_t j = from; j < i; ++j) {
    if (beyond(deep, c.rsi[j], side)) {
      score += 20;
      break;
    }
  }
  if (c.volume_at_least(i, 1.0)) score += 10;
  Hit h = chart_hit(side, score, c, i);
  double stop = side > 0 ? c.s.low[i] : c.s.high[i];
  for (std::size_t j = i + 1 >= period ? i + 1 - period : 0; j <= i; ++j)
    stop = side > 0 ? std::min(stop, c.s.low[j]) : std::max(stop, c.s.high[j]);
  h.levels.stop = stop;
  return h;
}

// RSI(14) enters a zone: down through 30 or up through 70. Neutral (a state
// alert, not a trade). 0.5; +0.1 on volume at least the 20-bar average.
std::optional<Hit> rsi_entry(const Context& c, std::size_t i, int side) {
  const double level = side < 0 ? kRsiLow : kRsiHigh;
  if (!crosses(c.rsi, level, i, side)) return std::nullopt;
  return chart_hit(0, c.volume_at_least(i, 1.0) ? 60 : 50, c, i);
}

// First close beyond a Bollinger band (20, 2, 2). 0.5; +0.2 on volume >= 1.5x
// the 20-bar average; +0.1 when the close is also beyond the prior bar's
// high / low. Level: the band; stop: the middle band.
std::optional<Hit> bb_breakout(const Context& c, std::size_t i, int side) {
  const std::vector<double>& band = side > 0 ? c.bb_upper : c.bb_lower;
  if (!crosses(c.s.close, band, i, side)) return std::nullopt;
  int score = 50;
  if (c.volume_at_least(i, kBreakoutVolume)) score += 20;
  if (beyond(c.s.close[i], side > 0 ? c.s.high[i - 1] : c.s.low[i - 1], side)) score += 10;
  Hit h = chart_hit(side, score, c, i);
  h.levels.level = band[i];
  h.levels.stop = c.bb_middle[i];
  return h;
}

// close[j] beyond every close of the 252 bars before j.
bool new_extreme(const Context& c, std::size_t j, int side) {
  if (j < static_cast<std::size_t>(kExtremeBars)) return false;
  return beyond(c.s.close[j], side > 0 ? c.close_max[j - 1] : c.close_min[j - 1], side);
}

// 52-week extreme: the close beats every close of the previous 252 bars, and
// no bar of the 20 before did (first of a run). 0.6; +0.2 on volume >= 1.5x
// the 20-bar average; +0.1 when the close is in the top (bottom) quarter of the
// bar's range. Level: the previous 252-bar extreme close.
std::optional<Hit> extreme_52w(const Context& c, std::size_t i, int side) {
  const std::size_t cooldown = static_cast<std::size_t>(kExtremeCooldown);
  if (i < static_cast<std::size_t>(kExtremeBars) + cooldown || !new_extreme(c, i, side)) return std::nullopt;
  for (std::size_t j = i - cooldown; j < i; ++j)
    if (new_extreme(c, j, side)) return std::nullopt;
  int score = 60;
  if (c.volume_at_least(i, kBreakoutVolume)) score += 20;
  const double loc = c.close_location(i);
  if (side > 0 ? loc >= 0.75 : loc <= 0.25) score += 10;
  Hit h = chart_hit(side, score, c, i);
  h.levels.level = side > 0 ? c.close_max[i - 1] : c.close_min[i - 1];
  return h;
}

}  // namespace

std::optional<Hit> detect_golden_cross(const Rule&, const Context& c, std::size_t i) {
  return ma_cross(c, i, +1);
}
std::optional<Hit> detect_death_cross(const Rule&, const Context& c, std::size_t i) {
  return ma_cross(c, i, -1);
}
std::optional<Hit> detect_macd_bullish_cross(const Rule&, const Context& c, std::size_t i) {
  return macd_cross(c, i, +1);
}
std::optional<Hit> detect_macd_bearish_cross(const Rule&, const Context& c, std::size_t i) {
  return macd_cross(c, i, -1);
}
std::optional<Hit> detect_rsi_oversold_entry(const Rule&, const Context& c, std::size_t i) {
  return rsi_entry(c, i, -1);
}
std::optional<Hit> detect_rsi_oversold_exit(const Rule&, const Context& c, std::size_t i) {
  return rsi_exit(c, i, +1);
}
std::optional<Hit> detect_rsi_overbought_entry(const Rule&, const Context& c, std::size_t i) {
  return rsi_entry(c, i, +1);
}
std::optional<Hit> detect_rsi_overbought_exit(const Rule&, const Context& c, std::size_t i) {
  return rsi_exit(c, i, -1);
}
std::optional<Hit> detect_bb_upper_breakout(const Rule&, const Context& c, std::size_t i) {
  return bb_breakout(c, i, +1);
}
std::optional<Hit> detect_bb_lower_breakout(const Rule&, const Context& c, std::size_t i) {
  return bb_breakout(c, i, -1);
}
std::optional<Hit> detect_high_52w(const Rule&, const Context& c, std::size_t i) {
  return extreme_52w(c, i, +1);
}
std::optional<Hit> detect_low_52w(const Rule&, const Context& c, std::size_t i) {
  return extreme_52w(c, i, -1);
}

// Day-1 breakout: the first close above the highest high of the 20 bars before
// (the prior close was not above its own 20-bar high), on volume >= 1.5x the
// average volume of those 20 bars. 0.6; +0.2 on volume >= 2x; +0.1 when the
// close is in the top quarter of the bar's range. Level: the 20-bar high;
// stop: the bar's low; target: level + (20-bar high - 20-bar low).
std::optional<Hit> detect_day1_breakout(const Rule&, const Context& c, std::size_t i) {
  if (i < static_cast<std::size_t>(kBreakoutBars) + 1) return std::nullopt;
  const double level = c.high_max[i - 1];
  if (!(c.s.close[i] > level && c.s.close[i - 1] <= c.high_max[i - 2])) return std::nullopt;
  if (!c.volume_at_least(i, kBreakoutVolume)) return std::nullopt;
  int score = 60;
  if (c.volume_at_least(i, kStrongVolume)) score += 20;
  if (c.close_location(i) >= 0.75) score += 10;
  Hit h = chart_hit(+1, score, c, i);
  h.levels.level = level;
  h.levels.stop = c.s.low[i];
  h.levels.target = level + (level - c.low_min[i - 1]);
  return h;
}

}  // namespace ts::patterns::detail
