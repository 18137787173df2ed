#pragma once
// The benchmarks' synthetic universe: S0000, S0001, ... (valid symbols, distinct synthetic series),
// and their history range.
#include <chrono>
#include <cstdio>

#include "engine/pipeline.hpp"

namespace ts::bench {

inline void add_synthetic_symbols(engine::RunRequest& req, int symbols) {
  req.universe.name = "bench";
  for (int i = 0; i < symbols; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "S%04d", i);
    req.universe.members.push_back({Symbol::parse(name).value(), {}, {}, {}});
  }
}

/// `years` of daily history ending 2025-10-31.
inline void set_history(engine::RunRequest& req, int years) {
  req.to = parse_date("2025-10-31").value();
  const std::chrono::year_month_day end{req.to};
  req.from =
      TradingDate{(end.year() - std::chrono::years{years}) / end.month() / end.day()} + std::chrono::days{1};
}

}  // namespace ts::bench
