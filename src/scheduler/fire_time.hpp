#pragma once
// Fire times: when a Schedule fires, computed as local wall-clock times in the
// schedule's zone through the tz database (never a fixed offset), so they stay
// right across DST changes. Pure functions: the current time is always passed in.
//
// Rules, for each local day D in the schedule's zone:
//   * the candidate instant is D + trigger_time, local. A wall-clock time that
//     does not exist (spring forward) fires at the transition; one that occurs
//     twice (fall back) fires at its first occurrence;
//   * its trading date is the New York date of that instant (for the default
//     zone, D itself; for a Tokyo 06:10 trigger, the NY session that just closed);
//   * with market_check: a weekend trading date has no fire; a holiday gives a
//     "holiday" occurrence that does not fire (the daemon reports it as
//     schedule_skipped); on an early-close day a candidate at or after the
//     regular NY close moves earlier by as much as the close does (16:10 ->
//     13:10, New York time);
//   * without market_check every day fires at trigger_time, calendar ignored.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/trading_date.hpp"
#include "scheduler/schedule.hpp"

namespace ts::scheduler {

/// A weekday without a session that a fire passed over.
struct SkippedDay {
  TradingDate date;
  std::string_view reason;  // the calendar's name, e.g. "Martin Luther King Jr. Day"
};

struct FireTime {
  std::chrono::sys_seconds utc;
  /// Wall clock in the schedule's zone at `utc`, with its abbreviation and offset.
  std::chrono::local_seconds local;
  std::string zone_abbrev;             // "EST", "EDT", "GMT", ...
  std::chrono::minutes utc_offset{0};  // local - utc
  /// The NYSE session the fire belongs to (for a holiday occurrence, the closed date).
  TradingDate trading_date;
  bool early_close = false;  // moved earlier with the session's early close
  /// The zone's UTC offset differs from the one at the `after` instant (in
  /// preview(): from the previous fire), i.e. the clocks changed in between.
  bool dst_change = false;
  /// Holidays passed over between `after` and this fire (market_check only).
  std::vector<SkippedDay> skipped;
};

/// One daily occurrence of the schedule: a fire, or a holiday's would-be fire.
struct Occurrence {
  FireTime time;
  std::optional<std::string_view> holiday;  // set: the market is closed, do not fire
};

/// The first occurrence strictly after `after`, holidays included (each
/// occurrence's `skipped` is empty). nullopt when the schedule is disabled or its
/// zone is unknown (validate() first).
std::optional<Occurrence> next_occurrence(const Schedule& s, std::chrono::sys_seconds after);

/// The first real fire strictly after `after`: holidays are skipped and listed
/// in `skipped`. nullopt when disabled or the zone is unknown.
std::optional<FireTime> next_fire(const Schedule& s, std::chrono::sys_seconds after);

/// The next n fires after `from`, each annotated (holidays skipped since the
/// previous one, early close, DST change since the previous one). Empty when
/// disabled. The dashboard shows ten.
std::vector<FireTime> preview(const Schedule& s, std::chrono::sys_seconds from, std::size_t n);

/// RFC 3339 local time with its offset: "2026-03-09T16:10:00-04:00".
std::string format_local(const FireTime& f);

}  // namespace ts::scheduler
