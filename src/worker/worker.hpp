#pragma once
// Worker: the process side of distributed workers (`tickstock worker`).
//
// `concurrency` threads, each a consumer `<id>/<n>` of the group
// tickstock-workers with its own Redis connection, take shards of the runs
// listed in tickstock:work:runs: first a shard idle longer than the run's
// claim timeout (XAUTOCLAIM: its worker died), else a new one (XREADGROUP).
// For each symbol of a shard the thread checks the run's cancel key, runs
// engine::SymbolWork (the engine's own per-symbol code, committing to the
// shared database), appends the result to the results stream and resets the
// shard's idle time (XCLAIM JUSTID). After the last symbol one Lua call XACKs
// the shard and appends its `done` result. A shard delivered more than the
// run's max_deliveries times is not processed: it goes to the dead-letter
// stream (with its `dead` result, atomically with its XACK).
// A liveness key tickstock:workers:<id> (TTL `heartbeat_ttl`) is refreshed
// every third of its TTL; the engine distributes a run only when one exists
// (and takes a run over when none is left). The consumer threads run at
// niceness +thread_nice, the heartbeat at the process's own.
// Stop (SIGTERM): threads finish the symbol at hand and leave their shard
// pending; another worker reclaims it after the claim timeout.
//
// Fault injection for tests (environment, read once): TICKSTOCK_WORKER_FAULT
//   crash:SYMBOL   SIGKILL itself before processing SYMBOL (a poison shard)
//   hang-after:N   after the Nth symbol's result, wait (holding the shard) until
//                  the run is cancelled: a test SIGKILLs the worker there (a
//                  death mid-shard) or cancels the run (cancellation reaching it)
//   hold-ack:PHASE the first shard of PHASE waits three claim timeouts before
//                  its XACK (it is reclaimed and redone meanwhile: a slow worker)
#include <atomic>
#include <chrono>
#include <string>

#include "bus/url.hpp"
#include "storage/storage.hpp"

namespace ts::worker {

struct WorkerOptions {
  bus::RedisUrl redis;
  unsigned concurrency = 1;
  std::string id;  // "" = <hostname>:<pid>
  std::chrono::milliseconds heartbeat_ttl{6000};
  std::chrono::milliseconds poll{500};  // XREADGROUP BLOCK, and the wait when there is no run
  /// Niceness the consumer threads add to themselves (engine::lower_this_thread_priority);
  /// the heartbeat thread keeps the process's priority.
  int thread_nice = 10;
};

class Worker {
 public:
  /// `db` must be shared with the engine (PostgreSQL) and outlive the worker.
  Worker(WorkerOptions o, storage::Storage& db);
  const std::string& id() const noexcept { return opt_.id; }
  /// Blocks until `stop` turns true (checked at least every `poll`).
  void run(const std::atomic<bool>& stop);

 private:
  void consume(unsigned n, const std::atomic<bool>& stop);
  void heartbeat(const std::atomic<bool>& stop);

  WorkerOptions opt_;
  storage::Storage& db_;
  std::atomic<long long> symbols_done_{0};
  std::atomic<bool> held_{false};  // fault injection hold-ack: done once
};

}  // namespace ts::worker
