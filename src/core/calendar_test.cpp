#include "core/calendar.hpp"

#include <gtest/gtest.h>

namespace ts {
namespace {

TradingDate d(std::string_view s) { return parse_date(s).value(); }

TEST(Calendar, WeekdaysAreTradingDays) {
  // 2024-01-01 .. 2024-01-05 is Monday .. Friday.
  for (const char* s : {"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"})
    EXPECT_TRUE(is_trading_day(d(s))) << s;
}

TEST(Calendar, WeekendsAreNot) {
  EXPECT_FALSE(is_trading_day(d("2024-01-06")));
  EXPECT_FALSE(is_trading_day(d("2024-01-07")));
  EXPECT_FALSE(is_trading_day(d("2000-01-01")));  // a Saturday
}

TEST(Calendar, FiveSessionsInEveryWeek) {
  TradingDate monday = d("2023-12-25");
  for (int week = 0; week < 60; ++week, monday += std::chrono::days{7}) {
    int sessions = 0;
    for (int i = 0; i < 7; ++i) sessions += is_trading_day(monday + std::chrono::days{i}) ? 1 : 0;
    EXPECT_EQ(sessions, 5) << format_date(monday);
  }
}

}  // namespace
}  // namespace ts
