#include "scheduler/decide.hpp"

#include <algorithm>
#include <utility>

namespace ts::scheduler {

using std::chrono::sys_seconds;

Decision decide(const Schedule& s, std::optional<sys_seconds> last_handled, sys_seconds now, bool run_active,
                std::chrono::seconds on_time_grace) {
  Decision d;
  if (!s.enabled) {
    d.action = Action::disabled;
    d.handled = now;
    return d;
  }
  if (const auto occ = next_occurrence(s, now)) d.wake_at = occ->time.utc;
  d.next = next_fire(s, now);

  if (!last_handled) {
    d.handled = now;
    return d;  // wait_until
  }

  // Collect the unhandled occurrences in (start, now], keeping the newest kMaxPassed + 1.
  const sys_seconds start = std::max(*last_handled, now - kMaxLookBack);
  std::vector<Occurrence> due;
  std::size_t dropped = 0;
  for (auto occ = next_occurrence(s, start); occ && occ->time.utc <= now;
       occ = next_occurrence(s, occ->time.utc)) {
    if (due.size() == kMaxPassed + 1) {
      due.erase(due.begin());
      ++dropped;
    }
    due.push_back(std::move(*occ));
  }
  if (due.empty()) return d;  // wait_until; the stored last_handled stays

  Occurrence latest = std::move(due.back());
  due.pop_back();
  for (auto& o : due)
    d.passed.push_back({std::move(o.time), o.holiday ? SkipReason::holiday : SkipReason::missed_window});
  d.passed_dropped = dropped;
  d.handled = latest.time.utc;

  const auto lateness = now - latest.time.utc;
  if (latest.holiday) {
    d.action = Action::skip_holiday;
    d.skip_reason = SkipReason::holiday;
    d.holiday = latest.holiday;
  } else if (lateness > s.catch_up_window && lateness > on_time_grace) {
    d.action = Action::missed;
    d.skip_reason = SkipReason::missed_window;
  } else if (run_active) {
    d.action = Action::skip_run_active;
    d.skip_reason = SkipReason::run_already_active;
  } else {
    d.action = lateness <= on_time_grace ? Action::fire : Action::catch_up;
  }
  d.occurrence = std::move(latest.time);
  return d;
}

}  // namespace ts::scheduler
