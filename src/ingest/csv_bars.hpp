#pragma once
// Parsing of daily-bar CSV text. The format is detected from the header line
// (case-insensitive, surrounding spaces ignored; a UTF-8 byte-order mark is skipped):
//   plain:       date,open,high,low,close,volume
//   Stooq:       Date,Open,High,Low,Close,Volume           (same columns as plain)
//   Yahoo:       Date,Open,High,Low,Close,Adj Close,Volume
//   Stooq long:  <TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>
//                (dates YYYYMMDD; <PER> must be D; <TICKER>, <TIME>, <OPENINT> are ignored)
//
// Choices:
//   - Yahoo: we keep Close (the traded price) and ignore Adj Close. Adjusted
//     closes are rewritten by the vendor after every dividend, so they would
//     disagree with open/high/low and with bars already stored by earlier runs.
//   - Yahoo writes "null" for missing rows: such a row is a bad row like any other.
//   - A file with a header but no data rows fails with "no bars": an import that
//     silently yields nothing hides a broken download.
//   - Dates must be strictly increasing, as written (no sorting).
//   - Numbers are parsed with std::from_chars (locale-free); "nan", "inf", hex
//     floats, '+' signs and thousands separators are rejected. Volume may be an
//     integer or a decimal.
//   - Blank lines are skipped. Lines longer than kMaxLineBytes, NUL or other
//     control bytes (except tab) and invalid UTF-8 fail the file ("binary data").
//
// Every row is validated (validate.hpp); the first bad row fails the whole file
// with FetchFailure{BAD_DATA, "<source>:<line>: <reason>"}, e.g.
//   "csv/AAPL.csv:17: high 9.5 < close 10.2"
//   "csv/AAPL.csv:4: unparseable number \"abc\" in column high"
//   "csv/AAPL.csv:9: wrong field count: expected 6, got 3 (truncated last line)"
// A 0-byte file reports line 1 ("empty file"); "no bars" reports the line after
// the last one. Only errors about the file as a whole ("file too large", "not a
// regular file") carry no line number.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/bar.hpp"
#include "core/result.hpp"
#include "ingest/provider.hpp"

namespace ts::ingest {

inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::size_t kMaxFileBytes = std::size_t{256} << 20;  // 256 MiB

/// Pure: no I/O. `source_name` prefixes every message.
Result<BarSeries, FetchFailure> parse_bars_csv(std::string_view text, std::string_view source_name);

/// Reads a file (at most kMaxFileBytes) and parses it; messages name `path`.
/// I/O errors become failures, never exceptions: a missing file is
/// SYMBOL_NOT_FOUND "no file <path>"; too large, not a regular file or unreadable
/// is BAD_DATA.
Result<BarSeries, FetchFailure> read_bars_csv(const std::string& path);
/// Same, but messages name `source_name` instead of the path that is opened
/// (the csv provider opens the resolved path and reports the one it was asked for).
Result<BarSeries, FetchFailure> read_bars_csv(const std::string& path, std::string_view source_name);

}  // namespace ts::ingest
