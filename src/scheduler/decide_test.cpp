#include "scheduler/decide.hpp"

#include <gtest/gtest.h>

#include "scheduler/test_support.hpp"

namespace ts::scheduler {
namespace {

using namespace std::chrono_literals;
using test::date;
using test::utc;

// Fires around the spring change of 2026: Friday 6 March 21:10 UTC (EST),
// Monday 9 March 20:10 UTC (EDT), Tuesday 10 March 20:10 UTC.
const auto kFriday = utc(2026, 3, 6, 21, 10);
const auto kMonday = utc(2026, 3, 9, 20, 10);
const auto kTuesday = utc(2026, 3, 10, 20, 10);

TEST(Decide, NothingDueWaitsForTheNextFire) {
  const Schedule s;
  const Decision d = decide(s, kFriday, utc(2026, 3, 9, 12, 0), false);
  EXPECT_EQ(d.action, Action::wait_until);
  EXPECT_FALSE(d.occurrence);
  EXPECT_FALSE(d.handled);  // keep the stored value
  EXPECT_EQ(d.wake_at, kMonday);
  ASSERT_TRUE(d.next);
  EXPECT_EQ(d.next->utc, kMonday);
  EXPECT_TRUE(d.passed.empty());
}

TEST(Decide, FiresOnTime) {
  const Schedule s;
  for (auto now : {kMonday, kMonday + 2s, kMonday + kOnTimeGrace}) {
    const Decision d = decide(s, kFriday, now, false);
    EXPECT_EQ(d.action, Action::fire);
    ASSERT_TRUE(d.occurrence);
    EXPECT_EQ(d.occurrence->utc, kMonday);
    EXPECT_EQ(d.occurrence->trading_date, date("2026-03-09"));
    EXPECT_FALSE(d.skip_reason);
    EXPECT_EQ(d.handled, kMonday);
    EXPECT_EQ(d.wake_at, kTuesday);
    EXPECT_TRUE(d.passed.empty());
  }
  // Once handled, the same fire is not due again.
  EXPECT_EQ(decide(s, kMonday, kMonday + 5s, false).action, Action::wait_until);
}

TEST(Decide, SkipsWhileARunIsActive) {
  const Schedule s;
  const Decision d = decide(s, kFriday, kMonday + 1s, true);
  EXPECT_EQ(d.action, Action::skip_run_active);
  EXPECT_EQ(d.skip_reason, SkipReason::run_already_active);
  EXPECT_EQ(to_string(*d.skip_reason), "run_already_active");
  EXPECT_EQ(d.handled, kMonday);
  EXPECT_EQ(decide(s, *d.handled, kMonday + 10min, false).action, Action::wait_until);  // not retried
  // The same holds for a catch-up.
  EXPECT_EQ(decide(s, kFriday, kMonday + 2h, true).action, Action::skip_run_active);
}

TEST(Decide, CatchUpWithinTheWindowRunsOnce) {
  const Schedule s;
  const auto now = kMonday + 2h + 50min;  // the engine comes back at 23:00 UTC
  const Decision d = decide(s, kFriday, now, false);
  EXPECT_EQ(d.action, Action::catch_up);
  ASSERT_TRUE(d.occurrence);
  EXPECT_EQ(d.occurrence->utc, kMonday);
  EXPECT_EQ(d.handled, kMonday);
  EXPECT_EQ(d.wake_at, kTuesday);
  // Handled: the next decision waits, it does not run again.
  const Decision again = decide(s, *d.handled, now + 1min, false);
  EXPECT_EQ(again.action, Action::wait_until);
  // Exactly at the window's edge it still catches up.
  EXPECT_EQ(decide(s, kFriday, kMonday + 6h, false).action, Action::catch_up);
}

TEST(Decide, DowntimeOverSeveralFiresCatchesUpOnlyTheLatest) {
  const Schedule s;
  // Last handled Wednesday 4 March; back on Monday 9 March at 22:00 UTC.
  const Decision d = decide(s, utc(2026, 3, 4, 21, 10), utc(2026, 3, 9, 22, 0), false);
  EXPECT_EQ(d.action, Action::catch_up);
  EXPECT_EQ(d.occurrence->utc, kMonday);
  ASSERT_EQ(d.passed.size(), 2u);
  EXPECT_EQ(d.passed[0].time.utc, utc(2026, 3, 5, 21, 10));
  EXPECT_EQ(d.passed[1].time.utc, kFriday);
  for (const auto& p : d.passed) EXPECT_EQ(p.reason, SkipReason::missed_window);
  EXPECT_EQ(d.passed_dropped, 0u);
}

TEST(Decide, OutsideTheWindowIsRecordedAsMissed) {
  const Schedule s;
  const Decision d = decide(s, kFriday, kMonday + 6h + 1s, false);
  EXPECT_EQ(d.action, Action::missed);
  EXPECT_EQ(d.skip_reason, SkipReason::missed_window);
  EXPECT_EQ(to_string(*d.skip_reason), "missed_window");
  EXPECT_EQ(d.occurrence->utc, kMonday);
  EXPECT_EQ(d.handled, kMonday);
  EXPECT_EQ(d.wake_at, kTuesday);

  Schedule no_window;
  no_window.catch_up_window = 0min;
  EXPECT_EQ(decide(no_window, kFriday, kMonday + 5min, false).action, Action::missed);
  EXPECT_EQ(decide(no_window, kFriday, kMonday + 30s, false).action, Action::fire);  // on time
}

TEST(Decide, HolidayOccurrencesAreSkippedWithTheirReason) {
  const Schedule s;
  const auto friday = utc(2026, 1, 16, 21, 10);
  const auto mlk = utc(2026, 1, 19, 21, 10);
  const auto tuesday = utc(2026, 1, 20, 21, 10);
  // Over the weekend the daemon sleeps until the holiday's would-be fire...
  const Decision sat = decide(s, friday, utc(2026, 1, 17, 12, 0), false);
  EXPECT_EQ(sat.action, Action::wait_until);
  EXPECT_EQ(sat.wake_at, mlk);
  EXPECT_EQ(sat.next->utc, tuesday);
  ASSERT_EQ(sat.next->skipped.size(), 1u);
  // ...and reports it as skipped.
  const Decision d = decide(s, friday, mlk + 1s, false);
  EXPECT_EQ(d.action, Action::skip_holiday);
  EXPECT_EQ(d.skip_reason, SkipReason::holiday);
  EXPECT_EQ(to_string(*d.skip_reason), "holiday");
  EXPECT_EQ(d.holiday, std::optional<std::string_view>("Martin Luther King Jr. Day"));
  EXPECT_EQ(d.occurrence->trading_date, date("2026-01-19"));
  EXPECT_EQ(d.handled, mlk);
  EXPECT_EQ(d.wake_at, tuesday);
  // Down over the holiday: it is passed over as a holiday, Tuesday fires.
  const Decision back = decide(s, friday, tuesday + 10s, false);
  EXPECT_EQ(back.action, Action::fire);
  ASSERT_EQ(back.passed.size(), 1u);
  EXPECT_EQ(back.passed[0].reason, SkipReason::holiday);
}

TEST(Decide, EarlyCloseFireIsOnTimeAt1310) {
  const Schedule s;
  const Decision d = decide(s, utc(2026, 11, 25, 21, 10), utc(2026, 11, 27, 18, 10, 3), false);
  EXPECT_EQ(d.action, Action::fire);
  EXPECT_TRUE(d.occurrence->early_close);
  ASSERT_EQ(d.passed.size(), 1u);  // Thanksgiving
  EXPECT_EQ(d.passed[0].reason, SkipReason::holiday);
}

TEST(Decide, FirstStartOwesNothing) {
  const Schedule s;
  const auto now = kMonday + 1h;  // a fire passed an hour ago, but nothing was ever handled
  const Decision d = decide(s, std::nullopt, now, false);
  EXPECT_EQ(d.action, Action::wait_until);
  EXPECT_EQ(d.handled, now);
  EXPECT_EQ(d.wake_at, kTuesday);
}

TEST(Decide, DisabledOwesNothing) {
  Schedule s;
  s.enabled = false;
  const auto now = kMonday + 1h;
  const Decision d = decide(s, kFriday, now, false);
  EXPECT_EQ(d.action, Action::disabled);
  EXPECT_EQ(d.handled, now);
  EXPECT_FALSE(d.wake_at);
  EXPECT_FALSE(d.next);
}

TEST(Decide, LongDowntimeListsABoundedBacklog) {
  const Schedule s;
  const Decision d = decide(s, utc(2025, 1, 2, 21, 10), kMonday + 1min, false);
  EXPECT_EQ(d.action, Action::fire);
  EXPECT_EQ(d.passed.size(), kMaxPassed);
  EXPECT_GT(d.passed_dropped, 200u);
  for (std::size_t i = 1; i < d.passed.size(); ++i) EXPECT_LT(d.passed[i - 1].time.utc, d.passed[i].time.utc);
  EXPECT_EQ(d.passed.back().time.utc, kFriday);
}

TEST(Decide, ClockGoingBackwardsOwesNothing) {
  const Schedule s;
  const Decision d = decide(s, kTuesday, kMonday + 1h, false);
  EXPECT_EQ(d.action, Action::wait_until);
  EXPECT_FALSE(d.handled);
}

TEST(Decide, Names) {
  EXPECT_EQ(to_string(Action::fire), "fire");
  EXPECT_EQ(to_string(Action::catch_up), "catch_up");
  EXPECT_EQ(to_string(Action::skip_run_active), "skip_run_active");
  EXPECT_EQ(to_string(Action::skip_holiday), "skip_holiday");
  EXPECT_EQ(to_string(Action::missed), "missed");
  EXPECT_EQ(to_string(Action::wait_until), "wait_until");
  EXPECT_EQ(to_string(Action::disabled), "disabled");
}

}  // namespace
}  // namespace ts::scheduler
