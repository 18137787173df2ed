#include "vendor/massive_json.hpp"

#include <date/tz.h>

#include <nlohmann/json.hpp>

#include "ingest/validate.hpp"

namespace ts::vendor {
namespace {

using nlohmann::json;

Result<json> parse_object(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return fail("BAD_JSON", "response is not valid JSON (" + std::to_string(body.size()) + " bytes)");
  if (!j.is_object()) return fail("BAD_JSON", "response is not a JSON object");
  return j;
}

std::string string_field(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> optional_string(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return std::nullopt;
  return it->get<std::string>();
}

/// status "ERROR" (or "NOT_AUTHORIZED") bodies: the vendor's message.
std::optional<Error> vendor_error(const json& j, const std::string& request_id) {
  const std::string status = string_field(j, "status");
  if (status != "ERROR" && status != "NOT_AUTHORIZED") return std::nullopt;
  std::string text = string_field(j, "error");
  if (text.empty()) text = string_field(j, "message");
  return Error{"VENDOR_ERROR", "request " + request_id + ": vendor status " + status + ": " + text};
}

std::string bar_prefix(const std::string& request_id, std::size_t index) {
  return "request " + request_id + " bar " + std::to_string(index) + ": ";
}

/// Reads o/h/l/c/v/t of one result into a Bar; the reason on failure.
std::optional<std::string> read_bar(const json& r, Bar& out) {
  if (!r.is_object()) return "not an object";
  const auto num = [&](const char* name, double& v) -> std::optional<std::string> {
    const auto it = r.find(name);
    if (it == r.end()) return std::string("missing field '") + name + "'";
    if (!it->is_number()) return std::string("field '") + name + "' is not a number";
    v = it->get<double>();
    return std::nullopt;
  };
  for (auto [name, field] : {std::pair{"o", &out.open}, std::pair{"h", &out.high}, std::pair{"l", &out.low},
                             std::pair{"c", &out.close}, std::pair{"v", &out.volume}})
    if (auto p = num(name, *field)) return p;
  const auto t = r.find("t");
  if (t == r.end()) return "missing field 't'";
  if (!t->is_number_integer()) return "field 't' is not an integer (ms UTC)";
  out.date = trading_date_from_ms(t->get<std::int64_t>());
  return std::nullopt;
}

Result<std::optional<json::const_iterator>> results_array(const json& j) {
  const auto it = j.find("results");
  if (it == j.end() || it->is_null()) return std::optional<json::const_iterator>{};
  if (!it->is_array()) return fail("BAD_JSON", "'results' is not an array");
  return std::optional<json::const_iterator>{it};
}

/// The fields cache_sync needs from one ticker object (details or list entry).
TickerDetails ticker_from(const json& r) {
  TickerDetails d;
  d.ticker = string_field(r, "ticker");
  d.name = string_field(r, "name");
  d.primary_exchange = string_field(r, "primary_exchange");
  d.type = string_field(r, "type");
  const auto a = r.find("active");
  d.active = a == r.end() || !a->is_boolean() || a->get<bool>();
  return d;
}

}  // namespace

TradingDate trading_date_from_ms(std::int64_t t_ms) {
  static const date::time_zone* const kNewYork = date::locate_zone("America/New_York");
  const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds{t_ms}};
  const auto local = kNewYork->to_local(t);
  return TradingDate{std::chrono::floor<std::chrono::days>(local.time_since_epoch())};
}

Result<AggregatesPage> parse_aggregates(std::string_view body, const PageContext& ctx) {
  auto parsed = parse_object(body);
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  AggregatesPage page;
  page.status = string_field(j, "status");
  page.request_id = string_field(j, "request_id");
  if (page.request_id.empty()) page.request_id = "?";
  if (auto e = vendor_error(j, page.request_id)) return fail(std::move(*e));
  page.next_url = optional_string(j, "next_url");
  auto results = results_array(j);
  if (!results) return fail(std::move(results).error());
  if (!*results) return page;
  const json& arr = ***results;
  page.bars.reserve(arr.size());
  std::optional<TradingDate> previous = ctx.previous;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    Bar b{};
    if (auto why = read_bar(arr[i], b))
      return fail("BAD_DATA", bar_prefix(page.request_id, ctx.first_index + i) + *why);
    if (auto why = ingest::bar_problem(b, previous))
      return fail("BAD_DATA", bar_prefix(page.request_id, ctx.first_index + i) + *why);
    previous = b.date;
    page.bars.push_back(b);
  }
  return page;
}

Result<GroupedDaily> parse_grouped_daily(std::string_view body) {
  auto parsed = parse_object(body);
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  GroupedDaily out;
  out.request_id = string_field(j, "request_id");
  if (out.request_id.empty()) out.request_id = "?";
  if (auto e = vendor_error(j, out.request_id)) return fail(std::move(*e));
  auto results = results_array(j);
  if (!results) return fail(std::move(results).error());
  if (!*results) return out;
  const json& arr = ***results;
  out.bars.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    GroupedBar g{};
    g.ticker = arr[i].is_object() ? string_field(arr[i], "T") : std::string();
    std::optional<std::string> why;
    if (g.ticker.empty())
      why = "missing field 'T'";
    else if (auto bad = read_bar(arr[i], g.bar))
      why = g.ticker + ": " + *bad;
    else if (auto invalid = ingest::bar_problem(g.bar, std::nullopt))
      why = g.ticker + ": " + *invalid;
    if (why)
      out.rejected.push_back({g.ticker, bar_prefix(out.request_id, i) + *why});
    else
      out.bars.push_back(std::move(g));
  }
  return out;
}

Result<SplitsPage> parse_splits(std::string_view body) {
  auto parsed = parse_object(body);
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  SplitsPage out;
  out.request_id = string_field(j, "request_id");
  if (out.request_id.empty()) out.request_id = "?";
  if (auto e = vendor_error(j, out.request_id)) return fail(std::move(*e));
  out.next_url = optional_string(j, "next_url");
  auto results = results_array(j);
  if (!results) return fail(std::move(results).error());
  if (!*results) return out;
  const json& arr = ***results;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json& r = arr[i];
    const std::string where = "request " + out.request_id + " split " + std::to_string(i) + ": ";
    if (!r.is_object()) return fail("BAD_DATA", where + "not an object");
    Split s;
    s.ticker = string_field(r, "ticker");
    auto d = parse_date(string_field(r, "execution_date"));
    if (s.ticker.empty() || !d) return fail("BAD_DATA", where + "missing ticker or execution_date");
    s.execution_date = *d;
    const auto ratio = [&](const char* name, double& v) {
      const auto it = r.find(name);
      if (it == r.end() || !it->is_number()) return false;
      v = it->get<double>();
      return v > 0;
    };
    if (!ratio("split_from", s.split_from) || !ratio("split_to", s.split_to))
      return fail("BAD_DATA", where + "split_from and split_to must be positive numbers");
    out.splits.push_back(std::move(s));
  }
  return out;
}

Result<TickerDetails> parse_ticker_details(std::string_view body) {
  auto parsed = parse_object(body);
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  std::string rid = string_field(j, "request_id");
  if (auto e = vendor_error(j, rid)) return fail(std::move(*e));
  const auto it = j.find("results");
  if (it == j.end() || !it->is_object())
    return fail("BAD_JSON", "request " + rid + ": 'results' is not an object");
  TickerDetails d = ticker_from(*it);
  if (d.ticker.empty()) return fail("BAD_JSON", "request " + rid + ": ticker details without 'ticker'");
  return d;
}

Result<TickerListPage> parse_ticker_list(std::string_view body) {
  auto parsed = parse_object(body);
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  TickerListPage out;
  out.request_id = string_field(j, "request_id");
  if (out.request_id.empty()) out.request_id = "?";
  if (auto e = vendor_error(j, out.request_id)) return fail(std::move(*e));
  out.next_url = optional_string(j, "next_url");
  auto results = results_array(j);
  if (!results) return fail(std::move(results).error());
  if (!*results) return out;
  for (const json& r : ***results) {
    if (!r.is_object()) continue;
    TickerDetails d = ticker_from(r);
    if (!d.ticker.empty()) out.tickers.push_back(std::move(d));
  }
  return out;
}

}  // namespace ts::vendor
