#include "scheduler/fire_time.hpp"

#include <date/tz.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "core/calendar.hpp"

namespace ts::scheduler {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

// Far enough for any run of closed days (the longest is 11-14 Sep 2001 plus a
// weekend) even for zones far from New York.
constexpr int kSearchDays = 400;

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return nullptr;
  }
}

const date::time_zone* new_york() {
  static const date::time_zone* ny = date::locate_zone("America/New_York");
  return ny;
}

date::local_seconds to_local(const date::time_zone* z, sys_seconds t) { return z->to_local(t); }

/// Wall clock -> instant: a nonexistent time maps to the transition, an
/// ambiguous one to its first occurrence.
sys_seconds to_utc(const date::time_zone* z, date::local_seconds local) {
  return z->to_sys(local, date::choose::earliest);
}

FireTime make_fire(const date::time_zone* z, sys_seconds utc, TradingDate trading_date, bool early) {
  const date::sys_info info = z->get_info(utc);
  FireTime f;
  f.utc = utc;
  f.local = std::chrono::local_seconds{(utc + info.offset).time_since_epoch()};
  f.zone_abbrev = info.abbrev;
  f.utc_offset = std::chrono::duration_cast<minutes>(info.offset);
  f.trading_date = trading_date;
  f.early_close = early;
  return f;
}

/// The schedule's occurrence for local day `day`, or nullopt when there is none
/// (a weekend with market_check on).
std::optional<Occurrence> occurrence_on(const Schedule& s, const date::time_zone* z, sys_days day) {
  const date::local_days local_day{day.time_since_epoch()};
  sys_seconds utc = to_utc(z, local_day + s.trigger_time);
  const TradingDate trading_date = new_york_date(utc);
  if (!s.market_check) return Occurrence{make_fire(z, utc, trading_date, false), std::nullopt};

  const MarketDay m = market_day(trading_date);
  switch (m.kind) {
    case MarketDayKind::weekend:
      return std::nullopt;
    case MarketDayKind::holiday:
      return Occurrence{make_fire(z, utc, trading_date, false), m.reason};
    case MarketDayKind::early_close: {
      // Only a fire after the regular close follows the close earlier.
      const date::local_days ny_day{trading_date.time_since_epoch()};
      const sys_seconds regular_close = to_utc(new_york(), ny_day + kRegularClose);
      bool early = false;
      if (utc >= regular_close) {
        utc -= kRegularClose - *m.close;
        early = true;
      }
      return Occurrence{make_fire(z, utc, trading_date, early), std::nullopt};
    }
    case MarketDayKind::session:
      break;
  }
  return Occurrence{make_fire(z, utc, trading_date, false), std::nullopt};
}

std::optional<Occurrence> next_occurrence_in(const Schedule& s, const date::time_zone* z, sys_seconds after) {
  // Start a day early: in zones whose clocks change at midnight, the previous
  // local day's occurrence can still lie after `after`.
  const sys_days first{std::chrono::floor<days>(to_local(z, after)).time_since_epoch() - days{1}};
  for (int i = 0; i <= kSearchDays; ++i) {
    auto occ = occurrence_on(s, z, first + days{i});
    if (occ && occ->time.utc > after) return occ;
  }
  return std::nullopt;
}

std::optional<FireTime> next_fire_in(const Schedule& s, const date::time_zone* z, sys_seconds after) {
  const minutes offset_at_after = std::chrono::duration_cast<minutes>(z->get_info(after).offset);
  std::vector<SkippedDay> skipped;
  sys_seconds cursor = after;
  for (int i = 0; i <= kSearchDays; ++i) {
    auto occ = next_occurrence_in(s, z, cursor);
    if (!occ) return std::nullopt;
    if (!occ->holiday) {
      occ->time.skipped = std::move(skipped);
      occ->time.dst_change = occ->time.utc_offset != offset_at_after;
      return std::move(occ->time);
    }
    skipped.push_back({occ->time.trading_date, *occ->holiday});
    cursor = occ->time.utc;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Occurrence> next_occurrence(const Schedule& s, sys_seconds after) {
  if (!s.enabled) return std::nullopt;
  const date::time_zone* z = find_zone(s.timezone);
  if (!z) return std::nullopt;
  return next_occurrence_in(s, z, after);
}

std::optional<FireTime> next_fire(const Schedule& s, sys_seconds after) {
  if (!s.enabled) return std::nullopt;
  const date::time_zone* z = find_zone(s.timezone);
  if (!z) return std::nullopt;
  return next_fire_in(s, z, after);
}

std::vector<FireTime> preview(const Schedule& s, sys_seconds from, std::size_t n) {
  std::vector<FireTime> out;
  if (!s.enabled || n == 0) return out;
  const date::time_zone* z = find_zone(s.timezone);
  if (!z) return out;
  out.reserve(n);
  sys_seconds cursor = from;
  while (out.size() < n) {
    auto f = next_fire_in(s, z, cursor);
    if (!f) break;
    cursor = f->utc;
    out.push_back(std::move(*f));
  }
  return out;
}

std::string format_local(const FireTime& f) {
  const auto day = std::chrono::floor<days>(f.local);
  const std::chrono::year_month_day ymd{sys_days{day.time_since_epoch()}};
  const std::chrono::hh_mm_ss tod{f.local - day};
  const int off = static_cast<int>(f.utc_offset.count());
  const int off_abs = std::abs(off) % (24 * 60);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), off < 0 ? '-' : '+', off_abs / 60, off_abs % 60);
  return buf;
}

}  // namespace ts::scheduler
