#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/uuid.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/storage.hpp"

namespace ts::storage {
namespace {

namespace fs = std::filesystem;

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ts_storage_" + make_uuid_v4());
    path_ = (dir_ / "sub" / "t.db").string();
    db_ = open_storage("sqlite:" + path_);
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
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

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Storage> db_;
};

TEST_F(SqliteStorageTest, CreatesParentDirectoryAndAppliesMigrationsOnce) {
  EXPECT_TRUE(fs::exists(path_));
  db_.reset();
  db_ = open_storage("sqlite:" + path_);  // reopening must not re-apply
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "SELECT COUNT(*), MAX(version) FROM schema_migrations", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), static_cast<int>(sqlite::migrations().size()));
  EXPECT_EQ(sqlite3_column_int(st, 1), sqlite::migrations().back().version);
  sqlite3_finalize(st);
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_F(SqliteStorageTest, RejectsUnknownUrls) {
  EXPECT_THROW(open_storage("mysql://x"), StorageError);
  EXPECT_THROW(open_storage("sqlite:"), StorageError);
}

TEST_F(SqliteStorageTest, BarUpsertsAreIdempotentAndUpdateInPlace) {
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

TEST_F(SqliteStorageTest, TerminalRunStatesAreFinal) {
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

TEST_F(SqliteStorageTest, RunHistoryUsesKeysetPaginationAndFilters) {
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

TEST_F(SqliteStorageTest, IndicatorValuesKeepOneRowPerAsOfDate) {
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

TEST_F(SqliteStorageTest, DetectionsAreKeyedBySymbolTimeframePatternAndDate) {
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

TEST_F(SqliteStorageTest, UniverseMembershipKeepsHistory) {
  Universe u{
      "mine", "2025-01-01", {{sym("AAPL"), "Apple", "IT", {}}, {sym("MSFT"), "Microsoft", "IT", {}}}, ""};
  db_->upsert_universe(u);
  u.members.pop_back();
  db_->upsert_universe(u);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "SELECT symbol, active FROM memberships WHERE universe='mine' ORDER BY symbol", -1,
                     &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 1), 1);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "MSFT");
  EXPECT_EQ(sqlite3_column_int(st, 1), 0);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_F(SqliteStorageTest, IndicatorReadsHonourRangesAndFindTheLatestValue) {
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

TEST_F(SqliteStorageTest, LatestBarAndSymbolsWithBars) {
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

TEST_F(SqliteStorageTest, UniversesListWithActiveMemberCounts) {
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

TEST_F(SqliteStorageTest, RegisteredUniversesKeepWeightsAndMembershipHistory) {
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

TEST_F(SqliteStorageTest, SymbolDetailsAreStoredStampedAndWinOverListNames) {
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

TEST_F(SqliteStorageTest, MigrationFourKeepsVersionThreeRowsValid) {
  db_.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  const std::string old_path = (dir_ / "v3.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &raw), SQLITE_OK);
  auto exec = [&](std::string_view sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(raw, std::string(sql).c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
  };
  exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at "
      "TEXT NOT NULL)");
  for (const auto& m : sqlite::migrations())
    if (m.version <= 3) {
      exec(m.sql);
      exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 'v', 'now')");
    }
  exec("INSERT INTO universes(name, as_of, updated_at) VALUES ('dow30', '2025-01-01', 'now')");
  exec("INSERT INTO symbols(symbol, name, updated_at) VALUES ('AAPL', 'Apple', 'now')");
  exec("INSERT INTO memberships VALUES ('dow30', 'AAPL', 'now', 'now', 1)");
  sqlite3_close(raw);

  db_ = open_storage("sqlite:" + old_path);
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
}

TEST_F(SqliteStorageTest, DetectionQueriesFilterAndPageNewestFirstWithoutGapsOrRepeats) {
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

TEST_F(SqliteStorageTest, ASymbolsDetectionPagesReadTheSymbolIndexInOrder) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(raw,
                         "EXPLAIN QUERY PLAN SELECT pattern FROM pattern_detections WHERE symbol='AAPL' AND "
                         "bar_date>='0' AND bar_date<='9' ORDER BY bar_date DESC, symbol, timeframe, pattern "
                         "LIMIT 10",
                         -1, &st, nullptr),
      SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW)
    plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
  sqlite3_finalize(st);
  sqlite3_close(raw);
  EXPECT_NE(plan.find("pattern_detections_by_symbol"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort: the index is in order
}

// Migration v5: the event outbox keeps publishing order and never hands out
// an id twice, even after its newest rows were deleted (a drainer positioned
// after them would otherwise skip the new rows).
TEST_F(SqliteStorageTest, EventOutboxKeepsOrderAndNeverReusesIds) {
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

  // Survives reopening (the file, not a cache).
  db_.reset();
  db_ = open_storage("sqlite:" + path_);
  EXPECT_EQ(db_->count_outbox(), 1);
}

TEST_F(SqliteStorageTest, SeqHighWaterOnlyRisesAndIsPerRun) {
  EXPECT_EQ(db_->seq_high_water("r1"), 0u);
  EXPECT_EQ(db_->reserve_seq("r1", 1024), 1024u);
  EXPECT_EQ(db_->reserve_seq("r1", 10), 1024u);  // never lowered
  EXPECT_EQ(db_->reserve_seq("r1", 2048), 2048u);
  EXPECT_EQ(db_->seq_high_water("r2"), 0u);
  db_.reset();
  db_ = open_storage("sqlite:" + path_);
  EXPECT_EQ(db_->seq_high_water("r1"), 2048u);
}

}  // namespace
}  // namespace ts::storage
