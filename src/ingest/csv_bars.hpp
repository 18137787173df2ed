#pragma once
// Parsing of daily-bar CSV text in three formats, detected from the header:
//   plain:  date,open,high,low,close,volume
//   Yahoo:  Date,Open,High,Low,Close,Adj Close,Volume
//   Stooq:  Date,Open,High,Low,Close,Volume  (also Stooq's <TICKER>,<PER>,<DATE>,... form)
// Every row is validated (validate.hpp); the first bad row fails the whole file
// with "source:line: reason". Pure: no I/O.
#include <string_view>

#include "core/bar.hpp"
#include "core/result.hpp"
#include "ingest/provider.hpp"

namespace ts::ingest {

Result<BarSeries, FetchFailure> parse_bars_csv(std::string_view text, std::string_view source_name);
/// Reads a file (at most 256 MiB) and parses it. I/O errors become BAD_DATA /
/// SYMBOL_NOT_FOUND failures (never exceptions).
Result<BarSeries, FetchFailure> read_bars_csv(const std::string& path);

}  // namespace ts::ingest
