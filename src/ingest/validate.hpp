#pragma once
// The bar validation rules shared by every provider:
//   prices (open, high, low, close) finite and > 0;
//   high >= max(open, close); low <= min(open, close);
//   volume finite and >= 0;
//   dates strictly increasing (no duplicates, never backwards).
// Messages name the field and the values, e.g. "high 9.5 < close 10.2" or
// "date 2024-01-05 not after previous 2024-01-05 (duplicate)".
#include <optional>
#include <string>

#include "core/bar.hpp"

namespace ts::ingest {

/// Reason the bar is invalid, or nullopt. `previous` is the prior bar's date.
/// Rules are checked in the order listed above; the first broken one is reported.
std::optional<std::string> bar_problem(const Bar& b, std::optional<TradingDate> previous);

/// Shortest text that round-trips the value ("9.5", "1e+20", "nan", "-inf"):
/// how numbers appear in validation and parse messages.
std::string format_value(double v);

}  // namespace ts::ingest
