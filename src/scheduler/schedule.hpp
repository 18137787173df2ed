#pragma once
// The schedule model: when the engine starts its daily run by itself. Pure
// data plus validation; persistence and the wire format live elsewhere (the
// daemon stores it in the database, `update_schedule` carries it as JSON).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/run_types.hpp"

namespace ts::scheduler {

struct Schedule {
  bool enabled = true;
  /// Local wall-clock time of the daily fire, in `timezone` (minutes since midnight).
  std::chrono::minutes trigger_time{16 * 60 + 10};
  /// An IANA zone name from the tz database.
  std::string timezone = "America/New_York";
  std::vector<std::string> universes{"dow30"};
  /// On: fire only for NYSE trading days, and move the fire earlier on early-close
  /// days. Off: fire every day at trigger_time, with no calendar at all.
  bool market_check = true;
  std::vector<Phase> phases{kAllPhases.begin(), kAllPhases.end()};
  /// A fire missed while the engine was down still runs (once) when the engine
  /// comes back within this window; later than that it is recorded as missed.
  std::chrono::minutes catch_up_window{6 * 60};
};

/// Longest catch-up window validate() accepts.
inline constexpr std::chrono::minutes kMaxCatchUpWindow{24 * 60};

/// Parses "HH:MM" (24-hour clock, "H:MM" accepted): 00:00 .. 23:59.
/// INVALID_PARAMETER with the offending text otherwise.
Result<std::chrono::minutes> parse_hhmm(std::string_view text);
/// "HH:MM" for a time of day (taken modulo 24 h).
std::string format_hhmm(std::chrono::minutes time_of_day);

/// Checks a schedule at the boundary (update_schedule, config, database load).
/// INVALID_PARAMETER naming the field: trigger_time outside 00:00..23:59, an
/// unknown time zone, no universes (or an empty or duplicate name), no phases
/// (or a duplicate), a catch-up window outside 0..24 h. Returns the schedule.
Result<Schedule> validate(Schedule s);

}  // namespace ts::scheduler
