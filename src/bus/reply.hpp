#pragma once
// Owned Redis replies and the stream vocabulary shared by the async and the
// synchronous clients. Pure data and parsing: no I/O.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ts::bus {

/// A RESP2 reply, copied out of hiredis (so it outlives the callback).
struct Reply {
  enum class Type { nil, string, status, error, integer, array };
  Type type = Type::nil;
  std::string str;  ///< string, status and error replies
  long long integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const noexcept { return type == Type::nil; }
  bool is_error() const noexcept { return type == Type::error; }
  bool is_array() const noexcept { return type == Type::array; }
  /// Human form for logs and test failures: "OK", "(nil)", "(error) ERR ...", "[a, 1]".
  std::string debug_string() const;
};

/// The error an error reply stands for: code REDIS_ERROR, message = the
/// server's text ("WRONGTYPE Operation against a key ...").
Error redis_error(const Reply& r, std::string_view what);

/// What publish_event returns: the stream entry id and how many pub/sub
/// subscribers received the message (0 = nobody listening right now).
struct EventReceipt {
  std::string id;
  long long receivers = 0;
};

/// One stream entry as TickStock writes it: XADD <key> * data <payload>.
struct StreamEntry {
  std::string id;       ///< "1712345678901-0"
  std::string payload;  ///< the value of the entry's payload field ("data")
  bool operator==(const StreamEntry&) const = default;
};

/// A stream entry id as numbers. "0" and "0-0" are the start; "5" means "5-0".
struct StreamId {
  std::uint64_t ms = 0, seq = 0;
  static std::optional<StreamId> parse(std::string_view text) noexcept;
  std::string str() const;
  auto operator<=>(const StreamId&) const = default;
};

/// What XINFO STREAM says about a stream (RESP2, Redis 5 to 7).
struct StreamInfo {
  bool exists = false;  ///< false: the key does not exist (nothing was ever written, or it was deleted)
  long long length = 0;
  std::string first_id;           ///< "" when the stream is empty
  std::string last_generated_id;  ///< "0-0" for a new stream
  std::string
      max_deleted_id;  ///< Redis >= 7.0: largest id removed by XDEL ("" before 7.0; trimming does not set it)
  long long entries_added = -1;  ///< Redis >= 7.0: every entry ever added (-1 before 7.0)
};

/// Entries after `after_id` were trimmed (or deleted) before a consumer read
/// them: the consumer has a hole and should fall back to a snapshot.
struct StreamGap {
  std::string after_id;        ///< the consumer's position
  std::string first_id;        ///< the oldest entry still in the stream ("" if empty)
  std::string max_deleted_id;  ///< largest XDEL'd id ("" if the server does not say)
};

/// Decides whether entries after `after_id` may have been removed. Trimming
/// removes the oldest entries, so the position has been overtaken when the
/// oldest entry left is newer than it (or the stream was emptied after it),
/// and an XDEL after it shows in max-deleted-entry-id. Conservative at one
/// point: when exactly the position's own entry was the last one trimmed, a
/// gap is reported although nothing after it is missing (the cost is one
/// snapshot reload). "0" counts as a gap only when Redis (>= 7.0) says
/// entries were removed; "$" never has one.
std::optional<StreamGap> detect_gap(const StreamInfo& info, std::string_view after_id);

/// Parses XINFO STREAM's reply. An error reply "ERR no such key" yields exists=false.
Result<StreamInfo> parse_stream_info(const Reply& r);

/// Parses an XRANGE reply (array of [id, [field, value, ...]]), taking `field`
/// as the payload. Entries without that field are skipped.
Result<std::vector<StreamEntry>> parse_stream_entries(const Reply& r, std::string_view field = "data");

/// Parses an XREAD reply for ONE stream: nil (timeout) gives no entries.
Result<std::vector<StreamEntry>> parse_xread(const Reply& r, std::string_view field = "data");

}  // namespace ts::bus
