#pragma once
// What a consumer of the event stream keeps (docs/protocol.md, "Delivery
// guarantees"): the ids it has applied (the stream may re-deliver), the last
// seq per sequence scope (a jump is a gap), and, for one followed run, the
// state of each phase's progress bar. Pure: envelopes in, state out.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/run_types.hpp"
#include "protocol/envelope.hpp"

namespace ts::client {

/// payload.run_id when it is a string, else "".
std::string run_id_of(const protocol::Envelope& e);

/// The last `capacity` envelope ids seen: de-duplication for a consumer.
/// The default window (16,384 ids) is larger than the engine's replay window
/// (bus::AsyncClientOptions::replay_window, 10,000): after a Redis restart
/// the engine re-sends up to that many events the consumer may already have
/// shown, and each is recognised here.
/// Memory: each id is kept as a 128-bit key, about 60 bytes with the set's
/// node (1 MB at the default), allocated while the window fills, then reused:
/// a long-running consumer (the dashboard) stays flat. A UUID id (what the
/// engine sends) maps to its 128 bits exactly; any other string to two
/// independent 64-bit hashes, where a false "repeat" needs a 128-bit collision.
class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity = 1 << 14);
  /// True the first time `id` is seen (within the window), false for a repeat.
  bool insert(std::string_view id);

 private:
  struct Key {
    std::uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept { return static_cast<std::size_t>(k.hi ^ (k.lo * 31)); }
  };
  static Key key_of(std::string_view id) noexcept;

  std::size_t capacity_;
  std::vector<Key> ring_;  // insertion order; once full, next_ is the oldest
  std::size_t next_ = 0;
  std::unordered_set<Key, KeyHash> keys_;
};

struct SeqGap {
  std::string scope;  // the run id, or the engine's source for engine-scoped events
  bool run_scope = true;
  std::uint64_t expected = 0, got = 0;
  std::uint64_t missing() const noexcept { return got - expected; }
};

/// Detects seq gaps per scope: a run's events count in the run's scope, the
/// others in their engine's (keyed by source). The first event seen in a scope
/// sets its baseline, so a consumer that joins mid-run reports no gap; a seq at
/// or below the last one (a replay) is ignored. A run's scope is dropped after
/// its terminal event; at most `max_scopes` are kept (the oldest go first).
class SeqTracker {
 public:
  explicit SeqTracker(std::size_t max_scopes = 1024) : max_scopes_(max_scopes) {}
  std::optional<SeqGap> observe(const protocol::Envelope& e);

 private:
  std::size_t max_scopes_;
  std::map<std::string, std::uint64_t, std::less<>> last_;
  std::deque<std::string> order_;
};

/// One phase of a followed run, as a progress bar shows it.
struct PhaseBar {
  Phase phase = Phase::import;
  bool started = false;
  bool done = false;
  int completed = 0, failed = 0, total = 0;
  double percent = 0;
  std::optional<double> eta_seconds;
  std::string current_symbol;
  long long count = 0;          // the phase's record count (phase_count_field)
  std::string status;           // when done: completed, completed_with_errors, failed, cancelled, ...
  double duration_seconds = 0;  // when done
};

/// Follows one run through its events (the stream's, or ones synthesised from
/// polling): phases from processing_started (pending until they start), then
/// each phase's started/progress/completed, the run's error events, and the
/// terminal processing_* event. Events of other runs are ignored.
class RunProgress {
 public:
  explicit RunProgress(std::string run_id) : run_id_(std::move(run_id)) {}

  struct Step {
    bool of_run = false;                // the event belongs to this run
    bool bars_changed = false;          // a bar was added or changed
    std::optional<Phase> phase;         // the phase the event concerns
    std::vector<std::string> notes;     // human lines to print: failures, the run's errors
    std::optional<RunStatus> finished;  // set by the terminal event
  };
  Step apply(const protocol::Envelope& e);

  const std::string& run_id() const noexcept { return run_id_; }
  const std::vector<PhaseBar>& bars() const noexcept { return bars_; }
  std::optional<RunStatus> status() const noexcept { return status_; }
  /// The terminal event's payload (null until finished).
  const nlohmann::json& final_payload() const noexcept { return final_; }

 private:
  PhaseBar& bar(Phase p);

  std::string run_id_;
  std::vector<PhaseBar> bars_;  // pipeline order
  std::optional<RunStatus> status_;
  nlohmann::json final_;
};

}  // namespace ts::client
