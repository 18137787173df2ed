#pragma once
// The bar validation rules shared by every provider:
//   prices finite and > 0; high >= max(open, close); low <= min(open, close);
//   volume finite and >= 0; dates strictly increasing (no duplicates).
#include <optional>
#include <string>

#include "core/bar.hpp"

namespace ts::ingest {

/// Reason the bar is invalid, or nullopt. `previous` is the prior bar's date.
std::optional<std::string> bar_problem(const Bar& b, std::optional<TradingDate> previous);

}  // namespace ts::ingest
