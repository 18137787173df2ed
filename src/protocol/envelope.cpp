#include "protocol/envelope.hpp"

#include <algorithm>
#include <charconv>

#include "core/trading_date.hpp"
#include "core/uuid.hpp"
#include "protocol/json_util.hpp"

namespace ts::protocol {

using nlohmann::json;

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

/// Reads "YYYY-MM-DDTHH:MM:SS" at the start of s as UTC seconds; nullopt when
/// malformed or not a real date/time (a leap second :60 counts as :59 + 1 s).
std::optional<std::chrono::sys_seconds> date_time_prefix(std::string_view s) noexcept {
  int y, mo, d, h, mi, se;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, se))
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  // Years past 2262 do not fit system_clock's nanoseconds (converting them is
  // undefined behaviour; found by fuzz_command); no real timestamp is near either bound.
  if (!ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(se);
}

}  // namespace

bool is_event_timestamp(std::string_view s) noexcept {
  int ms;
  return s.size() == 24 && date_time_prefix(s) && s[10] == 'T' && s[19] == '.' && digits(s, 20, 3, ms) &&
         s[23] == 'Z';
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) noexcept {
  const auto whole = date_time_prefix(s);
  if (!whole) return std::nullopt;
  std::chrono::system_clock::time_point t = *whole;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    std::chrono::nanoseconds frac{0};
    long long scale = 100'000'000;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
      frac += std::chrono::nanoseconds((s[i] - '0') * scale);  // digits past nanoseconds add 0
    if (i == start) return std::nullopt;
    t += std::chrono::duration_cast<std::chrono::system_clock::duration>(frac);
  }
  const std::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return t;
  int hh, mm;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !digits(zone, 1, 2, hh) ||
      !digits(zone, 4, 2, mm) || hh > 23 || mm > 59)
    return std::nullopt;
  const auto offset = std::chrono::hours(hh) + std::chrono::minutes(mm);
  return zone[0] == '+' ? t - offset : t + offset;  // local = UTC + offset
}

bool is_rfc3339(std::string_view s) noexcept { return parse_rfc3339(s).has_value(); }

std::string format_timestamp(std::chrono::system_clock::time_point t) { return format_utc_ms(t); }

std::string make_source(std::string_view host, long long pid) {
  return "tickstock-engine/" + std::string(host) + ":" + std::to_string(pid);
}

std::string encode_event(const Envelope& e) {
  // Written field by field so the envelope keeps its documented key order.
  std::string out;
  out.reserve(256);
  out += "{\"id\":";
  out += dump_json(json(e.id));
  out += ",\"event\":";
  out += dump_json(json(to_string(e.event)));
  out += ",\"version\":";
  out += dump_json(json(e.version));
  out += ",\"timestamp\":";
  out += dump_json(json(e.timestamp));
  out += ",\"source\":";
  out += dump_json(json(e.source));
  out += ",\"seq\":";
  out += std::to_string(e.seq);
  out += ",\"payload\":";
  out += dump_json(e.payload.is_null() ? json::object() : e.payload);
  out += '}';
  return out;
}

Result<Envelope> decode_event(std::string_view raw, std::size_t max_bytes) {
  auto parsed = parse_bounded(raw, max_bytes, "event");
  if (!parsed) return fail(std::move(parsed).error());
  const json& j = *parsed;
  if (!j.is_object()) return fail("INVALID_EVENT", "event must be a JSON object, got " + type_name(j));

  static constexpr std::string_view kFields[] = {"id",     "event", "version", "timestamp",
                                                 "source", "seq",   "payload"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto f : kFields) known = known || key == f;
    if (!known) return fail("INVALID_EVENT", "unknown envelope field '" + key + "'");
  }
  for (const auto f : kFields)
    if (!j.contains(f)) return fail("INVALID_EVENT", "missing envelope field '" + std::string(f) + "'");

  auto string_field = [&](const char* name) -> const std::string* {
    const json& v = j.at(name);
    return v.is_string() ? &v.get_ref<const std::string&>() : nullptr;
  };
  const std::string* version = string_field("version");
  if (!version) return fail("INVALID_EVENT", "'version' must be a string, got " + type_name(j.at("version")));
  if (*version != kProtocolVersion)
    return fail("UNSUPPORTED_VERSION", "unsupported protocol version '" + *version +
                                           "' (this consumer reads " + std::string(kProtocolVersion) + ")");

  Envelope e;
  const std::string* name = string_field("event");
  if (!name) return fail("INVALID_EVENT", "'event' must be a string, got " + type_name(j.at("event")));
  const auto ev = parse_event(*name);
  if (!ev) return fail("UNKNOWN_EVENT", "unknown event '" + *name + "'");
  e.event = *ev;
  e.version = *version;

  const std::string* id = string_field("id");
  if (!id || !is_uuid(*id)) return fail("INVALID_EVENT", "'id' must be a lowercase UUID string");
  e.id = *id;
  const std::string* ts = string_field("timestamp");
  if (!ts || !is_event_timestamp(*ts))
    return fail("INVALID_EVENT",
                "'timestamp' must be RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ)");
  e.timestamp = *ts;
  const std::string* source = string_field("source");
  if (!source || !source->starts_with("tickstock-engine/"))
    return fail("INVALID_EVENT", "'source' must be a string 'tickstock-engine/<host>:<pid>'");
  e.source = *source;
  const json& seq = j.at("seq");
  if (!seq.is_number_unsigned() || seq.get<std::uint64_t>() == 0)
    return fail("INVALID_EVENT", "'seq' must be an integer >= 1, got " + dump_json(seq));
  e.seq = seq.get<std::uint64_t>();

  const json& payload = j.at("payload");
  if (!payload.is_object())
    return fail("INVALID_EVENT", "'payload' must be an object, got " + type_name(payload));
  const auto run_id = payload.find("run_id");
  if (run_id != payload.end() && !run_id->is_string())
    return fail("INVALID_EVENT", "payload.run_id must be a string, got " + type_name(*run_id));
  if (info(e.event).run_scoped && run_id == payload.end())
    return fail("INVALID_EVENT", "event '" + *name + "' must carry payload.run_id");
  e.payload = payload;
  return e;
}

std::uint64_t Sequencer::next(std::string_view run_id) {
  if (run_id.empty()) return ++engine_;
  auto it = counters_.find(run_id);
  if (it == counters_.end()) it = counters_.emplace(std::string(run_id), 0).first;
  return ++it->second;
}

void Sequencer::finish(std::string_view run_id) {
  const auto it = counters_.find(run_id);
  if (it != counters_.end()) counters_.erase(it);
}

bool Sequencer::active(std::string_view run_id) const { return counters_.find(run_id) != counters_.end(); }

void Sequencer::seed(std::string_view run_id, std::uint64_t last) {
  auto it = counters_.find(run_id);
  if (it == counters_.end()) it = counters_.emplace(std::string(run_id), 0).first;
  it->second = std::max(it->second, last);
}

}  // namespace ts::protocol
