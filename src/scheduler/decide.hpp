#pragma once
// The daemon's scheduling decision, as a pure function of what it knows: the
// schedule, the last occurrence it has dealt with, the current time (passed
// in: the clock is injectable), and whether a run is active.
//
// Daemon loop:
//   d = decide(schedule, last_handled, now, run_active)
//   publish schedule_skipped for each of d.passed, and for d.occurrence when
//     d.skip_reason is set (reason: to_string(*d.skip_reason));
//   start a scheduled run on fire or catch_up;
//   persist d.handled as last_handled; sleep until d.wake_at (or a command).
//
// Rules, over the occurrences in (last_handled, now] (holidays included):
//   * the latest one decides the action:
//       a holiday                                 -> skip_holiday    ("holiday")
//       older than catch_up_window (and the grace) -> missed         ("missed_window")
//       a run is active                           -> skip_run_active ("run_already_active")
//       now - fire <= on_time_grace               -> fire
//       otherwise (late, within the window)       -> catch_up: runs once
//   * every earlier one is passed over and reported, a holiday as "holiday",
//     anything else as "missed_window": after downtime the engine catches up
//     once, never once per missed day;
//   * none: wait_until the next occurrence.
// No last_handled (first start ever) means nothing is owed: the engine does not
// start a run on its very first start. A disabled schedule owes nothing either
// and returns handled = now, so re-enabling it does not report the days it was
// off as missed. After update_schedule the daemon should likewise store
// handled = now, unless a fire moved into the past should catch up.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "scheduler/fire_time.hpp"
#include "scheduler/schedule.hpp"

namespace ts::scheduler {

enum class Action : unsigned char {
  fire,
  catch_up,
  skip_run_active,
  skip_holiday,
  missed,
  wait_until,
  disabled
};
inline constexpr std::string_view kActionNames[] = {"fire",   "catch_up",   "skip_run_active", "skip_holiday",
                                                    "missed", "wait_until", "disabled"};
constexpr std::string_view to_string(Action a) { return kActionNames[static_cast<int>(a)]; }

/// The `reason` of a schedule_skipped event.
enum class SkipReason : unsigned char { holiday, run_already_active, missed_window };
inline constexpr std::string_view kSkipReasonNames[] = {"holiday", "run_already_active", "missed_window"};
constexpr std::string_view to_string(SkipReason r) { return kSkipReasonNames[static_cast<int>(r)]; }

struct PassedOccurrence {
  FireTime time;
  SkipReason reason;
};

struct Decision {
  Action action = Action::wait_until;
  /// The occurrence the action is about (all actions but wait_until and disabled).
  std::optional<FireTime> occurrence;
  /// Set for skip_holiday, skip_run_active and missed.
  std::optional<SkipReason> skip_reason;
  /// For skip_holiday: the calendar's name of the holiday.
  std::optional<std::string_view> holiday;
  /// Older unhandled occurrences, oldest first (at most kMaxPassed, the newest kept).
  std::vector<PassedOccurrence> passed;
  std::size_t passed_dropped = 0;  // how many older ones did not fit
  /// Store as last_handled; nullopt: keep the stored value.
  std::optional<std::chrono::sys_seconds> handled;
  /// When to call decide() again: the next occurrence after now (holidays
  /// included, so their skips are reported on time). nullopt: nothing scheduled.
  std::optional<std::chrono::sys_seconds> wake_at;
  /// The next real fire after now, for heartbeats and `schedule get`.
  std::optional<FireTime> next;
};

/// How late a wake-up may be and still count as on time (fire, not catch_up).
inline constexpr std::chrono::seconds kOnTimeGrace{60};
/// At most this many passed-over occurrences are listed in a Decision.
inline constexpr std::size_t kMaxPassed = 64;
/// Occurrences further back than this are not examined at all.
inline constexpr std::chrono::days kMaxLookBack{400};

Decision decide(const Schedule& s, std::optional<std::chrono::sys_seconds> last_handled,
                std::chrono::sys_seconds now, bool run_active,
                std::chrono::seconds on_time_grace = kOnTimeGrace);

}  // namespace ts::scheduler
