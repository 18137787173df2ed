#include "service/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "core/calendar.hpp"
#include "engine/studies.hpp"
#include "patterns/pattern.hpp"

namespace ts::service {
namespace {

using protocol::Command;
using protocol::CommandError;
using protocol::ErrorCode;

CommandError error(ErrorCode code, std::string message, nlohmann::json details = nlohmann::json::object()) {
  return {code, std::move(message), std::move(details)};
}

/// A stored run row, or the engine's own record of it when the database
/// refused its terminal state (RunManager::unrecorded): status queries then
/// report how the run ended, not the stale `running` row.
storage::RunRecord with_unrecorded(const storage::RunRecord& row,
                                   const std::optional<storage::RunRecord>& unrecorded) {
  return unrecorded && unrecorded->run_id == row.run_id ? *unrecorded : row;
}

ErrorCode code_of(std::string_view name) {
  return protocol::parse_error_code(name).value_or(ErrorCode::internal);
}

std::vector<std::string> strings(const nlohmann::json& params, const char* key) {
  if (!params.contains(key) || !params[key].is_array()) return {};
  return params[key].get<std::vector<std::string>>();
}
std::string string_or(const nlohmann::json& params, const char* key, std::string fallback = {}) {
  if (params.contains(key) && params[key].is_string()) return params[key].get<std::string>();
  return fallback;
}
bool bool_or(const nlohmann::json& params, const char* key, bool fallback = false) {
  if (params.contains(key) && params[key].is_boolean()) return params[key].get<bool>();
  return fallback;
}

std::vector<Phase> phases_of(const nlohmann::json& params) {
  std::vector<Phase> out;
  for (const auto& name : strings(params, "phases")) {
    if (name == "all") return {kAllPhases.begin(), kAllPhases.end()};
    if (auto p = parse_phase(name)) out.push_back(*p);
  }
  if (out.empty()) out.assign(kAllPhases.begin(), kAllPhases.end());
  return out;
}

std::vector<protocol::PhaseSummary> phase_summaries(const storage::RunRecord& r) {
  std::vector<protocol::PhaseSummary> out;
  for (const auto& s : r.phase_summaries) out.push_back(to_phase_summary(s));
  return out;
}

}  // namespace

std::string encode_cursor(std::string_view started_at, std::string_view run_id) {
  static const char* hex = "0123456789abcdef";
  std::string raw = std::string(started_at) + "|" + std::string(run_id), out;
  for (const unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string decode_cursor(std::string_view token) {
  std::string out;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (token.size() % 2) return {};
  for (std::size_t i = 0; i < token.size(); i += 2) {
    const int hi = val(token[i]), lo = val(token[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out += static_cast<char>(hi * 16 + lo);
  }
  return out.find('|') == std::string::npos ? std::string() : out;
}

Dispatcher::Dispatcher(storage::Storage& db, engine::RunManager& runs, EventPublisher& events,
                       ScheduleService& schedule, DispatcherOptions options, Clock clock)
    : db_(db),
      runs_(runs),
      events_(events),
      schedule_(schedule),
      opt_(std::move(options)),
      clock_(std::move(clock)),
      reads_(db, opt_.default_universe) {}

Result<engine::RunRequest> Dispatcher::make_request(const std::string& universe,
                                                    const std::vector<std::string>& symbols,
                                                    const std::vector<Phase>& phases) const {
  engine::RunRequest req;
  if (!symbols.empty()) {
    std::vector<Symbol> list;
    for (const auto& s : symbols) {
      auto sym = Symbol::parse(s);
      if (!sym) return fail("INVALID_PARAMETER", "symbols: " + sym.error().message);
      list.push_back(std::move(sym).value());
    }
    req.universe = universe_from_symbols(std::move(list));
  } else {
    // Several universes (a schedule's list) join into one run.
    std::string names = universe.empty() ? opt_.default_universe : universe;
    Universe merged;
    std::set<std::string> seen;
    std::size_t pos = 0;
    while (pos <= names.size()) {
      const auto plus = names.find('+', pos);
      const std::string name = names.substr(pos, plus == std::string::npos ? std::string::npos : plus - pos);
      auto u = storage::resolve_universe(db_, name);  // built-in first, else registered
      if (!u) return fail("NOT_FOUND", u.error().message);
      for (auto& m : u->members)
        if (seen.insert(m.symbol.str()).second) merged.members.push_back(std::move(m));
      merged.as_of = u->as_of;
      merged.description = u->description;
      if (plus == std::string::npos) break;
      pos = plus + 1;
    }
    merged.name = names;
    req.universe = std::move(merged);
  }
  req.to = new_york_date(clock_());
  std::chrono::year_month_day back =
      std::chrono::year_month_day{req.to} - std::chrono::years{opt_.default_history_years};
  if (!back.ok()) back = back.year() / back.month() / std::chrono::last;
  req.from = TradingDate{back};
  req.phases = phases;
  req.threads = opt_.threads;
  req.min_success_ratio = opt_.min_success_ratio;
  req.alert_bars = opt_.alert_bars;
  req.provider_description = opt_.provider_description;
  return req;
}

Result<engine::RunRequest> Dispatcher::make_resume_request(const storage::RunRecord& parent) const {
  const auto params = nlohmann::json::parse(parent.parameters_json, nullptr, false);
  std::vector<std::string> symbols;
  if (params.is_object() && params.contains("symbols") && params["symbols"].is_array())
    for (const auto& s : params["symbols"])
      if (s.is_string()) symbols.push_back(s.get<std::string>());
  auto req = make_request(symbols.empty() ? parent.universe : std::string(), symbols, parent.phases);
  if (!req) return req;
  if (auto st = engine::apply_recorded_parameters(parent.parameters_json, *req); !st) return fail(st.error());
  req->trigger = TriggerType::resume;
  req->parent_run_id = parent.run_id;
  return req;
}

Result<nlohmann::json, CommandError> Dispatcher::start(engine::RunRequest req, bool skip_market_check,
                                                       std::vector<std::string> retried) {
  const std::string parent = req.parent_run_id;
  auto started = runs_.start(std::move(req), skip_market_check);
  if (!started) {
    const auto& e = started.error();
    if (e.code == "ALREADY_RUNNING") return fail(protocol::already_running(e.active_run_id));
    return fail(error(code_of(e.code), e.message));
  }
  protocol::RunAccepted a;
  a.run_id = started->run_id;
  a.status = started->status;
  a.existing = started->existing;
  a.parent_run_id = parent;
  a.symbols = std::move(retried);
  return protocol::run_accepted_result(a);
}

Result<nlohmann::json, CommandError> Dispatcher::execute(const protocol::CommandRequest& r, TriggerType via) {
  const auto& p = r.parameters;
  switch (r.command) {
    case Command::trigger_daily_processing: {
      auto req = make_request(string_or(p, "universe"), strings(p, "symbols"), phases_of(p));
      if (!req) return fail(error(code_of(req.error().code), req.error().message));
      req->run_id = string_or(p, "run_id");
      req->trigger = via;
      req->full = bool_or(p, "full");
      req->publish_indicator_values = bool_or(p, "publish_indicator_values");
      return start(std::move(req).value(), bool_or(p, "skip_market_check"));
    }
    case Command::cancel_processing: {
      std::optional<std::string> id;
      if (p.contains("run_id")) id = p["run_id"].get<std::string>();
      auto c = runs_.cancel(id);
      if (!c) {
        if (id && db_.get_run(*id)) {
          const auto run = db_.get_run(*id);
          return fail(error(ErrorCode::not_found, "run " + *id + " is not active (status " +
                                                      std::string(to_string(run->status)) + ")"));
        }
        return fail(id ? protocol::run_not_found(*id) : error(ErrorCode::not_found, c.error().message));
      }
      return protocol::cancel_result(*c, RunStatus::running, true);
    }
    case Command::get_processing_status:
      return protocol::status_snapshot(events_.snapshot());
    case Command::get_processing_history: {
      storage::RunQuery q;
      q.limit = p.value("limit", 50);
      if (p.contains("status")) q.status = parse_run_status(p["status"].get<std::string>());
      if (p.contains("trigger_type"))
        q.trigger_type = parse_trigger_type(p["trigger_type"].get<std::string>());
      if (p.contains("days"))
        q.started_after =
            protocol::format_timestamp(clock_() - std::chrono::hours(24) * p["days"].get<int>());
      // A date range in UTC (started_at is UTC); with days too, both bounds apply.
      if (auto from = parse_date(p.value("from", std::string())); from) {
        const std::string bound = format_date(*from) + "T00:00:00.000Z";
        q.started_after = std::max(q.started_after, bound);
      }
      if (auto to = parse_date(p.value("to", std::string())); to)
        q.started_before = format_date(*to + std::chrono::days(1)) + "T00:00:00.000Z";
      if (p.contains("cursor")) {
        q.cursor = decode_cursor(p["cursor"].get<std::string>());
        if (q.cursor.empty())
          return fail(error(ErrorCode::invalid_parameter, "cursor: not a cursor this engine issued",
                            {{"parameter", "cursor"}}));
      }
      // One extra row tells whether another page follows.
      ++q.limit;
      auto rows = db_.list_runs(q);
      std::string next;
      if (static_cast<int>(rows.size()) == q.limit) {
        rows.pop_back();
        next = encode_cursor(rows.back().started_at, rows.back().run_id);
      }
      std::vector<protocol::RunSummary> runs;
      const auto unrecorded = runs_.unrecorded();
      for (const auto& row : rows) runs.push_back(to_summary(with_unrecorded(row, unrecorded)));
      return protocol::history_result(runs, next);
    }
    case Command::get_run: {
      const std::string id = p["run_id"].get<std::string>();
      auto run = db_.get_run(id);
      if (!run) return fail(protocol::run_not_found(id));
      run = with_unrecorded(*run, runs_.unrecorded());
      std::vector<protocol::FailedSymbol> failed;
      for (const auto& o : db_.run_outcomes(id, true))
        failed.push_back({o.symbol, o.phase, o.error_code, o.message, o.attempts});
      return protocol::run_detail_result(to_summary(*run), phase_summaries(*run), failed);
    }
    case Command::retry_failed_imports: {
      const std::string id = p["run_id"].get<std::string>();
      const auto run = db_.get_run(id);
      if (!run) return fail(protocol::run_not_found(id));
      std::vector<std::string> failed;
      for (const auto& o : db_.run_outcomes(id, true))
        if (std::find(failed.begin(), failed.end(), o.symbol) == failed.end()) failed.push_back(o.symbol);
      std::vector<std::string> chosen = strings(p, "symbols");
      for (const auto& s : chosen)
        if (std::find(failed.begin(), failed.end(), s) == failed.end())
          return fail(error(ErrorCode::invalid_parameter, "symbols: " + s + " did not fail in run " + id,
                            {{"parameter", "symbols"}, {"failed", failed}}));
      if (chosen.empty()) chosen = failed;
      if (chosen.empty())
        return fail(error(ErrorCode::invalid_parameter, "run " + id + " has no failed symbols to retry",
                          {{"parameter", "run_id"}}));
      auto req = make_request("", chosen, run->phases);
      if (!req) return fail(error(code_of(req.error().code), req.error().message));
      req->trigger = TriggerType::retry;
      req->parent_run_id = id;
      // The retry covers the parent's range.
      const auto params = nlohmann::json::parse(run->parameters_json, nullptr, false);
      if (params.is_object()) {
        if (auto f = parse_date(params.value("from", std::string()))) req->from = *f;
        if (auto t = parse_date(params.value("to", std::string()))) req->to = *t;
      }
      return start(std::move(req).value(), /*skip_market_check=*/true, chosen);
    }
    case Command::trigger_indicators:
    case Command::trigger_patterns: {
      const bool indicators = r.command == Command::trigger_indicators;
      auto req = make_request(string_or(p, "universe"), strings(p, "symbols"),
                              {indicators ? Phase::indicators : Phase::patterns});
      if (!req) return fail(error(code_of(req.error().code), req.error().message));
      req->trigger = via;
      req->full = true;  // an explicit recompute of the latest values
      if (indicators) {
        for (const auto& name : strings(p, "indicators")) {
          if (name.find('(') != std::string::npos) {
            auto call = ta::parse_call(name);
            if (!call)
              return fail(error(ErrorCode::invalid_parameter, "indicators: " + call.error().message,
                                {{"parameter", "indicators"}}));
            req->studies.push_back(std::move(call).value());
            continue;
          }
          // A bare function name selects its calls in the default set, or its defaults.
          bool any = false;
          for (const auto& c : engine::default_studies())
            if (c.spec->name == name) req->studies.push_back(c), any = true;
          if (!any) {
            auto call = ta::parse_call(name);
            if (!call)
              return fail(error(ErrorCode::invalid_parameter, "indicators: " + call.error().message,
                                {{"parameter", "indicators"}}));
            req->studies.push_back(std::move(call).value());
          }
        }
        if (auto tf = parse_timeframe(string_or(p, "timeframe", "daily"))) req->timeframes = {*tf};
      } else {
        for (const auto& name : strings(p, "patterns")) {
          if (!patterns::find_pattern(name))
            return fail(error(ErrorCode::invalid_parameter, "patterns: unknown pattern '" + name + "'",
                              {{"parameter", "patterns"}}));
          req->patterns.push_back(name);
        }
      }
      return start(std::move(req).value(), /*skip_market_check=*/true);
    }
    case Command::get_schedule:
      return protocol::schedule_json(schedule_.describe());
    case Command::update_schedule: {
      auto s = schedule_.update(p, r.source);
      if (!s) return fail(error(ErrorCode::invalid_parameter, s.error().message));
      return protocol::schedule_json(*s);
    }
    case Command::get_bars:
      return reads_.get_bars(p);
    case Command::get_indicator_values:
      return reads_.get_indicator_values(p);
    case Command::get_pattern_detections:
      return reads_.get_pattern_detections(p);
    case Command::screen:
      return reads_.screen(p);
    case Command::list_universes:
      return reads_.list_universes();
    case Command::list_symbols:
      return reads_.list_symbols(p);
  }
  return fail(error(ErrorCode::unknown_command, "unhandled command"));
}

namespace {
bool remembers_replies(const protocol::CommandRequest& r, std::size_t capacity) {
  return protocol::spec(r.command).mutating && !r.request_id.empty() && capacity > 0;
}
std::string reply_fingerprint(const protocol::CommandRequest& r) {
  return std::string(protocol::to_string(r.command)) + ' ' + r.parameters.dump();
}
}  // namespace

std::optional<protocol::Reply> Dispatcher::remembered_reply(const protocol::CommandRequest& r) {
  if (!remembers_replies(r, opt_.remembered_replies)) return std::nullopt;
  std::lock_guard lock(replay_mu_);
  const auto it = replies_.find(r.request_id);
  if (it == replies_.end() || it->second.fingerprint != reply_fingerprint(r)) return std::nullopt;
  return it->second.reply;
}

protocol::Reply Dispatcher::handle(const protocol::CommandRequest& r, TriggerType via) {
  if (!remembers_replies(r, opt_.remembered_replies)) return execute_reply(r, via);
  // One at a time: a re-send racing the original must find its reply, not
  // run the command a second time.
  std::lock_guard lock(replay_mu_);
  std::string fingerprint = reply_fingerprint(r);
  if (const auto it = replies_.find(r.request_id);
      it != replies_.end() && it->second.fingerprint == fingerprint) {
    spdlog::info("command {} re-sent with request_id {}: answering with the earlier reply",
                 protocol::to_string(r.command), r.request_id);
    return it->second.reply;
  }
  auto reply = execute_reply(r, via);
  if (!replies_.count(r.request_id)) {
    reply_order_.push_back(r.request_id);
    if (reply_order_.size() > opt_.remembered_replies) {
      replies_.erase(reply_order_.front());
      reply_order_.pop_front();
    }
  }
  replies_[r.request_id] = {std::move(fingerprint), reply};
  return reply;
}

protocol::Reply Dispatcher::execute_reply(const protocol::CommandRequest& r, TriggerType via) {
  const std::string now = protocol::format_timestamp(clock_());
  try {
    auto result = execute(r, via);
    if (result) return protocol::make_ok_reply(r, std::move(result).value(), now, opt_.source);
    return protocol::make_error_reply(r, std::move(result).error(), now, opt_.source);
  } catch (const storage::StorageError& e) {
    // The database refused (read-only, full, locked): a condition of the
    // environment that clients may retry, not an engine bug, hence 503.
    spdlog::error("command {} failed: {}", protocol::to_string(r.command), e.what());
    return protocol::make_error_reply(r, protocol::storage_failed(e.what()), now, opt_.source);
  } catch (const std::exception& e) {
    spdlog::error("command {} failed: {}", protocol::to_string(r.command), e.what());
    return protocol::make_error_reply(r, protocol::internal_error(e.what()), now, opt_.source);
  }
}

}  // namespace ts::service
