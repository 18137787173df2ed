#pragma once
// The event envelope and its codec.
//
//   {"id": UUID, "event": NAME, "version": "1.0", "timestamp": RFC 3339 UTC ms,
//    "source": "tickstock-engine/<host>:<pid>", "seq": N, "payload": {...}}
//
// seq: every event belongs to one sequence scope. Events whose payload carries
// run_id count in that run's scope; all others (heartbeat, schedule_*, errors
// outside a run) count in the emitting engine's scope (its `source`). Each scope
// starts at 1 and increases by exactly one, so a consumer detects gaps.
//
// Delivery (see docs/protocol.md): pub/sub may lose events while a consumer is
// disconnected; the stream re-delivers after a reconnect, which can duplicate
// (de-duplicate by id); nothing is reordered.
//
// Pure: ids, timestamps and sources are passed in; nothing here reads a clock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "protocol/events.hpp"

namespace ts::protocol {

/// decode_event rejects larger messages before parsing.
inline constexpr std::size_t kMaxEventBytes = 1 << 20;

struct Envelope {
  std::string id;  // UUID v4, unique per event: the de-duplication key
  Event event = Event::heartbeat;
  std::string version{kProtocolVersion};
  std::string timestamp;  // RFC 3339 UTC with milliseconds, e.g. 2026-03-09T20:10:00.123Z
  std::string source;     // tickstock-engine/<host>:<pid>
  std::uint64_t seq = 0;  // >= 1
  nlohmann::json payload = nlohmann::json::object();
};

/// One JSON line (no newline). Never throws on odd strings: invalid UTF-8 is
/// replaced by U+FFFD.
std::string encode_event(const Envelope& e);

/// Strict decoder for consumers (ctl watch, tests, the dashboard's reference):
/// size limit (PAYLOAD_TOO_LARGE, checked before parsing), JSON syntax with the
/// byte position (INVALID_JSON), version "1.0" (UNSUPPORTED_VERSION), known
/// event name (UNKNOWN_EVENT), every envelope field present with its type and
/// format, no other envelope field, payload an object and payload.run_id present
/// for run-scoped events (INVALID_EVENT). Payload fields beyond that are checked
/// by the schemas (docs/schemas/events/*.json), not here.
Result<Envelope> decode_event(std::string_view raw, std::size_t max_bytes = kMaxEventBytes);

/// "tickstock-engine/<host>:<pid>".
std::string make_source(std::string_view host, long long pid);
/// RFC 3339 UTC with milliseconds (the envelope's timestamp form).
std::string format_timestamp(std::chrono::system_clock::time_point t);
/// Exactly YYYY-MM-DDTHH:MM:SS.mmmZ with a valid date and time.
bool is_event_timestamp(std::string_view s) noexcept;
/// Any RFC 3339 date-time: optional fraction, Z or +hh:mm offset (what clients may send).
bool is_rfc3339(std::string_view s) noexcept;
/// The instant an RFC 3339 date-time names (offset applied; fraction to the
/// clock's resolution); nullopt exactly when !is_rfc3339(s).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) noexcept;

/// Hands out seq numbers per scope (see above). Not thread-safe: the publisher
/// owns one and calls it under its own lock, in publishing order.
class Sequencer {
 public:
  /// Next seq for the run, or for the engine scope when run_id is empty.
  std::uint64_t next(std::string_view run_id = {});
  /// Drops a finished run's counter (call after its terminal event).
  void finish(std::string_view run_id);
  /// Whether the run has a counter (it had an event since the last finish()).
  bool active(std::string_view run_id) const;
  /// Continues a run another process numbered: its next seq is `last` + 1
  /// (never lower than a number this sequencer already handed out for it).
  void seed(std::string_view run_id, std::uint64_t last);

 private:
  std::map<std::string, std::uint64_t, std::less<>> counters_;
  std::uint64_t engine_ = 0;
};

}  // namespace ts::protocol
