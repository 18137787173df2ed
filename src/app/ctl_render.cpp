#include "app/ctl_render.hpp"

#include <date/tz.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/run_types.hpp"
#include "protocol/events.hpp"

namespace ts::app {

using nlohmann::json;
using protocol::Command;

namespace {

// ---- tolerant field access ------------------------------------------------------
std::string str(const json& j, const char* key, std::string fallback = "") {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_float()) {  // 100.0 -> "100", 0.72 -> "0.72"
    const double v = it->get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
      return std::to_string(static_cast<long long>(v));
  }
  return it->dump();
}
double num(const json& j, const char* key, double fallback = 0) {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
long long count(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<long long>() : 0;
}
bool flag(const json& j, const char* key) {
  if (!j.is_object()) return false;
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
const json& sub(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}
std::string join(const json& list, std::string_view sep = ", ") {
  if (!list.is_array())
    return list.is_null() ? "" : (list.is_string() ? list.get<std::string>() : list.dump());
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += sep;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}
std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}
std::string yes_no(bool b) { return b ? "yes" : "no"; }

/// "label         value\n" with the label padded to a column.
void row(std::string& out, std::string_view label, const std::string& value) {
  out += pad(std::string(label), 14) + value + "\n";
}

/// One run summary in a line: "completed_with_errors 2026-03-09, 41.2s, 29/30 symbols, 1 failed".
std::string run_line(const json& r) {
  std::string s = str(r, "status", "?") + " " + str(r, "run_date");
  if (const std::string u = str(r, "universe"); !u.empty()) s += " " + u;
  s += ", " + std::to_string(count(r, "symbols_processed")) + "/" +
       std::to_string(count(r, "symbols_total")) + " symbols";
  if (const auto f = count(r, "symbols_failed"); f > 0) s += ", " + std::to_string(f) + " failed";
  if (!sub(r, "finished_at").is_null()) s += ", " + format_duration(num(r, "duration_seconds"));
  if (const std::string e = str(r, "error"); !e.empty()) s += " (" + e + ")";
  return s;
}

std::string phase_count_text(const json& summary) {
  const auto ph = parse_phase(str(summary, "phase"));
  if (!ph) return "";
  const std::string field(protocol::phase_count_field(*ph));
  return std::to_string(count(summary, field.c_str())) + " " + field;
}

std::string render_accepted(Command c, const json& r) {
  std::string out = "run " + str(r, "run_id") + " " + str(r, "status", "queued");
  if (flag(r, "existing")) out += " (a run with this id already exists; not started again)";
  out += "\n";
  if (c == Command::retry_failed_imports) {
    const json& symbols = sub(r, "symbols");
    out += "retrying " + std::to_string(symbols.is_array() ? symbols.size() : 0) + " symbol(s) of run " +
           str(r, "parent_run_id") + (symbols.is_array() && !symbols.empty() ? ": " + join(symbols) : "") +
           "\n";
  }
  return out;
}

std::string render_status(const json& s) {
  std::string out;
  row(out, "engine",
      str(s, "engine_id", "?") + " v" + str(s, "engine_version", "?") + ", " + str(s, "state", "?") +
          ", up " + format_duration(num(s, "uptime_seconds")));
  const json& cur = sub(s, "current_run");
  if (cur.is_object()) {
    row(out, "current run",
        str(cur, "run_id") + " " + str(cur, "status") + " (" + join(sub(cur, "phases")) + ", " +
            std::to_string(count(cur, "symbols_total")) + " symbols)");
    const json& p = sub(s, "current_progress");
    if (p.is_object()) {
      std::string line = str(p, "phase") + " " + std::to_string(count(p, "completed_symbols")) + "/" +
                         std::to_string(count(p, "total_symbols")) + " " +
                         fixed(num(p, "percent_complete"), 1) + "%";
      if (const auto f = count(p, "failed_symbols"); f > 0) line += ", " + std::to_string(f) + " failed";
      if (const json& eta = sub(p, "eta_seconds"); eta.is_number())
        line += ", eta " + format_duration(eta.get<double>());
      row(out, "progress", line);
    }
  } else {
    row(out, "current run", "none");
  }
  const json& last = sub(s, "last_run");
  row(out, "last run", last.is_object() ? str(last, "run_id") + " " + run_line(last) : "none");
  const std::string next = str(s, "next_scheduled_run");
  row(out, "next run",
      next.empty() ? "not scheduled"
                   : format_in_zone(next, "America/New_York") + " (" + format_in_zone(next, "UTC") + ")");
  const json& ev = sub(s, "last_event");
  if (ev.is_object())
    row(out, "last event",
        str(ev, "event") + " #" + str(ev, "seq") + " at " + str(ev, "timestamp") +
            (sub(ev, "stream_id").is_string() ? " (stream id " + str(ev, "stream_id") + ")" : ""));
  return out;
}

std::string render_history(const json& r) {
  const json& runs = sub(r, "runs");
  if (!runs.is_array() || runs.empty()) return "no runs\n";
  std::string out = pad("RUN_ID", 38) + pad("STATUS", 23) + pad("TRIGGER", 10) + pad("DATE", 12) +
                    pad("STARTED", 26) + pad("DURATION", 10) + pad("SYMBOLS", 10) + "FAILED\n";
  for (const auto& run : runs) {
    const bool finished = !sub(run, "finished_at").is_null();
    out += pad(str(run, "run_id"), 38) + pad(str(run, "status"), 23) + pad(str(run, "trigger_type"), 10) +
           pad(str(run, "run_date"), 12) + pad(str(run, "started_at"), 26) +
           pad(finished ? format_duration(num(run, "duration_seconds")) : "-", 10) +
           pad(std::to_string(count(run, "symbols_processed")) + "/" +
                   std::to_string(count(run, "symbols_total")),
               10) +
           std::to_string(count(run, "symbols_failed")) + "\n";
  }
  if (const std::string next = str(r, "next_cursor"); !next.empty())
    out += "more: tickstock ctl history --cursor " + next + "\n";
  return out;
}

std::string render_run_detail(const json& r) {
  const json& run = sub(r, "run");
  std::string out;
  row(out, "run", str(run, "run_id"));
  row(out, "status", str(run, "status") + (str(run, "error").empty() ? "" : " (" + str(run, "error") + ")"));
  row(out, "trigger",
      str(run, "trigger_type") +
          (str(run, "parent_run_id").empty() ? "" : ", retry of " + str(run, "parent_run_id")));
  row(out, "date", str(run, "run_date") + ", universe " + str(run, "universe", "-"));
  row(out, "started", str(run, "started_at"));
  row(out, "finished",
      str(run, "finished_at", "-") + (sub(run, "finished_at").is_null()
                                          ? ""
                                          : " (" + format_duration(num(run, "duration_seconds")) + ")"));
  row(out, "symbols",
      std::to_string(count(run, "symbols_processed")) + "/" + std::to_string(count(run, "symbols_total")) +
          " processed, " + std::to_string(count(run, "symbols_failed")) + " failed");
  row(out, "results",
      std::to_string(count(run, "records_imported")) + " records imported, " +
          std::to_string(count(run, "indicators_calculated")) + " indicator values, " +
          std::to_string(count(run, "patterns_detected")) + " patterns");
  const json& phases = sub(r, "phases");
  if (phases.is_array() && !phases.empty()) {
    out += "\n" + pad("PHASE", 12) + pad("STATUS", 23) + pad("OK", 8) + pad("FAILED", 8) +
           pad("DURATION", 10) + "COUNT\n";
    for (const auto& p : phases)
      out += pad(str(p, "phase"), 12) + pad(str(p, "status"), 23) +
             pad(std::to_string(count(p, "successful_symbols")), 8) +
             pad(std::to_string(count(p, "failed_symbols")), 8) +
             pad(format_duration(num(p, "duration_seconds")), 10) + phase_count_text(p) + "\n";
  }
  const json& failed = sub(r, "failed_symbols");
  if (failed.is_array() && !failed.empty()) {
    out += "\nfailed symbols:\n";
    for (const auto& f : failed) {
      out += "  " + pad(str(f, "symbol"), 8) + pad(str(f, "phase"), 12) + str(f, "error_code") + " " +
             str(f, "message");
      if (const auto n = count(f, "attempts"); n > 1) out += " (" + std::to_string(n) + " attempts)";
      out += "\n";
    }
  }
  return out;
}

std::string render_schedule(const json& s) {
  std::string out;
  const std::string zone = str(s, "timezone", "America/New_York");
  row(out, "enabled", yes_no(flag(s, "enabled")));
  row(out, "trigger time", str(s, "trigger_time") + " " + zone);
  row(out, "universes", join(sub(s, "universes")));
  row(out, "market check",
      flag(s, "market_check") ? "yes (NYSE trading days only; 13:10 on early closes)" : "no (every day)");
  row(out, "phases", join(sub(s, "phases")));
  const json& next = sub(s, "next_fire");
  if (!next.is_object()) {
    row(out, "next fire", flag(s, "enabled") ? "none" : "none (disabled)");
    return out;
  }
  const std::string utc = str(next, "utc");
  row(out, "next fire", format_in_zone(utc, "America/New_York") + " (New York)");
  row(out, "", format_in_zone(utc, "UTC") + " (UTC)");
  if (zone != "America/New_York" && zone != "UTC")
    row(out, "", format_in_zone(utc, zone) + " (" + zone + ")");
  if (flag(next, "early_close")) row(out, "", "early close: moved earlier with the market's 13:00 close");
  return out;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  if (seconds < 1) return std::to_string(static_cast<long long>(std::lround(seconds * 1000))) + "ms";
  if (seconds < 60) return fixed(seconds, 1) + "s";
  const auto total = static_cast<long long>(std::lround(seconds));
  char buf[48];
  if (total < 3600)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", total / 60, total % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", total / 3600, (total % 3600) / 60);
  return buf;
}

std::string format_in_zone(std::string_view utc_timestamp, std::string_view zone) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const std::string text(utc_timestamp);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 || text.empty() ||
      text.back() != 'Z')
    return text;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return text;
  const auto tp =
      date::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
  try {
    if (zone == "UTC") return date::format("%a %Y-%m-%d %H:%M UTC", tp);
    const auto zoned = date::make_zoned(std::string(zone), tp);
    return date::format("%a %Y-%m-%d %H:%M %Z", zoned);
  } catch (const std::exception&) {
    return text;
  }
}

std::string render_result(Command c, const json& r) {
  switch (c) {
    case Command::trigger_daily_processing:
    case Command::retry_failed_imports:
    case Command::trigger_indicators:
    case Command::trigger_patterns:
      return render_accepted(c, r);
    case Command::cancel_processing:
      return flag(r, "cancel_requested")
                 ? "cancel requested for run " + str(r, "run_id") + " (" + str(r, "status") +
                       "); it stops between symbols and ends cancelled\n"
                 : "run " + str(r, "run_id") + " has already finished (" + str(r, "status") +
                       "); nothing to cancel\n";
    case Command::get_processing_status:
      return render_status(r);
    case Command::get_processing_history:
      return render_history(r);
    case Command::get_run:
      return render_run_detail(r);
    case Command::get_schedule:
    case Command::update_schedule:
      return render_schedule(r);
    case Command::get_bars:
    case Command::get_indicator_values:
    case Command::get_pattern_detections:
    case Command::screen:
    case Command::list_universes:
    case Command::list_symbols:
      break;  // data, not prose: the JSON itself
  }
  return r.dump(2) + "\n";
}

std::string render_error(const protocol::CommandError& e) {
  return "error: " + std::string(protocol::to_string(e.code)) + ": " + e.message + "\n";
}

json error_json(std::string_view code, std::string_view message, const json& details) {
  return {
      {"error",
       {{"code", code}, {"message", message}, {"details", details.is_object() ? details : json::object()}}}};
}

std::string render_event_line(const protocol::Envelope& e) {
  const json& p = e.payload;
  std::string time = e.timestamp.size() >= 24 ? e.timestamp.substr(11) : e.timestamp;
  std::string out = pad(time, 14) + pad(std::string(protocol::to_string(e.event)), 23);
  const std::string run = str(p, "run_id");
  if (!run.empty()) out += "run=" + run + " ";
  const auto& info = protocol::info(e.event);
  switch (info.kind) {
    case protocol::PayloadKind::run_started:
      out += "universe=" + str(p, "universe", "-") + " symbols=" + std::to_string(count(p, "symbols_total")) +
             " phases=" + join(sub(p, "phases"), ",") + " trigger=" + str(p, "trigger_type");
      if (const std::string parent = str(p, "parent_run_id"); !parent.empty()) out += " parent=" + parent;
      break;
    case protocol::PayloadKind::phase_started:
      out += "phase=" + str(p, "phase") + " total=" + std::to_string(count(p, "total_symbols"));
      break;
    case protocol::PayloadKind::phase_progress: {
      out += std::to_string(count(p, "completed_symbols")) + "/" + std::to_string(count(p, "total_symbols")) +
             " " + fixed(num(p, "percent_complete"), 1) +
             "% failed=" + std::to_string(count(p, "failed_symbols"));
      if (const json& eta = sub(p, "eta_seconds"); eta.is_number())
        out += " eta=" + format_duration(eta.get<double>());
      if (const std::string cur = str(p, "current_symbol"); !cur.empty()) out += " current=" + cur;
      if (const auto ph = parse_phase(str(p, "phase"))) {
        const std::string field(protocol::phase_count_field(*ph));
        out += " " + field + "=" + std::to_string(count(p, field.c_str()));
      }
      break;
    }
    case protocol::PayloadKind::phase_completed:
      out += "status=" + str(p, "status") + " ok=" + std::to_string(count(p, "successful_symbols")) +
             " failed=" + std::to_string(count(p, "failed_symbols")) + " " + phase_count_text(p) + " in " +
             format_duration(num(p, "duration_seconds"));
      break;
    case protocol::PayloadKind::run_finished:
      out += "status=" + str(p, "status") + " processed=" + std::to_string(count(p, "symbols_processed")) +
             " failed=" + std::to_string(count(p, "symbols_failed")) + " in " +
             format_duration(num(p, "duration_seconds"));
      if (const std::string err = str(p, "error"); !err.empty()) out += " (" + err + ")";
      break;
    case protocol::PayloadKind::pattern_detection:
      out += str(p, "symbol") + " " + str(p, "pattern") + " " + str(p, "direction") + " " +
             str(p, "timeframe") + " " + str(p, "bar_date") + " strength=" + str(p, "strength") +
             " confidence=" + str(p, "confidence");
      break;
    case protocol::PayloadKind::indicator_values: {
      out += str(p, "symbol") + " " + str(p, "indicator") + " " + str(p, "timeframe") + " " + str(p, "as_of");
      const json& values = sub(p, "values");
      if (values.is_object())
        for (const auto& [k, v] : values.items())
          out += " " + k + "=" + (v.is_number() ? fixed(v.get<double>(), 4) : v.dump());
      break;
    }
    case protocol::PayloadKind::heartbeat:
      out += "engine=" + str(p, "engine_id") + " state=" + str(p, "state") +
             " up=" + format_duration(num(p, "uptime_seconds"));
      if (const std::string cur = str(p, "current_run_id"); !cur.empty()) out += " current_run=" + cur;
      if (const std::string next = str(p, "next_scheduled_run"); !next.empty()) out += " next=" + next;
      break;
    case protocol::PayloadKind::schedule_updated:
      out += "enabled=" + std::string(flag(p, "enabled") ? "true" : "false") +
             " time=" + str(p, "trigger_time") + " " + str(p, "timezone") +
             " next=" + str(sub(p, "next_fire"), "utc", "-");
      if (const std::string by = str(p, "updated_by"); !by.empty()) out += " by=" + by;
      break;
    case protocol::PayloadKind::schedule_skipped:
      out += "reason=" + str(p, "reason") + " fire=" + str(p, "fire_time");
      if (const std::string d = str(p, "detail"); !d.empty()) out += " (" + d + ")";
      if (const std::string a = str(p, "active_run_id"); !a.empty()) out += " active_run=" + a;
      break;
    case protocol::PayloadKind::error: {
      out += str(p, "severity") + " " + str(p, "component");
      if (const std::string sym = str(sub(p, "context"), "symbol"); !sym.empty()) out += " " + sym;
      out += ": " + str(p, "error_code") + " " + str(p, "message");
      if (const std::string a = str(p, "recovery_action"); !a.empty() && a != "none") out += " (" + a + ")";
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string render_run_finished(const json& p) {
  std::string out = "run " + str(p, "run_id") + " " + str(p, "status", "?") + " in " +
                    format_duration(num(p, "duration_seconds")) + ": " +
                    std::to_string(count(p, "symbols_processed")) + " symbols processed, " +
                    std::to_string(count(p, "symbols_failed")) + " failed; " +
                    std::to_string(count(p, "records_imported")) + " records imported, " +
                    std::to_string(count(p, "indicators_calculated")) + " indicator values, " +
                    std::to_string(count(p, "patterns_detected")) + " patterns";
  if (const std::string err = str(p, "error"); !err.empty()) out += " (" + err + ")";
  return out;
}

std::string render_gap(const client::SeqGap& g) {
  const auto n = g.missing();
  return "warning: seq gap in " + std::string(g.run_scope ? "run " : "engine ") + g.scope + ": expected " +
         std::to_string(g.expected) + ", got " + std::to_string(g.got) + " (" + std::to_string(n) + " event" +
         (n == 1 ? "" : "s") + " missed)";
}

std::string render_bar_line(const client::PhaseBar& b, int width) {
  if (width < 1) width = 1;
  const std::string name = pad(std::string(to_string(b.phase)), 11);
  if (!b.started) return name + "[" + std::string(static_cast<std::size_t>(width), '.') + "]  pending";
  double pct = b.percent;
  if (!(pct >= 0)) pct = 0;
  if (pct > 100) pct = 100;
  const int filled = static_cast<int>(pct / 100.0 * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  char pct_text[16];
  std::snprintf(pct_text, sizeof pct_text, "%5.1f%%", pct);
  std::string out =
      name + "[" + bar + "] " + pct_text + "  " + std::to_string(b.completed) + "/" + std::to_string(b.total);
  if (b.failed > 0) out += "  " + std::to_string(b.failed) + " failed";
  if (b.done) {
    out += "  " + b.status + " in " + format_duration(b.duration_seconds);
  } else {
    if (b.eta_seconds) out += "  eta " + format_duration(*b.eta_seconds);
    if (!b.current_symbol.empty()) out += "  " + b.current_symbol;
  }
  return out;
}

// ---- ProgressView -------------------------------------------------------------------
void ProgressView::redraw(const client::RunProgress& run, const std::vector<std::string>& notes) {
  // Back to the first bar line, clear to the end of the screen, then notes and bars.
  if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "A\r";
  out_ << "\x1b[J";
  for (const auto& n : notes) out_ << n << "\n";
  for (const auto& b : run.bars()) {
    std::string line = render_bar_line(b, width_);
    if (columns_ > 1 && line.size() >= columns_) line.resize(columns_ - 1);
    out_ << line << "\n";
  }
  drawn_ = run.bars().size();
  out_.flush();
}

void ProgressView::update(const client::RunProgress& run, const client::RunProgress::Step& step) {
  if (!step.of_run) return;
  if (tty_) {
    if (step.bars_changed || !step.notes.empty()) redraw(run, step.notes);
    return;
  }
  for (const auto& n : step.notes) out_ << n << "\n";
  if (step.phase) {
    const Phase ph = *step.phase;
    for (const auto& b : run.bars()) {
      if (b.phase != ph) continue;
      const std::string name(to_string(ph));
      if (b.started && started_.insert(ph).second) out_ << name << ": started, " << b.total << " symbols\n";
      if (b.done) {
        if (done_.insert(ph).second) {
          out_ << name << ": " << b.status << ", " << (b.completed - b.failed) << " ok, " << b.failed
               << " failed, " << b.count << " " << protocol::phase_count_field(ph) << ", "
               << format_duration(b.duration_seconds) << "\n";
        }
      } else {
        // At most one line per tenth of the phase; the end is the phase's own line.
        const int decile = static_cast<int>(b.percent / 10);
        auto [it, fresh] = decile_.emplace(ph, 0);
        if (b.completed > 0 && decile > it->second && decile < 10) {
          it->second = decile;
          out_ << name << ": " << fixed(b.percent, 0) << "% (" << b.completed << "/" << b.total << ", "
               << b.failed << " failed"
               << (b.eta_seconds ? ", eta " + format_duration(*b.eta_seconds) : std::string()) << ")\n";
        }
      }
    }
  }
  out_.flush();
}

void ProgressView::note(const client::RunProgress& run, const std::string& line) {
  if (tty_) {
    redraw(run, {line});
    return;
  }
  out_ << line << "\n";
  out_.flush();
}

}  // namespace ts::app
