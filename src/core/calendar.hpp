#pragma once
// The NYSE trading calendar: which dates hold a session, which close early,
// and why. Every module asks here (the synthetic provider, the pipeline, the
// scheduler, MARKET_CLOSED checks); nothing else knows a holiday rule.
//
// Computed from the rules, not from a list of dates:
//   * Holidays: New Year's Day, Martin Luther King Jr. Day (3rd Monday of
//     January, from 1998), Washington's Birthday (3rd Monday of February), Good
//     Friday (Easter Sunday - 2, anonymous Gregorian algorithm), Memorial Day
//     (last Monday of May), Juneteenth (19 June, from 2022), Independence Day,
//     Labor Day (1st Monday of September), Thanksgiving (4th Thursday of
//     November), Christmas Day. A holiday on a Saturday closes the Friday
//     before, one on a Sunday the Monday after -- except New Year's Day: when
//     1 January is a Saturday, nothing is observed (the prior Friday closes a
//     year and trades).
//   * Early closes at 13:00: the day after Thanksgiving (from 1993), Christmas
//     Eve on Monday..Thursday (from 1999; on a Friday it is the observed
//     Christmas), 3 July on Monday, Tuesday or Thursday (from 1995) and on
//     Wednesday (from 2013; from 1996 to 2012 the Friday 5 July closed early
//     instead). When 3 July is a Friday it is the observed Independence Day.
//   * A table of one-off closures (11-14 Sep 2001, Hurricane Sandy, national
//     days of mourning, ...) and one-off early closes, which override the rules.
//
// The modern rule set is applied to every year (with the start years above),
// so dates before about 1995 are approximate: retired holidays (Lincoln's
// Birthday, Election Day, ...) are not modelled. Lookups for 1800..2200 come
// from a table built once on first use; other years are computed on demand.
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "core/trading_date.hpp"

namespace ts {

/// Regular NYSE session, local New York wall-clock time since midnight.
inline constexpr std::chrono::minutes kRegularOpen{9 * 60 + 30};
inline constexpr std::chrono::minutes kRegularClose{16 * 60};
inline constexpr std::chrono::minutes kEarlyClose{13 * 60};

enum class MarketDayKind : unsigned char {
  session,      // a regular full session
  early_close,  // a session that closes at 13:00
  holiday,      // a weekday without a session (a holiday or a one-off closure)
  weekend,
};

struct MarketDay {
  TradingDate date;
  MarketDayKind kind = MarketDayKind::session;
  /// Why the day is special ("Good Friday", "Day after Thanksgiving",
  /// "Hurricane Sandy"); empty for regular sessions and weekends.
  std::string_view reason;
  /// New York local close time; nullopt when there is no session.
  std::optional<std::chrono::minutes> close;
};

/// Everything the calendar knows about one date.
MarketDay market_day(TradingDate d);

/// True when the NYSE holds a session (full or early close) on d.
bool is_trading_day(TradingDate d);

/// The holiday or one-off closure that shuts a weekday (e.g. "Christmas Day",
/// "National Day of Mourning for Jimmy Carter"). nullopt on sessions and on
/// weekends (a Saturday holiday is reported on the Friday that observes it).
std::optional<std::string_view> holiday_name(TradingDate d);

/// The local close (13:00) when d is an early-close session; nullopt on full
/// sessions and on days without a session.
std::optional<std::chrono::minutes> early_close(TradingDate d);

/// The local close of d's session (16:00 or 13:00); nullopt without a session.
std::optional<std::chrono::minutes> session_close(TradingDate d);

/// The first trading day strictly after / strictly before d.
TradingDate next_trading_day(TradingDate d);
TradingDate previous_trading_day(TradingDate d);

/// Every holiday and early close of a year (weekday days only), in date order.
/// The dashboard and the calendar tests read this.
std::vector<MarketDay> calendar_events(std::chrono::year y);

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm).
TradingDate easter_sunday(std::chrono::year y);

}  // namespace ts
