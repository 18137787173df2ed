// Bar write benchmark: N symbols x B daily bars, one commit_import per symbol
// from one thread, into an empty database (sqlite:PATH or postgresql://URL).
// Reports rows/s of the whole unit of work (COPY into the staging table plus
// the upsert on PostgreSQL; prepared upserts on SQLite), then the same again
// as an idempotent re-write of rows that all exist.
// Usage: bar_write_bench URL [symbols=200] [bars=2520]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/storage.hpp"

int main(int argc, char** argv) {
  using namespace ts;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bar_write_bench URL [symbols=200] [bars=2520]\n");
    return 2;
  }
  const int symbols = argc > 2 ? std::atoi(argv[2]) : 200;
  const int bars = argc > 3 ? std::atoi(argv[3]) : 2520;
  auto db = storage::open_storage(argv[1]);
  storage::RunRecord run;
  run.run_id = "bench";
  run.universe = "bench";
  run.run_date = "2025-01-02";
  run.started_at = "2025-01-02T00:00:00.000Z";
  db->insert_run(run);
  BarSeries series;
  TradingDate day = parse_date("2015-01-02").value();
  for (int i = 0; i < bars; ++i, day += std::chrono::days(1))
    series.push_back({day, 100 + i * 0.01, 101 + i * 0.01, 99 + i * 0.01, 100.5 + i * 0.013, 1e6 + i * 17});
  for (const char* pass : {"insert", "re-write"}) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < symbols; ++s) {
      char name[16];
      std::snprintf(name, sizeof name, "S%04d", s);
      db->commit_import(Symbol::parse(name).value(), series.view(),
                        {"bench", Phase::import, name, "ok", 1, "", "", 0});
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rows = static_cast<double>(symbols) * bars;
    std::printf("%-9s %s: %.0f rows in %.2f s = %.0f rows/s\n", pass, db->describe().c_str(), rows, wall,
                rows / wall);
  }
  return 0;
}
