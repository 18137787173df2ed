#pragma once
// TradingDate: a calendar date (days since 1970-01-01), the America/New_York
// date of a session. Stored and sent as "YYYY-MM-DD".
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts {

using TradingDate = std::chrono::sys_days;

/// Parses "YYYY-MM-DD" (also accepts "YYYY/MM/DD" and "YYYYMMDD"). Rejects
/// impossible dates such as 2024-02-30.
Result<TradingDate> parse_date(std::string_view text);
std::string format_date(TradingDate d);
/// Writes exactly 10 chars "YYYY-MM-DD" into out (no terminator).
void format_date(TradingDate d, char* out) noexcept;

inline std::int32_t to_days(TradingDate d) { return static_cast<std::int32_t>(d.time_since_epoch().count()); }
inline TradingDate from_days(std::int32_t days) { return TradingDate{std::chrono::days{days}}; }

/// Monday=0 .. Sunday=6.
unsigned iso_weekday_index(TradingDate d);
inline bool is_weekend(TradingDate d) { return iso_weekday_index(d) >= 5; }
/// Monday of d's ISO week, and the first day of d's month.
TradingDate week_start(TradingDate d);
TradingDate month_start(TradingDate d);

/// Today's date in America/New_York (tz database), for a given instant.
TradingDate new_york_date(std::chrono::system_clock::time_point now);

/// RFC 3339 UTC with milliseconds: 2025-01-02T21:10:00.123Z
std::string format_utc_ms(std::chrono::system_clock::time_point t);

}  // namespace ts
