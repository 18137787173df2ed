#include "worker/work_stream.hpp"

#include <nlohmann/json.hpp>

namespace ts::worker {

using nlohmann::json;

std::string work_key(std::string_view run_id) { return "tickstock:work:" + std::string(run_id); }
std::string results_key(std::string_view run_id) { return work_key(run_id) + ":results"; }
std::string dead_key(std::string_view run_id) { return work_key(run_id) + ":dead"; }
std::string cancel_key(std::string_view run_id) { return work_key(run_id) + ":cancel"; }

std::string encode_settings(const RunSettings& s) {
  return json{{"claim_timeout_ms", s.claim_timeout.count()}, {"max_deliveries", s.max_deliveries}}.dump();
}

std::optional<RunSettings> decode_settings(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  RunSettings s;
  try {
    s.claim_timeout = std::chrono::milliseconds(j.value("claim_timeout_ms", s.claim_timeout.count()));
    s.max_deliveries = j.value("max_deliveries", s.max_deliveries);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return s;
}

std::string encode_shard(const Shard& s) {
  return json{{"run_id", s.run_id},   {"phase", to_string(s.phase)}, {"index", s.index},
              {"symbols", s.symbols}, {"parameters", s.parameters},  {"alert_bars", s.alert_bars}}
      .dump();
}

Result<Shard> decode_shard(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return fail("BAD_SHARD", "shard entry is not a JSON object");
  Shard s;
  try {
    s.run_id = j.at("run_id").get<std::string>();
    const auto phase = parse_phase(j.at("phase").get<std::string>());
    if (!phase || *phase == Phase::import)
      return fail("BAD_SHARD", "shard of an unknown or undistributed phase");
    s.phase = *phase;
    s.index = j.value("index", 0);
    s.symbols = j.at("symbols").get<std::vector<std::string>>();
    s.parameters = j.value("parameters", "{}");
    s.alert_bars = j.value("alert_bars", engine::kDefaultAlertBars);
  } catch (const json::exception& e) {
    return fail("BAD_SHARD", std::string("shard entry: ") + e.what());
  }
  return s;
}

namespace {

constexpr std::string_view kKindNames[] = {"symbol", "done", "dead"};

json detections_json(const std::vector<storage::DetectionRow>& rows) {
  json a = json::array();
  for (const auto& d : rows)
    a.push_back({{"pattern", d.pattern},
                 {"bar_date", format_date(d.bar_date)},
                 {"direction", d.direction},
                 {"strength", d.strength},
                 {"confidence", d.confidence},
                 {"levels", d.levels_json}});
  return a;
}

json values_json(const std::vector<storage::TimeframeIndicators>& groups) {
  json a = json::array();
  for (const auto& g : groups) {
    json rows = json::array();
    for (const auto& r : g.rows)
      rows.push_back(
          {{"indicator", r.indicator}, {"as_of", format_date(r.as_of)}, {"values", r.values_json}});
    a.push_back({{"timeframe", to_string(g.tf)}, {"rows", std::move(rows)}});
  }
  return a;
}

TradingDate date_of(const json& j) {
  auto d = parse_date(j.get<std::string>());
  if (!d) throw std::invalid_argument(d.error().message);
  return *d;
}

}  // namespace

std::string encode_result(const ResultEntry& r) {
  json j{{"kind", kKindNames[static_cast<int>(r.kind)]},
         {"shard", r.shard_id},
         {"phase", to_string(r.phase)},
         {"worker_id", r.worker_id}};
  if (r.kind == ResultEntry::Kind::dead) j["deliveries"] = r.deliveries;
  if (r.kind != ResultEntry::Kind::symbol) return j.dump();
  const auto& s = r.report;
  j["symbol"] = r.symbol;
  j["ok"] = s.ok;
  j["count"] = s.count;
  j["ms"] = s.ms;
  if (!s.ok) {
    j["error_code"] = s.error_code;
    j["message"] = s.message;
    j["storage_failure"] = s.storage_failure;
  }
  if (!s.alerts.empty()) j["alerts"] = detections_json(s.alerts);
  if (!s.values.empty()) j["values"] = values_json(s.values);
  return j.dump();
}

Result<ResultEntry> decode_result(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return fail("BAD_RESULT", "result entry is not a JSON object");
  ResultEntry r;
  try {
    const auto kind = j.at("kind").get<std::string>();
    if (kind == "symbol")
      r.kind = ResultEntry::Kind::symbol;
    else if (kind == "done")
      r.kind = ResultEntry::Kind::done;
    else if (kind == "dead")
      r.kind = ResultEntry::Kind::dead;
    else
      return fail("BAD_RESULT", "unknown result kind " + kind);
    r.shard_id = j.at("shard").get<std::string>();
    const auto phase = parse_phase(j.at("phase").get<std::string>());
    if (!phase) return fail("BAD_RESULT", "unknown phase");
    r.phase = *phase;
    r.worker_id = j.value("worker_id", "");
    r.deliveries = j.value("deliveries", 0LL);
    if (r.kind != ResultEntry::Kind::symbol) return r;
    r.symbol = j.at("symbol").get<std::string>();
    auto& s = r.report;
    s.ok = j.at("ok").get<bool>();
    s.count = j.value("count", 0LL);
    s.ms = j.value("ms", 0.0);
    s.error_code = j.value("error_code", "");
    s.message = j.value("message", "");
    s.storage_failure = j.value("storage_failure", false);
    s.worker_id = r.worker_id;
    for (const auto& d : j.value("alerts", json::array()))
      s.alerts.push_back({d.at("pattern").get<std::string>(), date_of(d.at("bar_date")),
                          d.at("direction").get<std::string>(), d.at("strength").get<double>(),
                          d.at("confidence").get<double>(), d.at("levels").get<std::string>()});
    for (const auto& g : j.value("values", json::array())) {
      const auto tf = parse_timeframe(g.at("timeframe").get<std::string>());
      if (!tf) return fail("BAD_RESULT", "unknown timeframe");
      storage::TimeframeIndicators group{*tf, {}};
      for (const auto& row : g.at("rows"))
        group.rows.push_back({row.at("indicator").get<std::string>(), date_of(row.at("as_of")),
                              row.at("values").get<std::string>()});
      s.values.push_back(std::move(group));
    }
  } catch (const std::exception& e) {
    return fail("BAD_RESULT", std::string("result entry: ") + e.what());
  }
  return r;
}

namespace {

/// The first entry of an XRANGE-shaped array, with its `data` field.
std::optional<bus::StreamEntry> first_entry(const bus::Reply& entries) {
  auto parsed = bus::parse_stream_entries(entries);
  if (!parsed || parsed->empty()) return std::nullopt;
  return parsed->front();
}

Result<long long> delivery_count(bus::SyncClient& c, const std::string& run_id, const std::string& id) {
  // XPENDING <key> <group> <id> <id> 1 -> [[id, consumer, idle ms, deliveries]]
  auto r = c.command({"XPENDING", work_key(run_id), std::string(kGroup), id, id, "1"});
  if (!r) return fail(r.error());
  if (!r->is_array() || r->elements.empty() || !r->elements[0].is_array() ||
      r->elements[0].elements.size() < 4)
    return 1LL;  // acknowledged meanwhile: treat as a first delivery
  return r->elements[0].elements[3].integer;
}

}  // namespace

Result<std::optional<Delivery>> read_new(bus::SyncClient& c, const std::vector<std::string>& run_ids,
                                         const std::string& consumer, std::chrono::milliseconds block) {
  if (run_ids.empty()) return std::optional<Delivery>{};
  std::vector<std::string> argv{"XREADGROUP", "GROUP", std::string(kGroup),           consumer, "COUNT",
                                "1",          "BLOCK", std::to_string(block.count()), "STREAMS"};
  for (const auto& id : run_ids) argv.push_back(work_key(id));
  for (std::size_t i = 0; i < run_ids.size(); ++i) argv.push_back(">");
  auto r = c.command(argv);
  if (!r) return fail(r.error());
  if (r->is_nil() || !r->is_array()) return std::optional<Delivery>{};
  // [[key, [[id, [field, value, ...]], ...]], ...]
  for (const auto& stream : r->elements) {
    if (!stream.is_array() || stream.elements.size() != 2) continue;
    const auto e = first_entry(stream.elements[1]);
    if (!e) continue;
    const std::string& key = stream.elements[0].str;
    return std::optional<Delivery>{Delivery{key.substr(work_key("").size()), e->id, e->payload, 1}};
  }
  return std::optional<Delivery>{};
}

Result<std::optional<Delivery>> claim_stale(bus::SyncClient& c, const std::string& run_id,
                                            const std::string& consumer, std::chrono::milliseconds min_idle) {
  // XAUTOCLAIM -> [next cursor, [[id, [field, value...]]...], [deleted ids]] (Redis >= 6.2)
  auto r = c.command({"XAUTOCLAIM", work_key(run_id), std::string(kGroup), consumer,
                      std::to_string(min_idle.count()), "0-0", "COUNT", "1"});
  if (!r) return fail(r.error());
  if (!r->is_array() || r->elements.size() < 2) return std::optional<Delivery>{};
  const auto e = first_entry(r->elements[1]);
  if (!e) return std::optional<Delivery>{};
  auto n = delivery_count(c, run_id, e->id);
  if (!n) return fail(n.error());
  return std::optional<Delivery>{Delivery{run_id, e->id, e->payload, *n}};
}

Status<> touch(bus::SyncClient& c, const std::string& run_id, const std::string& consumer,
               const std::string& id) {
  auto r = c.command({"XCLAIM", work_key(run_id), std::string(kGroup), consumer, "0", id, "JUSTID"});
  if (!r) return fail(r.error());
  return Ok{};
}

namespace {

// KEYS: work stream, results stream; ARGV: group, id, result payload
constexpr std::string_view kAckScript = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'data', ARGV[3])
  return 1
end
return 0)lua";

// KEYS: work stream, results stream, dead stream; ARGV: group, id, result payload, shard payload, deliveries
constexpr std::string_view kDeadScript = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[3], '*', 'data', ARGV[4], 'id', ARGV[2], 'deliveries', ARGV[5])
  redis.call('XADD', KEYS[2], '*', 'data', ARGV[3])
  return 1
end
return 0)lua";

}  // namespace

Result<bool> ack_with(bus::SyncClient& c, const std::string& run_id, const std::string& id,
                      const std::string& result) {
  auto r = c.command({"EVAL", std::string(kAckScript), "2", work_key(run_id), results_key(run_id),
                      std::string(kGroup), id, result});
  if (!r) return fail(r.error());
  return r->integer == 1;
}

Result<bool> dead_letter(bus::SyncClient& c, const std::string& run_id, const Delivery& d,
                         const std::string& result) {
  auto r = c.command({"EVAL", std::string(kDeadScript), "3", work_key(run_id), results_key(run_id),
                      dead_key(run_id), std::string(kGroup), d.id, result, d.payload,
                      std::to_string(d.deliveries)});
  if (!r) return fail(r.error());
  return r->integer == 1;
}

}  // namespace ts::worker
