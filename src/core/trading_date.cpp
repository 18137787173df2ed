#include "core/trading_date.hpp"

#include <date/tz.h>

#include <cstdio>

namespace ts {
namespace {

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

Result<TradingDate> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  bool shape_ok = false;
  if (s.size() == 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
    shape_ok = read_digits(s, 0, 4, y) && read_digits(s, 5, 2, m) && read_digits(s, 8, 2, d);
  } else if (s.size() == 8) {
    shape_ok = read_digits(s, 0, 4, y) && read_digits(s, 4, 2, m) && read_digits(s, 6, 2, d);
  }
  if (!shape_ok) return fail("INVALID_DATE", "not a date (expected YYYY-MM-DD): '" + std::string(s) + "'");
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1800 || y > 2200)
    return fail("INVALID_DATE", "impossible date: '" + std::string(s) + "'");
  return TradingDate{ymd};
}

void format_date(TradingDate d, char* out) noexcept {
  const std::chrono::year_month_day ymd{d};
  int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned dd = static_cast<unsigned>(ymd.day());
  if (y < 0) y = 0;
  out[0] = static_cast<char>('0' + (y / 1000) % 10);
  out[1] = static_cast<char>('0' + (y / 100) % 10);
  out[2] = static_cast<char>('0' + (y / 10) % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + dd / 10);
  out[9] = static_cast<char>('0' + dd % 10);
}

std::string format_date(TradingDate d) {
  std::string s(10, '\0');
  format_date(d, s.data());
  return s;
}

unsigned iso_weekday_index(TradingDate d) { return std::chrono::weekday{d}.iso_encoding() - 1; }

TradingDate week_start(TradingDate d) { return d - std::chrono::days{iso_weekday_index(d)}; }

TradingDate month_start(TradingDate d) {
  const std::chrono::year_month_day ymd{d};
  return TradingDate{ymd.year() / ymd.month() / std::chrono::day{1}};
}

TradingDate new_york_date(std::chrono::system_clock::time_point now) {
  // The tz database, never a fixed offset: the NY date flips at local midnight,
  // which is 04:00 or 05:00 UTC depending on DST.
  static const date::time_zone* ny = date::locate_zone("America/New_York");
  const auto local = ny->to_local(std::chrono::time_point_cast<std::chrono::seconds>(now));
  return TradingDate{std::chrono::floor<std::chrono::days>(local.time_since_epoch())};
}

std::string format_utc_ms(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(ms);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss tod{ms - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return buf;
}

}  // namespace ts
