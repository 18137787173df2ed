#pragma once
// Resampling daily bars into weekly (ISO week, Monday start) and monthly
// (calendar month) bars. A resampled bar is keyed by its period start date
// (the Monday, or the 1st of the month) even when no session fell on that day,
// so the in-progress period's bar is updated in place by later runs.
// open = first open, high = max, low = min, close = last close, volume = sum.
#include "core/bar.hpp"
#include "core/timeframe.hpp"

namespace ts {

/// Returns tf == daily ? a copy : the resampled series. Pure; no I/O.
BarSeries resample(SeriesView daily, Timeframe tf);
/// Period start for a date in the given timeframe (identity for daily).
TradingDate period_start(TradingDate d, Timeframe tf);

}  // namespace ts
