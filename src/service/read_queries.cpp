#include "service/read_queries.hpp"

#include <algorithm>
#include <cmath>

#include "core/universe.hpp"
#include "engine/studies.hpp"
#include "protocol/json_util.hpp"
#include "screen/expression.hpp"
#include "service/dispatcher.hpp"
#include "ta/function.hpp"

namespace ts::service {
namespace {

using nlohmann::json;
using protocol::CommandError;
using protocol::ErrorCode;

constexpr std::size_t kMaxRows = protocol::detail::kMaxBarsPerReply;

CommandError invalid(std::string_view command, std::string_view param, std::string why,
                     json details = json::object()) {
  details["parameter"] = param;
  details["reason"] = why;
  return {ErrorCode::invalid_parameter,
          std::string(command) + ": parameter '" + std::string(param) + "' " + why, std::move(details)};
}

// The parameters arrive validated: these only convert.
Symbol symbol_of(const json& p) { return Symbol::parse(p.at("symbol").get<std::string>()).value(); }
Timeframe timeframe_of(const json& p, Timeframe fallback = Timeframe::daily) {
  return p.contains("timeframe") ? parse_timeframe(p["timeframe"].get<std::string>()).value_or(fallback)
                                 : fallback;
}
std::optional<TradingDate> date_of(const json& p, const char* key) {
  if (!p.contains(key)) return std::nullopt;
  return parse_date(p[key].get<std::string>()).value();
}
std::string string_of(const json& p, const char* key) { return p.value(key, std::string()); }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// The stored JSON object of an indicator row (a corrupt one reads as {}).
json parse_object(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

/// Keeps the newest `max` entries of an ascending array.
void keep_newest(json& rows, std::size_t max) {
  if (rows.size() > max)
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(rows.size() - max));
}

}  // namespace

std::optional<std::vector<std::string>> ReadQueries::universe_members(const std::string& name) {
  if (auto stored = db_.universe_symbols(name)) return stored;
  auto builtin = builtin_universe(name);
  if (!builtin) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& m : builtin->members) out.push_back(m.symbol.str());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// get_bars {symbol, timeframe, from?, to?}
ReadQueries::Reply ReadQueries::get_bars(const json& p) {
  const Symbol sym = symbol_of(p);
  const Timeframe tf = timeframe_of(p);
  const auto bars = db_.load_bars(sym, tf, date_of(p, "from"), date_of(p, "to"));
  if (bars.empty() && !db_.latest_bar(sym, tf))
    return fail(protocol::symbol_not_found(sym.str(), to_string(tf)));
  const std::size_t first = bars.size() > kMaxRows ? bars.size() - kMaxRows : 0;
  json rows = json::array();
  for (std::size_t i = first; i < bars.size(); ++i)
    rows.push_back({{"date", format_date(bars.date[i])},
                    {"open", bars.open[i]},
                    {"high", bars.high[i]},
                    {"low", bars.low[i]},
                    {"close", bars.close[i]},
                    {"volume", bars.volume[i]}});
  return json{{"symbol", sym.str()}, {"timeframe", to_string(tf)}, {"bars", std::move(rows)}};
}

// get_indicator_values {symbol, timeframe, indicators, from?, to?}
ReadQueries::Reply ReadQueries::get_indicator_values(const json& p) {
  const Symbol sym = symbol_of(p);
  const Timeframe tf = timeframe_of(p);
  const auto from = date_of(p, "from"), to = date_of(p, "to");
  std::vector<ta::Call> calls;
  const auto names = p.at("indicators").get<std::vector<std::string>>();
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto call = ta::parse_call(names[i]);
    if (!call)
      return fail(invalid("get_indicator_values", "indicators",
                          "item " + std::to_string(i) + " " + call.error().message, {{"index", i}}));
    const std::string key = call->key();
    if (std::none_of(calls.begin(), calls.end(), [&](const ta::Call& c) { return c.key() == key; }))
      calls.push_back(std::move(call).value());
  }
  // Every bar: the warm-up before `from` matters to computed values.
  const auto bars = db_.load_bars(sym, tf);
  if (bars.empty()) return fail(protocol::symbol_not_found(sym.str(), to_string(tf)));
  const auto lo = static_cast<std::size_t>(
      std::lower_bound(bars.date.begin(), bars.date.end(), from.value_or(bars.date.front())) -
      bars.date.begin());
  const auto hi = static_cast<std::size_t>(
      std::upper_bound(bars.date.begin(), bars.date.end(), to.value_or(bars.date.back())) -
      bars.date.begin());

  json out = json::array();
  for (const auto& call : calls) {
    const std::string key = call.key();
    json outputs = json::array();
    for (const auto& o : call.spec->outputs) outputs.push_back(o.name);
    // Stored rows answer only when they cover every defined value in the
    // range; runs usually store just the dates they processed, so a chart
    // range is computed from the bars (the same computation, the same numbers).
    const auto lookback = static_cast<std::size_t>(std::max(0, call.lookback()));
    const std::size_t expected = hi > std::max(lo, lookback) ? hi - std::max(lo, lookback) : 0;
    const auto stored = db_.indicator_values(sym, tf, key, from, to);
    json values = json::array();
    std::string source = "stored";
    if (!stored.empty() && stored.size() >= expected) {
      for (const auto& row : stored) {
        json v = parse_object(row.values_json);
        v["date"] = format_date(row.as_of);
        values.push_back(std::move(v));
      }
    } else {
      source = "computed";
      const auto columns = engine::compute_study(bars.view(), call);
      for (std::size_t i = lo; i < hi; ++i) {
        json v = {{"date", format_date(bars.date[i])}};
        bool defined = true;
        for (std::size_t k = 0; k < columns.size(); ++k) {
          defined = defined && std::isfinite(columns[k][i]);
          v[std::string(call.spec->outputs[k].name)] = columns[k][i];
        }
        if (defined) values.push_back(std::move(v));  // warm-up values are omitted, not null
      }
    }
    keep_newest(values, kMaxRows);
    out.push_back({{"indicator", key},
                   {"outputs", std::move(outputs)},
                   {"source", source},
                   {"values", std::move(values)}});
  }
  return json{{"symbol", sym.str()}, {"timeframe", to_string(tf)}, {"indicators", std::move(out)}};
}

// get_pattern_detections {symbol?, pattern?, direction?, timeframe?, from?, to?, limit, cursor?}
ReadQueries::Reply ReadQueries::get_pattern_detections(const json& p) {
  storage::DetectionQuery q;
  q.symbol = string_of(p, "symbol");
  q.pattern = string_of(p, "pattern");
  q.direction = string_of(p, "direction");
  if (p.contains("timeframe")) q.timeframe = timeframe_of(p);
  q.from = date_of(p, "from");
  q.to = date_of(p, "to");
  q.limit = p.value("limit", 100);
  if (p.contains("cursor")) {
    // The cursor is the last row's key "bar_date|symbol|timeframe|pattern".
    const std::string raw = decode_cursor(p["cursor"].get<std::string>());
    std::vector<std::string> parts;
    for (std::size_t pos = 0;;) {
      const auto bar = raw.find('|', pos);
      parts.push_back(raw.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos));
      if (bar == std::string::npos) break;
      pos = bar + 1;
    }
    if (parts.size() == 4)
      if (const auto date = parse_date(parts[0]);
          date && Symbol::parse(parts[1]) && parse_timeframe(parts[2]))
        q.after = storage::DetectionQuery::Key{*date, parts[1], parts[2], parts[3]};
    if (!q.after)
      return fail(invalid("get_pattern_detections", "cursor", "is not a cursor this engine issued"));
  }
  ++q.limit;  // one extra row tells whether another page follows
  auto rows = db_.query_detections(q);
  json next = nullptr;
  if (static_cast<int>(rows.size()) == q.limit) {
    rows.pop_back();
    const auto& l = rows.back();
    next = encode_cursor(format_date(l.bar_date),
                         l.symbol + "|" + std::string(to_string(l.timeframe)) + "|" + l.pattern);
  }
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{"symbol", r.symbol},
                   {"timeframe", to_string(r.timeframe)},
                   {"pattern", r.pattern},
                   {"bar_date", format_date(r.bar_date)},
                   {"direction", r.direction},
                   {"strength", r.strength},
                   {"confidence", r.confidence},
                   {"levels", parse_object(r.levels_json)},
                   {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)},
                   {"detected_at", r.detected_at}});
  return json{{"detections", std::move(out)}, {"next_cursor", std::move(next)}};
}

// screen {expression, universe?, timeframe, limit}
ReadQueries::Reply ReadQueries::screen(const json& p) {
  const std::string text = p.at("expression").get<std::string>();
  auto parsed = screen::Expression::parse(text);
  if (!parsed)
    return fail(
        invalid("screen", "expression", parsed.error().message, {{"position", parsed.error().position}}));
  const screen::Expression& expr = *parsed;
  const std::string universe = p.contains("universe") ? p["universe"].get<std::string>() : default_universe_;
  const auto members = universe_members(universe);
  if (!members) return fail(protocol::universe_not_found(universe));
  const Timeframe tf = timeframe_of(p);
  const auto limit = static_cast<std::size_t>(p.value("limit", 100));

  std::vector<std::string> keys;
  for (const auto& ind : expr.indicators()) keys.push_back(ind.key);
  std::vector<double> term_values(expr.terms().size());
  std::optional<TradingDate> as_of;
  long long evaluated = 0;
  json matches = json::array();
  for (const auto& name : *members) {
    const auto sym = Symbol::parse(name);
    if (!sym) continue;
    const auto bar = db_.latest_bar(*sym, tf);
    if (!bar) continue;  // nothing to evaluate
    ++evaluated;
    if (!as_of || bar->date > *as_of) as_of = bar->date;

    // Each call's outputs at the latest bar: stored when stored at that date,
    // else computed from the stored bars.
    std::vector<std::vector<double>> at_bar(expr.indicators().size());
    for (const auto& row : db_.latest_indicator_values(*sym, tf, keys)) {
      if (row.as_of != bar->date) continue;
      const auto i =
          static_cast<std::size_t>(std::find(keys.begin(), keys.end(), row.indicator) - keys.begin());
      const json v = parse_object(row.values_json);
      for (const auto& o : expr.indicators()[i].call.spec->outputs) {
        const auto it = v.find(o.name);
        at_bar[i].push_back(it != v.end() && it->is_number() ? it->get<double>() : std::nan(""));
      }
    }
    std::optional<BarSeries> series;
    for (std::size_t i = 0; i < at_bar.size(); ++i) {
      if (!at_bar[i].empty()) continue;
      if (!series) series = db_.load_bars(*sym, tf);
      for (const auto& column : engine::compute_study(series->view(), expr.indicators()[i].call))
        at_bar[i].push_back(column.empty() ? std::nan("") : column.back());
    }
    for (std::size_t t = 0; t < expr.terms().size(); ++t)
      term_values[t] = at_bar[expr.terms()[t].indicator][expr.terms()[t].output];

    screen::Sample sample;
    sample.prices = {bar->open, bar->high, bar->low, bar->close, bar->volume};
    sample.terms = term_values;
    if (!expr.evaluate(sample) || matches.size() >= limit) continue;
    json values = json::object();
    for (std::size_t t = 0; t < expr.terms().size(); ++t)
      values[expr.terms()[t].text] = number_or_null(term_values[t]);
    matches.push_back({{"symbol", name},
                       {"date", format_date(bar->date)},
                       {"close", bar->close},
                       {"values", std::move(values)}});
  }
  return json{{"expression", text},
              {"normalized", expr.normalized()},
              {"timeframe", to_string(tf)},
              {"universe", universe},
              {"as_of", as_of ? json(format_date(*as_of)) : json(nullptr)},
              {"evaluated", evaluated},
              {"matches", std::move(matches)}};
}

// list_universes {}
ReadQueries::Reply ReadQueries::list_universes() {
  // The built-in lists and registered universes (what triggers accept) and
  // every universe a run recorded ("custom" symbol lists, joined schedule
  // universes); the recorded member count wins, as it is what the results cover.
  std::vector<std::pair<std::string, json>> rows;
  for (const auto& name : builtin_universe_names()) {
    auto u = builtin_universe(name);
    if (!u) continue;
    rows.push_back({name, {{"name", name}, {"description", u->description}, {"symbols", u->members.size()}}});
  }
  for (const auto& info : db_.list_universes()) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == info.name; });
    if (it == rows.end()) {
      const std::string description =
          info.registered         ? (info.description.empty() ? "registered from a file" : info.description)
          : info.name == "custom" ? "symbols given explicitly to a run"
          : info.name.find('+') != std::string::npos ? "universes processed together by scheduled runs"
                                                     : "";
      rows.push_back({info.name, {{"name", info.name}, {"description", description}}});
      it = rows.end() - 1;
    }
    it->second["symbols"] = info.symbols;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json out = json::array();
  for (auto& r : rows) out.push_back(std::move(r.second));
  return json{{"universes", std::move(out)}};
}

// list_symbols {universe?, prefix?, limit}
ReadQueries::Reply ReadQueries::list_symbols(const json& p) {
  const std::string prefix = string_of(p, "prefix");
  const int limit = p.value("limit", 1000);
  std::vector<std::string> symbols;
  if (p.contains("universe")) {
    const std::string universe = p["universe"].get<std::string>();
    auto members = universe_members(universe);
    if (!members) return fail(protocol::universe_not_found(universe));
    for (auto& s : *members)
      if (s.starts_with(prefix) && static_cast<int>(symbols.size()) < limit) symbols.push_back(std::move(s));
  } else {
    symbols = db_.symbols_with_bars(Timeframe::daily, prefix, limit);
  }
  json out = json::array();
  for (const auto& s : symbols) {
    const auto sym = Symbol::parse(s);
    const auto bar = sym ? db_.latest_bar(*sym, Timeframe::daily) : std::nullopt;
    json row{{"symbol", s},
             {"last_date", bar ? json(format_date(bar->date)) : json(nullptr)},
             {"last_close", bar ? json(bar->close) : json(nullptr)}};
    if (const auto rec = db_.symbol_record(s); rec && !rec->name.empty()) row["name"] = rec->name;
    out.push_back(std::move(row));
  }
  return json{{"symbols", std::move(out)}};
}

}  // namespace ts::service
