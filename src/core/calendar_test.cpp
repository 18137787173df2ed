#include "core/calendar.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ts {
namespace {

using namespace std::chrono_literals;

TradingDate d(std::string_view s) { return parse_date(s).value(); }

// "YYYY-MM-DD H|E name": H = closed (holiday or one-off closure), E = 13:00 close.
std::vector<std::string> events_of(int year) {
  std::vector<std::string> out;
  for (const MarketDay& m : calendar_events(std::chrono::year{year})) {
    const char kind = m.kind == MarketDayKind::holiday       ? 'H'
                      : m.kind == MarketDayKind::early_close ? 'E'
                                                             : '?';
    out.push_back(format_date(m.date) + " " + kind + " " + std::string(m.reason));
  }
  return out;
}

// Hand-checked against the published NYSE calendars (to 2027) and, beyond, by
// working each rule through by hand: weekdays, nth-weekday rules, Easter.
// Every weekday holiday and early close of each year is listed; anything the
// calendar reports beyond this table is an error too.
const std::map<int, std::vector<std::string>>& expected_events() {
  static const std::map<int, std::vector<std::string>> table{
      {2020,
       {
           "2020-01-01 H New Year's Day",
           "2020-01-20 H Martin Luther King Jr. Day",
           "2020-02-17 H Washington's Birthday",
           "2020-04-10 H Good Friday",  // Easter 12 Apr
           "2020-05-25 H Memorial Day",
           "2020-07-03 H Independence Day",  // 4 Jul is a Saturday: Friday closes, no early close
           "2020-09-07 H Labor Day",
           "2020-11-26 H Thanksgiving Day",
           "2020-11-27 E Day after Thanksgiving",
           "2020-12-24 E Christmas Eve",  // Thursday
           "2020-12-25 H Christmas Day",
       }},
      {2021,
       {
           "2021-01-01 H New Year's Day", "2021-01-18 H Martin Luther King Jr. Day",
           "2021-02-15 H Washington's Birthday",
           "2021-04-02 H Good Friday",  // Easter 4 Apr
           "2021-05-31 H Memorial Day",
           // No Juneteenth before 2022 (19 Jun 2021 was a Saturday, 18 Jun traded).
           "2021-07-05 H Independence Day",  // 4 Jul is a Sunday: 3 Jul a Saturday, no early close
           "2021-09-06 H Labor Day", "2021-11-25 H Thanksgiving Day", "2021-11-26 E Day after Thanksgiving",
           "2021-12-24 H Christmas Day",  // 25 Dec is a Saturday; 31 Dec trades (see below)
       }},
      {2022,
       {
           // 1 Jan 2022 is a Saturday: not observed at all.
           "2022-01-17 H Martin Luther King Jr. Day", "2022-02-21 H Washington's Birthday",
           "2022-04-15 H Good Friday",  // Easter 17 Apr
           "2022-05-30 H Memorial Day",
           "2022-06-20 H Juneteenth National Independence Day",  // 19 Jun is a Sunday
           "2022-07-04 H Independence Day",                      // Monday; Friday 1 Jul full day
           "2022-09-05 H Labor Day", "2022-11-24 H Thanksgiving Day", "2022-11-25 E Day after Thanksgiving",
           "2022-12-26 H Christmas Day",  // 25 Dec is a Sunday; 24 Dec a Saturday
       }},
      {2023,
       {
           "2023-01-02 H New Year's Day",  // 1 Jan is a Sunday
           "2023-01-16 H Martin Luther King Jr. Day", "2023-02-20 H Washington's Birthday",
           "2023-04-07 H Good Friday",  // Easter 9 Apr
           "2023-05-29 H Memorial Day", "2023-06-19 H Juneteenth National Independence Day",
           "2023-07-03 E Day before Independence Day",  // Monday
           "2023-07-04 H Independence Day", "2023-09-04 H Labor Day", "2023-11-23 H Thanksgiving Day",
           "2023-11-24 E Day after Thanksgiving",
           "2023-12-25 H Christmas Day",  // 24 Dec is a Sunday
       }},
      {2024,
       {
           "2024-01-01 H New Year's Day",
           "2024-01-15 H Martin Luther King Jr. Day",
           "2024-02-19 H Washington's Birthday",
           "2024-03-29 H Good Friday",  // Easter 31 Mar
           "2024-05-27 H Memorial Day",
           "2024-06-19 H Juneteenth National Independence Day",
           "2024-07-03 E Day before Independence Day",  // Wednesday
           "2024-07-04 H Independence Day",
           "2024-09-02 H Labor Day",
           "2024-11-28 H Thanksgiving Day",
           "2024-11-29 E Day after Thanksgiving",
           "2024-12-24 E Christmas Eve",  // Tuesday
           "2024-12-25 H Christmas Day",
       }},
      {2025,
       {
           "2025-01-01 H New Year's Day",
           "2025-01-09 H National Day of Mourning for Jimmy Carter",
           "2025-01-20 H Martin Luther King Jr. Day",
           "2025-02-17 H Washington's Birthday",
           "2025-04-18 H Good Friday",  // Easter 20 Apr
           "2025-05-26 H Memorial Day",
           "2025-06-19 H Juneteenth National Independence Day",
           "2025-07-03 E Day before Independence Day",  // Thursday
           "2025-07-04 H Independence Day",
           "2025-09-01 H Labor Day",
           "2025-11-27 H Thanksgiving Day",
           "2025-11-28 E Day after Thanksgiving",
           "2025-12-24 E Christmas Eve",  // Wednesday
           "2025-12-25 H Christmas Day",
       }},
      {2026,
       {
           "2026-01-01 H New Year's Day",
           "2026-01-19 H Martin Luther King Jr. Day",
           "2026-02-16 H Washington's Birthday",
           "2026-04-03 H Good Friday",  // Easter 5 Apr
           "2026-05-25 H Memorial Day",
           "2026-06-19 H Juneteenth National Independence Day",
           "2026-07-03 H Independence Day",  // 4 Jul is a Saturday; Thursday 2 Jul full day
           "2026-09-07 H Labor Day",
           "2026-11-26 H Thanksgiving Day",
           "2026-11-27 E Day after Thanksgiving",
           "2026-12-24 E Christmas Eve",  // Thursday
           "2026-12-25 H Christmas Day",
       }},
      {2027,
       {
           "2027-01-01 H New Year's Day", "2027-01-18 H Martin Luther King Jr. Day",
           "2027-02-15 H Washington's Birthday",
           "2027-03-26 H Good Friday",  // Easter 28 Mar
           "2027-05-31 H Memorial Day",
           "2027-06-18 H Juneteenth National Independence Day",  // 19 Jun is a Saturday
           "2027-07-05 H Independence Day",                      // 4 Jul is a Sunday
           "2027-09-06 H Labor Day", "2027-11-25 H Thanksgiving Day", "2027-11-26 E Day after Thanksgiving",
           "2027-12-24 H Christmas Day",  // 25 Dec is a Saturday; 31 Dec trades (1 Jan 2028 is a Saturday)
       }},
      {2028,
       {
           // 1 Jan 2028 is a Saturday: not observed.
           "2028-01-17 H Martin Luther King Jr. Day", "2028-02-21 H Washington's Birthday",
           "2028-04-14 H Good Friday",  // Easter 16 Apr
           "2028-05-29 H Memorial Day",
           "2028-06-19 H Juneteenth National Independence Day",  // Monday
           "2028-07-03 E Day before Independence Day",           // Monday
           "2028-07-04 H Independence Day", "2028-09-04 H Labor Day", "2028-11-23 H Thanksgiving Day",
           "2028-11-24 E Day after Thanksgiving",
           "2028-12-25 H Christmas Day",  // Monday; 24 Dec is a Sunday
       }},
      {2029,
       {
           "2029-01-01 H New Year's Day",
           "2029-01-15 H Martin Luther King Jr. Day",
           "2029-02-19 H Washington's Birthday",
           "2029-03-30 H Good Friday",  // Easter 1 Apr
           "2029-05-28 H Memorial Day",
           "2029-06-19 H Juneteenth National Independence Day",
           "2029-07-03 E Day before Independence Day",  // Tuesday
           "2029-07-04 H Independence Day",
           "2029-09-03 H Labor Day",
           "2029-11-22 H Thanksgiving Day",
           "2029-11-23 E Day after Thanksgiving",
           "2029-12-24 E Christmas Eve",  // Monday
           "2029-12-25 H Christmas Day",
       }},
      {2030,
       {
           "2030-01-01 H New Year's Day",
           "2030-01-21 H Martin Luther King Jr. Day",
           "2030-02-18 H Washington's Birthday",
           "2030-04-19 H Good Friday",  // Easter 21 Apr
           "2030-05-27 H Memorial Day",
           "2030-06-19 H Juneteenth National Independence Day",
           "2030-07-03 E Day before Independence Day",  // Wednesday
           "2030-07-04 H Independence Day",
           "2030-09-02 H Labor Day",
           "2030-11-28 H Thanksgiving Day",
           "2030-11-29 E Day after Thanksgiving",
           "2030-12-24 E Christmas Eve",  // Tuesday
           "2030-12-25 H Christmas Day",
       }},
  };
  return table;
}

TEST(Calendar, HandCheckedTable2020To2030) {
  for (const auto& [year, expected] : expected_events()) EXPECT_EQ(events_of(year), expected) << year;
}

TEST(Calendar, QueriesAgreeWithTheTable) {
  for (const auto& [year, expected] : expected_events()) {
    for (const std::string& line : expected) {
      const TradingDate day = d(line.substr(0, 10));
      const bool closed = line[11] == 'H';
      const std::string name = line.substr(13);
      EXPECT_EQ(is_trading_day(day), !closed) << line;
      if (closed) {
        EXPECT_EQ(holiday_name(day), std::optional<std::string_view>(name)) << line;
        EXPECT_EQ(early_close(day), std::nullopt) << line;
        EXPECT_EQ(session_close(day), std::nullopt) << line;
      } else {
        EXPECT_EQ(holiday_name(day), std::nullopt) << line;
        EXPECT_EQ(early_close(day), std::optional<std::chrono::minutes>(13h)) << line;
        EXPECT_EQ(session_close(day), std::optional<std::chrono::minutes>(13h)) << line;
        EXPECT_EQ(market_day(day).reason, name) << line;
      }
    }
  }
}

TEST(Calendar, SessionsPerYear) {
  // Published NYSE session counts.
  const std::map<int, int> sessions{{2020, 253}, {2021, 252}, {2022, 251}, {2023, 250}, {2024, 252}};
  for (const auto& [year, n] : sessions) {
    int count = 0;
    for (TradingDate t = d(std::to_string(year) + "-01-01"); t <= d(std::to_string(year) + "-12-31");
         t += std::chrono::days{1})
      count += is_trading_day(t) ? 1 : 0;
    EXPECT_EQ(count, n) << year;
  }
}

TEST(Calendar, SpotChecksFromTheBrief) {
  EXPECT_EQ(holiday_name(d("2027-03-26")), std::optional<std::string_view>("Good Friday"));
  EXPECT_EQ(holiday_name(d("2028-12-25")), std::optional<std::string_view>("Christmas Day"));
  EXPECT_TRUE(is_trading_day(d("2021-12-31")));  // New Year 2022 falls on a Saturday
  EXPECT_TRUE(is_trading_day(d("2027-12-31")));  // likewise 2028
  EXPECT_FALSE(is_trading_day(d("2022-01-01")));
  EXPECT_TRUE(is_trading_day(d("2026-07-02")));  // full day: 3 Jul 2026 is the holiday
  EXPECT_EQ(early_close(d("2026-07-02")), std::nullopt);
  EXPECT_EQ(early_close(d("2026-11-27")), std::optional<std::chrono::minutes>(13h));
  EXPECT_EQ(session_close(d("2026-11-30")), std::optional<std::chrono::minutes>(16h));
}

TEST(Calendar, OneOffClosures) {
  for (const char* s : {"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11", "2007-01-02",
                        "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09", "1994-04-27", "1985-09-27"}) {
    EXPECT_FALSE(is_trading_day(d(s))) << s;
    ASSERT_TRUE(holiday_name(d(s))) << s;
  }
  EXPECT_EQ(holiday_name(d("2012-10-29")), std::optional<std::string_view>("Hurricane Sandy"));
  EXPECT_TRUE(is_trading_day(d("2001-09-10")));
  EXPECT_TRUE(is_trading_day(d("2001-09-17")));
  EXPECT_TRUE(is_trading_day(d("2012-10-31")));
  EXPECT_EQ(early_close(d("2003-12-26")), std::optional<std::chrono::minutes>(13h));
}

TEST(Calendar, IndependenceDayEarlyCloseHistory) {
  // Before 2013 a Wednesday 3 July traded in full and Friday 5 July closed early.
  EXPECT_EQ(early_close(d("2002-07-03")), std::nullopt);
  EXPECT_EQ(early_close(d("2002-07-05")), std::optional<std::chrono::minutes>(13h));
  EXPECT_EQ(early_close(d("2013-07-03")), std::optional<std::chrono::minutes>(13h));
  EXPECT_EQ(early_close(d("2019-07-03")), std::optional<std::chrono::minutes>(13h));
  EXPECT_EQ(early_close(d("2019-07-05")), std::nullopt);
  EXPECT_EQ(early_close(d("2018-12-24")), std::optional<std::chrono::minutes>(13h));  // Monday
  EXPECT_TRUE(is_trading_day(d("1997-01-20")));                                       // MLK: not before 1998
  EXPECT_FALSE(is_trading_day(d("1998-01-19")));
}

TEST(Calendar, WeekendsAreNeverSessions) {
  for (TradingDate t = d("1999-12-27"); t <= d("2031-01-05"); t += std::chrono::days{1}) {
    const MarketDay m = market_day(t);
    if (is_weekend(t)) {
      EXPECT_FALSE(is_trading_day(t)) << format_date(t);
      EXPECT_EQ(m.kind, MarketDayKind::weekend) << format_date(t);
      EXPECT_EQ(holiday_name(t), std::nullopt) << format_date(t);
    } else {
      EXPECT_NE(m.kind, MarketDayKind::weekend) << format_date(t);
    }
    EXPECT_EQ(is_trading_day(t), m.close.has_value()) << format_date(t);
  }
}

TEST(Calendar, NextAndPreviousTradingDay) {
  // Friday before MLK Day 2026 -> Tuesday.
  EXPECT_EQ(next_trading_day(d("2026-01-16")), d("2026-01-20"));
  EXPECT_EQ(previous_trading_day(d("2026-01-20")), d("2026-01-16"));
  // Across 11-14 Sep 2001 and the weekend.
  EXPECT_EQ(next_trading_day(d("2001-09-10")), d("2001-09-17"));
  EXPECT_EQ(previous_trading_day(d("2001-09-17")), d("2001-09-10"));
  // Christmas 2021 (observed Friday 24 Dec) and the Saturday New Year that is not observed.
  EXPECT_EQ(next_trading_day(d("2021-12-23")), d("2021-12-27"));
  EXPECT_EQ(next_trading_day(d("2021-12-31")), d("2022-01-03"));
  EXPECT_EQ(previous_trading_day(d("2022-01-03")), d("2021-12-31"));
  // From a non-trading day, and an ordinary Monday.
  EXPECT_EQ(next_trading_day(d("2026-04-03")), d("2026-04-06"));
  EXPECT_EQ(previous_trading_day(d("2026-04-06")), d("2026-04-02"));
  EXPECT_EQ(next_trading_day(d("2026-03-09")), d("2026-03-10"));
}

TEST(Calendar, EasterSunday) {
  const std::map<int, const char*> known{{1818, "1818-03-22"}, {1943, "1943-04-25"}, {2000, "2000-04-23"},
                                         {2008, "2008-03-23"}, {2011, "2011-04-24"}, {2019, "2019-04-21"},
                                         {2024, "2024-03-31"}, {2038, "2038-04-25"}, {2160, "2160-03-23"}};
  for (const auto& [year, date] : known) EXPECT_EQ(easter_sunday(std::chrono::year{year}), d(date)) << year;
  // 2285: Easter on 22 March, the earliest possible date (outside parse_date's range).
  EXPECT_EQ(easter_sunday(std::chrono::year{2285}), std::chrono::sys_days{std::chrono::year{2285} / 3 / 22});
}

TEST(Calendar, DayLookupsAgreeWithTheYearRules) {
  // Day lookups come from a table for 1800..2200 and from the rules beyond it;
  // both must agree with calendar_events() on every day.
  for (int year : {1800, 1999, 2001, 2012, 2025, 2199, 2200, 2201, 2250, 2400}) {
    std::map<TradingDate, MarketDay> special;
    for (const MarketDay& m : calendar_events(std::chrono::year{year})) special.emplace(m.date, m);
    const std::chrono::year y{year};
    for (TradingDate t = std::chrono::sys_days{y / 1 / 1}; t <= std::chrono::sys_days{y / 12 / 31};
         t += std::chrono::days{1}) {
      const MarketDay m = market_day(t);
      const auto it = special.find(t);
      if (it != special.end()) {
        EXPECT_EQ(m.kind, it->second.kind) << format_date(t);
        EXPECT_EQ(m.reason, it->second.reason) << format_date(t);
      } else {
        EXPECT_EQ(m.kind, is_weekend(t) ? MarketDayKind::weekend : MarketDayKind::session) << format_date(t);
      }
    }
  }
  const TradingDate christmas_2250 = std::chrono::sys_days{std::chrono::year{2250} / 12 / 25};  // a Wednesday
  EXPECT_EQ(holiday_name(christmas_2250), std::optional<std::string_view>("Christmas Day"));
}

}  // namespace
}  // namespace ts
