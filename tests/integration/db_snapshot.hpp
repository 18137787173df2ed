#pragma once
// The result rows of an engine database, for "exactly the rows a clean run
// produces" checks: bars, indicator values, detections and phase watermarks,
// each row as one text line of its natural key and values (never the columns
// that name the writing run or a wall-clock time: run_id, detected_at,
// updated_at), sorted by the natural key.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace ts::testing {

/// Table name -> its rows, in key order.
using DbRows = std::map<std::string, std::vector<std::string>>;

/// Table name -> the query listing its result rows (portable SQL: SQLite and PostgreSQL).
inline const std::vector<std::pair<std::string, std::string>>& result_queries() {
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
  return kQueries;
}

/// Reads the result tables of the SQLite file at `path` (read-only; a WAL
/// database another process has open is fine). Throws when it cannot.
inline DbRows result_rows(const std::string& path) {
  const auto& kQueries = result_queries();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  DbRows out;
  for (const auto& [table, sql] : kQueries) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      const std::string msg = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error(path + ": " + table + ": " + msg);
    }
    auto& rows = out[table];
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string line;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (c) line += '|';
        const auto* text = sqlite3_column_text(st, c);
        line += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      rows.push_back(std::move(line));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
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
