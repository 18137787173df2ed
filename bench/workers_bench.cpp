// Distributed-workers benchmark (issue #8): the CPU-bound phases (indicators
// and patterns, recomputed in full) of N synthetic symbols, done by the
// engine's own threads, then by 1 and by 2 `tickstock worker` processes
// (--concurrency 1 each) coordinated over a private redis-server, on one
// PostgreSQL database. Prints wall times, the 1 -> 2 worker speed-up, the
// measured per-symbol CPU of every party (worker, PostgreSQL server, Redis
// server, coordinator) for the scaling model in docs/PERFORMANCE.md, and the
// load average.
// Usage: workers_bench TICKSTOCK_BINARY postgresql://URL [symbols=200] [years=10] [shard=8] [indicators]
//   (the last argument limits the timed runs to the indicators phase)
//   The database must be empty (bench/workers.sh makes one on a private server).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_universe.hpp"
#include "bus/redis_server.hpp"
#include "engine/pipeline.hpp"
#include "worker/coordinator.hpp"

extern char** environ;

namespace {

using namespace ts;
using Clock = std::chrono::steady_clock;

double cpu_seconds(const rusage& r) {
  return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}
double self_cpu() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return cpu_seconds(r);
}
double children_cpu() {
  rusage r{};
  getrusage(RUSAGE_CHILDREN, &r);
  return cpu_seconds(r);
}

/// CPU seconds of every process named `comm` (utime + stime from /proc);
/// with `parent` > 0 only that process and its children.
double processes_cpu(const std::string& comm, long parent = 0) {
  double total = 0;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  DIR* d = opendir("/proc");
  if (!d) return 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (line.substr(open + 1, close - open - 1) != comm) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    long ppid = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 4) ppid = std::stol(field);
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    if (parent > 0 && ppid != parent && std::atol(e->d_name) != parent) continue;
    total += (utime + stime) / hz;
  }
  closedir(d);
  return total;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

pid_t spawn_worker(const std::string& binary, const bus::RedisUrl& redis, const std::string& db, int n) {
  const std::string id = "bench-" + std::to_string(n);
  const std::string log = "/tmp/tickstock-workers-bench-" + id + ".log";
  std::vector<std::string> args{binary, "worker", "--redis", redis.str(), "--db", db, "--id", id};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ) != 0) {
    std::perror("posix_spawn");
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

struct Measured {
  double wall = 0, coordinator_cpu = 0, worker_cpu = 0, pg_cpu = 0, redis_cpu = 0;
  int symbol_phases = 0;
  RunStatus status = RunStatus::failed;
};

/// The private PostgreSQL server's postmaster (bench/workers.sh sets it): only its processes count.
long postmaster() {
  const char* v = std::getenv("PG_POSTMASTER_PID");
  return v ? std::atol(v) : 0;
}

std::vector<Phase> g_phases{Phase::indicators, Phase::patterns};

Measured run_cpu_phases(engine::RunRequest req, storage::Storage& db, const ingest::BarProvider& provider,
                        engine::ShardExecutor* executor) {
  req.phases = g_phases;
  req.full = true;  // recompute every bar: the CPU-bound part of a backfill
  req.executor = executor;
  engine::CancellationToken cancel;
  Measured m;
  const double c0 = self_cpu(), pg0 = processes_cpu("postgres", postmaster()),
               r0 = processes_cpu("redis-server", getpid());
  const auto t0 = Clock::now();
  const auto rec = engine::run_pipeline(req, db, provider, cancel);
  m.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  m.coordinator_cpu = self_cpu() - c0;
  m.pg_cpu = processes_cpu("postgres", postmaster()) - pg0;
  m.redis_cpu = processes_cpu("redis-server", getpid()) - r0;
  m.symbol_phases = static_cast<int>(g_phases.size()) * rec.symbols_total;
  m.status = rec.status;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(
        stderr,
        "usage: %s TICKSTOCK_BINARY postgresql://URL [symbols=200] [years=10] [shard=8] [indicators]\n",
        argv[0]);
    return 2;
  }
  const std::string binary = argv[1], url = argv[2];
  const int symbols = argc > 3 ? std::atoi(argv[3]) : 200;
  const int years = argc > 4 ? std::atoi(argv[4]) : 10;
  const std::size_t shard = argc > 5 ? static_cast<std::size_t>(std::atoi(argv[5])) : 8;
  if (argc > 6 && std::string(argv[6]) == "indicators") g_phases = {Phase::indicators};

  engine::RunRequest req;
  bench::add_synthetic_symbols(req, symbols);
  bench::set_history(req, years);
  req.threads = 2;

  bus::RedisServer redis;
  if (auto st = redis.start(); !st) {
    std::fprintf(stderr, "redis-server: %s\n", st.error().message.c_str());
    return 1;
  }
  auto db = storage::open_storage(url);
  auto provider = ingest::make_provider("synthetic:seed=1").value();
  {
    engine::RunRequest seed = req;
    seed.phases = {Phase::import, Phase::cache_sync};
    engine::CancellationToken cancel;
    const auto rec = engine::run_pipeline(seed, *db, *provider, cancel);
    std::printf("seeded            %d symbols, %lld daily bars (%s)\n", rec.symbols_total,
                rec.records_imported, std::string(to_string(rec.status)).c_str());
  }
  std::printf("load average      %s (before)\n", loadavg().c_str());

  const Measured local = run_cpu_phases(req, *db, *provider, nullptr);
  std::printf("engine threads=2  %7.2f s wall  (%s)\n", local.wall,
              std::string(to_string(local.status)).c_str());

  worker::CoordinatorOptions o;
  o.redis = redis.url();
  o.enabled = true;
  o.shard_size = shard;
  std::vector<Measured> by_workers;
  for (int n : {1, 2}) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) pids.push_back(spawn_worker(binary, redis.url(), url, i));
    auto c = bus::SyncClient::connect(redis.url()).value();
    for (;;) {
      auto live = worker::live_workers(c);
      if (live && live->size() == static_cast<std::size_t>(n)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    worker::RedisShards shards(o);
    const double w0 = children_cpu();
    Measured m = run_cpu_phases(req, *db, *provider, &shards);
    for (pid_t p : pids) kill(p, SIGTERM);
    for (pid_t p : pids) waitpid(p, nullptr, 0);
    m.worker_cpu = children_cpu() - w0;
    by_workers.push_back(m);
    std::printf("%d worker(s)       %7.2f s wall  (%s)\n", n, m.wall,
                std::string(to_string(m.status)).c_str());
  }
  std::printf("speed-up 1 -> 2   %.2fx\n", by_workers[0].wall / by_workers[1].wall);
  std::printf("load average      %s (after)\n", loadavg().c_str());
  const Measured& m = by_workers[1];
  const double per = 1e3 / m.symbol_phases;  // ms per symbol-phase
  std::printf("per symbol-phase (2 workers, shard %zu, %d symbol-phases):\n", shard, m.symbol_phases);
  std::printf("  worker CPU      %7.3f ms  (compute, libpq, hiredis)\n", m.worker_cpu * per);
  std::printf("  PostgreSQL CPU  %7.3f ms  (server processes)\n", m.pg_cpu * per);
  std::printf("  Redis CPU       %7.3f ms\n", m.redis_cpu * per);
  std::printf("  coordinator CPU %7.3f ms  (decode, record outcome, progress)\n", m.coordinator_cpu * per);
  std::printf("  wall            %7.3f ms\n", m.wall * per);
  return 0;
}
