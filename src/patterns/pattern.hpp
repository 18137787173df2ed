#pragma once
// Pattern detection family: candlestick patterns (wrapping the TA-Lib-exact
// kernels in ta/candles) and chart/signal patterns (crossovers, breakouts,
// double tops/bottoms). One registry table declares every pattern; storage,
// CLI and tests read it. Pure: no I/O; thread-safe.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/bar.hpp"

namespace ts::patterns {

enum class Direction : unsigned char { bullish, bearish, neutral };
std::string_view to_string(Direction d);  // "bullish", "bearish", "neutral"

/// Price levels where meaningful (stored as JSON). `level` is the line that was
/// crossed or broken (band, resistance, neckline...).
struct Levels {
  std::optional<double> entry, stop, target, level;
};

struct Detection {
  std::string_view pattern;  // registry name, e.g. "engulfing", "golden_cross"
  std::size_t index;         // bar index in the analysed series
  Direction direction;
  double strength;    // candlesticks: TA-Lib magnitude (80, 100, 200); chart: documented per pattern
  double confidence;  // 0..1
  Levels levels;
};

enum class PatternKind : unsigned char { candlestick, chart };

struct PatternSpec {
  std::string_view name;  // snake_case, stable storage key
  PatternKind kind;
  std::string_view ta_function;  // "CDLHAMMER" for candlesticks, "" for chart patterns
  std::string_view description;  // definition and parameters, one line
};

std::span<const PatternSpec> pattern_registry();
const PatternSpec* find_pattern(std::string_view name);

/// Runs every registered pattern over the whole series and appends detections
/// whose bar index is >= first (earlier bars only serve as warm-up history).
/// Detections are ordered by index, then by registry order.
/// Only bars [first - warmup_bars(), n) are read (indicators are computed over
/// that window), so the result for bars >= first is bit-identical whether the
/// series starts at 0 or at first - warmup_bars(). Against a run over the whole
/// history the detections agree in practice (EMA seeds older than
/// warmup_bars() weigh below double precision); levels derived from moving
/// averages may differ in the last bits. Allocates scratch columns per call.
void detect_all(SeriesView series, std::size_t first, std::vector<Detection>& out);
/// Bars of history a detector needs before `first` to be exact (max over registry).
std::size_t warmup_bars();

}  // namespace ts::patterns
