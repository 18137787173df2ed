#pragma once
// The trading-day calendar: which dates have a regular session.
//
// Today every weekday is a session and weekends are closed. A later issue adds
// the NYSE holiday calendar (and early closes); is_trading_day() is the single
// place every module asks, so that change lands here and nowhere else.
#include "core/trading_date.hpp"

namespace ts {

/// True when the market holds a session on d (currently: Monday to Friday).
bool is_trading_day(TradingDate d);

}  // namespace ts
