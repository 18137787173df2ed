// `tickstock worker`: a distributed worker (worker::Worker) over Redis Streams and the shared database.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/dashboard.hpp"
#include "worker/worker.hpp"

namespace ts::app {

void add_worker_command(CLI::App& app, int& exit_code) {
  struct Flags {
    std::string redis = "redis://127.0.0.1:6379/0", db, id;
    unsigned concurrency = 1;
    int nice = worker::WorkerOptions{}.thread_nice;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "worker", "Process shards of the engine's runs (engine setting workers = auto) from Redis Streams");
  cmd->add_option("--redis", f->redis, "Redis URL redis://[user:pass@]host:port/db")->capture_default_str();
  cmd->add_option("--db", f->db, "The engine's database: postgresql://user:pass@host:5432/db")->required();
  cmd->add_option("--concurrency", f->concurrency, "Shards processed at once (threads)")
      ->capture_default_str();
  cmd->add_option("--id", f->id, "Worker id in events and Redis (default HOST:PID)");
  cmd->add_option("--nice", f->nice, "Niceness the consumer threads add to themselves (0 = none)")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  cmd->callback([f, &exit_code] {
    const auto signals = block_stop_signals();
    auto url = bus::RedisUrl::parse(f->redis);
    if (!url) {
      std::cerr << "error: --redis: " << url.error().message << "\n";
      exit_code = 2;
      return;
    }
    if (!f->db.starts_with("postgresql://") && !f->db.starts_with("postgres://")) {
      std::cerr << "error: --db: workers share the engine's PostgreSQL database (postgresql://...), not '"
                << mask_url(f->db) << "'\n";
      exit_code = 2;
      return;
    }
    std::unique_ptr<storage::Storage> db;
    try {
      db = storage::open_storage(f->db);
    } catch (const std::exception& e) {
      std::cerr << "error: DATABASE_UNAVAILABLE: " << e.what() << "\n";
      exit_code = 1;
      return;
    }
    worker::WorkerOptions o;
    o.redis = *url;
    o.concurrency = f->concurrency;
    o.id = f->id;
    o.thread_nice = f->nice;
    worker::Worker w(o, *db);
    std::atomic<bool> stop{false};
    std::thread t([&] { w.run(stop); });
    int sig = 0;
    sigwait(&signals, &sig);
    stop = true;
    t.join();
    exit_code = 0;
  });
}

}  // namespace ts::app
