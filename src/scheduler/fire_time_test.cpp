#include "scheduler/fire_time.hpp"

#include <gtest/gtest.h>

#include "core/calendar.hpp"
#include "scheduler/test_support.hpp"

namespace ts::scheduler {
namespace {

using namespace std::chrono_literals;
using test::date;
using test::utc;

FireTime fire_after(const Schedule& s, std::chrono::sys_seconds after) {
  auto f = next_fire(s, after);
  EXPECT_TRUE(f.has_value());
  return f ? *f : FireTime{};
}

Schedule in_zone(const char* tz, std::chrono::minutes trigger) {
  Schedule s;
  s.timezone = tz;
  s.trigger_time = trigger;
  return s;
}

TEST(NextFire, SpringForward2026) {
  const Schedule s;
  // Friday 6 March: EST, 16:10 = 21:10 UTC.
  const FireTime fri = fire_after(s, utc(2026, 3, 6, 12, 0));
  EXPECT_EQ(fri.utc, utc(2026, 3, 6, 21, 10));
  EXPECT_EQ(fri.zone_abbrev, "EST");
  EXPECT_EQ(fri.utc_offset, -5h);
  EXPECT_EQ(fri.trading_date, date("2026-03-06"));
  EXPECT_FALSE(fri.dst_change);
  EXPECT_EQ(format_local(fri), "2026-03-06T16:10:00-05:00");
  // Clocks go forward on Sunday 8 March; Monday 9 March: EDT, 16:10 = 20:10 UTC.
  const FireTime mon = fire_after(s, fri.utc);
  EXPECT_EQ(mon.utc, utc(2026, 3, 9, 20, 10));
  EXPECT_EQ(mon.zone_abbrev, "EDT");
  EXPECT_EQ(mon.utc_offset, -4h);
  EXPECT_EQ(mon.trading_date, date("2026-03-09"));
  EXPECT_TRUE(mon.dst_change);
  EXPECT_TRUE(mon.skipped.empty());  // a weekend is not a skipped holiday
  EXPECT_EQ(format_local(mon), "2026-03-09T16:10:00-04:00");
  EXPECT_FALSE(fire_after(s, mon.utc).dst_change);
}

TEST(NextFire, FallBack2026) {
  const Schedule s;
  const FireTime fri = fire_after(s, utc(2026, 10, 30, 0, 0));
  EXPECT_EQ(fri.utc, utc(2026, 10, 30, 20, 10));  // EDT
  const FireTime mon = fire_after(s, fri.utc);    // clocks go back on Sunday 1 November
  EXPECT_EQ(mon.utc, utc(2026, 11, 2, 21, 10));   // EST
  EXPECT_EQ(mon.zone_abbrev, "EST");
  EXPECT_TRUE(mon.dst_change);
  EXPECT_EQ(format_local(mon), "2026-11-02T16:10:00-05:00");
}

TEST(NextFire, AfterIsExclusiveAndTheSameDayCounts) {
  const Schedule s;
  EXPECT_EQ(fire_after(s, utc(2026, 3, 9, 20, 9, 59)).utc, utc(2026, 3, 9, 20, 10));
  EXPECT_EQ(fire_after(s, utc(2026, 3, 9, 20, 10)).utc, utc(2026, 3, 10, 20, 10));
  // Late evening New York time is already the next UTC day: still the next NY session.
  EXPECT_EQ(fire_after(s, utc(2026, 3, 10, 3, 30)).utc, utc(2026, 3, 10, 20, 10));
}

TEST(NextFire, EarlyCloseMovesTheTriggerWithTheClose) {
  const Schedule s;
  // Wednesday before Thanksgiving 2026 -> Thanksgiving skipped -> Friday 27 Nov at 13:10 EST.
  const FireTime f = fire_after(s, utc(2026, 11, 25, 21, 10));
  EXPECT_EQ(f.utc, utc(2026, 11, 27, 18, 10));
  EXPECT_EQ(format_local(f), "2026-11-27T13:10:00-05:00");
  EXPECT_TRUE(f.early_close);
  EXPECT_EQ(f.trading_date, date("2026-11-27"));
  ASSERT_EQ(f.skipped.size(), 1u);
  EXPECT_EQ(f.skipped[0].date, date("2026-11-26"));
  EXPECT_EQ(f.skipped[0].reason, "Thanksgiving Day");
  // Christmas Eve 2026 (Thursday) closes at 13:00 too; Christmas Day is skipped.
  const FireTime eve = fire_after(s, utc(2026, 12, 23, 22, 0));
  EXPECT_EQ(eve.utc, utc(2026, 12, 24, 18, 10));
  EXPECT_TRUE(eve.early_close);
  const FireTime after_christmas = fire_after(s, eve.utc);
  EXPECT_EQ(after_christmas.utc, utc(2026, 12, 28, 21, 10));
  EXPECT_FALSE(after_christmas.early_close);
  ASSERT_EQ(after_christmas.skipped.size(), 1u);
  EXPECT_EQ(after_christmas.skipped[0].reason, "Christmas Day");
}

TEST(NextFire, TriggerBeforeTheCloseDoesNotMove) {
  const FireTime f = fire_after(in_zone("America/New_York", 12h), utc(2026, 11, 27, 0, 0));
  EXPECT_EQ(f.utc, utc(2026, 11, 27, 17, 0));
  EXPECT_FALSE(f.early_close);
}

TEST(NextFire, LongWeekend) {
  const Schedule s;
  // Friday before MLK Day 2026 -> Tuesday 20 January.
  const FireTime f = fire_after(s, utc(2026, 1, 16, 21, 10));
  EXPECT_EQ(f.utc, utc(2026, 1, 20, 21, 10));
  EXPECT_EQ(f.trading_date, date("2026-01-20"));
  ASSERT_EQ(f.skipped.size(), 1u);
  EXPECT_EQ(f.skipped[0].date, date("2026-01-19"));
  EXPECT_EQ(f.skipped[0].reason, "Martin Luther King Jr. Day");
  // Good Friday 2026 (3 April) -> Monday 6 April.
  EXPECT_EQ(fire_after(s, utc(2026, 4, 2, 20, 10)).utc, utc(2026, 4, 6, 20, 10));
}

TEST(NextFire, NeverFiresOnAClosedDay) {
  const Schedule s;
  auto cursor = utc(2020, 1, 1, 0, 0);  // 2019-12-31 19:00 EST, after that day's fire
  TradingDate previous = date("2019-12-31");
  for (int i = 0; i < 2800; ++i) {  // 2020 .. about 2031
    const FireTime f = fire_after(s, cursor);
    ASSERT_GT(f.utc, cursor);
    ASSERT_TRUE(is_trading_day(f.trading_date)) << format_date(f.trading_date);
    ASSERT_EQ(f.trading_date, next_trading_day(previous)) << format_date(f.trading_date);
    EXPECT_EQ(f.early_close, early_close(f.trading_date).has_value()) << format_date(f.trading_date);
    const auto local_tod = f.local - std::chrono::floor<std::chrono::days>(f.local);
    EXPECT_EQ(local_tod, f.early_close ? 13h + 10min : 16h + 10min) << format_date(f.trading_date);
    cursor = f.utc;
    previous = f.trading_date;
  }
  EXPECT_GT(previous, date("2031-01-01"));
}

TEST(NextFire, WithoutMarketCheckEveryDayFires) {
  Schedule s;
  s.market_check = false;
  const FireTime sat = fire_after(s, utc(2026, 1, 16, 21, 10));
  EXPECT_EQ(sat.utc, utc(2026, 1, 17, 21, 10));
  EXPECT_EQ(sat.trading_date, date("2026-01-17"));
  EXPECT_EQ(fire_after(s, sat.utc).utc, utc(2026, 1, 18, 21, 10));
  EXPECT_EQ(fire_after(s, utc(2026, 1, 18, 21, 10)).utc, utc(2026, 1, 19, 21, 10));  // MLK Day too
  const FireTime black_friday = fire_after(s, utc(2026, 11, 27, 0, 0));
  EXPECT_EQ(black_friday.utc, utc(2026, 11, 27, 21, 10));  // no calendar: no early-close move
  EXPECT_FALSE(black_friday.early_close);
}

TEST(NextFire, OtherTimeZones) {
  // Chicago 15:10 is New York 16:10, all year.
  EXPECT_EQ(fire_after(in_zone("America/Chicago", 15h + 10min), utc(2026, 3, 9, 0, 0)).utc,
            utc(2026, 3, 9, 20, 10));

  // London 21:10: the UK changes clocks three weeks after the US.
  const Schedule london = in_zone("Europe/London", 21h + 10min);
  const FireTime mar10 = fire_after(london, utc(2026, 3, 10, 0, 0));
  EXPECT_EQ(mar10.utc, utc(2026, 3, 10, 21, 10));  // GMT; 17:10 in New York
  EXPECT_EQ(mar10.zone_abbrev, "GMT");
  EXPECT_EQ(mar10.trading_date, date("2026-03-10"));
  const FireTime mar30 = fire_after(london, utc(2026, 3, 27, 21, 10));  // UK clocks change on Sunday 29 March
  EXPECT_EQ(mar30.utc, utc(2026, 3, 30, 20, 10));                       // BST
  EXPECT_EQ(mar30.zone_abbrev, "BST");
  EXPECT_TRUE(mar30.dst_change);
  EXPECT_EQ(format_local(mar30), "2026-03-30T21:10:00+01:00");
  // Day after Thanksgiving: 21:10 GMT is 16:10 EST, after the close, so it moves to 18:10 GMT.
  const FireTime black_friday = fire_after(london, utc(2026, 11, 27, 0, 0));
  EXPECT_EQ(black_friday.utc, utc(2026, 11, 27, 18, 10));
  EXPECT_TRUE(black_friday.early_close);

  // Tokyo 06:10 is the evening before in New York: the trading date is the NY session.
  const Schedule tokyo = in_zone("Asia/Tokyo", 6h + 10min);
  const FireTime fri = fire_after(tokyo, utc(2026, 1, 16, 12, 0));
  EXPECT_EQ(fri.utc, utc(2026, 1, 16, 21, 10));  // Saturday 17 Jan 06:10 JST
  EXPECT_EQ(fri.trading_date, date("2026-01-16"));
  EXPECT_EQ(format_local(fri), "2026-01-17T06:10:00+09:00");
  const FireTime tue = fire_after(tokyo, fri.utc);
  EXPECT_EQ(tue.utc, utc(2026, 1, 20, 21, 10));  // MLK Monday's would-be fire is skipped
  EXPECT_EQ(tue.trading_date, date("2026-01-20"));
  ASSERT_EQ(tue.skipped.size(), 1u);
  EXPECT_EQ(tue.skipped[0].date, date("2026-01-19"));
}

TEST(NextFire, WallClockTimesThatDoNotExistOrRepeat) {
  Schedule s;
  s.market_check = false;
  s.trigger_time = 2h + 30min;  // 2026-03-08 02:30 does not exist in New York
  const FireTime gap = fire_after(s, utc(2026, 3, 7, 12, 0));
  EXPECT_EQ(gap.utc, utc(2026, 3, 8, 7, 0));  // fires at the transition, 03:00 EDT
  EXPECT_EQ(format_local(gap), "2026-03-08T03:00:00-04:00");
  EXPECT_EQ(fire_after(s, gap.utc).utc, utc(2026, 3, 9, 6, 30));

  s.trigger_time = 1h + 30min;  // 2026-11-01 01:30 happens twice: fire once, at the first
  const FireTime twice = fire_after(s, utc(2026, 10, 31, 12, 0));
  EXPECT_EQ(twice.utc, utc(2026, 11, 1, 5, 30));
  EXPECT_EQ(fire_after(s, twice.utc).utc, utc(2026, 11, 2, 6, 30));
}

TEST(NextFire, DisabledOrUnknownZoneHasNone) {
  Schedule s;
  s.enabled = false;
  EXPECT_FALSE(next_fire(s, utc(2026, 3, 9, 0, 0)));
  EXPECT_FALSE(next_occurrence(s, utc(2026, 3, 9, 0, 0)));
  EXPECT_TRUE(preview(s, utc(2026, 3, 9, 0, 0), 10).empty());
  s = Schedule{};
  s.timezone = "Nowhere/Atlantis";
  EXPECT_FALSE(next_fire(s, utc(2026, 3, 9, 0, 0)));
}

TEST(NextOccurrence, IncludesHolidaysButNotWeekends) {
  const Schedule s;
  const auto mlk = next_occurrence(s, utc(2026, 1, 16, 21, 10));
  ASSERT_TRUE(mlk);
  EXPECT_EQ(mlk->time.utc, utc(2026, 1, 19, 21, 10));
  EXPECT_EQ(mlk->holiday, std::optional<std::string_view>("Martin Luther King Jr. Day"));
  const auto tue = next_occurrence(s, mlk->time.utc);
  ASSERT_TRUE(tue);
  EXPECT_EQ(tue->time.utc, utc(2026, 1, 20, 21, 10));
  EXPECT_FALSE(tue->holiday);
}

TEST(Preview, TenFiresWithAnnotations) {
  const Schedule s;
  const auto fires = preview(s, utc(2026, 11, 20, 12, 0), 10);
  ASSERT_EQ(fires.size(), 10u);
  const char* expected[] = {"2026-11-20T16:10:00-05:00", "2026-11-23T16:10:00-05:00",
                            "2026-11-24T16:10:00-05:00", "2026-11-25T16:10:00-05:00",
                            "2026-11-27T13:10:00-05:00", "2026-11-30T16:10:00-05:00",
                            "2026-12-01T16:10:00-05:00", "2026-12-02T16:10:00-05:00",
                            "2026-12-03T16:10:00-05:00", "2026-12-04T16:10:00-05:00"};
  for (std::size_t i = 0; i < fires.size(); ++i) {
    EXPECT_EQ(format_local(fires[i]), expected[i]) << i;
    EXPECT_EQ(fires[i].early_close, i == 4) << i;
    EXPECT_EQ(fires[i].skipped.size(), i == 4 ? 1u : 0u) << i;
    EXPECT_FALSE(fires[i].dst_change) << i;
    if (i > 0) {
      EXPECT_GT(fires[i].utc, fires[i - 1].utc);
    }
  }
  EXPECT_EQ(fires[4].skipped[0].reason, "Thanksgiving Day");

  // Across the spring change, relative to the previous fire.
  const auto spring = preview(s, utc(2026, 3, 5, 12, 0), 3);
  ASSERT_EQ(spring.size(), 3u);
  EXPECT_FALSE(spring[0].dst_change);
  EXPECT_FALSE(spring[1].dst_change);
  EXPECT_TRUE(spring[2].dst_change);
  EXPECT_EQ(spring[2].utc, utc(2026, 3, 9, 20, 10));
  EXPECT_TRUE(preview(s, utc(2026, 3, 5, 12, 0), 0).empty());
}

}  // namespace
}  // namespace ts::scheduler
