// Pipeline benchmark: N synthetic symbols x ~2,520 daily bars (10 years)
// through every phase into a fresh SQLite file (or an empty PostgreSQL
// database). Reports wall time per phase, where each phase's work went (CPU
// seconds of the engine's threads per layer: load, compute, encode, write),
// bars/s and peak RSS. With `incremental`, two more runs then import and
// process the next two trading days (1 new bar per symbol each), the engine's
// daily run: a Monday opening a week and a month, then a Tuesday.
// Usage: pipeline_bench [symbols=1000] [years=10] [dir=/tmp | postgresql://URL] [incremental]
// TICKSTOCK_THREADS sets the phase threads (default: one per core).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_universe.hpp"
#include "core/uuid.hpp"
#include "engine/pipeline.hpp"

int main(int argc, char** argv) {
  using namespace ts;
  const int symbols = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int years = argc > 2 ? std::atoi(argv[2]) : 10;
  const std::string where = argc > 3 ? argv[3] : "/tmp";
  const bool incremental = argc > 4 && std::string(argv[4]) == "incremental";
  const bool postgres = where.rfind("postgresql://", 0) == 0;
  const std::filesystem::path dir =
      std::filesystem::path(postgres ? "/tmp" : where) / ("tickstock_bench_" + make_uuid_v4());
  std::filesystem::create_directories(dir);

  engine::RunRequest req;
  bench::add_synthetic_symbols(req, symbols);
  bench::set_history(req, years);
  // The engine's `threads` setting (0 = one per core), as `tickstock` reads it.
  if (const char* threads = std::getenv("TICKSTOCK_THREADS")) req.threads = static_cast<unsigned>(std::atoi(threads));

  auto db = storage::open_storage(postgres ? where : "sqlite:" + (dir / "bench.db").string());
  std::printf("database          %s\n", db->describe().c_str());
  auto provider = ingest::make_provider("synthetic:seed=1").value();
  engine::CancellationToken cancel;
  auto run = [&](const engine::RunRequest& r, const char* title) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto rec = engine::run_pipeline(r, *db, *provider, cancel);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("== %s\n", title);
    std::printf("status            %s\n", std::string(to_string(rec.status)).c_str());
    std::printf("symbols           %d\n", rec.symbols_total);
    std::printf("bars imported     %lld (%.0f per symbol)\n", rec.records_imported,
                static_cast<double>(rec.records_imported) / symbols);
    std::printf("indicator rows    %lld\n", rec.indicators_calculated);
    std::printf("detections        %lld\n", rec.patterns_detected);
    std::printf("%-17s %8s  %7s %7s %7s %7s  (CPU seconds)\n", "phase", "wall", "load", "compute", "encode",
                "write");
    for (const auto& p : rec.phase_summaries)
      std::printf("%-17s %7.2fs  %7.2f %7.2f %7.2f %7.2f\n", std::string(to_string(p.phase)).c_str(),
                  p.duration_seconds, p.layers.load, p.layers.compute, p.layers.encode, p.layers.write);
    std::printf("wall              %.2f s\n", wall);
    std::printf("throughput        %.0f bars/s (all phases)\n", rec.records_imported / wall);
    std::printf("peak RSS          %.1f MB\n", ru.ru_maxrss / 1024.0);
    std::fflush(stdout);
    return rec.status == RunStatus::completed;
  };
  bool ok = run(req, "backfill");
  if (incremental && ok) {
    // The next trading day after req.to (2025-10-31 is a Friday): a Monday
    // that opens a week and a month, so every weekly and monthly study row
    // is new and all three timeframes' states are saved again.
    engine::RunRequest next = req;
    next.to = req.to + std::chrono::days{3};
    ok = run(next, "daily incremental (1 new bar per symbol)");
    // The Tuesday after it, as most days are: the week and the month are in
    // progress, so their study rows are rewritten and only the daily states
    // are saved.
    next.to += std::chrono::days{1};
    if (ok) ok = run(next, "daily incremental, mid-week (1 new bar per symbol)");
  }
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
