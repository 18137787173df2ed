#include "bus/detail/commands.hpp"

namespace ts::bus::detail {
namespace {

// KEYS[1] stream, ARGV[1] maxlen ("0" = untrimmed), ARGV[2] payload, ARGV[3] channel.
constexpr const char* kPublishEvent = R"lua(local id
if ARGV[1] == '0' then
  id = redis.call('XADD', KEYS[1], '*', 'data', ARGV[2])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2])
end
return {id, redis.call('PUBLISH', ARGV[3], ARGV[2])})lua";

constexpr const char* kRenewIfEqual = R"lua(if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0)lua";

constexpr const char* kDeleteIfEqual = R"lua(if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0)lua";

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count() > 0 ? d.count() : 1); }

}  // namespace

Argv publish_event_cmd(const std::string& channel, const std::string& stream_key, std::size_t maxlen,
                       const std::string& payload) {
  return {"EVAL", kPublishEvent, "1", stream_key, std::to_string(maxlen), payload, channel};
}

Result<EventReceipt> parse_publish_event(const Reply& r) {
  if (r.is_error()) return fail(redis_error(r, "publish_event"));
  if (!r.is_array() || r.elements.size() != 2 || r.elements[0].type != Reply::Type::string ||
      r.elements[1].type != Reply::Type::integer)
    return fail(redis_error(r, "publish_event"));
  return EventReceipt{r.elements[0].str, r.elements[1].integer};
}

Argv publish_cmd(const std::string& channel, const std::string& payload) {
  return {"PUBLISH", channel, payload};
}

Argv set_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
  if (ttl.count() > 0) return {"SET", key, value, "PX", ms(ttl)};
  return {"SET", key, value};
}

Argv get_cmd(const std::string& key) { return {"GET", key}; }

Argv set_if_absent_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
  return {"SET", key, value, "NX", "PX", ms(ttl)};
}

Argv renew_if_equal_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
  return {"EVAL", kRenewIfEqual, "1", key, value, ms(ttl)};
}

Argv delete_if_equal_cmd(const std::string& key, const std::string& value) {
  return {"EVAL", kDeleteIfEqual, "1", key, value};
}

Argv stream_info_cmd(const std::string& key) { return {"XINFO", "STREAM", key}; }

Argv xread_cmd(const std::string& key, const std::string& after_id, std::size_t count,
               std::optional<std::chrono::milliseconds> block) {
  Argv a{"XREAD", "COUNT", std::to_string(count > 0 ? count : 1)};
  if (block) {
    a.push_back("BLOCK");
    a.push_back(ms(*block));
  }
  a.insert(a.end(), {"STREAMS", key, after_id});
  return a;
}

Argv xrange_cmd(const std::string& key, const std::string& start, const std::string& end, std::size_t count) {
  Argv a{"XRANGE", key, start, end};
  if (count > 0) a.insert(a.end(), {"COUNT", std::to_string(count)});
  return a;
}

Result<Ok> expect_ok(const Reply& r, const char* what) {
  if (r.type == Reply::Type::status && r.str == "OK") return Ok{};
  return fail(redis_error(r, what));
}

Result<long long> expect_integer(const Reply& r, const char* what) {
  if (r.type == Reply::Type::integer) return r.integer;
  return fail(redis_error(r, what));
}

Result<std::optional<std::string>> expect_string_or_nil(const Reply& r, const char* what) {
  if (r.is_nil()) return std::optional<std::string>{};
  if (r.type == Reply::Type::string) return std::optional<std::string>{r.str};
  return fail(redis_error(r, what));
}

Result<bool> expect_ok_or_nil(const Reply& r, const char* what) {
  if (r.is_nil()) return false;
  if (r.type == Reply::Type::status && r.str == "OK") return true;
  return fail(redis_error(r, what));
}

Result<bool> expect_flag(const Reply& r, const char* what) {
  if (r.type == Reply::Type::integer) return r.integer != 0;
  return fail(redis_error(r, what));
}

}  // namespace ts::bus::detail
