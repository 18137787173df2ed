// The real `tickstock` binary: `run` end to end on SQLite, a corrupt CSV
// directory, `ta` against the TA-Lib goldens and its error paths.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/csv.hpp"
#include "engine/studies.hpp"
#include "storage/storage.hpp"
#include "ta/function.hpp"
#include "test_support.hpp"

namespace ts {
namespace {

using testing::run_tickstock;
using testing::TempDir;
using testing::engine_db;

TEST(CliRun, Dow30TwoYearsStoresEverything) {
  TempDir dir;
  const std::string db = engine_db(dir.str("ts.db"));
  const auto r =
      run_tickstock("run --db " + db + " --universe dow30 --from 2024-01-02 --to 2025-12-31 --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["symbols_total"], 30);
  EXPECT_EQ(j["symbols_processed"], 30);
  EXPECT_EQ(j["phase_summaries"].size(), 4u);
  EXPECT_TRUE(j["failed_symbols"].empty());

  auto store = storage::open_storage(db);
  const auto run = store->get_run(j["run_id"].get<std::string>());
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::completed);
  EXPECT_EQ(run->records_imported, store->count_bars(Timeframe::daily));
  EXPECT_EQ(run->indicators_calculated, store->count_indicator_values());
  EXPECT_EQ(run->patterns_detected, store->count_detections());
  EXPECT_GT(run->patterns_detected, 0);
  const auto dow = builtin_universe("dow30").value();
  for (const auto& m : dow.members) {
    for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly, Timeframe::monthly})
      EXPECT_TRUE(store->last_bar_date(m.symbol, tf).has_value()) << m.symbol.str() << " " << to_string(tf);
    for (const auto& call : engine::default_studies())
      EXPECT_EQ(store->indicator_values(m.symbol, Timeframe::daily, call.key()).size(), 1u)
          << m.symbol.str() << " " << call.key();
  }
  EXPECT_EQ(store->count_bars(Timeframe::monthly), 30 * 24);
  EXPECT_EQ(store->list_runs({}).size(), 1u);
}

TEST(CliRun, CorruptCsvFileGivesCompletedWithErrors) {
  TempDir dir;
  const std::string src = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/csv_bad";
  // Good files plus one corrupt one, copied into a fresh directory.
  for (const char* f : {"GOOD1.csv", "GOODY.csv", "GOODS.csv", "GOODL.csv", "BADHIGH.csv"})
    std::filesystem::copy_file(src + "/" + f, dir.path() / f);
  const std::string db = engine_db(dir.str("ts.db"));
  const auto r =
      run_tickstock("run --db " + db + " --provider csv:" + dir.str() +
                        " --symbols GOOD1,GOODY,GOODS,GOODL,BADHIGH --from 1990-01-01 --to 2030-12-31 "
                        "--min-success 0.5 --json",
                    dir);
  ASSERT_EQ(r.exit_code, 3) << r.err << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "completed_with_errors");
  ASSERT_EQ(j["failed_symbols"].size(), 1u);
  const auto& f = j["failed_symbols"][0];
  EXPECT_EQ(f["symbol"], "BADHIGH");
  EXPECT_EQ(f["error_code"], "BAD_DATA");
  const std::string msg = f["message"];
  EXPECT_NE(msg.find("BADHIGH.csv:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("high"), std::string::npos) << msg;
  auto store = storage::open_storage(db);
  for (const char* s : {"GOOD1", "GOODY", "GOODS", "GOODL"})
    EXPECT_TRUE(store->last_bar_date(Symbol::parse(s).value(), Timeframe::daily).has_value()) << s;
  EXPECT_FALSE(store->last_bar_date(Symbol::parse("BADHIGH").value(), Timeframe::daily).has_value());
}

TEST(CliImportCsv, LoadsADirectoryAndReportsBadFilesPerSymbol) {
  TempDir dir;
  const std::string src = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/csv_bad";
  const auto data = dir.path() / "bars";
  std::filesystem::create_directories(data);
  for (const char* f : {"GOOD1.csv", "GOODY.csv", "BADHIGH.csv"}) std::filesystem::copy_file(src + "/" + f, data / f);
  std::filesystem::copy_file(src + "/GOOD1.csv", data / "not a symbol.csv");
  { std::ofstream(data / "README.txt") << "not bars\n"; }
  const std::string db = engine_db(dir.str("ts.db"));
  auto r = run_tickstock("import-csv " + data.string() + " --db " + db + " --json", dir);
  ASSERT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.err.find("skipping not a symbol.csv"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["symbols_total"], 3);
  ASSERT_EQ(j["failed_symbols"].size(), 1u);
  EXPECT_EQ(j["failed_symbols"][0]["symbol"], "BADHIGH");
  EXPECT_EQ(j["failed_symbols"][0]["error_code"], "BAD_DATA");
  EXPECT_EQ(j["phase_summaries"].size(), 1u);
  auto store = storage::open_storage(db);
  for (const char* s : {"GOOD1", "GOODY"}) {
    std::ifstream in(data / (std::string(s) + ".csv"));
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) lines += !line.empty();
    const auto bars = store->load_bars(Symbol::parse(s).value(), Timeframe::daily);
    EXPECT_EQ(bars.size() + 1, lines) << s << ": every data row (the header aside)";
  }
  const long long stored = store->count_bars(Timeframe::daily);
  store.reset();
  // Importing again adds nothing.
  r = run_tickstock("import-csv " + data.string() + " --db " + db + " --symbols GOOD1,GOODY --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["records_imported"], 0);
  EXPECT_EQ(storage::open_storage(db)->count_bars(Timeframe::daily), stored);
  r = run_tickstock("import-csv " + dir.str("missing") + " --db " + db, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a directory"), std::string::npos) << r.err;
}

TEST(CliRun, BadArgumentsAreRejectedClearly) {
  TempDir dir;
  const std::string db = " --db " + engine_db(dir.str("ts.db"));
  auto r = run_tickstock("run" + db + " --symbols AAPL,../etc", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid symbol"), std::string::npos) << r.err;
  r = run_tickstock("run" + db + " --universe ftse100", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown universe 'ftse100'"), std::string::npos) << r.err;
  r = run_tickstock("run" + db + " --phases import,everything", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown phase 'everything'"), std::string::npos) << r.err;
  r = run_tickstock("run" + db + " --from 2024-02-30", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("2024-02-30"), std::string::npos) << r.err;
  r = run_tickstock("run" + db + " --provider ftp:x", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ftp:x"), std::string::npos) << r.err;
}

TEST(CliEngine, VendorUrlFlagAndEnvironmentReachTheEngineProvider) {
  // A vendor URL with a provider that is not a vendor: the engine refuses to
  // start, naming the option, whether it came from the flag, the environment
  // or `up`'s flag (before it would need Redis).
  TempDir dir;
  const std::string common = " --provider synthetic --http off --db " + engine_db(dir.str("ts.db"));
  auto r = run_tickstock("engine --vendor-url http://127.0.0.1:9" + common, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--vendor-url applies to the massive provider"), std::string::npos) << r.err;
  r = run_tickstock("up --redis redis://127.0.0.1:1/0 --http-app off --data-dir " + dir.str("data") +
                        " --vendor-url http://127.0.0.1:9" + common,
                    dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--vendor-url applies to the massive provider"), std::string::npos) << r.err;
  ::setenv("TICKSTOCK_VENDOR_URL", "http://127.0.0.1:9", 1);
  r = run_tickstock("engine" + common, dir);
  ::unsetenv("TICKSTOCK_VENDOR_URL");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--vendor-url applies to the massive provider"), std::string::npos) << r.err;
}

/// Parses a CSV produced by `tickstock ta` or a golden file into columns.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
Table parse_table(const std::string& text) {
  Table t;
  std::istringstream in(text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::size_t pos = 0;
    while (true) {
      const auto comma = line.find(',', pos);
      cells.push_back(line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (first) {
      t.header = cells;
      first = false;
    } else {
      t.rows.push_back(cells);
    }
  }
  return t;
}

TEST(CliTa, EveryDefaultStudyMatchesTaLibGoldens) {
  // tests/data/golden/ta_manifest.csv lists each golden file with its input
  // and the call that produced it (quoted: calls contain commas).
  const std::string gold = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/";
  const std::string manifest = testing::read_file(gold + "ta_manifest.csv");
  csv::LineReader lines(manifest);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> cells;
  TempDir dir;
  int checked = 0;
  while (lines.next(line, line_no)) {
    if (line_no == 1 || line.empty()) continue;  // header
    ASSERT_TRUE(csv::split_line(line, cells) && cells.size() == 3) << line;
    const std::string input = "input_" + std::string(cells[0]) + ".csv";
    const std::string call(cells[1]);
    const std::string golden(cells[2]);
    const auto r = run_tickstock("ta --input " + gold + input + " --fn '" + call + "'", dir);
    ASSERT_EQ(r.exit_code, 0) << call << ": " << r.err;
    const auto ours = parse_table(r.out);
    const auto ref = parse_table(testing::read_file(gold + golden));
    ASSERT_EQ(ours.header, ref.header) << call;
    ASSERT_EQ(ours.rows.size(), ref.rows.size()) << call;
    for (std::size_t i = 0; i < ref.rows.size(); ++i) {
      for (std::size_t k = 0; k < ref.header.size(); ++k) {
        const std::string& a = ours.rows[i][k];
        const std::string& b = ref.rows[i][k];
        if (k == 0 || b.empty() || a.empty()) {
          ASSERT_EQ(a, b) << call << " row " << i << " col " << ref.header[k];
          continue;
        }
        const double x = std::stod(a), y = std::stod(b);
        ASSERT_LE(std::fabs(x - y), std::max(1e-12, 1e-9 * std::max(std::fabs(x), std::fabs(y))))
            << call << " row " << i << " col " << ref.header[k] << ": " << a << " vs " << b;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 100);
}

TEST(CliTa, ListShowsEveryRegisteredFunction) {
  TempDir dir;
  const auto r = run_tickstock("ta --list", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : ta::registry())
    EXPECT_NE(r.out.find(std::string(f.name) + " "), std::string::npos) << f.name;
  EXPECT_NE(r.out.find("timeperiod=14"), std::string::npos);
}

TEST(CliTa, ErrorsNameTheProblem) {
  TempDir dir;
  const std::string input = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/csv_bad/GOOD1.csv";
  auto r = run_tickstock("ta --input " + input + " --fn 'NOPE(timeperiod=3)'", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("NOPE"), std::string::npos) << r.err;
  r = run_tickstock("ta --input " + input + " --fn 'SMA(timeperiod=1)'", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("timeperiod"), std::string::npos) << r.err;
  r = run_tickstock("ta --input " + input + " --fn 'SMA(timeperiod=abc)'", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("timeperiod"), std::string::npos) << r.err;
  r = run_tickstock("ta --input " + input + " --fn 'SMA(period=5)'", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("period"), std::string::npos) << r.err;
  r = run_tickstock("ta --input /nonexistent/X.csv --fn SMA", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/X.csv"), std::string::npos) << r.err;
  const std::string bad = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/csv_bad/BADHIGH.csv";
  r = run_tickstock("ta --input " + bad + " --fn SMA", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("BADHIGH.csv:"), std::string::npos) << r.err;
}

TEST(CliTa, CandlestickOutputIsInteger) {
  TempDir dir;
  const std::string gold = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/";
  const auto r = run_tickstock("ta --input " + gold + "candles_input_designed.csv --fn CDLENGULFING", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ours = parse_table(r.out);
  const auto ref = parse_table(testing::read_file(gold + "candles_designed.csv"));  // one column per call
  ASSERT_EQ(ours.header, (std::vector<std::string>{"date", "integer"}));
  const auto col = std::find(ref.header.begin(), ref.header.end(), "CDLENGULFING") - ref.header.begin();
  ASSERT_LT(static_cast<std::size_t>(col), ref.header.size());
  ASSERT_EQ(ours.rows.size(), ref.rows.size());
  for (std::size_t i = 0; i < ref.rows.size(); ++i) {
    EXPECT_EQ(ours.rows[i], (std::vector<std::string>{ref.rows[i][0], ref.rows[i][col]})) << "row " << i;
  }
}

// MAVP takes its periods from a named column of the bar file: the golden
// input's `periods` column renamed, bound with --inputs, reproduces TA-Lib.
TEST(CliTa, MavpReadsPeriodsFromANamedColumn) {
  TempDir dir;
  const std::string gold = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/";
  std::string text = testing::read_file(gold + "input_edge_periods.csv");
  const auto header_end = text.find('\n');
  ASSERT_EQ(text.substr(0, header_end), "date,open,high,low,close,volume,periods");
  // Move the period (each row's last cell) to the second column, renamed.
  std::string moved = "date,adaptive_n,open,high,low,close,volume\n";
  std::size_t pos = header_end + 1;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const std::string row = text.substr(pos, end - pos);
    const auto last = row.rfind(',');
    const auto first = row.find(',');
    moved += row.substr(0, first) + "," + row.substr(last + 1) + row.substr(first, last - first) + "\n";
    pos = end + 1;
  }
  const std::string input = dir.str("mavp.csv");
  {
    std::ofstream out(input, std::ios::binary);
    out << moved;
  }
  const std::string call = "MAVP(minperiod=5,maxperiod=20,matype=1)";
  const auto r = run_tickstock(
      "ta --input " + input + " --fn '" + call + "' --inputs real=close,periods=adaptive_n", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ours = parse_table(r.out);
  const auto ref = parse_table(testing::read_file(gold + "edge_periods__MAVP_5_20_1.csv"));
  ASSERT_EQ(ours.header, ref.header);
  ASSERT_EQ(ours.rows.size(), ref.rows.size());
  for (std::size_t i = 0; i < ref.rows.size(); ++i) {
    const std::string& a = ours.rows[i][1];
    const std::string& b = ref.rows[i][1];
    if (a.empty() || b.empty()) {
      ASSERT_EQ(a, b) << "row " << i;
      continue;
    }
    const double x = std::stod(a), y = std::stod(b);
    ASSERT_LE(std::fabs(x - y), std::max(1e-12, 1e-9 * std::max(std::fabs(x), std::fabs(y)))) << "row " << i;
  }
  // The column must exist; without --inputs MAVP looks for "periods".
  auto bad = run_tickstock("ta --input " + input + " --fn MAVP --inputs periods=nope", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no column 'nope'"), std::string::npos) << bad.err;
  bad = run_tickstock("ta --input " + input + " --fn MAVP", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no column 'periods'"), std::string::npos) << bad.err;
  bad = run_tickstock("ta --input " + input + " --fn MAVP --inputs periods=", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("periods="), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ts

namespace ts {
namespace {

TEST(Docs, IndicatorsPageHoldsTheCurrentRegistryTable) {
  testing::TempDir dir;
  const auto r = testing::run_tickstock("ta --list --markdown", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string doc = testing::read_file(std::string(TICKSTOCK_SOURCE_DIR) + "/docs/indicators.md");
  const std::string marker = "<!-- generated: tickstock ta --list --markdown -->\n";
  const auto at = doc.find(marker);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(doc.substr(at + marker.size()), r.out)
      << "docs/indicators.md is stale: regenerate its table with `tickstock ta --list --markdown`";
  for (const auto& f : ta::registry())
    EXPECT_NE(doc.find("| " + std::string(f.name) + " |"), std::string::npos);
}

}  // namespace
}  // namespace ts
