// Vendor import benchmark: the daily incremental import of N symbols x 1 new
// day from the fake Massive server (tests/fake_vendor/fake_massive.py) at a
// fixed per-request latency and no rate limit, through
//   1. grouped daily (the engine's default for incremental runs): 1 request;
//   2. per ticker (what a provider without a bulk endpoint costs): N requests.
// Prints wall times, request counts, and what the per-ticker path would take
// at the vendor's free tier (5 requests per minute).
//
//   vendor_bench [symbols=5000] [latency_ms=20] [dir=/tmp]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bench_universe.hpp"
#include "core/uuid.hpp"
#include "engine/pipeline.hpp"
#include "vendor/fake_massive_server.hpp"
#include "vendor/massive_provider.hpp"

namespace {

using namespace ts;

/// The same vendor without its bulk endpoint: every symbol is one request.
class PerTicker final : public ingest::BarProvider {
 public:
  explicit PerTicker(const ingest::BarProvider& inner) : inner_(inner) {}
  std::string describe() const override { return inner_.describe() + " (per ticker)"; }
  Result<BarSeries, ingest::FetchFailure> fetch(const ingest::FetchRequest& r) const override {
    return inner_.fetch(r);
  }

 private:
  const ingest::BarProvider& inner_;
};

std::size_t vendor_requests(const vendor::testing::FakeMassive& fake) {
  std::size_t n = 0;
  for (const auto& r : nlohmann::json::parse(fake.admin("/admin/requests")))
    n += r["path"].get<std::string>().rfind("/v", 0) == 0;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const int symbols = argc > 1 ? std::atoi(argv[1]) : 5000;
  const std::string latency = argc > 2 ? argv[2] : "20";
  const std::filesystem::path dir =
      std::filesystem::path(argc > 3 ? argv[3] : "/tmp") / ("tickstock_vendor_bench_" + make_uuid_v4());
  std::filesystem::create_directories(dir);
  const std::string key = "bench-key";
  vendor::testing::FakeMassive fake(key, 50000, {},
                                    {"--latency-ms", latency, "--bulk-tickers", std::to_string(symbols)});

  engine::RunRequest req;
  bench::add_synthetic_symbols(req, symbols);
  req.phases = {Phase::import};
  req.threads = 8;  // I/O bound: overlap requests (the client allows 4 in flight per host)
  vendor::MassiveConfig cfg;
  cfg.base_url = fake.base();
  cfg.api_key = key;
  const vendor::MassiveProvider massive(cfg);
  const PerTicker per_ticker(massive);

  // History up to Friday 2026-03-06 (one week, untimed, imported once and
  // copied), then Monday 03-09 is the new day.
  engine::CancellationToken cancel;
  req.from = parse_date("2026-03-02").value();
  req.to = parse_date("2026-03-06").value();
  {
    auto db = storage::open_storage("sqlite:" + (dir / "seed.db").string());
    const auto seed = engine::run_pipeline(req, *db, massive, cancel);
    if (seed.status != RunStatus::completed) {
      std::fprintf(stderr, "seeding failed: %s\n", seed.error.c_str());
      return 1;
    }
  }
  double wall[2] = {};
  std::size_t requests[2] = {};
  for (int path = 0; path < 2; ++path) {
    const ingest::BarProvider& provider = path == 0 ? static_cast<const ingest::BarProvider&>(massive) : per_ticker;
    const auto file = dir / ("bench" + std::to_string(path) + ".db");
    std::filesystem::copy_file(dir / "seed.db", file);
    auto db = storage::open_storage("sqlite:" + file.string());
    fake.admin("/admin/reset");
    req.to = parse_date("2026-03-09").value();
    const auto t0 = std::chrono::steady_clock::now();
    const auto run = engine::run_pipeline(req, *db, provider, cancel);
    wall[path] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    requests[path] = vendor_requests(fake);
    if (run.status != RunStatus::completed || run.records_imported != symbols) {
      std::fprintf(stderr, "%s: %s, %lld bars\n", provider.describe().c_str(),
                   std::string(to_string(run.status)).c_str(), run.records_imported);
      return 1;
    }
  }
  std::printf("symbols                     %d x 1 new day, vendor latency %s ms, no rate limit\n", symbols,
              latency.c_str());
  std::printf("grouped daily               %.2f s wall, %zu vendor requests (incl. the splits check)\n", wall[0],
              requests[0]);
  std::printf("per ticker                  %.2f s wall, %zu vendor requests\n", wall[1], requests[1]);
  std::printf("per ticker at 5 req/min     %.1f hours (%zu requests / 5 per minute)\n",
              static_cast<double>(requests[1]) / 5.0 / 60.0, requests[1]);
  std::printf("speed-up                    %.0fx\n", wall[1] / wall[0]);
  std::filesystem::remove_all(dir);
  return 0;
}
