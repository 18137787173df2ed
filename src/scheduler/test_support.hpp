#pragma once
// Helpers for the scheduler tests: UTC instants and dates from short literals.
#include <chrono>
#include <string_view>

#include "core/trading_date.hpp"

namespace ts::scheduler::test {

/// An instant in UTC: utc(2026, 3, 9, 20, 10) is 2026-03-09T20:10:00Z.
inline std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0) {
  const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
  return day + std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

inline TradingDate date(std::string_view s) { return parse_date(s).value(); }

}  // namespace ts::scheduler::test
