#include "ingest/validate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ts::ingest {

std::string format_value(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

std::string named(const char* field, double v) { return std::string(field) + " " + format_value(v); }

}  // namespace

std::optional<std::string> bar_problem(const Bar& b, std::optional<TradingDate> previous) {
  const struct {
    const char* name;
    double value;
  } prices[] = {{"open", b.open}, {"high", b.high}, {"low", b.low}, {"close", b.close}};
  for (const auto& p : prices) {
    if (!std::isfinite(p.value)) return named(p.name, p.value) + " is not a finite number";
    if (!(p.value > 0)) return named(p.name, p.value) + " is not positive";
  }
  // Compare against the larger (smaller) of open and close, naming whichever it is.
  const bool open_is_top = b.open >= b.close;
  if (b.high < std::max(b.open, b.close))
    return named("high", b.high) + " < " + (open_is_top ? named("open", b.open) : named("close", b.close));
  if (b.low > std::min(b.open, b.close))
    return named("low", b.low) + " > " + (open_is_top ? named("close", b.close) : named("open", b.open));
  if (!std::isfinite(b.volume)) return named("volume", b.volume) + " is not a finite number";
  if (b.volume < 0) return named("volume", b.volume) + " is negative";
  if (previous && b.date <= *previous)
    return "date " + format_date(b.date) + " not after previous " + format_date(*previous) +
           (b.date == *previous ? " (duplicate)" : " (out of order)");
  return std::nullopt;
}

}  // namespace ts::ingest
