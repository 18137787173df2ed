#pragma once
// SyncClient: a blocking hiredis connection for short-lived tools
// (`tickstock ctl`, tests). Every call waits at most `timeout` (a blocking
// XREAD at most block + timeout); a timed-out or broken connection is
// re-established on the next call.
//
// Threading: one SyncClient per thread (not thread-safe). Movable.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/reply.hpp"
#include "bus/url.hpp"
#include "core/result.hpp"

struct redisContext;

namespace ts::bus {

class SyncClient {
 public:
  /// Connects, AUTHs and SELECTs. Errors: REDIS_UNREACHABLE, REDIS_AUTH_FAILED,
  /// REDIS_AUTH_REQUIRED, REDIS_BAD_DB, TIMEOUT.
  static Result<SyncClient> connect(const RedisUrl& url,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds{2000},
                                    std::string client_name = "tickstock-cli");
  SyncClient(SyncClient&&) noexcept;
  SyncClient& operator=(SyncClient&&) noexcept;
  ~SyncClient();

  /// Any command; an error reply becomes REDIS_ERROR. Transport: TIMEOUT, CONNECTION_LOST.
  Result<Reply> command(const std::vector<std::string>& argv);

  /// PUBLISH: receivers (0 = nobody is listening).
  Result<long long> publish(const std::string& channel, const std::string& payload);
  /// The same atomic XADD + PUBLISH as AsyncClient::publish_event.
  Result<EventReceipt> publish_event(const std::string& channel, const std::string& stream_key,
                                     std::size_t maxlen, const std::string& payload);
  Result<std::optional<std::string>> get(const std::string& key);
  Status<> set(const std::string& key, const std::string& value,
               std::chrono::milliseconds ttl = std::chrono::milliseconds{0});
  /// XRANGE key start end [COUNT count] (count 0 = all).
  Result<std::vector<StreamEntry>> xrange(const std::string& key, const std::string& start = "-",
                                          const std::string& end = "+", std::size_t count = 0);
  /// XREAD entries after `after_id`; waits up to `block` for some to arrive
  /// (0 = do not wait). Empty on timeout.
  Result<std::vector<StreamEntry>> xread(const std::string& key, const std::string& after_id,
                                         std::size_t count,
                                         std::chrono::milliseconds block = std::chrono::milliseconds{0});
  /// XINFO STREAM, for detect_gap() before resuming from a stored id.
  Result<StreamInfo> stream_info(const std::string& key);

  const RedisUrl& url() const noexcept { return url_; }

 private:
  SyncClient(RedisUrl url, std::chrono::milliseconds timeout, std::string name);
  Status<> reconnect();
  Result<Reply> roundtrip(const std::vector<std::string>& argv, std::chrono::milliseconds wait);

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  std::unique_ptr<redisContext, void (*)(redisContext*)> ctx_;
};

}  // namespace ts::bus
