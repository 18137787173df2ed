#pragma once
// The result rows of an engine database, for "exactly the rows a clean run
// produces" checks: bars, indicator values, detections and phase watermarks,
// each row as one text line of its natural key and values (never the columns
// that name the writing run or a wall-clock time: run_id, detected_at,
// updated_at), sorted by the natural key.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "backend.hpp"

namespace ts::testing {

/// Table name -> its rows, in key order.
using DbRows = std::map<std::string, std::vector<std::string>>;

/// Reads the result tables of the engine database at `url` (sqlite:PATH is
/// opened read-only: a WAL database another process has open is fine; or
/// postgresql://…). Throws when it cannot.
inline DbRows result_rows(const std::string& url) {
  static const std::vector<std::pair<std::string, std::string>> kQueries{
      {"ohlcv",
       "SELECT symbol, timeframe, date, open, high, low, close, volume FROM ohlcv ORDER BY symbol, "
       "timeframe, "
       "date"},
      {"indicator_values",
       "SELECT symbol, timeframe, indicator, as_of, value FROM indicator_values "
       "ORDER BY symbol, timeframe, indicator, as_of"},
      {"pattern_detections",
       "SELECT symbol, timeframe, pattern, bar_date, direction, strength, confidence, levels "
       "FROM pattern_detections ORDER BY symbol, timeframe, pattern, bar_date"},
      {"phase_watermarks", "SELECT symbol, phase, through_date FROM phase_watermarks ORDER BY symbol, phase"},
  };
  DbRows out;
  for (const auto& [table, sql] : kQueries) {
    // std::string order (PostgreSQL's collation may differ), for set_difference below.
    auto& rows = out[table] = query_lines(url, sql);
    std::sort(rows.begin(), rows.end());
  }
  return out;
}

/// Expects `got` to hold exactly the rows of `want`, table by table; on a
/// difference it names the counts and the first missing and extra rows.
inline void expect_same_rows(const DbRows& want, const DbRows& got, const std::string& context) {
  for (const auto& [table, rows] : want) {
    const auto it = got.find(table);
    const std::vector<std::string> empty;
    const auto& other = it == got.end() ? empty : it->second;
    if (rows == other) continue;
    std::vector<std::string> missing, extra;
    std::set_difference(rows.begin(), rows.end(), other.begin(), other.end(), std::back_inserter(missing));
    std::set_difference(other.begin(), other.end(), rows.begin(), rows.end(), std::back_inserter(extra));
    ADD_FAILURE() << context << ": table " << table << " has " << other.size() << " rows, the reference "
                  << rows.size() << "; " << missing.size()
                  << " missing (first: " << (missing.empty() ? "-" : missing.front()) << "), " << extra.size()
                  << " not in the reference (first: " << (extra.empty() ? "-" : extra.front()) << ")";
  }
}

}  // namespace ts::testing
