#pragma once
// `tickstock ctl`: the human forms of replies, errors, events and progress.
// Pure text builders (the progress view writes to a caller's stream), so each
// is unit-tested. Every function tolerates missing or null fields: a newer
// engine may add fields, an older one may lack some.
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/run_tracking.hpp"
#include "protocol/commands.hpp"
#include "protocol/envelope.hpp"

namespace ts::app {

/// The human form of a command's result (several lines, each ending in '\n').
std::string render_result(protocol::Command command, const nlohmann::json& result);
/// "error: CODE: message\n".
std::string render_error(const protocol::CommandError& e);
/// {"error": {"code", "message", "details"}} (what --json prints for an error).
nlohmann::json error_json(std::string_view code, std::string_view message,
                          const nlohmann::json& details = nlohmann::json::object());

/// A duration for people: "850ms", "12.5s", "3m 05s", "2h 04m".
std::string format_duration(double seconds);
/// "2026-03-09T20:10:00.000Z" as "Mon 2026-03-09 16:10 EDT" in `zone`; the
/// input itself when it cannot be read.
std::string format_in_zone(std::string_view utc_timestamp, std::string_view zone);

/// One line for `ctl watch`: "20:11:02.417Z  import_progress        run=... 12/30 ...".
std::string render_event_line(const protocol::Envelope& e);
/// "run X completed_with_errors in 41.2s: ..." from a terminal event's payload.
std::string render_run_finished(const nlohmann::json& payload);
/// A seq gap warning (no newline).
std::string render_gap(const client::SeqGap& g);

/// "import      [############..................]  40.0%  12/30  1 failed  eta 4s  MSFT".
std::string render_bar_line(const client::PhaseBar& b, int width = 30);

/// Shows a followed run. On a TTY: one bar per phase, redrawn in place with
/// ANSI escapes, failures printed above the bars. Otherwise plain lines: a
/// phase's start, every 10% of its progress, its end, and each failure.
class ProgressView {
 public:
  /// `columns`: the terminal's width; bar lines are cut to fit it, since a
  /// wrapped line would break the redraw (0 = no limit).
  ProgressView(std::ostream& out, bool tty, int bar_width = 30, std::size_t columns = 0)
      : out_(out), tty_(tty), width_(bar_width), columns_(columns) {}

  /// Shows what `step` changed; `run` is the state after it.
  void update(const client::RunProgress& run, const client::RunProgress::Step& step);
  /// A line of its own (a warning), printed above the bars.
  void note(const client::RunProgress& run, const std::string& line);

 private:
  void redraw(const client::RunProgress& run, const std::vector<std::string>& notes);

  std::ostream& out_;
  bool tty_;
  int width_;
  std::size_t columns_;
  std::size_t drawn_ = 0;  // bar lines on screen below the cursor's line
  std::map<Phase, int> decile_;
  std::set<Phase> started_, done_;
};

}  // namespace ts::app
