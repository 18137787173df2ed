#pragma once
// The wire of distributed workers (docs/architecture.md, "Distributed workers";
// docs/reliability.md, "Distributed workers"): Redis key names, the shard and
// result entries, and the Redis calls both sides make. Pure codecs plus thin
// wrappers over bus::SyncClient; the coordinator and the worker live in
// coordinator.hpp and worker.hpp.
//
//   tickstock:work:runs            HASH run_id -> {"claim_timeout_ms":..,"max_deliveries":..}
//                                  (the runs whose shards workers should take)
//   tickstock:work:<run_id>        STREAM of shards, consumer group tickstock-workers
//   tickstock:work:<run_id>:results STREAM of per-symbol results and shard ends (engine reads)
//   tickstock:work:<run_id>:dead   STREAM dead letters: shards delivered max_deliveries times
//   tickstock:work:<run_id>:cancel STRING set when the run stops: workers stop before the next symbol
//   tickstock:workers:<worker_id>  STRING with a TTL: the worker is alive
//
// Every entry has one field, `data`, holding JSON. Delivery is at least once:
// a shard can be processed twice (a reclaimed shard whose first worker was only
// slow), so results can repeat; the engine keeps the first result of a symbol.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/sync_client.hpp"
#include "engine/pipeline.hpp"

namespace ts::worker {

inline constexpr std::string_view kGroup = "tickstock-workers";
inline constexpr std::string_view kRunsKey = "tickstock:work:runs";
inline constexpr std::string_view kWorkerKeyPrefix = "tickstock:workers:";

std::string work_key(std::string_view run_id);
std::string results_key(std::string_view run_id);
std::string dead_key(std::string_view run_id);
std::string cancel_key(std::string_view run_id);

/// Per-run settings every worker applies (value of the runs hash).
struct RunSettings {
  std::chrono::milliseconds claim_timeout{30'000};  // idle time after which XAUTOCLAIM takes a shard
  int max_deliveries = 3;                           // deliveries before the dead-letter stream
};
std::string encode_settings(const RunSettings& s);
std::optional<RunSettings> decode_settings(std::string_view json);

/// One shard: some symbols of one phase of one run.
struct Shard {
  std::string run_id;
  Phase phase = Phase::cache_sync;
  int index = 0;  // 0-based, within the phase
  std::vector<std::string> symbols;
  std::string parameters;  // processing_runs.parameters (engine::apply_recorded_parameters)
  int alert_bars = engine::kDefaultAlertBars;
};
std::string encode_shard(const Shard& s);
Result<Shard> decode_shard(std::string_view json);

/// One entry of the results stream.
struct ResultEntry {
  enum class Kind { symbol, done, dead };
  Kind kind = Kind::symbol;
  std::string shard_id;  // the shard's entry id in the work stream
  Phase phase = Phase::cache_sync;
  std::string symbol;           // kind symbol
  engine::SymbolReport report;  // kind symbol
  std::string worker_id;        // who sent it
  long long deliveries = 0;     // kind dead
};
std::string encode_result(const ResultEntry& r);
Result<ResultEntry> decode_result(std::string_view json);

/// A stream entry read by a consumer: its id, the shard, and how often it was delivered.
struct Delivery {
  std::string run_id;
  std::string id;
  std::string payload;
  long long deliveries = 1;
};

/// XREADGROUP GROUP tickstock-workers <consumer> COUNT 1 BLOCK <block> STREAMS <keys...> > ...
/// (one new shard of any of the runs, or none after `block`).
Result<std::optional<Delivery>> read_new(bus::SyncClient& c, const std::vector<std::string>& run_ids,
                                         const std::string& consumer, std::chrono::milliseconds block);
/// XAUTOCLAIM <work key> tickstock-workers <consumer> <min_idle> 0-0 COUNT 1, then XPENDING for
/// the claimed entry's delivery count.
Result<std::optional<Delivery>> claim_stale(bus::SyncClient& c, const std::string& run_id,
                                            const std::string& consumer, std::chrono::milliseconds min_idle);
/// Resets the idle time of a shard this consumer holds (XCLAIM ... 0 <id> JUSTID), so a
/// long shard is not reclaimed while its worker is alive and working.
Status<> touch(bus::SyncClient& c, const std::string& run_id, const std::string& consumer,
               const std::string& id);
/// Atomically (one Lua call): XACK the shard and, when this consumer's ack removed it from
/// the pending list, XADD `result` to the results stream. Returns whether it acknowledged.
Result<bool> ack_with(bus::SyncClient& c, const std::string& run_id, const std::string& id,
                      const std::string& result);
/// Atomically: XACK, and when that removed it, XADD the shard to the dead-letter stream and
/// `result` (kind dead) to the results stream.
Result<bool> dead_letter(bus::SyncClient& c, const std::string& run_id, const Delivery& d,
                         const std::string& result);

}  // namespace ts::worker
