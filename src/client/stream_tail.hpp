#pragma once
// StreamTail: follows the event stream (tickstock:events) with blocking XREAD
// on a caller-owned SyncClient, for `ctl watch` and `ctl trigger --wait`.
//
//   StreamTail tail(redis, "tickstock:events");
//   auto gap = tail.start("$");            // "$": only events added from now on
//   while (...) for (auto& e : tail.next(256, 500ms).value()) ...
//
// start("$") pins the position to the stream's last entry id at that moment,
// so an event added between start() and the first next() is not missed (that
// is how `trigger --wait` captures its position before sending the command).
// Trimming (see bus::detect_gap): start() and check_gap() report when entries
// after the position were removed unread; reading then goes on with the oldest
// entry left. After a transport error the caller retries next(); the position
// is unchanged, so nothing is skipped (and nothing is delivered twice).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bus/reply.hpp"
#include "bus/sync_client.hpp"
#include "core/result.hpp"

namespace ts::client {

class StreamTail {
 public:
  StreamTail(bus::SyncClient& redis, std::string key);

  /// Sets the position: "$" or "" = the last entry now (new events only); "0"
  /// or "0-0" = the beginning; otherwise an entry id ("1712345678901-0" or
  /// "1712345678901"), INVALID_STREAM_ID if malformed. Returns the gap when
  /// entries after `from_id` were already trimmed. Redis errors as SyncClient.
  Result<std::optional<bus::StreamGap>> start(const std::string& from_id);
  /// Up to `count` entries after the position, waiting up to `block` for the
  /// first; advances the position past them. Empty on timeout.
  Result<std::vector<bus::StreamEntry>> next(std::size_t count, std::chrono::milliseconds block);
  /// Whether entries after the position were trimmed (call after a reconnection).
  Result<std::optional<bus::StreamGap>> check_gap();

  const std::string& position() const noexcept { return position_; }
  const std::string& key() const noexcept { return key_; }

 private:
  bus::SyncClient& redis_;
  std::string key_;
  std::string position_ = "0-0";
};

}  // namespace ts::client
