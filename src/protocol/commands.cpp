#include "protocol/commands.hpp"

#include <charconv>
#include <climits>
#include <cmath>

#include "core/percent.hpp"
#include "core/run_types.hpp"
#include "core/symbol.hpp"
#include "core/timeframe.hpp"
#include "core/trading_date.hpp"
#include "protocol/envelope.hpp"
#include "protocol/events.hpp"
#include "protocol/json_util.hpp"

namespace ts::protocol {

using nlohmann::json;

std::string params_schema_path(Command c) { return "commands/" + std::string(to_string(c)) + ".params.json"; }
std::string result_schema_path(Command c) { return "commands/" + std::string(to_string(c)) + ".result.json"; }

namespace {

// ---- character-class helpers (the patterns are documented in commands.hpp) ----
bool is_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
  for (const char c : s)
    if (!pred(c)) return false;
  return true;
}

bool valid_run_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         all_of(s, [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
}
bool valid_request_id(std::string_view s) {
  return !s.empty() && s.size() <= 128 &&
         all_of(s, [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':'; });
}
bool valid_universe(std::string_view s) {
  return !s.empty() && s.size() <= 64 && is_alnum(s[0]) &&
         all_of(s, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}
bool valid_hhmm(std::string_view s) {
  return s.size() == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
         (s[0] < '2' || s[1] <= '3') && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9';
}
bool valid_timezone(std::string_view s) {
  if (s.empty() || s.size() > 64 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
    return false;
  std::size_t segment = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '/') {
      if (segment == 0 || i + 1 == s.size()) return false;
      segment = 0;
    } else if (is_alnum(c) || c == '_' || c == '-' || c == '+') {
      ++segment;
    } else {
      return false;
    }
  }
  return true;
}
bool valid_cursor(std::string_view s) {
  return !s.empty() && s.size() <= 512 &&
         all_of(s, [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '='; });
}
bool valid_pattern_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_of(s, [](char c) { return is_lower_alnum(c) || c == '_'; });
}
/// RSI, SMA(timeperiod=20), BBANDS(timeperiod=20, nbdevup=2)
bool valid_indicator(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  std::size_t i = 0;
  while (i < s.size() && (is_alnum(s[i]) || s[i] == '_')) ++i;
  if (i == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != '(' || s.back() != ')') return false;
  return all_of(s.substr(i + 1, s.size() - i - 2), [](char c) {
    return is_alnum(c) || c == '_' || c == '=' || c == '.' || c == ',' || c == '-' || c == ' ';
  });
}
bool valid_symbol_prefix(std::string_view s) {
  if (s.empty()) return true;
  return s.size() <= 10 && s[0] >= 'A' && s[0] <= 'Z' && all_of(s, [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
         });
}
/// Strictly YYYY-MM-DD (parse_date also reads other spellings) and a real date.
bool valid_date(std::string_view s) {
  const bool shape = s.size() == 10 && s[4] == '-' && s[7] == '-' &&
                     all_of(s.substr(0, 4), [](char c) { return c >= '0' && c <= '9'; }) &&
                     all_of(s.substr(5, 2), [](char c) { return c >= '0' && c <= '9'; }) &&
                     all_of(s.substr(8, 2), [](char c) { return c >= '0' && c <= '9'; });
  return shape && parse_date(s).ok();
}
bool is_signature_text(std::string_view s) {
  return s.size() == 64 && all_of(s, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool valid_reply_channel(std::string_view s) {
  return !s.empty() && s.size() <= 256 && all_of(s, [](char c) { return c > 0x20 && c < 0x7f; }) &&
         !is_command_channel(s);
}

std::string join_names(auto&& range) {
  std::string out;
  for (const auto& x : range) {
    if (!out.empty()) out += ", ";
    out += x;
  }
  return out;
}

std::string accepted_params(const CommandSpec& spec) {
  std::string out;
  for (const auto& p : spec.params) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

CommandError param_error(const CommandSpec& spec, std::string_view param, std::string why,
                         json details = {}) {
  CommandError e{ErrorCode::invalid_parameter,
                 std::string(spec.name) + ": parameter '" + std::string(param) + "' " + why,
                 details.is_object() ? std::move(details) : json::object()};
  e.details["parameter"] = param;
  e.details["reason"] = std::move(why);
  return e;
}

std::string item_label(std::size_t index) { return "item " + std::to_string(index) + " "; }

/// Validates one string for a ParamCheck; returns "" when fine, else the reason.
std::string check_string(ParamCheck check, std::string_view s) {
  const std::string q = quote_for_message(s);
  switch (check) {
    case ParamCheck::none:
      return {};
    case ParamCheck::run_id:
      return valid_run_id(s) ? std::string() : q + " is not a run id (1-64 of A-Z a-z 0-9 _ -)";
    case ParamCheck::symbols: {
      auto sym = Symbol::parse(s);
      return sym ? std::string() : sym.error().message;
    }
    case ParamCheck::phases:
      return parse_phase(s) || s == "all" ? std::string()
                                          : q + " is not a phase (import, cache_sync, indicators, patterns "
                                                "or all; aliases data_import, cache)";
    case ParamCheck::universe:
    case ParamCheck::universes:
      return valid_universe(s) ? std::string()
                               : q + " is not a universe name (^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$)";
    case ParamCheck::hhmm:
      return valid_hhmm(s) ? std::string() : q + " is not a time HH:MM (00:00-23:59)";
    case ParamCheck::timezone:
      return valid_timezone(s) ? std::string()
                               : q + " is not an IANA time zone name such as America/New_York";
    case ParamCheck::run_status:
      return parse_run_status(s) ? std::string()
                                 : q + " is not a run status (" + join_names(kRunStatusNames) + ")";
    case ParamCheck::trigger_type:
      return parse_trigger_type(s) ? std::string()
                                   : q + " is not a trigger type (" + join_names(kTriggerTypeNames) + ")";
    case ParamCheck::timeframe: {
      const auto tf = parse_timeframe(s);
      bool supported = false;
      for (const auto& i : kTimeframes) supported = supported || (tf && i.tf == *tf && i.supported);
      return supported ? std::string() : q + " is not a supported timeframe (daily, weekly, monthly)";
    }
    case ParamCheck::cursor:
      return valid_cursor(s) ? std::string() : q + " is not a cursor (pass next_cursor of the previous page)";
    case ParamCheck::indicator_names:
      return valid_indicator(s) ? std::string()
                                : q + " is not an indicator (NAME or NAME(option=value, ...))";
    case ParamCheck::pattern_names:
      return valid_pattern_name(s) ? std::string() : q + " is not a pattern name (^[a-z0-9_]{1,64}$)";
    case ParamCheck::symbol: {
      auto sym = Symbol::parse(s);
      return sym ? std::string() : sym.error().message;
    }
    case ParamCheck::date:
      return valid_date(s) ? std::string() : q + " is not a date YYYY-MM-DD (a real calendar date)";
    case ParamCheck::direction:
      return s == "bullish" || s == "bearish" || s == "neutral"
                 ? std::string()
                 : q + " is not a direction (bullish, bearish, neutral)";
    case ParamCheck::expression:
      return all_of(s, [](char c) { return c >= 0x20 && c < 0x7f; })
                 ? std::string()
                 : "must be printable ASCII (an expression such as RSI(14) < 30 AND close > SMA(200))";
    case ParamCheck::symbol_prefix:
      return valid_symbol_prefix(s) ? std::string()
                                    : q + " is not the start of a symbol (^[A-Z][A-Z0-9.\\-]{0,9}$)";
  }
  return {};
}

/// Checks one parameter's value and returns its normalised form.
Result<json, CommandError> check_param(const CommandSpec& spec, const ParamSpec& p, const json& v) {
  auto wrong_type = [&] {
    return param_error(
        spec, p.name,
        "must be " + std::string(p.type == JsonType::integer || p.type == JsonType::array ? "an " : "a ") +
            std::string(to_string(p.type)) + ", got " + type_name(v) + " " + quote_for_message(dump_json(v)));
  };
  switch (p.type) {
    case JsonType::boolean:
      if (!v.is_boolean()) return fail(wrong_type());
      return v;
    case JsonType::integer: {
      long long n = 0;
      const double d = v.is_number_float() ? v.get<double>() : 0.5;
      const bool whole = v.is_number_float() && std::isfinite(d) && d == std::trunc(d);  // 5.0 counts
      // Beyond long long is a range error, checked before any conversion: a
      // double that large converts with undefined behaviour (fuzzer find).
      if ((v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX)) ||
          (whole && std::fabs(d) >= 9.0e18))
        return fail(param_error(spec, p.name, "is out of range, got " + quote_for_message(dump_json(v))));
      if (v.is_number_integer())
        n = v.get<long long>();
      else if (whole)
        n = static_cast<long long>(d);
      else
        return fail(wrong_type());
      if ((p.min && n < *p.min) || (p.max && n > *p.max))
        return fail(param_error(spec, p.name,
                                "must be between " + std::to_string(p.min.value_or(LLONG_MIN)) + " and " +
                                    std::to_string(p.max.value_or(LLONG_MAX)) + ", got " + std::to_string(n),
                                {{"value", n}}));
      return json(n);
    }
    case JsonType::string: {
      if (!v.is_string()) return fail(wrong_type());
      const auto& s = v.get_ref<const std::string&>();
      if ((p.min && static_cast<long long>(s.size()) < *p.min) ||
          (p.max && static_cast<long long>(s.size()) > *p.max))
        return fail(param_error(spec, p.name,
                                "has a length outside " + std::to_string(p.min.value_or(0)) + ".." +
                                    std::to_string(p.max.value_or(0))));
      if (auto why = check_string(p.check, s); !why.empty()) return fail(param_error(spec, p.name, why));
      return v;
    }
    case JsonType::array: {
      if (!v.is_array()) return fail(wrong_type());
      const auto n = static_cast<long long>(v.size());
      if (p.min && n < *p.min)
        return fail(param_error(
            spec, p.name, "needs at least " + std::to_string(*p.min) + " item(s), got " + std::to_string(n)));
      if (p.max && n > *p.max)
        return fail(param_error(
            spec, p.name, "allows at most " + std::to_string(*p.max) + " items, got " + std::to_string(n)));
      json out = json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        const json& item = v[i];
        if (!item.is_string())
          return fail(param_error(spec, p.name, item_label(i) + "must be a string, got " + type_name(item),
                                  {{"index", i}}));
        const auto& s = item.get_ref<const std::string&>();
        if (auto why = check_string(p.check, s); !why.empty())
          return fail(param_error(spec, p.name, item_label(i) + why, {{"index", i}}));
        if (p.check != ParamCheck::phases) {
          bool dup = false;
          for (const auto& o : out) dup = dup || o == item;
          if (!dup) out.push_back(item);
        }
      }
      if (p.check == ParamCheck::phases) {
        // Canonical names in pipeline order; "all" means every phase.
        bool want[kAllPhases.size()] = {};
        for (const auto& item : v) {
          const auto& s = item.get_ref<const std::string&>();
          if (s == "all") {
            for (auto& w : want) w = true;
          } else {
            want[static_cast<std::size_t>(*parse_phase(s))] = true;
          }
        }
        for (const auto ph : kAllPhases)
          if (want[static_cast<std::size_t>(ph)]) out.push_back(to_string(ph));
      }
      return out;
    }
  }
  return fail(wrong_type());
}

/// parse_bounded, with the command error codes and their details.
Result<json, CommandError> parse_request(std::string_view raw, std::size_t max_bytes, std::string_view what) {
  std::size_t position = 0;
  auto parsed = parse_bounded(raw, max_bytes, what, &position, /*strict=*/true);
  if (parsed) return std::move(parsed).value();
  if (parsed.error().code == "PAYLOAD_TOO_LARGE")
    return fail(CommandError{ErrorCode::payload_too_large,
                             std::move(parsed).error().message,
                             {{"size", raw.size()}, {"limit", max_bytes}}});
  return fail(
      CommandError{ErrorCode::invalid_json, std::move(parsed).error().message, {{"position", position}}});
}

CommandFailure failure(CommandError e, std::string request_id, std::string command, std::string reply_to) {
  return CommandFailure{std::move(e), std::move(request_id), std::move(command), std::move(reply_to)};
}

}  // namespace

Result<json, CommandError> validate_parameters(const CommandSpec& spec, const json& parameters) {
  if (!parameters.is_object())
    return fail(CommandError{
        ErrorCode::invalid_command,
        std::string(spec.name) + ": 'parameters' must be an object, got " + type_name(parameters),
        {{"field", "parameters"}}});
  for (const auto& [key, value] : parameters.items()) {
    if (find_param(spec, key)) continue;
    const std::string why = spec.params.empty()
                                ? "is unknown: " + std::string(spec.name) + " takes no parameters"
                                : "is unknown (accepted: " + accepted_params(spec) + ")";
    return fail(param_error(spec, key, why));
  }
  json out = json::object();
  for (const auto& p : spec.params) {
    const auto it = parameters.find(p.name);
    if (it == parameters.end()) {
      if (p.required) return fail(param_error(spec, p.name, "is required"));
      if (!p.default_json.empty()) {
        auto def = check_param(spec, p, json::parse(p.default_json));
        if (!def) return fail(std::move(def).error());
        out[std::string(p.name)] = std::move(def).value();
      }
      continue;
    }
    auto v = check_param(spec, p, *it);
    if (!v) return fail(std::move(v).error());
    out[std::string(p.name)] = std::move(v).value();
  }
  const auto& [a, b] = spec.exclusive;
  if (!a.empty() && parameters.contains(a) && parameters.contains(b))
    return fail(param_error(spec, b, "cannot be combined with '" + std::string(a) + "' (give one of them)"));
  if (const auto& [first, last] = spec.ordered;
      !first.empty() && out.contains(first) && out.contains(last) &&
      out[first].get_ref<const std::string&>() > out[last].get_ref<const std::string&>())
    return fail(param_error(spec, first,
                            "must not be after '" + std::string(last) + "' (" +
                                out[first].get<std::string>() + " > " + out[last].get<std::string>() + ")"));
  if (spec.needs_a_parameter && parameters.empty())
    return fail(
        CommandError{ErrorCode::invalid_parameter,
                     std::string(spec.name) + " needs at least one parameter (" + accepted_params(spec) + ")",
                     {{"parameter", nullptr}, {"reason", "no parameter given"}}});
  return out;
}

Result<CommandRequest, CommandFailure> decode_command(std::string_view raw, const RequestIdGenerator& new_id,
                                                      std::size_t max_bytes, const EnvelopeCheck& check) {
  const std::string reply_default(kDefaultReplyChannel);
  auto parsed = parse_request(raw, max_bytes, "command");
  if (!parsed) return fail(failure(std::move(parsed).error(), new_id(), "", reply_default));
  const json& j = *parsed;
  if (!j.is_object())
    return fail(
        failure({ErrorCode::invalid_command, "a command must be a JSON object, got " + type_name(j), {}},
                new_id(), "", reply_default));

  // Read what a reply needs first, so every later error reaches the client.
  std::string request_id, reply_to = reply_default, command;
  std::optional<CommandError> envelope_error;
  auto envelope_fail = [&](std::string field, std::string why) {
    if (!envelope_error)
      envelope_error = CommandError{ErrorCode::invalid_command, "'" + field + "' " + why, {{"field", field}}};
  };
  if (const auto it = j.find("request_id"); it != j.end()) {
    if (it->is_string() && valid_request_id(it->get_ref<const std::string&>()))
      request_id = it->get<std::string>();
    else
      envelope_fail("request_id", "must be a string of 1-128 characters A-Z a-z 0-9 _ - . :");
  }
  // A signature covers the request_id as sent, so remember whether there was one.
  const bool request_id_sent = !request_id.empty();
  if (!request_id_sent) request_id = new_id();
  if (const auto it = j.find("reply_to"); it != j.end()) {
    if (it->is_string() && valid_reply_channel(it->get_ref<const std::string&>()))
      reply_to = it->get<std::string>();
    else
      envelope_fail(
          "reply_to",
          "must be a channel name (1-256 printable characters, no spaces) that is not a command channel");
  }
  if (const auto it = j.find("command"); it == j.end())
    envelope_fail("command", "is missing (known commands: " + join_names([] {
                               std::array<std::string_view, kCommands.size()> n{};
                               for (std::size_t i = 0; i < n.size(); ++i) n[i] = kCommands[i].name;
                               return n;
                             }()) +
                                 ")");
  else if (!it->is_string())
    envelope_fail("command", "must be a string, got " + type_name(*it));
  else
    command = it->get<std::string>();

  static constexpr std::string_view kFields[] = {"command",   "request_id", "parameters", "source",
                                                 "timestamp", "reply_to",   "signature"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto f : kFields) known = known || key == f;
    if (!known)
      envelope_fail(key,
                    "is not a command field (fields: command, request_id, parameters, source, timestamp, "
                    "reply_to, signature; parameters go inside 'parameters')");
  }
  std::string source, timestamp, signature;
  if (const auto it = j.find("signature"); it != j.end()) {
    if (it->is_string() && is_signature_text(it->get_ref<const std::string&>()))
      signature = it->get<std::string>();
    else
      envelope_fail("signature", "must be 64 lowercase hex digits (HMAC-SHA256, docs/security.md)");
  }
  if (const auto it = j.find("source"); it != j.end()) {
    if (it->is_string() && it->get_ref<const std::string&>().size() <= 128)
      source = it->get<std::string>();
    else
      envelope_fail("source", "must be a string of at most 128 characters");
  }
  if (const auto it = j.find("timestamp"); it != j.end()) {
    if (it->is_string() && is_rfc3339(it->get_ref<const std::string&>()))
      timestamp = it->get<std::string>();
    else
      envelope_fail("timestamp", "must be an RFC 3339 date-time such as 2025-09-26T16:00:00Z");
  }
  if (envelope_error) return fail(failure(std::move(*envelope_error), request_id, command, reply_to));

  const auto pit = j.find("parameters");
  const json no_parameters = json::object();
  const json& sent_parameters = pit == j.end() ? no_parameters : *pit;
  // Authentication comes before the name and the parameters, so an unsigned
  // sender learns nothing about what the engine would have accepted.
  if (check) {
    const CommandEnvelope envelope{command,  request_id_sent ? std::string_view(request_id) : std::string_view(),
                                   timestamp, source,
                                   reply_to, sent_parameters,
                                   signature};
    if (auto refused = check(envelope)) return fail(failure(std::move(*refused), request_id, command, reply_to));
  }

  const CommandSpec* spec = find_command(command);
  if (!spec) {
    json known = json::array();
    for (const auto& c : kCommands) known.push_back(c.name);
    return fail(
        failure({ErrorCode::unknown_command,
                 "unknown command " + quote_for_message(command) + " (known: " + join_names(known) + ")",
                 {{"command", command}, {"known", known}}},
                request_id, command, reply_to));
  }
  auto params = validate_parameters(*spec, sent_parameters);
  if (!params) return fail(failure(std::move(params).error(), request_id, command, reply_to));

  return CommandRequest{spec->command,        std::move(request_id), std::move(params).value(),
                        std::move(source),    std::move(timestamp),  std::move(reply_to),
                        std::move(signature)};
}

std::string encode_command(const CommandRequest& r) {
  json j = {{"command", to_string(r.command)}, {"request_id", r.request_id}, {"parameters", r.parameters}};
  if (!r.source.empty()) j["source"] = r.source;
  if (!r.timestamp.empty()) j["timestamp"] = r.timestamp;
  if (!r.reply_to.empty() && r.reply_to != kDefaultReplyChannel) j["reply_to"] = r.reply_to;
  if (!r.signature.empty()) j["signature"] = r.signature;
  return dump_json(j);
}

// ---- HTTP ---------------------------------------------------------------------------
namespace {

/// Matches a route path against a request path; {run_id} matches one segment.
bool path_matches(std::string_view pattern, std::string_view path, std::string& run_id) {
  const auto brace = pattern.find("{run_id}");
  if (brace == std::string_view::npos) return pattern == path;
  const std::string_view prefix = pattern.substr(0, brace), suffix = pattern.substr(brace + 8);
  if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) || !path.ends_with(suffix))
    return false;
  const std::string_view segment = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (segment.find('/') != std::string_view::npos) return false;
  run_id = std::string(segment);
  return true;
}

/// Splits a query array value at the commas outside parentheses, so
/// "SMA(timeperiod=20,nbdev=1),RSI" is two items. Unbalanced parentheses are
/// left for the parameter's check to reject.
std::vector<std::string> split_top_level(std::string_view value) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || (value[i] == ',' && depth <= 0)) {
      out.emplace_back(value.substr(start, i - start));
      start = i + 1;
    } else if (value[i] == '(') {
      ++depth;
    } else if (value[i] == ')') {
      --depth;
    }
  }
  return out;
}

/// Converts one query value to the parameter's JSON type (arrays append).
std::optional<CommandError> add_query_value(const CommandSpec& spec, json& params, const std::string& key,
                                            const std::string& value) {
  const ParamSpec* p = find_param(spec, key);
  if (!p) {
    params[key] = value;  // validate_parameters names it as unknown
    return std::nullopt;
  }
  if (p->type == JsonType::array) {
    json& arr = params[key];
    if (arr.is_null()) arr = json::array();
    for (auto& item : split_top_level(value))
      if (!item.empty()) arr.push_back(std::move(item));
    return std::nullopt;
  }
  if (params.contains(key)) return param_error(spec, key, "is given more than once");
  switch (p->type) {
    case JsonType::integer: {
      long long n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty())
        return param_error(spec, key, "must be an integer, got " + quote_for_message(value));
      params[key] = n;
      break;
    }
    case JsonType::boolean:
      if (value == "true" || value == "1") {
        params[key] = true;
      } else if (value == "false" || value == "0") {
        params[key] = false;
      } else {
        return param_error(spec, key, "must be true or false, got " + quote_for_message(value));
      }
      break;
    default:
      params[key] = value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view method, std::string_view path) {
  for (const auto& c : kCommands) {
    std::string run_id;
    if (c.route.method == method && path_matches(c.route.path, path, run_id)) return RouteMatch{&c, run_id};
  }
  return std::nullopt;
}

Result<CommandRequest, CommandFailure> decode_http_command(const HttpRequestView& req,
                                                           const RequestIdGenerator& new_id,
                                                           std::size_t max_bytes) {
  const std::string request_id = new_id();
  auto http_fail = [&](CommandError e, std::string command = {}) {
    return fail(failure(std::move(e), request_id, std::move(command), ""));
  };
  const auto route = match_route(req.method, req.path);
  if (!route) {
    std::string other;
    for (const auto& c : kCommands) {
      std::string ignored;
      if (path_matches(c.route.path, req.path, ignored)) {
        other += other.empty() ? "" : ", ";
        other += std::string(c.route.method) + " serves " + std::string(c.name);
      }
    }
    std::string msg = "no route " + std::string(req.method) + " " + quote_for_message(req.path);
    if (!other.empty()) msg += " (on this path: " + other + ")";
    return http_fail({ErrorCode::unknown_command, msg, {{"method", req.method}, {"path", req.path}}});
  }
  const CommandSpec& spec = *route->spec;
  const std::string name(spec.name);
  json params = json::object();
  const bool blank_body =
      all_of(req.body, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  if (!blank_body || req.body.size() > max_bytes) {
    auto body = parse_request(req.body, max_bytes, "request body");
    if (!body) return http_fail(std::move(body).error(), name);
    if (!body->is_object())
      return http_fail(
          {ErrorCode::invalid_command,
           name + ": the request body must be a JSON object of parameters, got " + type_name(*body),
           {{"field", "body"}}},
          name);
    params = std::move(body).value();
  }
  const json body_params = params;
  std::string_view query = req.query;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq), /*plus_is_space=*/true);
    const auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), /*plus_is_space=*/true);
    if (!key || !value)
      return http_fail({ErrorCode::invalid_parameter,
                        name + ": malformed percent-encoding in query " + quote_for_message(pair),
                        {{"parameter", nullptr}, {"reason", "malformed percent-encoding"}}},
                       name);
    if (body_params.contains(*key))
      return http_fail(param_error(spec, *key, "is given both in the query and in the body"), name);
    if (auto err = add_query_value(spec, params, *key, *value)) return http_fail(std::move(*err), name);
  }
  if (!route->run_id.empty()) {
    if (params.contains("run_id"))
      return http_fail(param_error(spec, "run_id", "is given both in the path and in the query or body"),
                       name);
    params["run_id"] = route->run_id;
  }
  auto valid = validate_parameters(spec, params);
  if (!valid) return http_fail(std::move(valid).error(), name);
  return CommandRequest{spec.command, request_id, std::move(valid).value(), "http", "", "", ""};
}

// ---- replies -------------------------------------------------------------------------
Reply make_ok_reply(const CommandRequest& r, json result, std::string timestamp, std::string source) {
  return Reply{r.request_id,
               std::string(to_string(r.command)),
               true,
               std::move(result),
               std::nullopt,
               std::move(timestamp),
               std::move(source)};
}

Reply make_error_reply(const CommandRequest& r, CommandError error, std::string timestamp,
                       std::string source) {
  return Reply{r.request_id,
               std::string(to_string(r.command)),
               false,
               json::object(),
               std::move(error),
               std::move(timestamp),
               std::move(source)};
}

Reply make_error_reply(const CommandFailure& f, std::string timestamp, std::string source) {
  return Reply{f.request_id,         f.command,        false, json::object(), f.error,
               std::move(timestamp), std::move(source)};
}

namespace {
json error_json(const CommandError& e) {
  return {{"code", to_string(e.code)},
          {"message", e.message},
          {"details", e.details.is_object() ? e.details : json::object()}};
}
}  // namespace

std::string encode_reply(const Reply& r) {
  std::string out = "{\"request_id\":" + dump_json(r.request_id) + ",\"command\":" + dump_json(r.command) +
                    ",\"ok\":" + (r.ok ? "true" : "false");
  if (r.ok) {
    out += ",\"result\":" + dump_json(r.result.is_null() ? json::object() : r.result);
  } else {
    out += ",\"error\":" + dump_json(error_json(r.error.value_or(internal_error("no error recorded"))));
  }
  out += ",\"timestamp\":" + dump_json(r.timestamp) + ",\"source\":" + dump_json(r.source) + "}";
  return out;
}

Result<Reply> decode_reply(std::string_view raw, std::size_t max_bytes) {
  auto parsed = parse_bounded(raw, max_bytes, "reply");
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  auto bad = [](std::string why) { return fail("INVALID_REPLY", std::move(why)); };
  if (!j.is_object()) return bad("a reply must be a JSON object, got " + type_name(j));
  for (const auto& [key, value] : j.items())
    if (key != "request_id" && key != "command" && key != "ok" && key != "result" && key != "error" &&
        key != "timestamp" && key != "source")
      return bad("unknown reply field '" + key + "'");
  Reply r;
  for (const char* f : {"request_id", "command", "timestamp", "source"}) {
    const auto it = j.find(f);
    if (it == j.end() || !it->is_string()) return bad(std::string("'") + f + "' must be a string");
  }
  r.request_id = j["request_id"].get<std::string>();
  r.command = j["command"].get<std::string>();
  r.timestamp = j["timestamp"].get<std::string>();
  r.source = j["source"].get<std::string>();
  const auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) return bad("'ok' must be a boolean");
  r.ok = ok->get<bool>();
  if (r.ok) {
    if (j.contains("error")) return bad("a successful reply carries no 'error'");
    const auto res = j.find("result");
    if (res == j.end() || !res->is_object()) return bad("a successful reply needs a 'result' object");
    r.result = *res;
    return r;
  }
  if (j.contains("result")) return bad("a failed reply carries no 'result'");
  const auto err = j.find("error");
  if (err == j.end() || !err->is_object()) return bad("a failed reply needs an 'error' object");
  const auto code = err->find("code");
  const auto message = err->find("message");
  if (code == err->end() || !code->is_string()) return bad("'error.code' must be a string");
  const auto parsed_code = parse_error_code(code->get<std::string>());
  if (!parsed_code) return bad("unknown error code " + quote_for_message(code->get<std::string>()));
  if (message == err->end() || !message->is_string()) return bad("'error.message' must be a string");
  CommandError e{*parsed_code, message->get<std::string>(), json::object()};
  if (const auto d = err->find("details"); d != err->end()) {
    if (!d->is_object()) return bad("'error.details' must be an object");
    e.details = *d;
  }
  r.error = std::move(e);
  return r;
}

int http_status(const Reply& r) {
  return r.ok ? 200 : http_status(r.error ? r.error->code : ErrorCode::internal);
}

std::string http_body(const Reply& r) {
  if (r.ok) return dump_json(r.result.is_null() ? json::object() : r.result);
  return dump_json(json{{"error", error_json(r.error.value_or(internal_error("no error recorded")))}});
}

// ---- errors the dispatcher raises ------------------------------------------------------
CommandError already_running(std::string_view active_run_id) {
  return {ErrorCode::already_running,
          "run " + std::string(active_run_id) + " is active; only one run at a time (cancel it or wait)",
          {{"active_run_id", active_run_id}}};
}

CommandError run_not_found(std::string_view run_id) {
  return {ErrorCode::not_found, "no run with run_id " + quote_for_message(run_id), {{"run_id", run_id}}};
}

CommandError market_closed(std::string_view date, std::string_view reason) {
  return {ErrorCode::market_closed,
          std::string(date) + " is not an NYSE trading day (" + std::string(reason) +
              "); send skip_market_check: true to run anyway",
          {{"date", date}, {"reason", reason}}};
}

CommandError unauthorized(std::string_view why) {
  return {ErrorCode::unauthorized, "unauthorized: " + std::string(why), json::object()};
}

CommandError symbol_not_found(std::string_view symbol, std::string_view timeframe) {
  return {ErrorCode::not_found,
          "no " + std::string(timeframe) + " bars stored for symbol " + quote_for_message(symbol) +
              " (list_symbols lists the symbols the engine has)",
          {{"symbol", symbol}, {"timeframe", timeframe}}};
}

CommandError universe_not_found(std::string_view universe) {
  return {ErrorCode::not_found,
          "unknown universe " + quote_for_message(universe) + " (list_universes lists them)",
          {{"universe", universe}}};
}

CommandError internal_error(std::string_view what) {
  return {ErrorCode::internal, "internal error: " + std::string(what), json::object()};
}

CommandError storage_failed(std::string_view what) {
  return {ErrorCode::storage_failed, "database failure: " + std::string(what), json::object()};
}

}  // namespace ts::protocol
