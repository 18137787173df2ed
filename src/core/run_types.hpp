#pragma once
// Processing-run vocabulary shared by engine, storage, CLI and (later) the wire:
// phases, run states and trigger types. Each is one constexpr table; the names
// are the stable strings used in storage and on the wire.
#include <array>
#include <optional>
#include <string_view>

namespace ts {

enum class Phase : unsigned char { import, cache_sync, indicators, patterns };
inline constexpr std::array<Phase, 4> kAllPhases{Phase::import, Phase::cache_sync, Phase::indicators,
                                                 Phase::patterns};

struct PhaseInfo {
  Phase phase;
  std::string_view name;          // storage/CLI/wire name
  std::string_view event_domain;  // tickstock:<domain>:<event>, "<domain>_<event>"
};
inline constexpr std::array<PhaseInfo, 4> kPhaseInfo{{
    {Phase::import, "import", "import"},
    {Phase::cache_sync, "cache_sync", "cache"},
    {Phase::indicators, "indicators", "indicators"},
    {Phase::patterns, "patterns", "patterns"},
}};

constexpr std::string_view to_string(Phase p) { return kPhaseInfo[static_cast<int>(p)].name; }
/// Accepts the canonical names and the seed's aliases data_import and cache.
constexpr std::optional<Phase> parse_phase(std::string_view s) {
  for (const auto& i : kPhaseInfo)
    if (i.name == s) return i.phase;
  if (s == "data_import") return Phase::import;
  if (s == "cache") return Phase::cache_sync;
  return std::nullopt;
}

enum class RunStatus : unsigned char {
  queued,
  running,
  completed,
  completed_with_errors,
  failed,
  cancelled,
  interrupted
};
inline constexpr std::array<std::string_view, 7> kRunStatusNames{
    "queued", "running", "completed", "completed_with_errors", "failed", "cancelled", "interrupted"};
constexpr std::string_view to_string(RunStatus s) { return kRunStatusNames[static_cast<int>(s)]; }
constexpr std::optional<RunStatus> parse_run_status(std::string_view s) {
  for (std::size_t i = 0; i < kRunStatusNames.size(); ++i)
    if (kRunStatusNames[i] == s) return static_cast<RunStatus>(i);
  return std::nullopt;
}
constexpr bool is_terminal(RunStatus s) { return s != RunStatus::queued && s != RunStatus::running; }
/// Process exit code for `tickstock run` and `ctl trigger --wait`.
constexpr int exit_code(RunStatus s) {
  switch (s) {
    case RunStatus::completed:
      return 0;
    case RunStatus::completed_with_errors:
      return 3;
    case RunStatus::cancelled:
    case RunStatus::interrupted:
      return 130;
    default:
      return 1;
  }
}

/// `resume`: a run the engine starts on its own at start-up to finish the work
/// of an `interrupted` run (its parent_run_id), skipping what that run committed.
enum class TriggerType : unsigned char { manual, scheduled, retry, api, resume };
inline constexpr std::array<std::string_view, 5> kTriggerTypeNames{"manual", "scheduled", "retry", "api",
                                                                   "resume"};
constexpr std::string_view to_string(TriggerType t) { return kTriggerTypeNames[static_cast<int>(t)]; }
constexpr std::optional<TriggerType> parse_trigger_type(std::string_view s) {
  for (std::size_t i = 0; i < kTriggerTypeNames.size(); ++i)
    if (kTriggerTypeNames[i] == s) return static_cast<TriggerType>(i);
  return std::nullopt;
}

}  // namespace ts
