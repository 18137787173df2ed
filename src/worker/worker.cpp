#include "worker/worker.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "engine/pipeline.hpp"
#include "worker/work_stream.hpp"

namespace ts::worker {
namespace {

std::string default_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "worker") + ":" + std::to_string(getpid());
}

struct Fault {
  std::string crash_symbol;   // abort before this symbol
  long long hang_after = -1;  // stop working after this many symbols
  std::optional<Phase> hold_ack;  // hold the first shard of this phase unacknowledged
};

Fault read_fault() {
  Fault f;
  const char* v = std::getenv("TICKSTOCK_WORKER_FAULT");
  if (!v) return f;
  const std::string s(v);
  if (s.starts_with("crash:")) f.crash_symbol = s.substr(6);
  if (s.starts_with("hang-after:")) f.hang_after = std::atoll(s.c_str() + 11);
  if (s.starts_with("hold-ack:")) f.hold_ack = parse_phase(s.substr(9));
  if (!f.crash_symbol.empty() || f.hang_after >= 0 || f.hold_ack)
    spdlog::warn("fault injection: TICKSTOCK_WORKER_FAULT={}", s);
  return f;
}

/// Sleeps up to `d`, waking early when `stop` turns true.
void nap(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

/// HGETALL tickstock:work:runs.
Result<std::map<std::string, RunSettings>> active_runs(bus::SyncClient& c) {
  auto r = c.command({"HGETALL", std::string(kRunsKey)});
  if (!r) return fail(r.error());
  std::map<std::string, RunSettings> runs;
  for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2)
    runs.emplace(r->elements[i].str, decode_settings(r->elements[i + 1].str).value_or(RunSettings{}));
  return runs;
}

bool cancelled(bus::SyncClient& c, const std::string& run_id) {
  auto v = c.get(cancel_key(run_id));
  return v && v->has_value();
}

}  // namespace

Worker::Worker(WorkerOptions o, storage::Storage& db) : opt_(std::move(o)), db_(db) {
  if (opt_.id.empty()) opt_.id = default_id();
  opt_.concurrency = std::max(1u, opt_.concurrency);
}

void Worker::run(const std::atomic<bool>& stop) {
  spdlog::info("worker {} ({} thread(s)) on {}", opt_.id, opt_.concurrency, opt_.redis.redacted());
  std::vector<std::thread> threads;
  threads.emplace_back([&] { heartbeat(stop); });
  // The consumers are batch work and yield to the heartbeat (which keeps its
  // priority: a starved heartbeat would make the engine think the worker gone)
  // and to whatever else shares the cores.
  for (unsigned n = 0; n < opt_.concurrency; ++n)
    threads.emplace_back([this, n, &stop] {
      engine::lower_this_thread_priority(opt_.thread_nice);
      consume(n, stop);
    });
  for (auto& t : threads) t.join();
  spdlog::info("worker {} stopped after {} symbol(s)", opt_.id, symbols_done_.load());
}

void Worker::heartbeat(const std::atomic<bool>& stop) {
  const std::string key = std::string(kWorkerKeyPrefix) + opt_.id;
  const std::string value =
      nlohmann::json{{"id", opt_.id}, {"pid", getpid()}, {"concurrency", opt_.concurrency}}.dump();
  std::optional<bus::SyncClient> c;
  while (!stop.load()) {
    if (!c) {
      auto r = bus::SyncClient::connect(opt_.redis, std::chrono::milliseconds(2000), "tickstock-worker");
      if (r)
        c = std::move(r).value();
      else
        spdlog::warn("worker {}: Redis unreachable: {}", opt_.id, r.error().message);
    }
    if (c)
      if (auto st = c->set(key, value, opt_.heartbeat_ttl); !st)
        spdlog::warn("worker {}: heartbeat failed: {}", opt_.id, st.error().message);
    nap(opt_.heartbeat_ttl / 3, stop);
  }
  if (c) (void)c->command({"DEL", key});
}

void Worker::consume(unsigned n, const std::atomic<bool>& stop) {
  static const Fault fault = read_fault();
  const std::string consumer = opt_.id + "/" + std::to_string(n);
  std::optional<bus::SyncClient> c;
  // Requests and SymbolWork per run (a SymbolWork holds this thread's scratch).
  std::string current_run;
  std::unique_ptr<engine::RunRequest> req;
  std::unique_ptr<engine::SymbolWork> work;
  while (!stop.load()) {
    if (!c) {
      auto r = bus::SyncClient::connect(opt_.redis, opt_.poll + std::chrono::milliseconds(2000),
                                        "tickstock-worker");
      if (!r) {
        spdlog::warn("worker {}: Redis unreachable: {}", consumer, r.error().message);
        nap(opt_.poll, stop);
        continue;
      }
      c = std::move(r).value();
    }
    auto runs = active_runs(*c);
    if (!runs || runs->empty()) {
      if (!runs) spdlog::warn("worker {}: {}", consumer, runs.error().message);
      nap(opt_.poll, stop);
      continue;
    }
    std::optional<Delivery> d;
    for (const auto& [run_id, settings] : *runs) {
      auto claimed = claim_stale(*c, run_id, consumer, settings.claim_timeout);
      if (claimed && *claimed) {
        d = std::move(*claimed);
        spdlog::info("worker {}: reclaimed shard {} of run {} (delivery {})", consumer, d->id, run_id,
                     d->deliveries);
        break;
      }
    }
    if (!d) {
      std::vector<std::string> ids;
      for (const auto& [run_id, settings] : *runs) ids.push_back(run_id);
      auto fresh = read_new(*c, ids, consumer, opt_.poll);
      if (!fresh) {
        // NOGROUP: the run ended between HGETALL and XREADGROUP.
        spdlog::debug("worker {}: {}", consumer, fresh.error().message);
        nap(opt_.poll / 5, stop);
        continue;
      }
      if (!*fresh) continue;
      d = std::move(*fresh);
    }
    const auto settings_it = runs->find(d->run_id);
    const RunSettings settings = settings_it != runs->end() ? settings_it->second : RunSettings{};
    auto shard = decode_shard(d->payload);
    if (!shard) {
      spdlog::error("worker {}: unreadable shard {} of run {}: {}", consumer, d->id, d->run_id,
                    shard.error().message);
      (void)c->command({"XACK", work_key(d->run_id), std::string(kGroup), d->id});
      continue;
    }
    if (d->deliveries > settings.max_deliveries) {
      ResultEntry dead{ResultEntry::Kind::dead, d->id, shard->phase, "", {}, opt_.id, d->deliveries};
      auto moved = dead_letter(*c, d->run_id, *d, encode_result(dead));
      spdlog::error("worker {}: shard {} of run {} delivered {} times: {}", consumer, d->id, d->run_id,
                    d->deliveries, moved ? "moved to the dead-letter stream" : moved.error().message);
      continue;
    }
    if (current_run != shard->run_id) {
      req = std::make_unique<engine::RunRequest>();
      if (auto st = engine::apply_recorded_parameters(shard->parameters, *req); !st)
        spdlog::error("worker {}: run {}: {}", consumer, shard->run_id, st.error().message);
      req->alert_bars = shard->alert_bars;
      work = std::make_unique<engine::SymbolWork>(*req, shard->run_id, db_);
      current_run = shard->run_id;
    }
    bool finished = true;
    for (const auto& name : shard->symbols) {
      if (stop.load() || cancelled(*c, d->run_id)) {
        finished = false;
        break;
      }
      if (name == fault.crash_symbol) {
        spdlog::critical("fault injection: crashing on {}", name);
        ::raise(SIGKILL);
      }
      ResultEntry r{ResultEntry::Kind::symbol, d->id, shard->phase, name, {}, opt_.id, 0};
      if (auto sym = Symbol::parse(name))
        r.report = work->process(shard->phase, *sym);
      else
        r.report = engine::SymbolReport{false, "BAD_DATA", sym.error().message, 0};
      r.report.worker_id = opt_.id;
      if (auto st = c->command({"XADD", results_key(d->run_id), "*", "data", encode_result(r)}); !st)
        spdlog::warn("worker {}: result of {} not sent: {}", consumer, name, st.error().message);
      (void)touch(*c, d->run_id, consumer, d->id);
      const long long done = ++symbols_done_;
      if (fault.hang_after >= 0 && done == fault.hang_after) {
        spdlog::critical("fault injection: hanging after {} symbols until the run is cancelled", done);
        while (!stop.load() && !cancelled(*c, d->run_id))
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (!finished) {
      spdlog::info("worker {}: shard {} of run {} left unfinished: {}", consumer, d->id, d->run_id,
                   stop.load() ? "the worker is stopping" : "the run was cancelled");
      continue;
    }
    if (fault.hold_ack == shard->phase && !held_.exchange(true)) {
      spdlog::critical("fault injection: holding shard {} unacknowledged for three claim timeouts", d->id);
      nap(3 * settings.claim_timeout, stop);
    }
    ResultEntry end{ResultEntry::Kind::done, d->id, shard->phase, "", {}, opt_.id, 0};
    if (auto acked = ack_with(*c, d->run_id, d->id, encode_result(end)); !acked)
      spdlog::warn("worker {}: shard {} not acknowledged: {}", consumer, d->id, acked.error().message);
  }
}

}  // namespace ts::worker
