// `tickstock run`: one processing run in the foreground, no Redis needed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/providers.hpp"
#include "app/run_report.hpp"
#include "engine/pipeline.hpp"

namespace ts::app {
namespace {

engine::CancellationToken* g_cancel = nullptr;

extern "C" void on_interrupt(int) {
  // Async-signal-safe: an atomic store. The pipeline stops between symbols.
  if (g_cancel) g_cancel->request();
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}

/// Progress for humans: a redrawn bar on a TTY, plain lines (every 10%) otherwise.
class ProgressPrinter final : public engine::RunObserver {
 public:
  explicit ProgressPrinter(bool tty) : tty_(tty) {}

  void on_run_started(const storage::RunRecord& r) override {
    std::fprintf(stderr, "run %s: %d symbols (%s)\n", r.run_id.c_str(), r.symbols_total, r.universe.c_str());
  }
  void on_phase_started(const storage::RunRecord&, Phase p, int total) override {
    last_decile_ = -1;
    if (!tty_) std::fprintf(stderr, "%s: started, %d symbols\n", std::string(to_string(p)).c_str(), total);
  }
  void on_progress(const storage::RunRecord&, const engine::ProgressUpdate& u) override {
    const std::string phase(to_string(u.phase));
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(u.percent / 100.0 * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(kWidth, '.');
      std::fprintf(stderr, "\r%-10s [%s] %5.1f%% %d/%d failed %d eta %4.0fs %-10s", phase.c_str(),
                   bar.c_str(), u.percent, u.completed, u.total, u.failed, u.eta_seconds,
                   u.current_symbol.c_str());
      std::fflush(stderr);
      return;
    }
    const int decile = static_cast<int>(u.percent / 10);
    if (decile != last_decile_) {
      last_decile_ = decile;
      std::fprintf(stderr, "%s: %.0f%% (%d/%d, %d failed, eta %.0fs)\n", phase.c_str(), u.percent,
                   u.completed, u.total, u.failed, u.eta_seconds);
    }
  }
  void on_symbol_failed(const storage::RunRecord&, const storage::SymbolOutcome& o) override {
    if (tty_) std::fputc('\n', stderr);
    std::fprintf(stderr, "  %s %s failed: %s %s\n", std::string(to_string(o.phase)).c_str(), o.symbol.c_str(),
                 o.error_code.c_str(), o.message.c_str());
  }
  void on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary& s) override {
    if (tty_) std::fputc('\n', stderr);
    std::fprintf(stderr, "%s: %s, %d ok, %d failed, %lld records, %.2fs\n",
                 std::string(to_string(s.phase)).c_str(), s.status.c_str(), s.processed, s.failed, s.count,
                 s.duration_seconds);
  }

 private:
  bool tty_;
  int last_decile_ = -1;
};

struct RunOptions {
  std::string db = "sqlite:./tickstock-data/tickstock.db";
  std::string provider = "synthetic";
  std::string vendor_url;
  std::string universe;
  std::string universe_file;
  std::string symbols;
  std::string from, to;
  std::string phases = "all";
  bool full = false;
  bool store_history = false;
  bool json = false;
  double min_success = 0.8;
  unsigned threads = 0;
};

int do_run(const RunOptions& o) {
  std::unique_ptr<storage::Storage> db;
  try {
    db = storage::open_storage(o.db);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  auto req = build_run_request(*db, o.universe, o.universe_file, o.symbols, o.from, o.to, o.phases);
  if (!req) {
    std::cerr << "error: " << req.error().message << "\n";
    return 2;
  }
  auto provider = make_any_provider(o.provider, o.vendor_url);
  if (!provider) {
    std::cerr << "error: " << provider.error().message << "\n";
    return 2;
  }
  req->full = o.full;
  req->store_history = o.store_history;
  req->min_success_ratio = o.min_success;
  req->threads = o.threads;
  req->provider_description = (*provider)->describe();

  engine::CancellationToken cancel;
  g_cancel = &cancel;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  ProgressPrinter printer(isatty(STDERR_FILENO));
  storage::RunRecord rec;
  try {
    rec = engine::run_pipeline(*req, *db, **provider, cancel, &printer);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    g_cancel = nullptr;
    return 1;
  }
  g_cancel = nullptr;
  if (o.json) {
    std::cout << run_to_json(rec, db->run_outcomes(rec.run_id, true)).dump(2) << "\n";
  } else {
    std::cout << "run " << rec.run_id << " " << to_string(rec.status) << " in " << rec.duration_seconds
              << "s: " << rec.symbols_processed << "/" << rec.symbols_total << " symbols, "
              << rec.records_imported << " bars imported, " << rec.indicators_calculated
              << " indicator values, " << rec.patterns_detected << " patterns"
              << (rec.error.empty() ? "" : " (" + rec.error + ")") << "\n";
  }
  return exit_code(rec.status);
}

/// The symbols of a CSV directory: every <SYMBOL>.csv whose name is a valid
/// symbol, sorted. Other files are listed on stderr and skipped.
Result<std::string> csv_directory_symbols(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return fail("INVALID_ARGUMENT", "'" + dir + "' is not a directory");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".csv") continue;
    const std::string stem = entry.path().stem().string();
    if (auto sym = Symbol::parse(stem); sym && sym->str() == stem)
      names.push_back(stem);
    else
      std::fprintf(stderr, "skipping %s: the file name is not a symbol\n", entry.path().filename().c_str());
  }
  if (ec) return fail("INVALID_ARGUMENT", "cannot list '" + dir + "': " + ec.message());
  if (names.empty()) return fail("INVALID_ARGUMENT", "no <SYMBOL>.csv files in '" + dir + "'");
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

void add_import_csv_command(CLI::App& app, int& exit_code) {
  struct Flags {
    std::string dir, db = "sqlite:./tickstock-data/tickstock.db", symbols;
    unsigned threads = 0;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "import-csv", "Load a directory of <SYMBOL>.csv files into the database (the import phase only, recorded "
                    "as a run; later runs compute indicators and patterns for the new bars)");
  cmd->add_option("dir", f->dir, "Directory of <SYMBOL>.csv files")->required();
  cmd->add_option("--db", f->db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)")->capture_default_str();
  cmd->add_option("--symbols", f->symbols, "Only these symbols (default: every <SYMBOL>.csv in the directory)");
  cmd->add_option("--threads", f->threads, "Worker threads (0 = one per core)");
  cmd->add_flag("--json", f->json, "Print the final run record as JSON");
  cmd->callback([f, &exit_code] {
    RunOptions o;
    o.db = f->db;
    o.provider = "csv:" + f->dir;
    if (f->symbols.empty()) {
      auto listed = csv_directory_symbols(f->dir);
      if (!listed) {
        std::cerr << "error: " << listed.error().message << "\n";
        exit_code = 2;
        return;
      }
      o.symbols = std::move(listed).value();
    } else {
      o.symbols = f->symbols;
    }
    o.from = "1900-01-01";  // the whole file: a CSV import is not a rolling window
    o.phases = "import";
    o.threads = f->threads;
    o.json = f->json;
    o.min_success = 0;  // every good file is kept; bad ones are reported per symbol
    exit_code = do_run(o);
  });
}

void add_run_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Run the processing pipeline once (import, cache_sync, indicators, patterns)");
  cmd->add_option("--db", opts->db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)")->capture_default_str();
  cmd->add_option("--provider", opts->provider,
                  "Bar provider: synthetic[:seed=N] | csv:DIR | massive[:base=URL,rpm=N]")
      ->capture_default_str();
  cmd->add_option("--vendor-url", opts->vendor_url,
                  "Vendor API base URL (massive; default MASSIVE_BASE_URL, else the vendor's HTTPS host)");
  auto* u = cmd->add_option("--universe", opts->universe,
                            "Universe: built-in dow30, nasdaq100, sp500, or one registered with "
                            "`tickstock universe add` (default dow30)");
  auto* uf = cmd->add_option("--universe-file", opts->universe_file, "CSV with a 'symbol' column");
  auto* s = cmd->add_option("--symbols", opts->symbols, "Comma-separated symbols, e.g. AAPL,MSFT");
  u->excludes(s)->excludes(uf);
  s->excludes(uf);
  cmd->add_option("--from", opts->from, "First date YYYY-MM-DD (default: two years before --to)");
  cmd->add_option("--to", opts->to, "Last date YYYY-MM-DD (default: today in New York)");
  cmd->add_option("--phases", opts->phases, "Comma-separated: import,cache_sync,indicators,patterns or all")
      ->capture_default_str();
  cmd->add_flag("--full", opts->full, "Recompute everything in range instead of only new dates");
  cmd->add_flag("--store-history", opts->store_history,
                "Store indicator values for every bar, not only the run's new dates");
  cmd->add_option("--min-success", opts->min_success, "Share of symbols that must succeed per phase")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Worker threads (0 = one per core)");
  cmd->add_flag("--json", opts->json, "Print the final run record as JSON");
  cmd->callback([opts, &exit_code] { exit_code = do_run(*opts); });
}

}  // namespace ts::app
