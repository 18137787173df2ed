#pragma once
// Internals of the pattern family (not a public header): the parameters, the
// rule table's row type, the analysed window with its indicator columns, and
// the detector functions. docs/patterns.md describes every rule in prose; keep
// it in step with the constants below.
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "patterns/pattern.hpp"
#include "ta/candles/candles.hpp"

namespace ts::patterns::detail {

// ---- parameters (one place; docs/patterns.md mirrors them) -------------------
namespace params {
inline constexpr double kStarPenetration = 0.3;  // TA-Lib's default for Morning/Evening Star
inline constexpr int kTrendBars = 10;            // candle trend context: close[s-1] vs close[s-1-10]
inline constexpr int kVolumeAvgBars = 20;        // "average volume" = mean of the 20 bars before
inline constexpr int kSmaFast = 50, kSmaSlow = 200;
inline constexpr int kSlopeBars = 20;  // "SMA200 rising" = sma200[i] > sma200[i-20]
inline constexpr int kMacdFast = 12, kMacdSlow = 26, kMacdSignal = 9;
inline constexpr int kRsiPeriod = 14;
inline constexpr double kRsiLow = 30, kRsiHigh = 70, kRsiDeepLow = 20, kRsiDeepHigh = 80;
inline constexpr int kBbPeriod = 20;
inline constexpr double kBbDev = 2.0;
inline constexpr int kExtremeBars = 252;     // 52 weeks of sessions
inline constexpr int kExtremeCooldown = 20;  // a new extreme fires only if none in the 20 bars before
inline constexpr int kBreakoutBars = 20;
inline constexpr double kBreakoutVolume = 1.5, kStrongVolume = 2.0;
inline constexpr int kPivotWing = 5;     // swing pivot: extreme of the 5 bars on each side
inline constexpr int kLevelWindow = 60;  // support/resistance pivots are looked for in the last 60 bars
inline constexpr double kTouchTolerance = 0.01;   // a pivot within 1% of a level "tests" it
inline constexpr double kDoubleTolerance = 0.03;  // the two peaks/troughs within 3% of each other
inline constexpr double kDoubleMinHeight = 0.03;  // neckline at least 3% beyond the nearer extreme
inline constexpr int kDoubleMinSep = 10, kDoubleMaxSep = 60;  // bars between the two extremes
inline constexpr int kDoubleMaxWait = 40;  // bars from the second extreme to the neckline break
/// Bars after which an EMA/Wilder seed weighs less than double precision:
/// MACD's slow EMA keeps (25/27)^k of its seed, 1.9e-17 at k = 500.
inline constexpr int kEmaSettleBars = 500;
}  // namespace params

/// A detector's verdict for one bar; the registry adds the name and index.
struct Hit {
  Direction direction;
  double strength;
  double confidence;
  Levels levels;
};

class Context;
struct Rule;
using DetectFn = std::optional<Hit> (*)(const Rule&, const Context&, std::size_t i);
using CandleKernel = int (*)(const ta::candles::Ohlc&, ta::candles::Out);

/// One row of the registry: the public spec plus how to detect it.
struct Rule {
  PatternSpec spec;
  DetectFn detect;
  /// Bars of history before a detection that the rule needs to be exact
  /// (EMA-based rules: until the seed no longer matters, kEmaSettleBars).
  std::size_t warmup;
  CandleKernel candle = nullptr;  // candlesticks: the TA-Lib-exact kernel
  int candle_bars = 0;            // candles in the pattern (stop level, trend context)
  bool neutral = false;           // direction neutral whatever the kernel's sign (doji)
};

/// The table, in registry order (registry.cpp).
std::span<const Rule> rules();

/// The analysed window and every column the detectors read, aligned with it
/// (NaN where an indicator has no value yet). Indices are window-local.
class Context {
 public:
  explicit Context(SeriesView s);

  SeriesView s;
  std::size_t n;
  std::vector<double> sma_fast, sma_slow;             // SMA(close, 50), SMA(close, 200)
  std::vector<double> macd, macd_signal, macd_hist;   // MACD(12, 26, 9)
  std::vector<double> rsi;                            // RSI(14)
  std::vector<double> bb_upper, bb_middle, bb_lower;  // BBANDS(20, 2, 2, SMA)
  std::vector<double> volume_avg;                     // SMA(volume, 20), window ends at the bar
  std::vector<double> high_max, low_min;              // max high / min low of the 20 bars ending at the bar
  std::vector<double> close_max, close_min;           // max / min close of the 252 bars ending at the bar
  std::vector<unsigned char> pivot_high, pivot_low;   // confirmed swing pivots (kPivotWing each side)
  std::vector<std::vector<double>> candle;            // per rule index; empty for non-candle rules

  /// volume[i] >= factor * (mean volume of the 20 bars before i); false when
  /// that mean is unknown or 0.
  bool volume_at_least(std::size_t i, double factor) const;
  /// Where the close sits in the bar's range: 0 at the low, 1 at the high (0.5 if no range).
  double close_location(std::size_t i) const;
  const std::vector<double>& candle_column(const Rule& r) const;
};

/// Rolling extreme over `window` values ending at each index (NaN before).
void rolling_max(std::span<const double> in, int window, std::vector<double>& out);
void rolling_min(std::span<const double> in, int window, std::vector<double>& out);

/// Confidence from an integer score in percent (exact decimals: 0.6, not 0.6000000000000001).
inline double percent(int score) { return score / 100.0; }

// Side-aware helpers: side +1 looks up (bullish), -1 looks down (bearish),
// 0 is neutral. Comparisons are false when either value is NaN.
inline Direction direction_of(int side) {
  return side > 0 ? Direction::bullish : (side < 0 ? Direction::bearish : Direction::neutral);
}
/// a strictly beyond b on `side`: above for +1, below for -1.
inline bool beyond(double a, double b, int side) { return side > 0 ? a > b : a < b; }
/// a at b or short of it on `side`.
inline bool not_beyond(double a, double b, int side) { return side > 0 ? a <= b : a >= b; }

/// A chart-pattern hit: strength 100, the given confidence score, entry = close.
inline Hit chart_hit(int side, int score, const Context& c, std::size_t i) {
  Hit h{direction_of(side), 100.0, percent(score), {}};
  h.levels.entry = c.s.close[i];
  return h;
}

// ---- detectors (candle_patterns.cpp, signal_patterns.cpp, chart_patterns.cpp) ----
std::optional<Hit> detect_candle(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_golden_cross(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_death_cross(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_macd_bullish_cross(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_macd_bearish_cross(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_rsi_oversold_entry(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_rsi_oversold_exit(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_rsi_overbought_entry(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_rsi_overbought_exit(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_bb_upper_breakout(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_bb_lower_breakout(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_high_52w(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_low_52w(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_day1_breakout(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_resistance_breakout(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_support_breakdown(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_double_top(const Rule&, const Context&, std::size_t i);
std::optional<Hit> detect_double_bottom(const Rule&, const Context&, std::size_t i);

}  // namespace ts::patterns::detail
