#pragma once
// The bus's Redis commands, built and parsed in one place for both the async
// and the synchronous client. Each builder opens with its wire syntax.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bus/reply.hpp"
#include "core/result.hpp"

namespace ts::bus::detail {

using Argv = std::vector<std::string>;

/// EVAL <script> 1 <stream_key> <maxlen> <payload> <channel>
/// The script runs XADD <stream_key> [MAXLEN ~ <maxlen>] * data <payload>, then
/// PUBLISH <channel> <payload>, atomically: if XADD fails (say WRONGTYPE),
/// nothing is published. maxlen 0 means no trimming. Reply: [id, receivers].
Argv publish_event_cmd(const std::string& channel, const std::string& stream_key, std::size_t maxlen,
                       const std::string& payload);
Result<EventReceipt> parse_publish_event(const Reply& r);

/// PUBLISH <channel> <payload> -> receivers
Argv publish_cmd(const std::string& channel, const std::string& payload);
/// SET <key> <value> [PX <ttl>] -> OK
Argv set_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl);
/// GET <key> -> value | nil
Argv get_cmd(const std::string& key);
/// SET <key> <value> NX PX <ttl> -> OK (acquired) | nil (held by someone)
Argv set_if_absent_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl);
/// EVAL: if GET <key> == <value> then PEXPIRE <key> <ttl> -> 1 | 0
Argv renew_if_equal_cmd(const std::string& key, const std::string& value, std::chrono::milliseconds ttl);
/// EVAL: if GET <key> == <value> then DEL <key> -> 1 | 0
Argv delete_if_equal_cmd(const std::string& key, const std::string& value);
/// XINFO STREAM <key>
Argv stream_info_cmd(const std::string& key);
/// XREAD COUNT <count> [BLOCK <ms>] STREAMS <key> <after_id>
Argv xread_cmd(const std::string& key, const std::string& after_id, std::size_t count,
               std::optional<std::chrono::milliseconds> block);
/// XRANGE <key> <start> <end> [COUNT <count>]   (count 0 = all)
Argv xrange_cmd(const std::string& key, const std::string& start, const std::string& end, std::size_t count);

/// Reply checks: error replies become REDIS_ERROR naming the command.
Result<Ok> expect_ok(const Reply& r, const char* what);
Result<long long> expect_integer(const Reply& r, const char* what);
Result<std::optional<std::string>> expect_string_or_nil(const Reply& r, const char* what);
/// OK -> true, nil -> false (SET NX).
Result<bool> expect_ok_or_nil(const Reply& r, const char* what);
/// 1 -> true, 0 -> false.
Result<bool> expect_flag(const Reply& r, const char* what);

}  // namespace ts::bus::detail
