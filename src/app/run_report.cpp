#include "app/run_report.hpp"

#include <algorithm>

namespace ts::app {

Result<std::vector<Phase>> parse_phase_list(const std::string& text) {
  std::vector<Phase> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item == "all") {
      out.assign(kAllPhases.begin(), kAllPhases.end());
    } else if (!item.empty()) {
      const auto p = parse_phase(item);
      if (!p)
        return fail("INVALID_PARAMETER", "unknown phase '" + item +
                                             "' (expected import, cache_sync, indicators, patterns or all)");
      if (std::find(out.begin(), out.end(), *p) == out.end()) out.push_back(*p);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.empty()) return fail("INVALID_PARAMETER", "no phases given");
  std::sort(out.begin(), out.end());
  return out;
}

Result<engine::RunRequest> build_run_request(storage::Storage& db, const std::string& universe,
                                             const std::string& universe_file, const std::string& symbols,
                                             const std::string& from, const std::string& to,
                                             const std::string& phases) {
  engine::RunRequest req;
  if (!symbols.empty()) {
    auto list = parse_symbol_list(symbols);
    if (!list) return fail(list.error());
    req.universe = universe_from_symbols(std::move(list).value());
  } else if (!universe_file.empty()) {
    auto u = load_universe_file("custom", universe_file);
    if (!u) return fail(u.error());
    req.universe = std::move(u).value();
  } else {
    auto u = storage::resolve_universe(db, universe.empty() ? "dow30" : universe);
    if (!u) return fail(u.error());
    req.universe = std::move(u).value();
  }
  if (to.empty()) {
    req.to = new_york_date(std::chrono::system_clock::now());
  } else {
    auto d = parse_date(to);
    if (!d) return fail("INVALID_PARAMETER", "--to: " + d.error().message);
    req.to = *d;
  }
  if (from.empty()) {
    // Two calendar years back; 29 February falls back to the 28th.
    std::chrono::year_month_day back = std::chrono::year_month_day{req.to} - std::chrono::years{2};
    if (!back.ok()) back = back.year() / back.month() / std::chrono::last;
    req.from = TradingDate{back};
  } else {
    auto d = parse_date(from);
    if (!d) return fail("INVALID_PARAMETER", "--from: " + d.error().message);
    req.from = *d;
  }
  if (req.from > req.to)
    return fail("INVALID_PARAMETER",
                "--from " + format_date(req.from) + " is after --to " + format_date(req.to));
  auto p = parse_phase_list(phases);
  if (!p) return fail(p.error());
  req.phases = std::move(p).value();
  return req;
}

nlohmann::json run_to_json(const storage::RunRecord& r, const std::vector<storage::SymbolOutcome>& failures) {
  nlohmann::json j;
  j["run_id"] = r.run_id;
  j["trigger_type"] = to_string(r.trigger_type);
  j["status"] = to_string(r.status);
  auto& ph = j["phases"] = nlohmann::json::array();
  for (const Phase p : r.phases) ph.push_back(std::string(to_string(p)));
  j["universe"] = r.universe;
  j["parameters"] = nlohmann::json::parse(r.parameters_json, nullptr, false);
  j["run_date"] = r.run_date;
  j["started_at"] = r.started_at;
  j["finished_at"] = r.finished_at.empty() ? nlohmann::json() : nlohmann::json(r.finished_at);
  j["duration_seconds"] = r.duration_seconds;
  j["symbols_total"] = r.symbols_total;
  j["symbols_processed"] = r.symbols_processed;
  j["symbols_failed"] = r.symbols_failed;
  j["records_imported"] = r.records_imported;
  j["indicators_calculated"] = r.indicators_calculated;
  j["patterns_detected"] = r.patterns_detected;
  j["error"] = r.error;
  j["parent_run_id"] = r.parent_run_id.empty() ? nlohmann::json() : nlohmann::json(r.parent_run_id);
  auto& sums = j["phase_summaries"] = nlohmann::json::array();
  for (const auto& s : r.phase_summaries) {
    sums.push_back({{"phase", to_string(s.phase)},
                    {"status", s.status},
                    {"total_symbols", s.total},
                    {"successful_symbols", s.processed},
                    {"failed_symbols", s.failed},
                    {"count", s.count},
                    {"started_at", s.started_at},
                    {"finished_at", s.finished_at},
                    {"duration_seconds", s.duration_seconds}});
  }
  auto& f = j["failed_symbols"] = nlohmann::json::array();
  for (const auto& o : failures)
    f.push_back({{"symbol", o.symbol},
                 {"phase", to_string(o.phase)},
                 {"error_code", o.error_code},
                 {"message", o.message},
                 {"attempts", o.attempts}});
  return j;
}

}  // namespace ts::app
