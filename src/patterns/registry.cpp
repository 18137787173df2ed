// The pattern registry: one table declares every pattern (its public spec,
// detector and warm-up). pattern_registry(), find_pattern(), warmup_bars() and
// detect_all() all read it. docs/patterns.md holds the full definitions.
#include <algorithm>
#include <array>

#include "patterns/detail.hpp"

namespace ts::patterns {

namespace detail {
namespace {

using namespace params;
namespace cdl = ta::candles;
using K = PatternKind;

// Candle rules read the kernel (TA-Lib lookback <= 13, checked by a test), the
// trend context before the pattern and the 20-bar volume average before the bar.
constexpr std::size_t kCandleWarmup = std::max({13, 3 + kTrendBars, kVolumeAvgBars});
constexpr auto kSettle = static_cast<std::size_t>(kEmaSettleBars);

int morning_star_default(const cdl::Ohlc& in, cdl::Out out) {
  return cdl::morning_star(in, kStarPenetration, out);
}
int evening_star_default(const cdl::Ohlc& in, cdl::Out out) {
  return cdl::evening_star(in, kStarPenetration, out);
}

// clang-format off
constexpr Rule kRules[] = {
    // ---- candlesticks (TA-Lib 0.6 definitions; value 0/+-80/+-100) ----
    {{"doji", K::candlestick, "CDLDOJI",
      "Doji: real body <= 10% of the average high-low range of the 10 bars before; neutral"},
     detect_candle, kCandleWarmup, cdl::doji, 1, true},
    {{"hammer", K::candlestick, "CDLHAMMER",
      "Hammer: small body, lower shadow longer than the body, almost no upper shadow, body near the prior low; bullish"},
     detect_candle, kCandleWarmup, cdl::hammer, 1},
    {{"hanging_man", K::candlestick, "CDLHANGINGMAN",
      "Hanging man: the hammer's shape with its body near the prior candle's high; bearish"},
     detect_candle, kCandleWarmup, cdl::hanging_man, 1},
    {{"shooting_star", K::candlestick, "CDLSHOOTINGSTAR",
      "Shooting star: small body gapping up, upper shadow longer than the body, almost no lower shadow; bearish"},
     detect_candle, kCandleWarmup, cdl::shooting_star, 1},
    {{"engulfing", K::candlestick, "CDLENGULFING",
      "Engulfing: a body engulfs the prior opposite-coloured body (80 when one end matches); sign gives the side"},
     detect_candle, kCandleWarmup, cdl::engulfing, 2},
    {{"harami", K::candlestick, "CDLHARAMI",
      "Harami: a short body inside the prior long body (80 when one end matches); opposite to the first candle"},
     detect_candle, kCandleWarmup, cdl::harami, 2},
    {{"morning_star", K::candlestick, "CDLMORNINGSTAR",
      "Morning star: long black, short body gapping down, white closing >= 30% into the first body; bullish"},
     detect_candle, kCandleWarmup, morning_star_default, 3},
    {{"evening_star", K::candlestick, "CDLEVENINGSTAR",
      "Evening star: long white, short body gapping up, black closing >= 30% into the first body; bearish"},
     detect_candle, kCandleWarmup, evening_star_default, 3},
    {{"three_white_soldiers", K::candlestick, "CDL3WHITESOLDIERS",
      "Three white soldiers: three rising white candles, short upper shadows, each opening within the prior body; bullish"},
     detect_candle, kCandleWarmup, cdl::three_white_soldiers, 3},
    {{"three_black_crows", K::candlestick, "CDL3BLACKCROWS",
      "Three black crows: after a white candle, three falling black candles with short lower shadows; bearish"},
     detect_candle, kCandleWarmup, cdl::three_black_crows, 3},

    // ---- indicator signals ----
    {{"golden_cross", K::chart, "",
      "SMA(close,50) crosses above SMA(close,200); level = SMA200; bullish"},
     detect_golden_cross, static_cast<std::size_t>(kSmaSlow + kSlopeBars)},
    {{"death_cross", K::chart, "",
      "SMA(close,50) crosses below SMA(close,200); level = SMA200; bearish"},
     detect_death_cross, static_cast<std::size_t>(kSmaSlow + kSlopeBars)},
    {{"macd_bullish_cross", K::chart, "",
      "MACD(12,26,9) line crosses above its signal line; bullish"},
     detect_macd_bullish_cross, kSettle},
    {{"macd_bearish_cross", K::chart, "",
      "MACD(12,26,9) line crosses below its signal line; bearish"},
     detect_macd_bearish_cross, kSettle},
    {{"rsi_oversold_entry", K::chart, "",
      "RSI(14) crosses below 30 (enters oversold); neutral alert"},
     detect_rsi_oversold_entry, kSettle},
    {{"rsi_oversold_exit", K::chart, "",
      "RSI(14) crosses back above 30 (leaves oversold); stop = 14-bar low; bullish"},
     detect_rsi_oversold_exit, kSettle},
    {{"rsi_overbought_entry", K::chart, "",
      "RSI(14) crosses above 70 (enters overbought); neutral alert"},
     detect_rsi_overbought_entry, kSettle},
    {{"rsi_overbought_exit", K::chart, "",
      "RSI(14) crosses back below 70 (leaves overbought); stop = 14-bar high; bearish"},
     detect_rsi_overbought_exit, kSettle},
    {{"bb_upper_breakout", K::chart, "",
      "First close above the upper BBANDS(20,2,2) band; level = band, stop = middle band; bullish"},
     detect_bb_upper_breakout, static_cast<std::size_t>(kBbPeriod + 1)},
    {{"bb_lower_breakout", K::chart, "",
      "First close below the lower BBANDS(20,2,2) band; level = band, stop = middle band; bearish"},
     detect_bb_lower_breakout, static_cast<std::size_t>(kBbPeriod + 1)},

    // ---- breakouts and chart patterns ----
    {{"high_52w", K::chart, "",
      "Close above every close of the prior 252 bars, first such bar in 21; level = prior 252-bar high close; bullish"},
     detect_high_52w, static_cast<std::size_t>(kExtremeBars + kExtremeCooldown)},
    {{"low_52w", K::chart, "",
      "Close below every close of the prior 252 bars, first such bar in 21; level = prior 252-bar low close; bearish"},
     detect_low_52w, static_cast<std::size_t>(kExtremeBars + kExtremeCooldown)},
    {{"day1_breakout", K::chart, "",
      "First close above the prior 20-bar high on volume >= 1.5x the prior 20-bar average; bullish"},
     detect_day1_breakout, static_cast<std::size_t>(kBreakoutBars + 1)},
    {{"resistance_breakout", K::chart, "",
      "Close crosses above the highest 5/5 swing-pivot high of the last 60 bars; bullish"},
     detect_resistance_breakout, static_cast<std::size_t>(kLevelWindow + kPivotWing)},
    {{"support_breakdown", K::chart, "",
      "Close crosses below the lowest 5/5 swing-pivot low of the last 60 bars; bearish"},
     detect_support_breakdown, static_cast<std::size_t>(kLevelWindow + kPivotWing)},
    {{"double_top", K::chart, "",
      "Two highs within 3%, 10-60 bars apart, trough >= 3% below; first close under the trough (neckline); bearish"},
     detect_double_top, static_cast<std::size_t>(kDoubleMaxWait + kDoubleMaxSep + kPivotWing)},
    {{"double_bottom", K::chart, "",
      "Two lows within 3%, 10-60 bars apart, peak >= 3% above; first close over the peak (neckline); bullish"},
     detect_double_bottom, static_cast<std::size_t>(kDoubleMaxWait + kDoubleMaxSep + kPivotWing)},
};
// clang-format on

constexpr std::size_t kRuleCount = std::size(kRules);

constexpr std::array<PatternSpec, kRuleCount> kSpecs = [] {
  std::array<PatternSpec, kRuleCount> specs{};
  for (std::size_t k = 0; k < kRuleCount; ++k) specs[k] = kRules[k].spec;
  return specs;
}();

constexpr std::size_t kWarmup = [] {
  std::size_t w = 0;
  for (const Rule& r : kRules) w = std::max(w, r.warmup);
  return w;
}();

}  // namespace

std::span<const Rule> rules() { return kRules; }

}  // namespace detail

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::bullish:
      return "bullish";
    case Direction::bearish:
      return "bearish";
    case Direction::neutral:
      return "neutral";
  }
  return "neutral";
}

std::span<const PatternSpec> pattern_registry() { return detail::kSpecs; }

const PatternSpec* find_pattern(std::string_view name) {
  for (const PatternSpec& p : detail::kSpecs)
    if (p.name == name) return &p;
  return nullptr;
}

std::size_t warmup_bars() { return detail::kWarmup; }

void detect_all(SeriesView series, std::size_t first, std::vector<Detection>& out) {
  const std::size_t n = series.size();
  if (first >= n) return;
  // Analyse only [first - warmup, n): detections then depend on nothing earlier,
  // bit for bit, however long the caller's history is.
  const std::size_t base = first > detail::kWarmup ? first - detail::kWarmup : 0;
  const detail::Context ctx(series.tail_from(base));
  for (std::size_t i = first - base; i < ctx.n; ++i) {
    for (const detail::Rule& r : detail::kRules) {
      if (auto h = r.detect(r, ctx, i))
        out.push_back(Detection{r.spec.name, base + i, h->direction, h->strength, h->confidence, h->levels});
    }
  }
}

}  // namespace ts::patterns
