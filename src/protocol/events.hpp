#pragma once
// The event registry: every event the engine publishes, its Redis channel and
// its payload kind, in one constexpr table, plus the fixed key and channel names
// of the protocol (docs/protocol.md is the prose version of this file).
//
// Naming rule (tested for every entry, so names cannot drift):
//   * phase domains (import, cache, indicators, patterns): the event published
//     on `tickstock:<domain>:<event>` is named `<domain>_<event>`;
//   * processing_* on tickstock:processing:status, schedule_* on
//     tickstock:processing:schedule, heartbeat on tickstock:monitoring, error on
//     tickstock:errors.
// Every event is also appended to the stream kStreamKey (field "data" = the JSON
// envelope), in the same round trip and order as on pub/sub.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/run_types.hpp"

namespace ts::protocol {

/// Envelope "version". Bumped only for breaking changes; payloads may gain
/// fields without a bump (consumers ignore fields they do not know).
inline constexpr std::string_view kProtocolVersion = "1.0";

// ---- keys and channels ----------------------------------------------------
/// Redis Stream holding every envelope (XADD ... MAXLEN ~ N *).
inline constexpr std::string_view kStreamKey = "tickstock:events";
/// The entry's one field: XADD tickstock:events MAXLEN ~ N * data <envelope JSON>.
inline constexpr std::string_view kStreamDataField = "data";
inline constexpr std::size_t kDefaultStreamMaxLen = 100000;
/// String key holding the latest status snapshot (schema docs/schemas/status.json).
inline constexpr std::string_view kStatusSnapshotKey = "tickstock:status:current";
/// Commands arrive on kCommandChannel and on every kCommandChannelPrefix + suffix
/// (the suffix is informational: the message's "command" field decides).
inline constexpr std::string_view kCommandChannel = "tickstock:commands";
inline constexpr std::string_view kCommandChannelPrefix = "tickstock:commands:";
inline constexpr std::string_view kCommandChannelPattern = "tickstock:commands:*";
/// Replies go to the request's reply_to, by default this channel. It and every
/// `tickstock:commands:replies:<suffix>` are reply channels, never commands.
inline constexpr std::string_view kDefaultReplyChannel = "tickstock:commands:replies";
inline constexpr std::string_view kProcessingStatusChannel = "tickstock:processing:status";
inline constexpr std::string_view kScheduleChannel = "tickstock:processing:schedule";
inline constexpr std::string_view kMonitoringChannel = "tickstock:monitoring";
inline constexpr std::string_view kErrorsChannel = "tickstock:errors";
/// With --legacy-channels, patterns_detected envelopes are also published here.
inline constexpr std::string_view kLegacyPatternsChannel = "tickstock.events.patterns";
/// Pattern that subscribes to every event channel (and commands and replies).
inline constexpr std::string_view kAllChannelsPattern = "tickstock:*";

/// True for tickstock:commands and tickstock:commands:<suffix>, except the
/// reply channels (tickstock:commands:replies and tickstock:commands:replies:*),
/// so an engine subscribed to tickstock:commands:* never treats a reply as a command.
bool is_command_channel(std::string_view channel) noexcept;
bool is_reply_channel(std::string_view channel) noexcept;

// ---- events -----------------------------------------------------------------
enum class Event : unsigned char {
  processing_started,
  processing_completed,
  processing_failed,
  processing_cancelled,
  processing_interrupted,
  schedule_updated,
  schedule_skipped,
  import_started,
  import_progress,
  import_completed,
  cache_started,
  cache_progress,
  cache_completed,
  indicators_started,
  indicators_progress,
  indicators_completed,
  indicators_calculated,
  patterns_started,
  patterns_progress,
  patterns_completed,
  patterns_detected,
  heartbeat,
  error,
};

/// What the payload looks like (one payload builder and schema family each).
enum class PayloadKind : unsigned char {
  run_started,        // processing_started
  run_finished,       // processing_completed/failed/cancelled/interrupted
  phase_started,      // <domain>_started
  phase_progress,     // <domain>_progress
  phase_completed,    // <domain>_completed
  indicator_values,   // indicators_calculated
  pattern_detection,  // patterns_detected
  schedule_updated,
  schedule_skipped,
  heartbeat,
  error,
};

struct EventInfo {
  Event event;
  std::string_view name;     // wire name, e.g. "import_progress"
  std::string_view channel;  // pub/sub channel, e.g. "tickstock:import:progress"
  PayloadKind kind;
  std::optional<Phase> phase;  // set for phase-domain events
  bool run_scoped;             // payload.run_id is required (seq counts per run)
};

inline constexpr std::array<EventInfo, 23> kEvents{{
    {Event::processing_started, "processing_started", kProcessingStatusChannel, PayloadKind::run_started,
     std::nullopt, true},
    {Event::processing_completed, "processing_completed", kProcessingStatusChannel, PayloadKind::run_finished,
     std::nullopt, true},
    {Event::processing_failed, "processing_failed", kProcessingStatusChannel, PayloadKind::run_finished,
     std::nullopt, true},
    {Event::processing_cancelled, "processing_cancelled", kProcessingStatusChannel, PayloadKind::run_finished,
     std::nullopt, true},
    {Event::processing_interrupted, "processing_interrupted", kProcessingStatusChannel,
     PayloadKind::run_finished, std::nullopt, true},
    {Event::schedule_updated, "schedule_updated", kScheduleChannel, PayloadKind::schedule_updated,
     std::nullopt, false},
    {Event::schedule_skipped, "schedule_skipped", kScheduleChannel, PayloadKind::schedule_skipped,
     std::nullopt, false},
    {Event::import_started, "import_started", "tickstock:import:started", PayloadKind::phase_started,
     Phase::import, true},
    {Event::import_progress, "import_progress", "tickstock:import:progress", PayloadKind::phase_progress,
     Phase::import, true},
    {Event::import_completed, "import_completed", "tickstock:import:completed", PayloadKind::phase_completed,
     Phase::import, true},
    {Event::cache_started, "cache_started", "tickstock:cache:started", PayloadKind::phase_started,
     Phase::cache_sync, true},
    {Event::cache_progress, "cache_progress", "tickstock:cache:progress", PayloadKind::phase_progress,
     Phase::cache_sync, true},
    {Event::cache_completed, "cache_completed", "tickstock:cache:completed", PayloadKind::phase_completed,
     Phase::cache_sync, true},
    {Event::indicators_started, "indicators_started", "tickstock:indicators:started",
     PayloadKind::phase_started, Phase::indicators, true},
    {Event::indicators_progress, "indicators_progress", "tickstock:indicators:progress",
     PayloadKind::phase_progress, Phase::indicators, true},
    {Event::indicators_completed, "indicators_completed", "tickstock:indicators:completed",
     PayloadKind::phase_completed, Phase::indicators, true},
    {Event::indicators_calculated, "indicators_calculated", "tickstock:indicators:calculated",
     PayloadKind::indicator_values, Phase::indicators, true},
    {Event::patterns_started, "patterns_started", "tickstock:patterns:started", PayloadKind::phase_started,
     Phase::patterns, true},
    {Event::patterns_progress, "patterns_progress", "tickstock:patterns:progress",
     PayloadKind::phase_progress, Phase::patterns, true},
    {Event::patterns_completed, "patterns_completed", "tickstock:patterns:completed",
     PayloadKind::phase_completed, Phase::patterns, true},
    {Event::patterns_detected, "patterns_detected", "tickstock:patterns:detected",
     PayloadKind::pattern_detection, Phase::patterns, true},
    {Event::heartbeat, "heartbeat", kMonitoringChannel, PayloadKind::heartbeat, std::nullopt, false},
    // An error of a run carries payload.run_id and counts in that run's seq;
    // other errors count in the engine's own sequence (see docs/protocol.md).
    {Event::error, "error", kErrorsChannel, PayloadKind::error, std::nullopt, false},
}};

constexpr const EventInfo& info(Event e) { return kEvents[static_cast<std::size_t>(e)]; }
constexpr std::string_view to_string(Event e) { return info(e).name; }
constexpr std::string_view channel_of(Event e) { return info(e).channel; }
constexpr std::optional<Event> parse_event(std::string_view name) {
  for (const auto& i : kEvents)
    if (i.name == name) return i.event;
  return std::nullopt;
}

/// The lifecycle events of one phase.
enum class PhaseStage : unsigned char { started, progress, completed };
constexpr Event phase_event(Phase p, PhaseStage stage) {
  const PayloadKind kind = stage == PhaseStage::started    ? PayloadKind::phase_started
                           : stage == PhaseStage::progress ? PayloadKind::phase_progress
                                                           : PayloadKind::phase_completed;
  for (const auto& i : kEvents)
    if (i.phase == p && i.kind == kind) return i.event;
  return Event::error;  // unreachable: every phase has all three (tested)
}

/// The terminal event for a finished run: processing_completed covers both
/// completed and completed_with_errors (payload.status tells them apart).
/// queued/running have no terminal event and map to processing_failed.
constexpr Event terminal_event(RunStatus s) {
  switch (s) {
    case RunStatus::completed:
    case RunStatus::completed_with_errors:
      return Event::processing_completed;
    case RunStatus::cancelled:
      return Event::processing_cancelled;
    case RunStatus::interrupted:
      return Event::processing_interrupted;
    default:
      return Event::processing_failed;
  }
}

/// The name of the phase's record count in progress/completed payloads:
/// records_imported, bars_resampled, indicators_calculated, patterns_detected.
constexpr std::string_view phase_count_field(Phase p) {
  switch (p) {
    case Phase::import:
      return "records_imported";
    case Phase::cache_sync:
      return "bars_resampled";
    case Phase::indicators:
      return "indicators_calculated";
    case Phase::patterns:
      return "patterns_detected";
  }
  return "records";
}

/// Relative path of the event's payload schema under docs/schemas/.
std::string payload_schema_path(Event e);

}  // namespace ts::protocol
