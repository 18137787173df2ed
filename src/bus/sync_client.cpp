#include "bus/sync_client.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>

#include "bus/detail/commands.hpp"
#include "bus/detail/connection.hpp"
#include "bus/detail/hiredis_reply.hpp"

namespace ts::bus {
namespace {

void free_context(redisContext* c) {
  if (c) redisFree(c);
}

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace

SyncClient::SyncClient(RedisUrl url, std::chrono::milliseconds timeout, std::string name)
    : url_(std::move(url)), timeout_(timeout), name_(std::move(name)), ctx_(nullptr, &free_context) {}

SyncClient::SyncClient(SyncClient&&) noexcept = default;
SyncClient& SyncClient::operator=(SyncClient&&) noexcept = default;
SyncClient::~SyncClient() = default;

Result<SyncClient> SyncClient::connect(const RedisUrl& url, std::chrono::milliseconds timeout,
                                       std::string client_name) {
  SyncClient c(url, timeout, std::move(client_name));
  if (auto s = c.reconnect(); !s) return fail(std::move(s).error());
  return c;
}

Status<> SyncClient::reconnect() {
  ctx_.reset();
  std::string where = url_.redacted();
  detail::ignore_sigpipe();  // see detail/connection.hpp
  redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(timeout_));
  if (!c) return fail("REDIS_UNREACHABLE", "cannot connect to Redis " + where + ": out of memory");
  ctx_.reset(c);
  if (c->err) {
    std::string why = c->errstr;
    ctx_.reset();
    return fail("REDIS_UNREACHABLE", "cannot connect to Redis " + where + ": " + why);
  }
  redisSetTimeout(c, to_timeval(timeout_));
  redisEnableKeepAlive(c);
  for (const auto& step : detail::handshake_steps(url_, name_)) {
    auto r = roundtrip(step.argv, timeout_);
    if (!r) {
      ctx_.reset();
      return fail(std::move(r).error());
    }
    if (auto err = detail::check_handshake_reply(step, *r, url_, where)) {
      ctx_.reset();
      return fail(std::move(*err));
    }
  }
  return Ok{};
}

Result<Reply> SyncClient::roundtrip(const std::vector<std::string>& argv, std::chrono::milliseconds wait) {
  redisContext* c = ctx_.get();
  if (wait != timeout_) redisSetTimeout(c, to_timeval(wait));
  detail::CArgv a(argv);
  auto* raw = static_cast<redisReply*>(redisCommandArgv(c, a.argc(), a.ptrs.data(), a.lens.data()));
  int err = errno;
  if (wait != timeout_ && !c->err) redisSetTimeout(c, to_timeval(timeout_));
  if (!raw) {
    bool timed_out = c->err == REDIS_ERR_IO && (err == EAGAIN || err == EWOULDBLOCK);
    std::string why = c->errstr;
    ctx_.reset();  // unusable now (a late reply would be misread); the next call reconnects
    if (timed_out)
      return fail("TIMEOUT", "no reply from Redis " + url_.redacted() + " within " +
                                 std::to_string(wait.count()) + " ms (" + argv[0] + ")");
    return fail("CONNECTION_LOST", "connection to Redis " + url_.redacted() + " failed: " + why);
  }
  Reply r = detail::to_reply(*raw);
  freeReplyObject(raw);
  return r;
}

Result<Reply> SyncClient::command(const std::vector<std::string>& argv) {
  if (argv.empty()) return fail("INVALID_ARGUMENT", "empty command");
  if (!ctx_)
    if (auto s = reconnect(); !s) return fail(std::move(s).error());
  auto wait = timeout_;
  // A blocking XREAD may legitimately take BLOCK ms: wait that much longer.
  if (argv[0] == "XREAD")
    for (std::size_t i = 1; i + 1 < argv.size(); ++i)
      if (argv[i] == "BLOCK") {
        long long ms = 0;
        std::from_chars(argv[i + 1].data(), argv[i + 1].data() + argv[i + 1].size(), ms);
        wait += std::chrono::milliseconds(ms);
      }
  auto r = roundtrip(argv, wait);
  if (!r) return r;
  if (r->is_error()) return fail(redis_error(*r, argv[0]));
  return r;
}

Result<long long> SyncClient::publish(const std::string& channel, const std::string& payload) {
  auto r = command(detail::publish_cmd(channel, payload));
  if (!r) return fail(std::move(r).error());
  return detail::expect_integer(*r, "PUBLISH");
}

Result<EventReceipt> SyncClient::publish_event(const std::string& channel, const std::string& stream_key,
                                               std::size_t maxlen, const std::string& payload) {
  auto r = command(detail::publish_event_cmd(channel, stream_key, maxlen, payload));
  if (!r) return fail(std::move(r).error());
  return detail::parse_publish_event(*r);
}

Result<std::optional<std::string>> SyncClient::get(const std::string& key) {
  auto r = command(detail::get_cmd(key));
  if (!r) return fail(std::move(r).error());
  return detail::expect_string_or_nil(*r, "GET");
}

Status<> SyncClient::set(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
  auto r = command(detail::set_cmd(key, value, ttl));
  if (!r) return fail(std::move(r).error());
  return detail::expect_ok(*r, "SET");
}

Result<std::vector<StreamEntry>> SyncClient::xrange(const std::string& key, const std::string& start,
                                                    const std::string& end, std::size_t count) {
  auto r = command(detail::xrange_cmd(key, start, end, count));
  if (!r) return fail(std::move(r).error());
  return parse_stream_entries(*r);
}

Result<std::vector<StreamEntry>> SyncClient::xread(const std::string& key, const std::string& after_id,
                                                   std::size_t count, std::chrono::milliseconds block) {
  std::optional<std::chrono::milliseconds> b;
  if (block.count() > 0) b = block;
  auto r = command(detail::xread_cmd(key, after_id, count, b));
  if (!r) return fail(std::move(r).error());
  return parse_xread(*r);
}

Result<StreamInfo> SyncClient::stream_info(const std::string& key) {
  if (!ctx_)
    if (auto s = reconnect(); !s) return fail(std::move(s).error());
  auto r =
      roundtrip(detail::stream_info_cmd(key), timeout_);  // "no such key" is an answer here, not an error
  if (!r) return fail(std::move(r).error());
  return parse_stream_info(*r);
}

}  // namespace ts::bus
