#include "client/stream_tail.hpp"

namespace ts::client {

StreamTail::StreamTail(bus::SyncClient& redis, std::string key) : redis_(redis), key_(std::move(key)) {}

Result<std::optional<bus::StreamGap>> StreamTail::start(const std::string& from_id) {
  auto info = redis_.stream_info(key_);  // XINFO STREAM <key>
  if (!info) return fail(std::move(info).error());
  if (from_id.empty() || from_id == "$") {
    position_ = info->exists && !info->last_generated_id.empty() ? info->last_generated_id : "0-0";
    return std::optional<bus::StreamGap>{};
  }
  const auto id = bus::StreamId::parse(from_id);
  if (!id)
    return fail(
        "INVALID_STREAM_ID",
        "'" + from_id + "' is not a stream entry id (expected MS-SEQ such as 1712345678901-0, MS, 0 or $)");
  position_ = id->str();
  return bus::detect_gap(*info, position_);
}

Result<std::vector<bus::StreamEntry>> StreamTail::next(std::size_t count, std::chrono::milliseconds block) {
  // XREAD COUNT <count> [BLOCK <ms>] STREAMS <key> <position>
  std::vector<std::string> argv{"XREAD", "COUNT", std::to_string(count == 0 ? 1 : count)};
  if (block.count() > 0) {
    argv.emplace_back("BLOCK");
    argv.push_back(std::to_string(block.count()));
  }
  argv.insert(argv.end(), {"STREAMS", key_, position_});
  auto reply = redis_.command(argv);
  if (!reply) return fail(std::move(reply).error());
  auto entries = bus::parse_xread(*reply);
  if (!entries) return entries;
  // Advance past every entry read, including any without a "data" field (which
  // parse_xread skips), so such an entry cannot stall the tail.
  if (reply->is_array() && !reply->elements.empty()) {
    const bus::Reply& stream = reply->elements.front();
    if (stream.is_array() && stream.elements.size() == 2 && stream.elements[1].is_array() &&
        !stream.elements[1].elements.empty()) {
      const bus::Reply& last = stream.elements[1].elements.back();
      if (last.is_array() && !last.elements.empty()) position_ = last.elements.front().str;
    }
  }
  return entries;
}

Result<std::optional<bus::StreamGap>> StreamTail::check_gap() {
  auto info = redis_.stream_info(key_);
  if (!info) return fail(std::move(info).error());
  return bus::detect_gap(*info, position_);
}

}  // namespace ts::client
