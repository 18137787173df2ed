#include "app/ctl_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "client/engine_client.hpp"

namespace ts::app {

using nlohmann::json;
using protocol::Command;

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  auto push = [&out](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (!s.empty()) out.emplace_back(s);
  };
  for (const std::string& item : items) {
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < item.size(); ++i) {
      const char c = item[i];
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
      if (c == ',' && depth == 0) {
        push(std::string_view(item).substr(start, i - start));
        start = i + 1;
      }
    }
    push(std::string_view(item).substr(start));
  }
  return out;
}

Result<bool> parse_bool_arg(std::string_view option, std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return fail("USAGE", std::string(option) + " must be true or false, got '" + std::string(text) + "'");
}

namespace {

Result<long long> parse_int_arg(std::string_view option, const std::string& text) {
  long long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size())
    return fail("USAGE", std::string(option) + " must be a whole number, got '" + text + "'");
  return n;
}

/// Command-line spelling of a parameter, for messages.
std::string option_name(std::string_view subcommand, std::string_view parameter) {
  if (parameter == "run_id") return subcommand == "trigger" ? "--run-id" : "RUN_ID";
  if (parameter == "symbols" && subcommand == "retry") return "SYMBOLS";
  if (parameter == "trigger_time") return "--time";
  std::string o = "--" + std::string(parameter);
  std::replace(o.begin(), o.end(), '_', '-');
  return o;
}

void put_list(json& params, const char* name, const std::vector<std::string>& items) {
  auto list = split_list(items);
  if (!list.empty()) params[name] = list;
}
void put_string(json& params, const char* name, const std::string& value) {
  if (!value.empty()) params[name] = value;
}

struct Mapping {
  std::string_view subcommand;
  Command command;
};
constexpr Mapping kMappings[] = {
    {"trigger", Command::trigger_daily_processing},
    {"cancel", Command::cancel_processing},
    {"status", Command::get_processing_status},
    {"history", Command::get_processing_history},
    {"run", Command::get_run},
    {"retry", Command::retry_failed_imports},
    {"indicators", Command::trigger_indicators},
    {"patterns", Command::trigger_patterns},
    {"schedule-get", Command::get_schedule},
    {"schedule-set", Command::update_schedule},
};

}  // namespace

Result<protocol::CommandRequest> build_request(const CtlArgs& a) {
  const Mapping* m = nullptr;
  for (const auto& x : kMappings)
    if (x.subcommand == a.subcommand) m = &x;
  if (!m) return fail("USAGE", "unknown ctl subcommand '" + a.subcommand + "'");

  json p = json::object();
  switch (m->command) {
    case Command::trigger_daily_processing:
      if (a.skip_market_check) p["skip_market_check"] = true;
      put_list(p, "phases", a.phases);
      put_string(p, "universe", a.universe);
      put_list(p, "symbols", a.symbols);
      if (a.full) p["full"] = true;
      if (a.publish_indicator_values) p["publish_indicator_values"] = true;
      put_string(p, "run_id", a.run_id);
      break;
    case Command::cancel_processing:
    case Command::get_run:
      put_string(p, "run_id", a.run_id);
      break;
    case Command::get_processing_history:
      if (!a.days.empty()) {
        auto n = parse_int_arg("--days", a.days);
        if (!n) return fail(std::move(n).error());
        p["days"] = *n;
      }
      if (!a.limit.empty()) {
        auto n = parse_int_arg("--limit", a.limit);
        if (!n) return fail(std::move(n).error());
        p["limit"] = *n;
      }
      put_string(p, "cursor", a.cursor);
      put_string(p, "status", a.status);
      put_string(p, "trigger_type", a.trigger_type);
      break;
    case Command::retry_failed_imports:
      put_string(p, "run_id", a.run_id);
      put_list(p, "symbols", a.symbols);
      break;
    case Command::trigger_indicators:
    case Command::trigger_patterns:
      put_string(p, "universe", a.universe);
      put_list(p, "symbols", a.symbols);
      if (m->command == Command::trigger_indicators)
        put_list(p, "indicators", a.indicators);
      else
        put_list(p, "patterns", a.patterns);
      put_string(p, "timeframe", a.timeframe);
      break;
    case Command::update_schedule:
      if (!a.enabled.empty()) {
        auto b = parse_bool_arg("--enabled", a.enabled);
        if (!b) return fail(std::move(b).error());
        p["enabled"] = *b;
      }
      put_string(p, "trigger_time", a.time);
      put_string(p, "timezone", a.timezone);
      put_list(p, "universes", a.universes);
      if (!a.market_check.empty()) {
        auto b = parse_bool_arg("--market-check", a.market_check);
        if (!b) return fail(std::move(b).error());
        p["market_check"] = *b;
      }
      put_list(p, "phases", a.phases);
      break;
    case Command::get_processing_status:
    case Command::get_schedule:
      break;
    // The read API's commands have no ctl subcommand (kMappings never names
    // them). Listed rather than a `default:`, so that -Wswitch still asks
    // for a decision here when a command is added.
    case Command::get_bars:
    case Command::get_indicator_values:
    case Command::get_pattern_detections:
    case Command::screen:
    case Command::list_universes:
    case Command::list_symbols:
      break;
  }

  const protocol::CommandSpec& spec = protocol::spec(m->command);
  if (auto valid = protocol::validate_parameters(spec, p); !valid) {
    const auto& e = valid.error();
    const auto param = e.details.find("parameter");
    if (param != e.details.end() && param->is_string()) {
      std::string msg = option_name(a.subcommand, param->get<std::string>());
      if (const auto reason = e.details.find("reason"); reason != e.details.end() && reason->is_string())
        msg += " " + reason->get<std::string>();
      else
        msg += ": " + e.message;
      return fail("USAGE", std::move(msg));
    }
    if (m->command == Command::update_schedule)
      return fail("USAGE",
                  "schedule set needs at least one of --enabled, --time, --timezone, --universes, "
                  "--market-check, --phases");
    return fail("USAGE", e.message);
  }
  return client::make_request(m->command, std::move(p));
}

}  // namespace ts::app
