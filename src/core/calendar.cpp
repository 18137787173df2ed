#include "core/calendar.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace ts {
namespace {

using namespace std::chrono;

// Reasons are one table: index 0 is "nothing special", then the rule-based
// holidays and early closes, then the one-off overrides (kOverrides, offset by
// kRules.size()). A day is stored as the index of its reason.
struct Reason {
  std::string_view name;
  bool closed;  // true: no session; false: early close at 13:00
};

enum RuleCode : std::uint8_t {
  kNone,
  kNewYear,
  kMlk,
  kWashington,
  kGoodFriday,
  kMemorial,
  kJuneteenth,
  kIndependence,
  kLabor,
  kThanksgiving,
  kChristmas,
  kBeforeIndependence,
  kAfterIndependence,
  kAfterThanksgiving,
  kChristmasEve,
  kRuleCount
};

constexpr std::array<Reason, kRuleCount> kRules{{
    {"", false},
    {"New Year's Day", true},
    {"Martin Luther King Jr. Day", true},
    {"Washington's Birthday", true},
    {"Good Friday", true},
    {"Memorial Day", true},
    {"Juneteenth National Independence Day", true},
    {"Independence Day", true},
    {"Labor Day", true},
    {"Thanksgiving Day", true},
    {"Christmas Day", true},
    {"Day before Independence Day", false},
    {"Day after Independence Day", false},
    {"Day after Thanksgiving", false},
    {"Christmas Eve", false},
}};

struct Override {
  year_month_day date;
  Reason reason;
};

// One-off closures and early closes decided by the exchange. They win over the rules.
constexpr std::array kOverrides{
    Override{1985y / September / 27, {"Hurricane Gloria", true}},
    Override{1994y / April / 27, {"National Day of Mourning for Richard Nixon", true}},
    Override{1997y / December / 26, {"Day after Christmas", false}},
    Override{2001y / September / 11, {"September 11 attacks", true}},
    Override{2001y / September / 12, {"September 11 attacks", true}},
    Override{2001y / September / 13, {"September 11 attacks", true}},
    Override{2001y / September / 14, {"September 11 attacks", true}},
    Override{2003y / December / 26, {"Day after Christmas", false}},
    Override{2004y / June / 11, {"National Day of Mourning for Ronald Reagan", true}},
    Override{2007y / January / 2, {"National Day of Mourning for Gerald Ford", true}},
    Override{2012y / October / 29, {"Hurricane Sandy", true}},
    Override{2012y / October / 30, {"Hurricane Sandy", true}},
    Override{2018y / December / 5, {"National Day of Mourning for George H. W. Bush", true}},
    Override{2025y / January / 9, {"National Day of Mourning for Jimmy Carter", true}},
};
static_assert(kRuleCount + kOverrides.size() < 256);

const Reason& reason_of(std::uint8_t code) {
  return code < kRuleCount ? kRules[code] : kOverrides[code - kRuleCount].reason;
}

struct Marked {
  sys_days date;
  std::uint8_t code;
};

/// Saturday -> the Friday before, Sunday -> the Monday after.
sys_days observed(sys_days d) {
  const weekday w{d};
  if (w == Saturday) return d - days{1};
  if (w == Sunday) return d + days{1};
  return d;
}

bool is_weekday(sys_days d) {
  const weekday w{d};
  return w != Saturday && w != Sunday;
}

/// Every special weekday of year y (holidays, early closes, overrides), sorted,
/// one entry per date.
std::vector<Marked> year_events(year y) {
  const int yi = static_cast<int>(y);
  std::vector<Marked> out;
  out.reserve(20);
  auto mark = [&](sys_days d, std::uint8_t code) {
    if (!is_weekday(d)) return;
    for (auto& m : out)
      if (m.date == d) {
        m.code = code;  // later marks win: rules' early closes < holidays < overrides
        return;
      }
    out.push_back({d, code});
  };

  // Early closes first, so that a holiday on the same date replaces them.
  const sys_days july3 = y / July / 3;
  const weekday july3_wd{july3};
  if ((yi >= 1995 && (july3_wd == Monday || july3_wd == Tuesday || july3_wd == Thursday)) ||
      (yi >= 2013 && july3_wd == Wednesday))
    mark(july3, kBeforeIndependence);
  const sys_days july5 = y / July / 5;
  if (yi >= 1996 && yi <= 2012 && weekday{july5} == Friday) mark(july5, kAfterIndependence);
  const sys_days thanksgiving = y / November / Thursday[4];
  if (yi >= 1993) mark(thanksgiving + days{1}, kAfterThanksgiving);
  const sys_days christmas_eve = y / December / 24;
  if (yi >= 1999 && weekday{christmas_eve} != Friday) mark(christmas_eve, kChristmasEve);

  // Holidays. New Year's Day on a Saturday is not observed at all.
  const sys_days new_year = y / January / 1;
  if (weekday{new_year} != Saturday) mark(observed(new_year), kNewYear);
  if (yi >= 1998) mark(y / January / Monday[3], kMlk);
  mark(y / February / Monday[3], kWashington);
  mark(easter_sunday(y) - days{2}, kGoodFriday);
  mark(y / May / Monday[last], kMemorial);
  if (yi >= 2022) mark(observed(y / June / 19), kJuneteenth);
  mark(observed(y / July / 4), kIndependence);
  mark(y / September / Monday[1], kLabor);
  mark(thanksgiving, kThanksgiving);
  mark(observed(y / December / 25), kChristmas);

  for (std::size_t i = 0; i < kOverrides.size(); ++i)
    if (kOverrides[i].date.year() == y)
      mark(sys_days{kOverrides[i].date}, static_cast<std::uint8_t>(kRuleCount + i));

  std::sort(out.begin(), out.end(), [](const Marked& a, const Marked& b) { return a.date < b.date; });
  return out;
}

// Table of reason codes for every day of 1800..2200, built once.
constexpr int kFirstYear = 1800;
constexpr int kLastYear = 2200;

class DayTable {
 public:
  DayTable() : first_(year{kFirstYear} / January / 1), last_(year{kLastYear} / December / 31) {
    codes_.assign(static_cast<std::size_t>((last_ - first_).count()) + 1, kNone);
    for (int yi = kFirstYear; yi <= kLastYear; ++yi)
      for (const Marked& m : year_events(year{yi}))
        codes_[static_cast<std::size_t>((m.date - first_).count())] = m.code;
  }

  std::uint8_t code(sys_days d) const {
    if (d >= first_ && d <= last_) return codes_[static_cast<std::size_t>((d - first_).count())];
    for (const Marked& m : year_events(year_month_day{d}.year()))
      if (m.date == d) return m.code;
    return kNone;
  }

 private:
  sys_days first_, last_;
  std::vector<std::uint8_t> codes_;
};

std::uint8_t day_code(sys_days d) {
  static const DayTable table;
  return table.code(d);
}

MarketDay describe(TradingDate d, std::uint8_t code) {
  if (!is_weekday(d)) return {d, MarketDayKind::weekend, {}, std::nullopt};
  if (code == kNone) return {d, MarketDayKind::session, {}, kRegularClose};
  const Reason& r = reason_of(code);
  if (r.closed) return {d, MarketDayKind::holiday, r.name, std::nullopt};
  return {d, MarketDayKind::early_close, r.name, kEarlyClose};
}

}  // namespace

TradingDate easter_sunday(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int yr = static_cast<int>(y);
  const int a = yr % 19;
  const int b = yr / 100;
  const int c = yr % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month_num = (h + l - 7 * m + 114) / 31;
  const int day_num = (h + l - 7 * m + 114) % 31 + 1;
  return y / month{static_cast<unsigned>(month_num)} / day{static_cast<unsigned>(day_num)};
}

MarketDay market_day(TradingDate d) { return describe(d, day_code(d)); }

bool is_trading_day(TradingDate d) {
  if (!is_weekday(d)) return false;
  const std::uint8_t code = day_code(d);
  return code == kNone || !reason_of(code).closed;
}

std::optional<std::string_view> holiday_name(TradingDate d) {
  const MarketDay m = market_day(d);
  if (m.kind != MarketDayKind::holiday) return std::nullopt;
  return m.reason;
}

std::optional<minutes> early_close(TradingDate d) {
  const MarketDay m = market_day(d);
  if (m.kind != MarketDayKind::early_close) return std::nullopt;
  return m.close;
}

std::optional<minutes> session_close(TradingDate d) { return market_day(d).close; }

TradingDate next_trading_day(TradingDate d) {
  do d += days{1};
  while (!is_trading_day(d));
  return d;
}

TradingDate previous_trading_day(TradingDate d) {
  do d -= days{1};
  while (!is_trading_day(d));
  return d;
}

std::vector<MarketDay> calendar_events(year y) {
  std::vector<MarketDay> out;
  for (const Marked& m : year_events(y)) out.push_back(describe(m.date, m.code));
  return out;
}

}  // namespace ts
