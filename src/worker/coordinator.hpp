#pragma once
// RedisShards: the engine's side of distributed workers, an
// engine::ShardExecutor over Redis Streams (wire: work_stream.hpp).
//
// * begin_run: with `enabled` (configuration workers = auto) and at least one
//   live worker (a tickstock:workers:<id> key, refreshed by every worker
//   before its TTL runs out), the run is distributed: its work stream and
//   consumer group are created and the run is announced in tickstock:work:runs.
//   Otherwise (no worker, Redis unreachable) the engine's threads do the run.
// * run_phase: XADDs the phase's symbols in shards of `shard_size`, then reads
//   the results stream and hands each symbol's first result to the pipeline,
//   which records it as its own threads' results (the same events and rows).
//   It returns when every shard is acknowledged: a shard's `done` result is
//   written by the same Lua call as its XACK, so the next phase never starts
//   before the last shard of this one was acknowledged (the phase barrier).
//   A `dead` result (the shard went to the dead-letter stream) fails the
//   shard's unreported symbols with SHARD_DEAD_LETTER.
// * Stop (cancellation, shutdown, a fatal failure): sets the run's cancel key,
//   which every worker checks before each symbol, and returns at once.
// * end_run: withdraws the run, deletes the work stream and keeps the results
//   and dead-letter streams for a day (for operators and tests).
// * Takeover: when no worker has had a liveness key for `takeover` while a
//   phase waits (every worker is gone: crashed, stopped, lost), run_phase sets
//   the run's cancel key, so a worker that comes back leaves the run alone,
//   and hands the symbols without a result back to the engine's threads; every
//   later phase of the run is the engine's too.
// * Stall: when no result has arrived for `stall` while workers are alive (a
//   hung worker holds a shard and no other worker reclaims it, e.g. it is
//   the only one), run_phase takes over the same way. Keep `stall` well above
//   the claim timeout, so that another live worker's XAUTOCLAIM comes first.
// What can go wrong: Redis errors while waiting are retried until a stop (an
// unreachable Redis is no evidence that the workers are gone or stalled: no
// takeover). A worker that lost its liveness key, or hung and then woke up,
// can commit a symbol the engine also does: the same rows either way (one
// transaction per symbol, upserts), only duplicate work.
// Thread-safety: one run at a time (the pipeline's coordinating thread).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bus/sync_client.hpp"
#include "engine/pipeline.hpp"
#include "worker/work_stream.hpp"

namespace ts::worker {

struct CoordinatorOptions {
  bus::RedisUrl redis;
  bool enabled = false;                 // workers = auto
  std::size_t shard_size = 16;          // symbols per shard
  RunSettings settings;                 // reclaim timeout and deliveries before the dead letter
  std::chrono::milliseconds poll{200};  // XREAD BLOCK on the results stream
  /// How long a phase waits with no live worker before the engine takes over.
  std::chrono::milliseconds takeover{60'000};
  /// How long a phase waits for a result while workers are alive before the
  /// engine takes over (a hung worker nobody reclaims from).
  std::chrono::milliseconds stall{300'000};
};

/// Ids of the workers whose liveness key exists (SCAN tickstock:workers:*).
Result<std::vector<std::string>> live_workers(bus::SyncClient& c);

class RedisShards final : public engine::ShardExecutor {
 public:
  explicit RedisShards(CoordinatorOptions o) : opt_(std::move(o)) {}
  bool begin_run(const storage::RunRecord& run, const engine::RunRequest& req) override;
  std::vector<Symbol> run_phase(const storage::RunRecord& run, Phase phase, const std::vector<Symbol>& symbols,
                                const std::function<bool()>& stop, const OnResult& on_result) override;
  void end_run(const storage::RunRecord& run) override;

 private:
  CoordinatorOptions opt_;
  std::optional<bus::SyncClient> c_;
  std::string results_after_ = "0-0";
  int alert_bars_ = engine::kDefaultAlertBars;
  bool taken_over_ = false;  // the engine does the rest of this run
};

}  // namespace ts::worker
