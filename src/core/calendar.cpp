#include "core/calendar.hpp"

namespace ts {

bool is_trading_day(TradingDate d) {
  // NYSE holidays are not modelled yet; see the header.
  return !is_weekend(d);
}

}  // namespace ts
