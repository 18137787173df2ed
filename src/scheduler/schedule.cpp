#include "scheduler/schedule.hpp"

#include <date/tz.h>

#include <algorithm>
#include <stdexcept>

namespace ts::scheduler {
namespace {

constexpr std::string_view kInvalid = "INVALID_PARAMETER";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool has_space_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

Result<std::chrono::minutes> parse_hhmm(std::string_view text) {
  const auto bad = [&] {
    return fail(std::string(kInvalid),
                "trigger_time: expected HH:MM between 00:00 and 23:59, got '" + std::string(text) + "'");
  };
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return bad();
  int h = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (!is_digit(text[i])) return bad();
    h = h * 10 + (text[i] - '0');
  }
  if (!is_digit(text[colon + 1]) || !is_digit(text[colon + 2])) return bad();
  const int m = (text[colon + 1] - '0') * 10 + (text[colon + 2] - '0');
  if (h > 23 || m > 59) return bad();
  return std::chrono::minutes{h * 60 + m};
}

std::string format_hhmm(std::chrono::minutes t) {
  const int day = 24 * 60;
  const int total = static_cast<int>((t.count() % day + day) % day);
  std::string out(5, ':');
  out[0] = static_cast<char>('0' + total / 600);
  out[1] = static_cast<char>('0' + total / 60 % 10);
  out[3] = static_cast<char>('0' + total % 60 / 10);
  out[4] = static_cast<char>('0' + total % 10);
  return out;
}

Result<Schedule> validate(Schedule s) {
  using std::chrono::minutes;
  if (s.trigger_time < minutes{0} || s.trigger_time >= minutes{24 * 60})
    return fail(std::string(kInvalid), "trigger_time: must be between 00:00 and 23:59, got " +
                                           std::to_string(s.trigger_time.count()) + " minutes");
  if (s.timezone.empty()) return fail(std::string(kInvalid), "timezone: must name an IANA time zone");
  try {
    (void)date::locate_zone(s.timezone);
  } catch (const std::runtime_error&) {
    return fail(std::string(kInvalid), "timezone: unknown time zone '" + s.timezone +
                                           "' (expected an IANA name such as America/New_York)");
  }
  if (s.universes.empty()) return fail(std::string(kInvalid), "universes: must name at least one universe");
  for (std::size_t i = 0; i < s.universes.size(); ++i) {
    const std::string& u = s.universes[i];
    if (u.empty() || has_space_or_control(u))
      return fail(std::string(kInvalid), "universes: invalid universe name '" + u + "'");
    if (std::find(s.universes.begin(), s.universes.begin() + static_cast<std::ptrdiff_t>(i), u) !=
        s.universes.begin() + static_cast<std::ptrdiff_t>(i))
      return fail(std::string(kInvalid), "universes: '" + u + "' is listed twice");
  }
  if (s.phases.empty()) return fail(std::string(kInvalid), "phases: must name at least one phase");
  for (std::size_t i = 0; i < s.phases.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (s.phases[i] == s.phases[j])
        return fail(std::string(kInvalid),
                    "phases: '" + std::string(to_string(s.phases[i])) + "' is listed twice");
  if (s.catch_up_window < minutes{0} || s.catch_up_window > kMaxCatchUpWindow)
    return fail(std::string(kInvalid), "catch_up_window: must be between 0 and " +
                                           std::to_string(kMaxCatchUpWindow.count()) + " minutes, got " +
                                           std::to_string(s.catch_up_window.count()));
  return s;
}

}  // namespace ts::scheduler
