// The storage suite, run against every backend: SQLite files and databases on
// a private PostgreSQL 15 (scripts/pg-test-server.sh, ctest fixture PgServer).
// A test that needs the database's own view (raw rows, query plans) asks the
// fixture for it; everything else goes through the Storage interface only.
#include "storage/storage.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/uuid.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_pool.hpp"
#include "storage/postgres/test_database.hpp"
#include "storage/sqlite/migrations.hpp"

namespace ts::storage {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;

/// Rows of `sql` run directly on a SQLite file (NULL as "").
Rows sqlite_rows(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  Rows out;
  const char* tail = sql.c_str();
  while (*tail) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw, tail, -1, &st, &tail) != SQLITE_OK) {
      const std::string err = sqlite3_errmsg(raw);
      sqlite3_close(raw);
      throw std::runtime_error(err + " in: " + sql);
    }
    if (!st) break;  // trailing whitespace
    out.clear();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      const std::string err = sqlite3_errmsg(raw);
      sqlite3_close(raw);
      throw std::runtime_error(err + " in: " + sql);
    }
  }
  sqlite3_close(raw);
  return out;
}

class StorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = databases_.fresh_url();
    db_ = open_storage(url_);
  }
  bool sqlite() const { return databases_.sqlite(); }

  /// The URL of a new, empty database of this test's backend.
  std::string empty_database() { return databases_.fresh_url(); }
  /// A new database migrated only up to `version`, then `extra` SQL run on it.
  std::string database_at_version(int version, const std::string& extra) {
    const std::string url = empty_database();
    std::string script =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at "
        "TEXT NOT NULL);";
    for (const auto& m : backend_migrations())
      if (m.version <= version)
        script += std::string(m.sql) + ";INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
                  ", 'v', 'now');";
    script += extra;
    if (sqlite()) fs::create_directories(fs::path(url.substr(7)).parent_path());
    rows(script, url);
    return url;
  }
  /// Rows of `sql` (the result of its last statement) run directly on the
  /// database behind `url`, as text.
  Rows rows(const std::string& sql, std::string url = {}) const {
    if (url.empty()) url = url_;
    if (sqlite()) return sqlite_rows(url.substr(7), sql);
    Rows out;
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    for (const auto& r : tx.exec(sql)) {
      std::vector<std::string> row;
      for (const auto& f : r) row.emplace_back(f.is_null() ? "" : f.c_str());
      out.push_back(std::move(row));
    }
    return out;
  }
  std::span<const sqlite::Migration> backend_migrations() const {
    return sqlite() ? sqlite::migrations() : postgres::migrations();
  }

  static Symbol sym(const char* s) { return Symbol::parse(s).value(); }
  static TradingDate d(const char* s) { return parse_date(s).value(); }
  static BarSeries bars(std::initializer_list<const char*> dates, double base = 10) {
    BarSeries b;
    for (const char* s : dates) {
      b.push_back({d(s), base, base + 1, base - 1, base + 0.5, 1000});
      base += 1;
    }
    return b;
  }
  RunRecord run(const std::string& id, const std::string& started) {
    RunRecord r;
    r.run_id = id;
    r.status = RunStatus::running;
    r.phases = {Phase::import, Phase::indicators};
    r.universe = "dow30";
    r.run_date = "2025-01-02";
    r.started_at = started;
    r.symbols_total = 2;
    for (const auto& [phase, status] :
         {std::pair{Phase::import, "running"}, {Phase::indicators, "pending"}}) {
      PhaseSummary p;
      p.phase = phase;
      p.status = status;
      r.phase_summaries.push_back(p);
    }
    return r;
  }
  SymbolOutcome ok(const std::string& run_id, Phase p, const char* s) {
    return {run_id, p, s, "ok", 1, "", "", 1.5};
  }

  testing::TestDatabases databases_{GetParam()};
  std::string url_;
  std::unique_ptr<Storage> db_;  // declared last: closed before its database goes
};

INSTANTIATE_TEST_SUITE_P(Backends, StorageTest, ::testing::ValuesIn(testing::kBackends),
                         [](const auto& info) { return info.param; });

TEST_P(StorageTest, AppliesMigrationsOnceWithTheSameVersionsOnEveryBackend) {
  db_.reset();
  db_ = open_storage(url_);  // reopening must not re-apply
  const auto applied = rows("SELECT COUNT(*), MAX(version) FROM schema_migrations");
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0][0], std::to_string(backend_migrations().size()));
  EXPECT_EQ(applied[0][1], std::to_string(backend_migrations().back().version));
  // One version number names one schema: PostgreSQL mirrors SQLite's table.
  ASSERT_EQ(postgres::migrations().size(), sqlite::migrations().size());
  for (std::size_t i = 0; i < sqlite::migrations().size(); ++i) {
    EXPECT_EQ(postgres::migrations()[i].version, sqlite::migrations()[i].version);
    EXPECT_EQ(postgres::migrations()[i].description, sqlite::migrations()[i].description);
  }
  const auto described = rows("SELECT description FROM schema_migrations ORDER BY version");
  ASSERT_EQ(described.size(), sqlite::migrations().size());
  EXPECT_EQ(described.back()[0], sqlite::migrations().back().description);
  if (sqlite()) {
    EXPECT_TRUE(fs::exists(url_.substr(7)));  // the parent directory was created
    EXPECT_EQ(rows("PRAGMA journal_mode")[0][0], "wal");
  }
}

TEST_P(StorageTest, RejectsUnknownUrls) {
  EXPECT_THROW(open_storage("mysql://x"), StorageError);
  EXPECT_THROW(open_storage("sqlite:"), StorageError);
}

TEST_P(StorageTest, BarUpsertsAreIdempotentAndUpdateInPlace) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  const auto b = bars({"2024-01-02", "2024-01-03", "2024-01-04"});
  db_->commit_import(sym("AAPL"), b.view(), ok("r1", Phase::import, "AAPL"));
  db_->commit_import(sym("AAPL"), b.view(), ok("r1", Phase::import, "AAPL"));
  EXPECT_EQ(db_->count_bars(Timeframe::daily), 3);
  EXPECT_EQ(db_->last_bar_date(sym("AAPL"), Timeframe::daily), d("2024-01-04"));
  EXPECT_FALSE(db_->last_bar_date(sym("MSFT"), Timeframe::daily).has_value());
  auto changed = bars({"2024-01-04"}, 50);
  db_->commit_import(sym("AAPL"), changed.view(), ok("r1", Phase::import, "AAPL"));
  const auto loaded = db_->load_bars(sym("AAPL"), Timeframe::daily);
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded.open[2], 50);
  EXPECT_EQ(loaded.open[0], 10);
  const auto window = db_->load_bars(sym("AAPL"), Timeframe::daily, d("2024-01-03"), d("2024-01-03"));
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window.date[0], d("2024-01-03"));
  // The outcome row was upserted, counting attempts.
  const auto outcomes = db_->run_outcomes("r1", false);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].attempts, 3);
}

// The import phase's one read of every symbol's stored range: the same
// answers as first_bar_date() and last_bar_date(), symbols without bars left out.
TEST_P(StorageTest, BarDateRangesAnswerForAWholeListAtOnce) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  db_->commit_import(sym("AAPL"), bars({"2024-01-02", "2024-01-03", "2024-01-04"}).view(),
                     ok("r1", Phase::import, "AAPL"));
  db_->commit_import(sym("BRK.B"), bars({"2023-12-29"}).view(), ok("r1", Phase::import, "BRK.B"));
  const std::vector<Symbol> list{sym("MSFT"), sym("BRK.B"), sym("AAPL")};
  const auto daily = db_->bar_date_ranges(list, Timeframe::daily);
  ASSERT_EQ(daily.size(), 2u);
  EXPECT_EQ(daily.at("AAPL").first, d("2024-01-02"));
  EXPECT_EQ(daily.at("AAPL").last, d("2024-01-04"));
  EXPECT_EQ(daily.at("BRK.B").first, d("2023-12-29"));
  EXPECT_EQ(daily.at("BRK.B").last, d("2023-12-29"));
  for (const auto& s : list) {
    const auto it = daily.find(s.str());
    EXPECT_EQ(it == daily.end() ? std::nullopt : std::optional(it->second.first),
              db_->first_bar_date(s, Timeframe::daily))
        << s.str();
    EXPECT_EQ(it == daily.end() ? std::nullopt : std::optional(it->second.last),
              db_->last_bar_date(s, Timeframe::daily))
        << s.str();
  }
  EXPECT_TRUE(db_->bar_date_ranges(list, Timeframe::weekly).empty());
  EXPECT_TRUE(db_->bar_date_ranges({}, Timeframe::daily).empty());
}

TEST_P(StorageTest, TerminalRunStatesAreFinal) {
  auto r = run("r1", "2025-01-01T00:00:00.000Z");
  db_->insert_run(r);
  r.status = RunStatus::cancelled;
  r.finished_at = "2025-01-01T00:01:00.000Z";
  r.phase_summaries[0].status = "cancelled";
  EXPECT_TRUE(db_->update_run(r));
  auto late = r;
  late.status = RunStatus::completed;
  late.symbols_processed = 99;
  late.phase_summaries[0].status = "completed";
  EXPECT_FALSE(db_->update_run(late));
  const auto got = db_->get_run("r1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, RunStatus::cancelled);
  EXPECT_EQ(got->symbols_processed, 0);
  ASSERT_EQ(got->phase_summaries.size(), 2u);
  EXPECT_EQ(got->phase_summaries[0].status, "cancelled");
}

TEST_P(StorageTest, RunHistoryUsesKeysetPaginationAndFilters) {
  for (int i = 0; i < 7; ++i) {
    auto r = run("run" + std::to_string(i), "2025-01-0" + std::to_string(i + 1) + "T00:00:00.000Z");
    db_->insert_run(r);
    if (i % 2 == 0) {
      r.status = RunStatus::completed;
      db_->update_run(r);
    }
  }
  RunQuery q;
  q.limit = 3;
  auto page1 = db_->list_runs(q);
  ASSERT_EQ(page1.size(), 3u);
  EXPECT_EQ(page1[0].run_id, "run6");
  q.cursor = page1.back().started_at + "|" + page1.back().run_id;
  auto page2 = db_->list_runs(q);
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_EQ(page2[0].run_id, "run3");
  q.cursor = page2.back().started_at + "|" + page2.back().run_id;
  auto page3 = db_->list_runs(q);
  ASSERT_EQ(page3.size(), 1u);
  EXPECT_EQ(page3[0].run_id, "run0");
  RunQuery done;
  done.status = RunStatus::completed;
  EXPECT_EQ(db_->list_runs(done).size(), 4u);
  RunQuery recent;
  recent.started_after = "2025-01-05T00:00:00.000Z";
  EXPECT_EQ(db_->list_runs(recent).size(), 3u);
}

TEST_P(StorageTest, IndicatorValuesKeepOneRowPerAsOfDate) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  std::vector<TimeframeIndicators> rows{{Timeframe::daily,
                                         {{"SMA(timeperiod=20)", d("2024-01-02"), R"({"real":1})"},
                                          {"SMA(timeperiod=20)", d("2024-01-03"), R"({"real":2})"}}}};
  db_->commit_indicators(sym("AAPL"), rows, d("2024-01-03"), ok("r1", Phase::indicators, "AAPL"));
  rows[0].rows = {{"SMA(timeperiod=20)", d("2024-01-03"), R"({"real":3})"},
                  {"SMA(timeperiod=20)", d("2024-01-04"), R"({"real":4})"}};
  db_->commit_indicators(sym("AAPL"), rows, d("2024-01-04"), ok("r1", Phase::indicators, "AAPL"));
  const auto got = db_->indicator_values(sym("AAPL"), Timeframe::daily, "SMA(timeperiod=20)");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].values_json, R"({"real":3})");
  EXPECT_EQ(db_->watermark(sym("AAPL"), Phase::indicators), d("2024-01-04"));
  EXPECT_FALSE(db_->watermark(sym("AAPL"), Phase::patterns).has_value());
}

// Study states: binary bytes round-trip exactly (NULs and high bytes
// included), one row per (symbol, timeframe) that a later commit replaces, a
// commit without states leaves them, and a backfill import removes them with
// the symbol's other derived results.
TEST_P(StorageTest, StudyStatesRoundTripPerTimeframeAndGoWithABackfill) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  std::string bytes;
  for (int i = 0; i < 20000; ++i) bytes.push_back(static_cast<char>((i * 7919) & 0xff));  // every byte value
  EXPECT_FALSE(db_->study_states(sym("AAPL"), Timeframe::daily).has_value());
  std::vector<TimeframeIndicators> rows{{Timeframe::daily, {}, StudyStates{d("2024-01-03"), bytes}},
                                        {Timeframe::weekly, {}, StudyStates{d("2023-12-25"), "w"}}};
  db_->commit_indicators(sym("AAPL"), rows, d("2024-01-03"), ok("r1", Phase::indicators, "AAPL"));
  auto daily = db_->study_states(sym("AAPL"), Timeframe::daily);
  ASSERT_TRUE(daily.has_value());
  EXPECT_EQ(daily->as_of, d("2024-01-03"));
  EXPECT_TRUE(daily->bytes == bytes) << "the state changed in storage (" << daily->bytes.size() << " bytes)";
  EXPECT_EQ(db_->study_states(sym("AAPL"), Timeframe::weekly)->bytes, "w");
  EXPECT_FALSE(db_->study_states(sym("AAPL"), Timeframe::monthly).has_value());
  EXPECT_FALSE(db_->study_states(sym("MSFT"), Timeframe::daily).has_value());

  rows = {{Timeframe::daily, {}, StudyStates{d("2024-01-04"), std::string("\0x", 2)}},
          {Timeframe::weekly, {{"SMA(timeperiod=20)", d("2024-01-01"), R"({"real":1})"}}}};
  db_->commit_indicators(sym("AAPL"), rows, d("2024-01-04"), ok("r1", Phase::indicators, "AAPL"));
  daily = db_->study_states(sym("AAPL"), Timeframe::daily);
  EXPECT_EQ(daily->as_of, d("2024-01-04"));
  EXPECT_EQ(daily->bytes, std::string("\0x", 2));
  EXPECT_EQ(db_->study_states(sym("AAPL"), Timeframe::weekly)->bytes, "w");  // no states given: kept

  db_->commit_import(sym("AAPL"), bars({"2020-01-02"}).view(), ok("r1", Phase::import, "AAPL"),
                     /*reset_watermarks=*/true);
  EXPECT_FALSE(db_->study_states(sym("AAPL"), Timeframe::daily).has_value());
  EXPECT_FALSE(db_->study_states(sym("AAPL"), Timeframe::weekly).has_value());
}

TEST_P(StorageTest, DetectionsAreKeyedBySymbolTimeframePatternAndDate) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  db_->insert_run(run("r2", "2025-01-02T00:00:00.000Z"));
  std::vector<DetectionRow> rows{{"hammer", d("2024-01-02"), "bullish", 100, 0.8, R"({"entry":10})"},
                                 {"doji", d("2024-01-02"), "neutral", 100, 0.5, "{}"}};
  db_->commit_patterns(sym("AAPL"), Timeframe::daily, rows, d("2024-01-02"),
                       ok("r1", Phase::patterns, "AAPL"));
  db_->commit_patterns(sym("AAPL"), Timeframe::daily, rows, d("2024-01-02"),
                       ok("r2", Phase::patterns, "AAPL"));
  EXPECT_EQ(db_->count_detections(), 2);
  EXPECT_EQ(db_->count_detections("r2"), 2);
  EXPECT_EQ(db_->count_detections("r1"), 0);
}

TEST_P(StorageTest, UniverseMembershipKeepsHistory) {
  Universe u{
      "mine", "2025-01-01", {{sym("AAPL"), "Apple", "IT", {}}, {sym("MSFT"), "Microsoft", "IT", {}}}, ""};
  db_->upsert_universe(u);
  u.members.pop_back();
  db_->upsert_universe(u);
  EXPECT_EQ(rows("SELECT symbol, active FROM memberships WHERE universe='mine' ORDER BY symbol"),
            (Rows{{"AAPL", "1"}, {"MSFT", "0"}}));
}

TEST_P(StorageTest, IndicatorReadsHonourRangesAndFindTheLatestValue) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  std::vector<TimeframeIndicators> rows{
      {Timeframe::daily,
       {{"SMA(timeperiod=20)", d("2024-01-02"), R"({"real":1})"},
        {"SMA(timeperiod=20)", d("2024-01-03"), R"({"real":2})"},
        {"SMA(timeperiod=20)", d("2024-01-05"), R"({"real":5})"},
        {"RSI(timeperiod=14)", d("2024-01-04"), R"({"real":40})"}}},
      {Timeframe::weekly, {{"SMA(timeperiod=20)", d("2024-01-08"), R"({"real":9})"}}}};
  db_->commit_indicators(sym("AAPL"), rows, d("2024-01-05"), ok("r1", Phase::indicators, "AAPL"));
  const auto mid = db_->indicator_values(sym("AAPL"), Timeframe::daily, "SMA(timeperiod=20)", d("2024-01-03"),
                                         d("2024-01-04"));
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0].as_of, d("2024-01-03"));
  EXPECT_EQ(
      db_->indicator_values(sym("AAPL"), Timeframe::daily, "SMA(timeperiod=20)", d("2024-01-03")).size(), 2u);
  const std::vector<std::string> keys{"SMA(timeperiod=20)", "RSI(timeperiod=14)", "EMA(timeperiod=5)"};
  const auto latest = db_->latest_indicator_values(sym("AAPL"), Timeframe::daily, keys);
  ASSERT_EQ(latest.size(), 2u);  // no EMA stored
  EXPECT_EQ(latest[0].indicator, "SMA(timeperiod=20)");
  EXPECT_EQ(latest[0].as_of, d("2024-01-05"));
  EXPECT_EQ(latest[0].values_json, R"({"real":5})");
  EXPECT_EQ(latest[1].as_of, d("2024-01-04"));
  EXPECT_EQ(db_->latest_indicator_values(sym("AAPL"), Timeframe::weekly, keys)[0].values_json,
            R"({"real":9})");
  EXPECT_TRUE(db_->latest_indicator_values(sym("MSFT"), Timeframe::daily, keys).empty());
}

TEST_P(StorageTest, LatestBarAndSymbolsWithBars) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  for (const char* s : {"AAPL", "AMZN", "ABT", "MSFT", "KO"})
    db_->commit_import(sym(s), bars({"2024-01-02", "2024-01-03"}).view(), ok("r1", Phase::import, s));
  const auto last = db_->latest_bar(sym("AAPL"), Timeframe::daily);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->date, d("2024-01-03"));
  EXPECT_EQ(last->close, 11.5);
  EXPECT_FALSE(db_->latest_bar(sym("AAPL"), Timeframe::weekly));
  EXPECT_FALSE(db_->latest_bar(sym("NVDA"), Timeframe::daily));
  using V = std::vector<std::string>;
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::daily, "", 100), (V{"AAPL", "ABT", "AMZN", "KO", "MSFT"}));
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::daily, "A", 100), (V{"AAPL", "ABT", "AMZN"}));
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::daily, "AB", 100), (V{"ABT"}));
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::daily, "", 2), (V{"AAPL", "ABT"}));
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::daily, "Z", 10), V{});
  EXPECT_EQ(db_->symbols_with_bars(Timeframe::weekly, "", 10), V{});
}

TEST_P(StorageTest, UniversesListWithActiveMemberCounts) {
  EXPECT_TRUE(db_->list_universes().empty());
  EXPECT_FALSE(db_->universe_symbols("mine").has_value());
  Universe u{
      "mine", "2025-01-01", {{sym("MSFT"), "Microsoft", "IT", {}}, {sym("AAPL"), "Apple", "IT", {}}}, ""};
  db_->upsert_universe(u);
  db_->upsert_universe(Universe{"custom", "", {{sym("KO"), "", "", {}}}, ""});
  u.members.pop_back();
  db_->upsert_universe(u);  // AAPL leaves
  const auto all = db_->list_universes();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "custom");
  EXPECT_EQ(all[1].name, "mine");
  EXPECT_EQ(all[1].symbols, 1);
  EXPECT_EQ(all[1].as_of, "2025-01-01");
  EXPECT_EQ(db_->universe_symbols("mine"), std::vector<std::string>{"MSFT"});
}

// A list that names a symbol twice keeps its later entry (name, sector and
// weight), on both backends (PostgreSQL writes a list in one statement).
TEST_P(StorageTest, AListNamingASymbolTwiceKeepsTheLaterEntry) {
  Universe u{"twice", "2025-01-01", {}, ""};
  u.members = {{sym("AAPL"), "Apple old", "", 0.5}, {sym("KO"), "Coca-Cola", "Staples", {}},
               {sym("AAPL"), "Apple", "IT", 0.25}};
  db_->register_universe(u);
  const auto got = db_->registered_universe("twice");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->members.size(), 2u);
  EXPECT_EQ(got->members[0].symbol, sym("AAPL"));
  EXPECT_EQ(got->members[0].weight, 0.25);
  EXPECT_EQ(got->members[0].name, "Apple");
  EXPECT_FALSE(got->members[1].weight.has_value());
  EXPECT_EQ(db_->symbol_record("AAPL")->sector, "IT");
  EXPECT_EQ(db_->symbol_record("KO")->name, "Coca-Cola");
}

TEST_P(StorageTest, RegisteredUniversesKeepWeightsAndMembershipHistory) {
  Universe u{"mine", "2025-01-01", {}, "My list"};
  u.members = {{sym("MSFT"), "Microsoft", "IT", 0.25}, {sym("AAPL"), "", "", 0.75}, {sym("KO"), "", "", {}}};
  db_->register_universe(u);
  auto got = db_->registered_universe("mine");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->description, "My list");
  ASSERT_EQ(got->members.size(), 3u);  // sorted by symbol
  EXPECT_EQ(got->members[0].symbol, sym("AAPL"));
  EXPECT_EQ(got->members[0].weight, 0.75);
  EXPECT_FALSE(got->members[1].weight.has_value());  // KO: unweighted
  EXPECT_EQ(got->members[2].name, "Microsoft");

  // Re-adding replaces the membership: AAPL and KO leave (kept, inactive), NVDA joins.
  u.members = {{sym("MSFT"), "", "", 0.5}, {sym("NVDA"), "", "", 0.5}};
  db_->register_universe(u);
  got = db_->registered_universe("mine");
  ASSERT_EQ(got->members.size(), 2u);
  EXPECT_EQ(got->members[0].weight, 0.5);
  EXPECT_EQ(got->members[0].name, "Microsoft");  // the symbol row keeps its name
  EXPECT_EQ(db_->universe_symbols("mine"), (std::vector<std::string>{"MSFT", "NVDA"}));

  // A run of the registered universe records it without touching its membership.
  db_->upsert_universe(Universe{"mine", "", {{sym("AAPL"), "", "", {}}}, ""});
  EXPECT_EQ(db_->universe_symbols("mine"), (std::vector<std::string>{"MSFT", "NVDA"}));
  EXPECT_EQ(db_->registered_universe("mine")->members[1].weight, 0.5);

  // Universes only recorded by runs are not registered ones.
  db_->upsert_universe(Universe{"custom", "", {{sym("KO"), "", "", {}}}, ""});
  EXPECT_FALSE(db_->registered_universe("custom"));
  EXPECT_FALSE(db_->registered_universe("nope"));
  const auto all = db_->list_universes();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].registered);
  EXPECT_TRUE(all[1].registered);
  EXPECT_EQ(all[1].symbols, 2);
  EXPECT_EQ(all[1].description, "My list");

  // Names resolve built-in first, then registered.
  EXPECT_EQ(resolve_universe(*db_, "dow30")->members.size(), 30u);
  EXPECT_EQ(resolve_universe(*db_, "mine")->members.size(), 2u);
  const auto unknown = resolve_universe(*db_, "custom");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "UNKNOWN_UNIVERSE");
  EXPECT_NE(unknown.error().message.find("registered: mine"), std::string::npos) << unknown.error().message;
}

TEST_P(StorageTest, SymbolDetailsAreStoredStampedAndWinOverListNames) {
  db_->upsert_universe(
      Universe{"dow", "", {{sym("AAPL"), "Apple (list)", "IT", {}}, {sym("MSFT"), "", "", {}}}, ""});
  EXPECT_EQ(db_->symbol_record("AAPL")->name, "Apple (list)");
  EXPECT_FALSE(db_->symbol_record("AAPL")->active.has_value());
  EXPECT_FALSE(db_->symbol_record("NVDA"));
  const std::vector<Symbol> all{sym("AAPL"), sym("MSFT"), sym("NVDA")};
  EXPECT_EQ(db_->symbols_needing_details(all, "2000-01-01T00:00:00.000Z"), all);

  db_->put_symbol_details({{"AAPL", {"Apple Inc.", "XNAS", "CS", true}}, {"MSFT", {"", "", "", false}}});
  const auto aapl = db_->symbol_record("AAPL");
  ASSERT_TRUE(aapl);
  EXPECT_EQ(aapl->name, "Apple Inc.");
  EXPECT_EQ(aapl->exchange, "XNAS");
  EXPECT_EQ(aapl->type, "CS");
  EXPECT_EQ(aapl->active, true);
  EXPECT_EQ(aapl->sector, "IT");
  EXPECT_FALSE(aapl->details_at.empty());
  EXPECT_EQ(db_->symbol_record("MSFT")->active, false);  // unknown to the vendor
  // Fresh details are not asked for again until they are older than the cutoff.
  EXPECT_EQ(db_->symbols_needing_details(all, "2000-01-01T00:00:00.000Z"), std::vector<Symbol>{sym("NVDA")});
  EXPECT_EQ(db_->symbols_needing_details(all, "9999-01-01T00:00:00.000Z"), all);
  // A later universe upsert keeps the vendor's name.
  db_->upsert_universe(Universe{"dow", "", {{sym("AAPL"), "Apple (list)", "IT", {}}}, ""});
  EXPECT_EQ(db_->symbol_record("AAPL")->name, "Apple Inc.");
}

TEST_P(StorageTest, MigrationFourKeepsVersionThreeRowsValid) {
  const std::string old = database_at_version(
      3,
      "INSERT INTO universes(name, as_of, updated_at) VALUES ('dow30', '2025-01-01', 'now');"
      "INSERT INTO symbols(symbol, name, updated_at) VALUES ('AAPL', 'Apple', 'now');"
      "INSERT INTO memberships VALUES ('dow30', 'AAPL', 'now', 'now', 1);");

  db_ = open_storage(old);
  const auto all = db_->list_universes();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].symbols, 1);
  EXPECT_FALSE(all[0].registered);
  EXPECT_FALSE(db_->registered_universe("dow30"));
  const auto aapl = db_->symbol_record("AAPL");
  ASSERT_TRUE(aapl);
  EXPECT_EQ(aapl->name, "Apple");
  EXPECT_FALSE(aapl->active.has_value());
  EXPECT_TRUE(aapl->details_at.empty());
  EXPECT_EQ(db_->symbols_needing_details({sym("AAPL")}, "2000-01-01T00:00:00.000Z"),
            std::vector<Symbol>{sym("AAPL")});
  EXPECT_EQ(rows("SELECT MAX(version) FROM schema_migrations", old)[0][0],
            std::to_string(backend_migrations().back().version));
}

TEST_P(StorageTest, MigrationNineKeepsEveryIndicatorValue) {
  const std::string old = database_at_version(
      8,
      "INSERT INTO indicator_values(symbol, timeframe, indicator, as_of, value, run_id) VALUES "
      "('AAPL', 'daily', 'RSI(timeperiod=14)', '2024-03-05', '{\"real\":55.5}', 'r0'),"
      "('AAPL', 'weekly', 'RSI(timeperiod=14)', '2024-03-04', '{\"real\":61}', 'r0'),"
      "('AAPL', 'monthly', 'RSI(timeperiod=14)', '2024-03-01', '{\"real\":70.25}', 'r0');");

  db_ = open_storage(old);
  const auto value = [&](Timeframe tf) {
    const auto v = db_->indicator_values(sym("AAPL"), tf, "RSI(timeperiod=14)");
    return v.size() == 1 ? v[0].values_json : "";
  };
  EXPECT_EQ(value(Timeframe::daily), R"({"real":55.5})");
  EXPECT_EQ(value(Timeframe::weekly), R"({"real":61})");
  EXPECT_EQ(value(Timeframe::monthly), R"({"real":70.25})");
  EXPECT_EQ(db_->count_indicator_values(), 3);
  // The migrated table still takes a rewrite of a stored key as an upsert.
  db_->insert_run(run("r1", "2024-03-06T21:00:00.000Z"));
  db_->commit_indicators(sym("AAPL"),
                         {{Timeframe::weekly, {{"RSI(timeperiod=14)", d("2024-03-04"), R"({"real":62})"}}}},
                         std::nullopt, ok("r1", Phase::indicators, "AAPL"));
  EXPECT_EQ(value(Timeframe::weekly), R"({"real":62})");
  EXPECT_EQ(db_->count_indicator_values(), 3);
  if (!sqlite()) {
    const auto placed =
        rows("SELECT tableoid::regclass, timeframe FROM indicator_values ORDER BY timeframe", old);
    ASSERT_EQ(placed.size(), 3u);
    EXPECT_EQ(placed[0], (std::vector<std::string>{"indicator_values_daily", "daily"}));
    EXPECT_EQ(placed[1], (std::vector<std::string>{"indicator_values_periods", "monthly"}));
    EXPECT_EQ(placed[2], (std::vector<std::string>{"indicator_values_periods", "weekly"}));
  }
}

TEST_P(StorageTest, MigrationSixKeepsRunsAndTheirTriggersAndAcceptsResumeRuns) {
  const std::string old = database_at_version(
      4,
      "INSERT INTO processing_runs(run_id, trigger_type, status, phases, universe, run_date, started_at) "
      "VALUES ('done', 'manual', 'completed', '[\"import\"]', 'dow30', '2025-01-02', "
      "'2025-01-02T21:00:00.000Z'),"
      " ('stopped', 'api', 'interrupted', '[\"import\"]', 'dow30', '2025-01-03', "
      "'2025-01-03T21:00:00.000Z');"
      "INSERT INTO run_phases(run_id, phase, status) VALUES ('done', 'import', 'completed');");

  db_ = open_storage(old);
  ASSERT_EQ(db_->list_runs({}).size(), 2u);
  auto child = run("child", "2025-01-04T21:00:00.000Z");
  child.trigger_type = TriggerType::resume;
  child.parent_run_id = "stopped";
  db_->insert_run(child);
  const auto stored = db_->get_run("child");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->trigger_type, TriggerType::resume);
  EXPECT_EQ(stored->parent_run_id, "stopped");
  // Terminal states are still final, for the run and its phases.
  auto done = *db_->get_run("done");
  done.status = RunStatus::failed;
  done.phase_summaries.at(0).status = "failed";
  EXPECT_FALSE(db_->update_run(done));
  EXPECT_EQ(db_->get_run("done")->status, RunStatus::completed);
  EXPECT_EQ(db_->get_run("done")->phase_summaries.at(0).status, "completed");
  // References are still enforced: a parent that does not exist is refused.
  auto orphan = run("orphan", "2025-01-05T21:00:00.000Z");
  orphan.parent_run_id = "no-such-run";
  EXPECT_THROW(db_->insert_run(orphan), StorageError);
}

// Migration v5: the event outbox keeps publishing order and never hands out
// an id twice, even after its newest rows were deleted (a drainer positioned
// after them would otherwise skip the new rows).
TEST_P(StorageTest, EventOutboxKeepsOrderAndNeverReusesIds) {
  std::vector<OutboxEvent> batch;
  for (int i = 0; i < 5; ++i) batch.push_back({0, "ch" + std::to_string(i % 2), "p" + std::to_string(i)});
  db_->append_outbox(batch);
  for (std::size_t i = 1; i < batch.size(); ++i) EXPECT_GT(batch[i].id, batch[i - 1].id);
  EXPECT_EQ(db_->count_outbox(), 5);
  const auto first = db_->read_outbox(0, 3);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].payload, "p0");
  EXPECT_EQ(first[2].payload, "p2");
  EXPECT_EQ(first[1].channel, "ch1");
  const auto rest = db_->read_outbox(first.back().id, 100);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].payload, "p3");

  EXPECT_EQ(db_->delete_outbox(batch.back().id), 5);  // everything, the newest row included
  EXPECT_EQ(db_->count_outbox(), 0);
  std::vector<OutboxEvent> more{{0, "c", "later"}};
  db_->append_outbox(more);
  EXPECT_GT(more[0].id, batch.back().id);
  const auto after = db_->read_outbox(batch.back().id, 10);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].payload, "later");

  // Survives reopening (the database, not a cache).
  db_.reset();
  db_ = open_storage(url_);
  EXPECT_EQ(db_->count_outbox(), 1);
}

TEST_P(StorageTest, SeqHighWaterOnlyRisesAndIsPerRun) {
  EXPECT_EQ(db_->seq_high_water("r1"), 0u);
  EXPECT_EQ(db_->reserve_seq("r1", 1024), 1024u);
  EXPECT_EQ(db_->reserve_seq("r1", 10), 1024u);  // never lowered
  EXPECT_EQ(db_->reserve_seq("r1", 2048), 2048u);
  db_->settle_seq("r1", 1500);  // the one numbering process gives back the rest of its block
  EXPECT_EQ(db_->seq_high_water("r1"), 1500u);
  EXPECT_EQ(db_->seq_high_water("r2"), 0u);
  db_.reset();
  db_ = open_storage(url_);
  EXPECT_EQ(db_->seq_high_water("r1"), 1500u);
}

TEST_P(StorageTest, DetectionQueriesFilterAndPageNewestFirstWithoutGapsOrRepeats) {
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  auto put = [&](const char* s, Timeframe tf, std::vector<DetectionRow> rows) {
    db_->commit_patterns(sym(s), tf, rows, std::nullopt, ok("r1", Phase::patterns, s));
  };
  put("AAPL", Timeframe::daily,
      {{"hammer", d("2024-01-02"), "bullish", 100, 0.8, R"({"entry":10})"},
       {"doji", d("2024-01-02"), "neutral", 100, 0.5, "{}"},
       {"engulfing", d("2024-01-05"), "bearish", -100, 0.7, "{}"}});
  put("MSFT", Timeframe::daily,
      {{"hammer", d("2024-01-02"), "bullish", 100, 0.6, "{}"},
       {"doji", d("2024-01-04"), "neutral", 100, 0.5, "{}"}});
  put("MSFT", Timeframe::weekly, {{"doji", d("2024-01-01"), "neutral", 100, 0.5, "{}"}});

  DetectionQuery q;
  q.limit = 100;
  const auto all = db_->query_detections(q);
  ASSERT_EQ(all.size(), 6u);
  std::vector<std::string> order;
  for (const auto& r : all)
    order.push_back(format_date(r.bar_date) + " " + r.symbol + " " + std::string(to_string(r.timeframe)) +
                    " " + r.pattern);
  EXPECT_EQ(order, (std::vector<std::string>{"2024-01-05 AAPL daily engulfing", "2024-01-04 MSFT daily doji",
                                             "2024-01-02 AAPL daily doji", "2024-01-02 AAPL daily hammer",
                                             "2024-01-02 MSFT daily hammer", "2024-01-01 MSFT weekly doji"}));
  EXPECT_EQ(all[3].levels_json, R"({"entry":10})");
  EXPECT_EQ(all[3].run_id, "r1");
  EXPECT_EQ(all[3].direction, "bullish");
  EXPECT_FALSE(all[3].detected_at.empty());

  // Pages of two walk the same order exactly once.
  std::vector<std::string> paged;
  q.limit = 2;
  for (int page = 0; page < 10; ++page) {
    const auto rows = db_->query_detections(q);
    for (const auto& r : rows)
      paged.push_back(format_date(r.bar_date) + " " + r.symbol + " " + std::string(to_string(r.timeframe)) +
                      " " + r.pattern);
    if (rows.size() < 2) break;
    const auto& l = rows.back();
    q.after = DetectionQuery::Key{l.bar_date, l.symbol, std::string(to_string(l.timeframe)), l.pattern};
  }
  EXPECT_EQ(paged, order);

  auto count = [&](auto&& fill) {
    DetectionQuery f;
    fill(f);
    return db_->query_detections(f).size();
  };
  EXPECT_EQ(count([](auto& f) { f.symbol = "MSFT"; }), 3u);
  EXPECT_EQ(count([](auto& f) { f.pattern = "doji"; }), 3u);
  EXPECT_EQ(count([](auto& f) { f.direction = "bullish"; }), 2u);
  EXPECT_EQ(count([](auto& f) { f.timeframe = Timeframe::weekly; }), 1u);
  EXPECT_EQ(count([&](auto& f) { f.from = d("2024-01-03"); }), 2u);
  EXPECT_EQ(count([&](auto& f) { f.to = d("2024-01-02"); }), 4u);
  EXPECT_EQ(count([&](auto& f) {
              f.symbol = "AAPL";
              f.pattern = "doji";
              f.from = d("2024-01-02");
              f.to = d("2024-01-02");
            }),
            1u);
}

TEST_P(StorageTest, ASymbolsDetectionPagesReadTheSymbolIndexInOrder) {
  const std::string query =
      "SELECT pattern FROM pattern_detections WHERE symbol='AAPL' AND bar_date>='2000-01-01' AND "
      "bar_date<='2030-01-01' ORDER BY bar_date DESC, symbol, timeframe, pattern LIMIT 10";
  std::string plan;
  if (sqlite()) {
    for (const auto& r : rows("EXPLAIN QUERY PLAN " + query)) plan += r[3] + "\n";
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort: the index is in order
  } else {
    // An empty table would be scanned sequentially; rule that out to see
    // which index the planner can use for this exact order.
    for (const auto& r : rows("SET enable_seqscan = off; EXPLAIN " + query)) plan += r[0] + "\n";
    EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;
  }
  EXPECT_NE(plan.find("pattern_detections_by_symbol"), std::string::npos) << plan;
}

TEST_P(StorageTest, TextWithCopyControlCharactersRoundTrips) {
  // COPY's text format reserves tab, newline, carriage return and backslash.
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  const std::string json = "{\"note\":\"a\\tb\\\\c\",\"raw\":\"x\ty\\nz\\r\"}";
  std::vector<TimeframeIndicators> rows{{Timeframe::daily, {{"X(a=1)", d("2024-01-02"), json}}}};
  db_->commit_indicators(sym("AAPL"), rows, std::nullopt, ok("r1", Phase::indicators, "AAPL"));
  db_->commit_patterns(sym("AAPL"), Timeframe::daily, {{"doji", d("2024-01-02"), "neutral", 0.1, 0.3, json}},
                       std::nullopt, ok("r1", Phase::patterns, "AAPL"));
  EXPECT_EQ(db_->indicator_values(sym("AAPL"), Timeframe::daily, "X(a=1)").at(0).values_json, json);
  const auto det = db_->query_detections({});
  ASSERT_EQ(det.size(), 1u);
  EXPECT_EQ(det[0].levels_json, json);
  EXPECT_EQ(det[0].strength, 0.1);  // doubles come back bit for bit
  EXPECT_EQ(det[0].confidence, 0.3);
}

TEST_P(StorageTest, AUnitOfWorkWhoseOutcomeIsRefusedStoresNoneOfIt) {
  // The outcome is written last (on PostgreSQL a small unit is one statement
  // whose rows and watermark are CTEs before it): the schema refusing it must
  // take the unit's rows, states and watermark with it.
  db_->insert_run(run("r1", "2024-03-06T21:00:00.000Z"));
  const auto refused = [&](Phase p) {
    auto o = ok("r1", p, "AAPL");
    o.status = "done";  // not a status run_symbols accepts
    return o;
  };
  const TradingDate day = d("2024-03-05");
  EXPECT_THROW(db_->commit_import(sym("AAPL"), bars({"2024-03-05"}).view(), refused(Phase::import)),
               StorageError);
  EXPECT_THROW(db_->commit_resampled(sym("AAPL"), bars({"2024-03-04"}).view(), bars({"2024-03-01"}).view(),
                                     day, refused(Phase::cache_sync)),
               StorageError);
  EXPECT_THROW(db_->commit_indicators(sym("AAPL"),
                                      {{Timeframe::daily,
                                        {{"RSI(timeperiod=14)", day, R"({"real":1})"}},
                                        StudyStates{d("2024-03-04"), std::string("\0state\xff", 7)}}},
                                      day, refused(Phase::indicators)),
               StorageError);
  EXPECT_THROW(db_->commit_patterns(sym("AAPL"), Timeframe::daily, {{"doji", day, "neutral", 50, 0.5, "{}"}},
                                    day, refused(Phase::patterns)),
               StorageError);
  EXPECT_EQ(db_->count_bars(), 0);
  EXPECT_EQ(db_->count_indicator_values(), 0);
  EXPECT_FALSE(db_->study_states(sym("AAPL"), Timeframe::daily));
  EXPECT_EQ(db_->count_detections(), 0);
  for (const Phase p : {Phase::cache_sync, Phase::indicators, Phase::patterns})
    EXPECT_FALSE(db_->watermark(sym("AAPL"), p)) << to_string(p);
  EXPECT_TRUE(db_->run_outcomes("r1", false).empty());
}

TEST_P(StorageTest, SavedStatesOfSeveralTimeframesKeepTheirOwnBytes) {
  // On PostgreSQL a unit sends every state's bytes in one parameter, cut
  // apart by offset and length: each timeframe must read back its own.
  db_->insert_run(run("r1", "2024-03-06T21:00:00.000Z"));
  const std::string daily("d\0\x01\xfe", 4), weekly(9000, '\x7f'), monthly("m");
  db_->commit_indicators(sym("AAPL"),
                         {{Timeframe::daily, {}, StudyStates{d("2024-03-04"), daily}},
                          {Timeframe::weekly, {}, StudyStates{d("2024-02-26"), weekly}},
                          {Timeframe::monthly, {}, StudyStates{d("2024-02-01"), monthly}}},
                         d("2024-03-05"), ok("r1", Phase::indicators, "AAPL"));
  const auto read = [&](Timeframe tf) { return db_->study_states(sym("AAPL"), tf).value_or(StudyStates{}); };
  EXPECT_EQ(read(Timeframe::daily).bytes, daily);
  EXPECT_EQ(read(Timeframe::daily).as_of, d("2024-03-04"));
  EXPECT_EQ(read(Timeframe::weekly).bytes, weekly);
  EXPECT_EQ(read(Timeframe::weekly).as_of, d("2024-02-26"));
  EXPECT_EQ(read(Timeframe::monthly).bytes, monthly);
  EXPECT_EQ(read(Timeframe::monthly).as_of, d("2024-02-01"));
  EXPECT_EQ(db_->watermark(sym("AAPL"), Phase::indicators), d("2024-03-05"));
  // A unit without states leaves the stored ones, and without a watermark leaves it.
  db_->commit_indicators(sym("AAPL"), {{Timeframe::daily, {{"RSI(timeperiod=14)", d("2024-03-06"), "{}"}}}},
                         std::nullopt, ok("r1", Phase::indicators, "AAPL"));
  EXPECT_EQ(read(Timeframe::weekly).bytes, weekly);
  EXPECT_EQ(db_->watermark(sym("AAPL"), Phase::indicators), d("2024-03-05"));
}

TEST_P(StorageTest, SmallAndBulkUnitsOfWorkStoreTheSameValues) {
  // PostgreSQL writes a few rows through unnest() of array literals and many
  // through COPY (kCopyMinRows): straight into the table while no stored row
  // is in the batch's key range (the first pass), through the staging table
  // and an upsert once one is (the later passes: the same keys with new
  // values, then a batch reaching past the stored range). SQLite has one
  // path. Either way every text and every double comes back exactly, and a
  // re-write updates in place.
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  const std::string json = R"({"a":"q\"uote","b":"back\\slash","c":"{x,y}","d":"tab\tnl\n"})";
  const auto value = [](std::size_t i, int pass) {
    return 0.1 * static_cast<double>(i) + 0.2 + pass;  // not exact in binary
  };
  for (const std::size_t n : {std::size_t{3}, std::size_t{600}}) {
    const auto s = sym(n == 3 ? "SMALL" : "BULK");
    constexpr int kPasses = 3;
    std::size_t total = 0;
    for (int pass = 0; pass < kPasses; ++pass) {
      // The last pass starts half way into the stored range and reaches as
      // far past it.
      const std::size_t from = pass + 1 < kPasses ? 0 : n / 2;
      total = from + n;
      BarSeries bars;
      std::vector<DetectionRow> detections;
      std::vector<IndicatorRow> values;
      TradingDate day = d("2020-01-01") + std::chrono::days(from);
      for (std::size_t i = from; i < total; ++i, day += std::chrono::days(1)) {
        const double x = value(i, pass);
        bars.push_back({day, x, x + 1e-9, x - 1e-300, x + 1.0 / 3.0, 1e6 + static_cast<double>(i)});
        detections.push_back({i % 2 ? "doji" : "hammer", day, i % 3 ? "bullish" : "bearish", x, 0.5, json});
        values.push_back({"X(a=1)", day, json});
      }
      db_->commit_import(s, bars.view(), ok("r1", Phase::import, s.str().c_str()));
      db_->commit_patterns(s, Timeframe::daily, detections, std::nullopt, ok("r1", Phase::patterns, s.str().c_str()));
      db_->commit_indicators(s, {{Timeframe::daily, values}}, std::nullopt,
                             ok("r1", Phase::indicators, s.str().c_str()));
    }
    // Bars before n/2 hold the second pass's values, the rest the last's.
    const auto written_by = [&](std::size_t i) { return i < n / 2 ? kPasses - 2 : kPasses - 1; };
    const auto back = db_->load_bars(s, Timeframe::daily);
    ASSERT_EQ(back.size(), total);
    for (std::size_t i = 0; i < total; ++i) {
      const double x = value(i, written_by(i));
      EXPECT_EQ(back.open[i], x) << n << " bars, bar " << i;
      EXPECT_EQ(back.high[i], x + 1e-9);
      EXPECT_EQ(back.low[i], x - 1e-300);
      EXPECT_EQ(back.close[i], x + 1.0 / 3.0);
    }
    const auto stored = db_->indicator_values(s, Timeframe::daily, "X(a=1)");
    ASSERT_EQ(stored.size(), total);
    EXPECT_EQ(stored.back().values_json, json);
    DetectionQuery q;
    q.symbol = s.str();
    q.limit = 2000;
    const auto det = db_->query_detections(q);
    ASSERT_EQ(det.size(), total);
    for (const auto& r : det) {
      const auto i = static_cast<std::size_t>((r.bar_date - d("2020-01-01")).count());
      EXPECT_EQ(r.levels_json, json);
      EXPECT_EQ(r.strength, value(i, written_by(i))) << n << " rows, row " << i;
    }
  }
}

TEST_P(StorageTest, ConcurrentCommitsFromWorkerThreadsAllLand) {
  // The engine's phase workers call storage from one thread each.
  db_->insert_run(run("r1", "2025-01-01T00:00:00.000Z"));
  constexpr int kThreads = 4, kSymbolsEach = 10;
  BarSeries series;
  TradingDate day = d("2020-01-01");
  for (int i = 0; i < 300; ++i, day += std::chrono::days(1))
    series.push_back({day, 10 + i / 7.0, 11.0 + i, 9, 10.5 + i / 3.0, 1e6 + i});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSymbolsEach; ++i) {
        // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on a + chain here.
        std::string name = "S";
        name += std::to_string(t);
        name += 'X';
        name += std::to_string(i);
        db_->commit_import(sym(name.c_str()), series.view(), ok("r1", Phase::import, name.c_str()));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(db_->count_bars(Timeframe::daily), 300LL * kThreads * kSymbolsEach);
  EXPECT_EQ(db_->run_outcomes("r1", false).size(), static_cast<std::size_t>(kThreads * kSymbolsEach));
  const auto back = db_->load_bars(sym("S3X9"), Timeframe::daily);
  ASSERT_EQ(back.size(), 300u);
  EXPECT_EQ(back.open[299], series.open[299]);
  EXPECT_EQ(back.close[17], series.close[17]);
}

// --- PostgreSQL only: what SQLite has no counterpart for.
class PostgresStorageTest : public ::testing::Test {
 protected:
  static RunRecord run(const std::string& id) {
    RunRecord r;
    r.run_id = id;
    r.universe = "x";
    r.run_date = "2024-01-02";
    r.started_at = "2024-01-02T00:00:00.000Z";
    return r;
  }
  testing::PgTestDatabase pg_;
};

TEST_F(PostgresStorageTest, RetriesWhenTheServerDropsItsConnections) {
  auto db = open_storage(pg_.url());
  EXPECT_EQ(db->count_bars(), 0);  // a pooled connection now exists
  // Kill every session on the database, as a server restart or a failover would.
  const auto killed = pg_.query(
      "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() "
      "AND pid <> pg_backend_pid()) t");
  EXPECT_GE(killed[0][0].as<int>(), 1);
  // The next calls notice the dead connection, reconnect and succeed.
  db->put_setting("k", "v");
  EXPECT_EQ(db->get_setting("k"), "v");
  BarSeries b;
  b.push_back({parse_date("2024-01-02").value(), 1, 2, 0.5, 1.5, 100});
  db->insert_run(run("r1"));
  db->commit_import(Symbol::parse("AAPL").value(), b.view(),
                    {"r1", Phase::import, "AAPL", "ok", 1, "", "", 0});
  EXPECT_EQ(db->count_bars(), 1);
}

TEST_F(PostgresStorageTest, AFirstBulkWriteThatMeetsAnotherWritersRowFallsBackToTheUpsert) {
  // A first bulk write COPYs straight into ohlcv (no stored row in its range
  // when it probes). Here another transaction holds one of its keys,
  // uncommitted: the COPY waits on it and fails on the key once it commits;
  // the write must then take the staged upsert and store the whole batch.
  auto db = open_storage(pg_.url());
  db->insert_run(run("r1"));
  const auto s = Symbol::parse("RACE").value();
  BarSeries bars;
  TradingDate day = parse_date("2020-01-01").value();
  for (int i = 0; i < 600; ++i, day += std::chrono::days(1))
    bars.push_back({day, 10 + i * 0.5, 11 + i * 0.5, 9 + i * 0.5, 10.25 + i * 0.5, 1000.0 + i});
  pqxx::connection other(pg_.url());
  pqxx::work racer(other);
  racer.exec("INSERT INTO ohlcv VALUES ('RACE', 'daily', '2020-03-01', 1, 1, 1, 1, 1)");

  std::string error;
  std::thread writer([&] {
    try {
      db->commit_import(s, bars.view(), {"r1", Phase::import, "RACE", "ok", 1, "", "", 0});
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  // Commit the racing row once the writer waits on it (its COPY holds the key).
  bool waited = false;
  for (int i = 0; i < 3000 && !waited; ++i) {
    waited = pg_.query("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                       "wait_event_type = 'Lock'")[0][0]
                 .as<int>() > 0;
    if (!waited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  racer.commit();
  writer.join();
  ASSERT_TRUE(waited) << "the writer never waited on the racing row";
  EXPECT_EQ(error, "");
  const auto back = db->load_bars(s, Timeframe::daily);
  ASSERT_EQ(back.size(), bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) EXPECT_EQ(back.close[i], bars.close[i]) << "bar " << i;
}

TEST_F(PostgresStorageTest, ProcessesStartingTogetherMigrateOnce) {
  // Without the advisory lock both would run CREATE TABLE symbols and one would fail.
  std::vector<std::thread> starters;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i)
    starters.emplace_back([&] {
      try {
        open_storage(pg_.url());
        ++opened;
      } catch (const StorageError& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : starters) t.join();
  EXPECT_EQ(opened.load(), 4);
  const auto applied = pg_.query("SELECT COUNT(*) FROM schema_migrations");
  EXPECT_EQ(applied[0][0].as<std::size_t>(), postgres::migrations().size());
}

TEST_F(PostgresStorageTest, ErrorsAreStorageErrorsAndNeverShowThePassword) {
  // The test server trusts local users, so any password is accepted.
  const auto slash = pg_.url().find("@");
  const std::string with_password = "postgresql://tickstock:s3cret-pw" + pg_.url().substr(slash);
  auto db = open_storage(with_password);
  EXPECT_EQ(db->describe().find("s3cret-pw"), std::string::npos) << db->describe();
  EXPECT_NE(db->describe().find("postgresql://tickstock@127.0.0.1"), std::string::npos) << db->describe();
  try {
    open_storage("postgresql://tickstock:s3cret-pw@127.0.0.1:1/nowhere");
    FAIL() << "connected to a closed port";
  } catch (const StorageError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1/nowhere"), std::string::npos) << e.what();
  }
  // A statement the server rejects for good is not retried; it throws.
  pg_.query("ALTER TABLE ohlcv ADD CONSTRAINT no_aapl CHECK (symbol <> 'AAPL')");
  BarSeries b;
  b.push_back({parse_date("2024-01-02").value(), 1, 2, 0.5, 1.5, 100});
  db->insert_run(run("r1"));
  EXPECT_THROW(db->commit_import(Symbol::parse("AAPL").value(), b.view(),
                                 {"r1", Phase::import, "AAPL", "ok", 1, "", "", 0}),
               StorageError);
  EXPECT_EQ(db->count_bars(), 0);  // the unit of work rolled back whole
  EXPECT_TRUE(db->run_outcomes("r1", false).empty());
}

TEST_F(PostgresStorageTest, ADailyRunRewritesTheOpenWeeksAndMonthsRowsInPlace) {
  // Each daily run rewrites every study's row of the week and the month in
  // progress. The page keeps room for the new version (a HOT update: no new
  // primary-key entry); on a full page it would move to another page.
  auto db = open_storage(pg_.url());
  db->insert_run(run("r1"));
  const auto commit = [&](const std::string& name, const char* value) {
    std::vector<TimeframeIndicators> groups{{Timeframe::weekly, {}}, {Timeframe::monthly, {}}};
    for (int k = 0; k < 27; ++k) {
      const std::string key = "SMA(timeperiod=" + std::to_string(k + 2) + ")";
      groups[0].rows.push_back({key, parse_date("2024-03-04").value(), value});
      groups[1].rows.push_back({key, parse_date("2024-03-01").value(), value});
    }
    db->commit_indicators(Symbol::parse(name).value(), groups, std::nullopt,
                          {"r1", Phase::indicators, name, "ok", 1, "", "", 0});
  };
  const char* kMonday = R"({"upper":101.25,"middle":100.5,"lower":99.75})";
  for (const char* name : {"AAPL", "AMZN", "MSFT", "NVDA"}) commit(name, kMonday);
  const auto places = [&] {
    std::map<std::string, std::string> out;  // timeframe/indicator -> page
    for (const auto& r : pg_.query("SELECT timeframe || '/' || indicator, (ctid::text::point)[0] "
                                   "FROM indicator_values WHERE symbol='AMZN'"))
      out[r[0].c_str()] = r[1].c_str();
    return out;
  };
  const auto before = places();
  ASSERT_EQ(before.size(), 54u);
  commit("AMZN", R"({"upper":102.5,"middle":101.0,"lower":99.5})");
  EXPECT_EQ(places(), before);
  EXPECT_EQ(db->indicator_values(Symbol::parse("AMZN").value(), Timeframe::weekly, "SMA(timeperiod=2)")[0]
                .values_json,
            R"({"upper":102.5,"middle":101.0,"lower":99.5})");
}

TEST_F(PostgresStorageTest, IndexesServeTheDashboardQueries) {
  auto db = open_storage(pg_.url());
  // Enough rows, with statistics, for the planner to choose as it would in production.
  db->insert_run(run("r1"));
  for (int s = 0; s < 30; ++s) {
    const std::string name = "SYM" + std::string(1, static_cast<char>('A' + s % 26)) + std::to_string(s);
    std::vector<TimeframeIndicators> rows{{Timeframe::daily, {}}};
    TradingDate day = parse_date("2024-01-01").value();
    for (int i = 0; i < 40; ++i, day += std::chrono::days(1))
      for (const char* key : {"RSI(timeperiod=14)", "SMA(timeperiod=20)"})
        rows[0].rows.push_back({key, day, R"({"real":1})"});
    db->commit_indicators(Symbol::parse(name).value(), rows, std::nullopt,
                          {"r1", Phase::indicators, name, "ok", 1, "", "", 0});
  }
  pg_.query("ANALYZE");
  auto plan = [&](const std::string& query) {
    std::string out;
    for (const auto& r : pg_.query("SET enable_seqscan = off; EXPLAIN " + query))
      out += r[0].c_str() + std::string("\n");
    return out;
  };
  // Run history by time, and by status.
  const auto by_time =
      plan("SELECT run_id FROM processing_runs ORDER BY started_at DESC, run_id DESC LIMIT 50");
  EXPECT_NE(by_time.find("processing_runs_by_start"), std::string::npos) << by_time;
  const auto by_status =
      plan("SELECT run_id FROM processing_runs WHERE status='failed' ORDER BY started_at DESC LIMIT 50");
  EXPECT_NE(by_status.find("processing_runs_by_status"), std::string::npos) << by_status;
  // The screener's latest value of one key: a backward seek on the primary
  // key of the timeframe's partition only, no sort.
  const auto latest = plan(
      "SELECT as_of, value FROM indicator_values WHERE symbol='SYMA0' AND timeframe='daily' AND "
      "indicator='RSI(timeperiod=14)' ORDER BY as_of DESC LIMIT 1");
  EXPECT_NE(latest.find("indicator_values_daily_pkey"), std::string::npos) << latest;
  EXPECT_EQ(latest.find("indicator_values_periods"), std::string::npos) << latest;
  EXPECT_EQ(latest.find("Sort"), std::string::npos) << latest;
  // Detections of one pattern on a symbol over dates.
  const auto det = plan(
      "SELECT bar_date FROM pattern_detections WHERE symbol='AAPL' AND pattern='doji' AND "
      "bar_date>='2024-01-01' "
      "ORDER BY bar_date DESC LIMIT 100");
  EXPECT_NE(det.find("Index"), std::string::npos) << det;
  EXPECT_EQ(det.find("Sort"), std::string::npos) << det;
}

TEST(PostgresUrl, RedactsPasswordsWhereverLibpqAcceptsThem) {
  using postgres::redact_url;
  EXPECT_EQ(redact_url("postgresql://u:pw@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_EQ(redact_url("postgresql://u@h/db?password=pw"), "postgresql://u@h/db");
  EXPECT_EQ(redact_url("postgresql://h/db?password=pw&sslmode=require"), "postgresql://h/db?sslmode=require");
  EXPECT_EQ(redact_url("postgresql://h/db?sslmode=require&password=pw"), "postgresql://h/db?sslmode=require");
  EXPECT_EQ(redact_url("postgres://h/db?a=1&password=pw&b=2"), "postgres://h/db?a=1&b=2");
  EXPECT_EQ(redact_url("postgresql://h/db?application_name=nopassword=x"),
            "postgresql://h/db?application_name=nopassword=x");
  EXPECT_EQ(redact_url("postgresql://h/a:b@c"), "postgresql://h/a:b@c");  // '@' in the path: no user info
}

}  // namespace
}  // namespace ts::storage
