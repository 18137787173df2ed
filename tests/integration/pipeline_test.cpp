// End-to-end pipeline on each storage backend (a real SQLite file, a real
// PostgreSQL database): counts, incremental re-runs, adding a day,
// cancellation, and both backends storing the same results.
#include "engine/pipeline.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/calendar.hpp"
#include "core/resample.hpp"
#include "engine/studies.hpp"
#include "storage/postgres/test_database.hpp"
#include "db_snapshot.hpp"
#include "test_support.hpp"

namespace ts {
namespace {

using testing::TempDir;

TradingDate d(const char* s) { return parse_date(s).value(); }

Universe first_n_of_sp500(std::size_t n) {
  auto u = builtin_universe("sp500").value();
  u.members.erase(u.members.begin() + static_cast<std::ptrdiff_t>(n), u.members.end());
  u.name = "sp500_first" + std::to_string(n);
  return u;
}

engine::RunRequest request(const Universe& u, const char* from, const char* to) {
  engine::RunRequest r;
  r.universe = u;
  r.from = d(from);
  r.to = d(to);
  r.threads = 2;
  return r;
}

long long trading_days(TradingDate from, TradingDate to) {
  long long n = 0;
  for (auto x = from; x <= to; x += std::chrono::days{1}) n += is_trading_day(x);
  return n;
}

long long periods(TradingDate from, TradingDate to, Timeframe tf) {
  std::set<TradingDate> keys;
  for (auto x = from; x <= to; x += std::chrono::days{1})
    if (is_trading_day(x)) keys.insert(period_start(x, tf));
  return static_cast<long long>(keys.size());
}

class PipelineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = fresh_db();
    provider_ = ingest::make_provider("synthetic:seed=7").value();
  }
  storage::RunRecord run(const engine::RunRequest& r, engine::RunObserver* obs = nullptr) {
    return engine::run_pipeline(r, *db_, *provider_, cancel_, obs);
  }

  /// Another empty database of this test's backend.
  std::unique_ptr<storage::Storage> fresh_db() { return storage::open_storage(databases_.fresh_url()); }

  storage::testing::TestDatabases databases_{GetParam()};
  std::unique_ptr<storage::Storage> db_;
  std::unique_ptr<ingest::BarProvider> provider_;
  engine::CancellationToken cancel_;
};

INSTANTIATE_TEST_SUITE_P(Backends, PipelineTest, ::testing::ValuesIn(storage::testing::kBackends),
                         [](const auto& info) { return info.param; });

TEST_P(PipelineTest, FiftySymbolsTwoYearsIncrementalAndAddADay) {
  const auto u = first_n_of_sp500(50);
  const auto from = d("2023-01-02"), to = d("2024-12-31");
  const long long days = trading_days(from, to);
  const std::size_t studies = engine::default_studies().size();

  const auto r1 = run(request(u, "2023-01-02", "2024-12-31"));
  ASSERT_EQ(r1.status, RunStatus::completed) << r1.error;
  EXPECT_EQ(r1.symbols_total, 50);
  EXPECT_EQ(r1.symbols_processed, 50);
  EXPECT_EQ(r1.symbols_failed, 0);
  EXPECT_EQ(r1.records_imported, 50 * days);
  EXPECT_EQ(db_->count_bars(Timeframe::daily), 50 * days);
  EXPECT_EQ(db_->count_bars(Timeframe::weekly), 50 * periods(from, to, Timeframe::weekly));
  EXPECT_EQ(db_->count_bars(Timeframe::monthly), 50 * 24);
  // A first import stores each indicator's last date only; on daily bars every
  // default study is defined (2 years > the longest lookback).
  EXPECT_EQ(db_->count_indicator_values(Timeframe::daily), static_cast<long long>(50 * studies));
  EXPECT_EQ(db_->count_indicator_values(), r1.indicators_calculated);
  EXPECT_GT(r1.patterns_detected, 0);
  EXPECT_EQ(db_->count_detections(r1.run_id), r1.patterns_detected);
  ASSERT_EQ(r1.phase_summaries.size(), 4u);
  for (const auto& s : r1.phase_summaries) {
    EXPECT_EQ(s.status, "completed") << to_string(s.phase);
    EXPECT_EQ(s.total, 50);
    EXPECT_EQ(s.processed, 50);
  }
  const auto stored = db_->get_run(r1.run_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, RunStatus::completed);
  EXPECT_EQ(stored->indicators_calculated, r1.indicators_calculated);
  EXPECT_EQ(stored->phase_summaries.size(), 4u);

  // Re-running the same range adds nothing.
  const long long bars_before = db_->count_bars(), ind_before = db_->count_indicator_values(),
                  det_before = db_->count_detections();
  const auto r2 = run(request(u, "2023-01-02", "2024-12-31"));
  ASSERT_EQ(r2.status, RunStatus::completed);
  EXPECT_EQ(r2.records_imported, 0);
  EXPECT_EQ(r2.indicators_calculated, 0);
  EXPECT_EQ(r2.patterns_detected, 0);
  EXPECT_EQ(db_->count_bars(), bars_before);
  EXPECT_EQ(db_->count_indicator_values(), ind_before);
  EXPECT_EQ(db_->count_detections(), det_before);

  // One more trading day adds exactly one daily bar and one row per daily
  // study per symbol (the weekly and monthly in-progress rows are updated in place).
  const auto r3 = run(request(u, "2023-01-02", "2025-01-02"));
  ASSERT_EQ(r3.status, RunStatus::completed);
  EXPECT_EQ(r3.records_imported, 50);
  EXPECT_EQ(db_->count_bars(Timeframe::daily), 50 * (days + 1));
  EXPECT_EQ(db_->count_indicator_values(Timeframe::daily), static_cast<long long>(2 * 50 * studies));
  // 2025-01-02 is in the ISO week that started 2024-12-30 (already stored),
  // but opens a new month.
  EXPECT_EQ(db_->count_bars(Timeframe::weekly), 50 * periods(from, to, Timeframe::weekly));
  EXPECT_EQ(db_->count_bars(Timeframe::monthly), 50 * 25);
  const auto sma = db_->indicator_values(u.members[0].symbol, Timeframe::daily, "SMA(timeperiod=20)");
  ASSERT_EQ(sma.size(), 2u);
  EXPECT_EQ(format_date(sma[1].as_of), "2025-01-02");
}

TEST_P(PipelineTest, IncrementalValuesEqualAFullRecompute) {
  const auto u = first_n_of_sp500(3);
  auto a = request(u, "2023-01-02", "2024-06-28");
  a.store_history = true;
  ASSERT_EQ(run(a).status, RunStatus::completed);
  ASSERT_EQ(run(request(u, "2023-01-02", "2024-07-03")).status, RunStatus::completed);
  const auto incremental = db_->indicator_values(u.members[1].symbol, Timeframe::daily, "EMA(timeperiod=50)");

  auto db2 = fresh_db();
  auto full = request(u, "2023-01-02", "2024-07-03");
  full.store_history = true;
  ASSERT_EQ(engine::run_pipeline(full, *db2, *provider_, cancel_).status, RunStatus::completed);
  const auto reference = db2->indicator_values(u.members[1].symbol, Timeframe::daily, "EMA(timeperiod=50)");
  ASSERT_EQ(incremental.size(), reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(incremental[i].as_of, reference[i].as_of);
    EXPECT_EQ(incremental[i].values_json, reference[i].values_json) << format_date(reference[i].as_of);
  }
}

// Daily runs read only what they need: cache_sync the weeks and months the
// new days touch, patterns the detectors' warm-up window before the new bars
// (the history here, ~3.5 years, is longer than that window, so the daily runs
// take the short reads). What they store must equal one run over the whole
// range, across a week and a month boundary. Indicator values differ by design
// (a run stores its own as-of dates), so they are compared elsewhere.
TEST_P(PipelineTest, DailyRunsOverALongHistoryStoreWhatOneFullRunStores) {
  const auto u = first_n_of_sp500(3);
  const std::string daily_url = databases_.fresh_url(), full_url = databases_.fresh_url();
  {
    auto db = storage::open_storage(daily_url);
    ASSERT_EQ(engine::run_pipeline(request(u, "2021-01-04", "2024-06-26"), *db, *provider_, cancel_).status,
              RunStatus::completed);
    for (const char* day : {"2024-06-27", "2024-06-28", "2024-07-01", "2024-07-02"}) {
      const auto r = engine::run_pipeline(request(u, "2021-01-04", day), *db, *provider_, cancel_);
      ASSERT_EQ(r.status, RunStatus::completed) << day;
      EXPECT_EQ(r.records_imported, 3) << day;
    }
    auto full = storage::open_storage(full_url);
    ASSERT_EQ(engine::run_pipeline(request(u, "2021-01-04", "2024-07-02"), *full, *provider_, cancel_).status,
              RunStatus::completed);
  }
  // A level from a moving average (a Bollinger band, say) is computed over
  // the detectors' warm-up window in a daily run and over the whole series in
  // one run, so its last bits may differ (patterns/pattern.hpp): levels are
  // compared to 10 significant digits, everything else exactly.
  auto rounded_levels = [](testing::DbRows rows) {
    rows.erase("indicator_values");
    for (auto& line : rows["pattern_detections"]) {
      const auto bar = line.rfind('|');
      auto levels = nlohmann::json::parse(line.substr(bar + 1));
      for (auto& [name, v] : levels.items()) v = fmt::format("{:.10g}", v.get<double>());
      line = line.substr(0, bar + 1) + levels.dump();
    }
    return rows;
  };
  const auto want = rounded_levels(testing::result_rows(full_url));
  const auto got = rounded_levels(testing::result_rows(daily_url));
  ASSERT_GT(want.at("pattern_detections").size(), 100u);
  testing::expect_same_rows(want, got, "four daily runs after a backfill");
}

/// Every indicator row of `db` whose (symbol, timeframe, study, as_of) is also
/// in `reference` must carry the same value text; returns how many matched.
std::size_t expect_values_as_in(storage::Storage& db, storage::Storage& reference, const Universe& u,
                                const std::string& when) {
  std::size_t matched = 0;
  for (const auto& m : u.members)
    for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly, Timeframe::monthly})
      for (const auto& call : engine::default_studies()) {
        const std::string key = call.key();
        std::map<TradingDate, std::string> want;
        for (const auto& row : reference.indicator_values(m.symbol, tf, key)) want[row.as_of] = row.values_json;
        for (const auto& row : db.indicator_values(m.symbol, tf, key)) {
          const auto it = want.find(row.as_of);
          if (it == want.end()) continue;
          EXPECT_EQ(row.values_json, it->second) << when << ": " << m.symbol.str() << " " << to_string(tf) << " "
                                                 << key << " " << format_date(row.as_of);
          ++matched;
        }
      }
  return matched;
}

// The indicators phase of a daily run restores each (symbol, timeframe)'s saved
// stream state and feeds it only the bars after it. What it stores must equal
// a full recompute over the whole history on every timeframe, across a week
// and a month boundary; the state must sit at the second-to-last bar (the
// last may be a period in progress); an old bar changed under the state does
// not change the next values (they come from the state, not the history),
// and a state that cannot be restored is recomputed from the history.
TEST_P(PipelineTest, DailyRunsFromSavedStatesStoreTheValuesOfAFullRecompute) {
  const auto u = first_n_of_sp500(3);
  ASSERT_EQ(run(request(u, "2021-01-04", "2024-06-26")).status, RunStatus::completed);
  std::string last_run;
  for (const char* day : {"2024-06-27", "2024-06-28", "2024-07-01", "2024-07-02"}) {
    const auto r = run(request(u, "2021-01-04", day));
    ASSERT_EQ(r.status, RunStatus::completed) << day;
    last_run = r.run_id;
  }
  const Symbol& s0 = u.members[0].symbol;
  for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly, Timeframe::monthly}) {
    const auto bars = db_->load_bars(s0, tf);
    const auto state = db_->study_states(s0, tf);
    ASSERT_TRUE(state.has_value()) << to_string(tf);
    EXPECT_EQ(format_date(state->as_of), format_date(bars.date[bars.size() - 2])) << to_string(tf);
  }

  auto reference = fresh_db();
  auto full = request(u, "2021-01-04", "2024-07-02");
  full.store_history = true;
  ASSERT_EQ(engine::run_pipeline(full, *reference, *provider_, cancel_).status, RunStatus::completed);
  // 3 symbols x 27 studies x (5 daily dates + the weekly and monthly rows the
  // daily runs rewrote).
  EXPECT_GT(expect_values_as_in(*db_, *reference, u, "after four daily runs"), 3u * 27 * 6);

  // A 2021 bar's volume changes under the state (an upsert that does not
  // reset the watermarks): OBV, a running sum from bar 0, would move if the
  // next run recomputed from the history; from the state it does not.
  auto old = db_->load_bars(s0, Timeframe::daily, d("2021-03-01"), d("2021-03-01"));
  ASSERT_EQ(old.size(), 1u);
  old.volume[0] *= 10;
  db_->commit_import(s0, old.view(), {last_run, Phase::import, s0.str(), "ok", 1, "", "", 0});
  // Symbol 1's daily state is unreadable: recomputed from the history, then saved again.
  const Symbol& s1 = u.members[1].symbol;
  const auto s1_state = db_->study_states(s1, Timeframe::daily);
  ASSERT_TRUE(s1_state.has_value());
  db_->commit_indicators(s1, {{Timeframe::daily, {}, storage::StudyStates{s1_state->as_of, "not a state"}}},
                         std::nullopt, {last_run, Phase::indicators, s1.str(), "ok", 1, "", "", 0});

  ASSERT_EQ(run(request(u, "2021-01-04", "2024-07-03")).status, RunStatus::completed);
  ASSERT_EQ(engine::run_pipeline(request(u, "2021-01-04", "2024-07-03"), *reference, *provider_, cancel_).status,
            RunStatus::completed);
  const auto obv = db_->indicator_values(s0, Timeframe::daily, "OBV", d("2024-07-03"));
  const auto obv_ref = reference->indicator_values(s0, Timeframe::daily, "OBV", d("2024-07-03"));
  ASSERT_EQ(obv.size(), 1u);
  ASSERT_EQ(obv_ref.size(), 1u);
  EXPECT_EQ(obv[0].values_json, obv_ref[0].values_json) << "OBV was recomputed from the changed history";
  EXPECT_GT(expect_values_as_in(*db_, *reference, u, "after a changed bar and a bad state"), 3u * 27 * 7);
  const auto rewritten = db_->study_states(s1, Timeframe::daily);
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_EQ(format_date(rewritten->as_of), "2024-07-02");
  EXPECT_NE(rewritten->bytes, "not a state");
}

// A run with its own study list and pattern list (trigger_indicators and
// trigger_patterns) stores its results but moves neither phase's watermark
// nor the default list's saved states: the next default daily run computes
// every default study and pattern for the day the custom run covered, and
// continues from the saved states (an old bar changed under them does not
// move OBV) instead of recomputing the history; it stores what a full
// recompute stores.
TEST_P(PipelineTest, ARunOfOtherStudiesOrPatternsLeavesWatermarksAndSavedStates) {
  const auto u = first_n_of_sp500(2);
  ASSERT_EQ(run(request(u, "2021-01-04", "2024-06-26")).status, RunStatus::completed);
  const auto daily = run(request(u, "2021-01-04", "2024-06-27"));
  ASSERT_EQ(daily.status, RunStatus::completed);
  const Symbol& s0 = u.members[0].symbol;
  std::map<Timeframe, storage::StudyStates> before;
  for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly, Timeframe::monthly}) {
    auto state = db_->study_states(s0, tf);
    ASSERT_TRUE(state.has_value()) << to_string(tf);
    before.emplace(tf, std::move(*state));
  }

  auto custom = request(u, "2021-01-04", "2024-06-28");
  custom.studies.push_back(ta::parse_call("SMA(timeperiod=5)").value());
  custom.patterns = {"doji"};
  ASSERT_EQ(run(custom).status, RunStatus::completed);
  ASSERT_EQ(db_->indicator_values(s0, Timeframe::daily, "SMA(timeperiod=5)", d("2024-06-28")).size(), 1u);
  EXPECT_EQ(format_date(db_->watermark(s0, Phase::indicators).value()), "2024-06-27");
  EXPECT_EQ(format_date(db_->watermark(s0, Phase::patterns).value()), "2024-06-27");
  for (const auto& [tf, state] : before) {
    const auto after = db_->study_states(s0, tf);
    ASSERT_TRUE(after.has_value()) << to_string(tf);
    EXPECT_EQ(format_date(after->as_of), format_date(state.as_of)) << to_string(tf);
    EXPECT_EQ(after->bytes, state.bytes) << to_string(tf) << ": the custom run replaced the state";
  }

  auto old = db_->load_bars(s0, Timeframe::daily, d("2021-03-01"), d("2021-03-01"));
  ASSERT_EQ(old.size(), 1u);
  old.volume[0] *= 10;
  db_->commit_import(s0, old.view(), {daily.run_id, Phase::import, s0.str(), "ok", 1, "", "", 0});
  ASSERT_EQ(run(request(u, "2021-01-04", "2024-07-01")).status, RunStatus::completed);

  auto reference = fresh_db();
  auto full = request(u, "2021-01-04", "2024-07-01");
  full.store_history = true;
  ASSERT_EQ(engine::run_pipeline(full, *reference, *provider_, cancel_).status, RunStatus::completed);
  const auto obv = db_->indicator_values(s0, Timeframe::daily, "OBV", d("2024-07-01"));
  const auto obv_ref = reference->indicator_values(s0, Timeframe::daily, "OBV", d("2024-07-01"));
  ASSERT_EQ(obv.size(), 1u);
  ASSERT_EQ(obv_ref.size(), 1u);
  EXPECT_EQ(obv[0].values_json, obv_ref[0].values_json) << "OBV was recomputed from the changed history";
  for (const auto& call : engine::default_studies())
    EXPECT_EQ(db_->indicator_values(s0, Timeframe::daily, call.key(), d("2024-06-28"), d("2024-06-28")).size(), 1u)
        << call.key();
  EXPECT_GT(expect_values_as_in(*db_, *reference, u, "after a custom run"), 2u * 27 * 3);
  // Every detection the full recompute found from the backfill's last day on
  // is stored, among them patterns other than the custom run's on its day.
  storage::DetectionQuery since;
  since.from = d("2024-06-26");
  since.limit = 1000;
  std::set<std::string> stored, want, custom_day_others;
  for (const auto& r : db_->query_detections(since))
    stored.insert(r.symbol + " " + r.pattern + " " + format_date(r.bar_date));
  for (const auto& r : reference->query_detections(since)) {
    want.insert(r.symbol + " " + r.pattern + " " + format_date(r.bar_date));
    if (r.bar_date == d("2024-06-28") && r.pattern != "doji") custom_day_others.insert(r.pattern);
  }
  ASSERT_FALSE(custom_day_others.empty());
  EXPECT_EQ(stored, want);
  const auto state = db_->study_states(s0, Timeframe::daily);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(format_date(state->as_of), "2024-06-28");
}

// threads = 0 gives one phase thread per core on SQLite and two on PostgreSQL,
// whose threads mostly wait on the server (docs/PERFORMANCE.md); a configured
// count is used as it is.
TEST_P(PipelineTest, PhaseThreadsDefaultToTheStoragesThreadsPerCore) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(engine::phase_threads(0, *db_), cores * (GetParam() == "postgresql" ? 2u : 1u));
  EXPECT_EQ(engine::phase_threads(3, *db_), 3u);
}

/// Cancels once the indicators phase has finished `after` symbols.
class CancelAfter final : public engine::RunObserver {
 public:
  CancelAfter(engine::CancellationToken& t, int after) : token_(t), after_(after) {}
  void on_progress(const storage::RunRecord&, const engine::ProgressUpdate& u) override {
    if (u.phase == Phase::indicators && u.completed >= after_) token_.request();
  }

 private:
  engine::CancellationToken& token_;
  int after_;
};

TEST_P(PipelineTest, CancelKeepsFinishedSymbolsAndAResumeCompletesTheRest) {
  const auto u = first_n_of_sp500(20);
  auto req = request(u, "2023-06-01", "2024-12-31");
  req.threads = 1;  // deterministic stopping point
  CancelAfter obs(cancel_, 5);
  const auto r = run(req, &obs);
  ASSERT_EQ(r.status, RunStatus::cancelled);
  EXPECT_NE(r.error.find("indicators"), std::string::npos) << r.error;
  const auto stored = db_->get_run(r.run_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, RunStatus::cancelled);
  ASSERT_EQ(stored->phase_summaries.size(), 4u);
  EXPECT_EQ(stored->phase_summaries[0].status, "completed");  // import
  EXPECT_EQ(stored->phase_summaries[2].status, "cancelled");  // indicators
  EXPECT_EQ(stored->phase_summaries[3].status, "cancelled");  // patterns never started
  const int done = stored->phase_summaries[2].processed;
  EXPECT_GE(done, 5);
  EXPECT_LT(done, 20);
  // Exactly the finished symbols have indicator rows, all of them complete.
  int with_rows = 0;
  for (const auto& m : u.members) {
    const bool has_wm = db_->watermark(m.symbol, Phase::indicators).has_value();
    const auto rows = db_->indicator_values(m.symbol, Timeframe::daily, "RSI(timeperiod=14)");
    EXPECT_EQ(has_wm, !rows.empty()) << m.symbol.str();
    with_rows += has_wm;
  }
  EXPECT_EQ(with_rows, done);
  EXPECT_EQ(db_->count_detections(), 0);

  // A later run picks up exactly where the cancelled one stopped.
  engine::CancellationToken fresh;
  const auto resumed = engine::run_pipeline(request(u, "2023-06-01", "2024-12-31"), *db_, *provider_, fresh);
  ASSERT_EQ(resumed.status, RunStatus::completed);
  EXPECT_EQ(resumed.records_imported, 0);
  EXPECT_EQ(db_->count_indicator_values(Timeframe::daily),
            static_cast<long long>(20 * engine::default_studies().size()));
  // Late writes cannot flip the cancelled run.
  auto late = *stored;
  late.status = RunStatus::completed;
  EXPECT_FALSE(db_->update_run(late));
  EXPECT_EQ(db_->get_run(r.run_id)->status, RunStatus::cancelled);
}

TEST_P(PipelineTest, ExtendingTheRangeBackwardsBackfillsAndRedetects) {
  const auto u = first_n_of_sp500(3);
  const auto r1 = run(request(u, "2024-07-01", "2024-12-31"));
  ASSERT_EQ(r1.status, RunStatus::completed);
  const long long recent_days = trading_days(d("2024-07-01"), d("2024-12-31"));
  EXPECT_EQ(r1.records_imported, 3 * recent_days);
  const auto r2 = run(request(u, "2024-01-02", "2024-12-31"));
  ASSERT_EQ(r2.status, RunStatus::completed);
  const long long all_days = trading_days(d("2024-01-02"), d("2024-12-31"));
  EXPECT_EQ(r2.records_imported, 3 * (all_days - recent_days));  // only the new, older bars count
  EXPECT_EQ(db_->count_bars(Timeframe::daily), 3 * all_days);
  EXPECT_EQ(db_->first_bar_date(u.members[0].symbol, Timeframe::daily), d("2024-01-02"));
  EXPECT_EQ(db_->count_bars(Timeframe::monthly), 3 * 12);
  // Patterns were re-detected over the whole backfilled history: same as a
  // fresh database over the full range.
  auto db2 = fresh_db();
  const auto fresh = engine::run_pipeline(request(u, "2024-01-02", "2024-12-31"), *db2, *provider_, cancel_);
  EXPECT_EQ(db_->count_detections(), db2->count_detections());
  EXPECT_EQ(db_->count_indicator_values(), db2->count_indicator_values());
  EXPECT_GT(fresh.patterns_detected, r1.patterns_detected);
}

TEST_P(PipelineTest, EachPhaseReportsTheCpuTimeOfItsLayers) {
  const auto r = run(request(first_n_of_sp500(4), "2023-01-02", "2024-12-31"));
  ASSERT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(r.phase_summaries.size(), 4u);
  for (const auto& p : r.phase_summaries) {
    SCOPED_TRACE(std::string(to_string(p.phase)));
    EXPECT_GT(p.layers.load, 0.0);
    EXPECT_GT(p.layers.write, 0.0);
    if (p.phase != Phase::import) {
      EXPECT_GT(p.layers.compute, 0.0);
    }
    if (p.phase == Phase::patterns) {
      EXPECT_GT(p.layers.encode, 0.0);
    }
    // CPU time of at most req.threads threads over the phase's wall time.
    EXPECT_LE(p.layers.load + p.layers.compute + p.layers.encode + p.layers.write,
              2 * p.duration_seconds + 0.05);
  }
  // Not stored: a run read back has none.
  const auto stored = db_->get_run(r.run_id);
  ASSERT_TRUE(stored);
  for (const auto& p : stored->phase_summaries) EXPECT_EQ(p.layers.write, 0.0);
}

/// Records the niceness of the threads that report progress (the phase threads).
class NicenessProbe final : public engine::RunObserver {
 public:
  void on_progress(const storage::RunRecord&, const engine::ProgressUpdate&) override {
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
    std::lock_guard lock(mu_);
    if (errno == 0) seen.insert(nice);
  }
  std::mutex mu_;
  std::set<int> seen;
};

TEST_P(PipelineTest, PhaseThreadsRunBelowTheEnginesPriority) {
  errno = 0;
  const int base = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  ASSERT_EQ(errno, 0);
  NicenessProbe probe;
  ASSERT_EQ(run(request(first_n_of_sp500(3), "2024-10-01", "2024-12-31"), &probe).status, RunStatus::completed);
  EXPECT_EQ(probe.seen, std::set<int>{std::min(19, base + 10)});
  // The caller's own priority is untouched.
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid))), base);
}

/// Counts the bars a provider hands out (the rest is the wrapped provider's).
class CountingProvider final : public ingest::BarProvider {
 public:
  explicit CountingProvider(const ingest::BarProvider& inner) : inner_(inner) {}
  std::string describe() const override { return inner_.describe(); }
  Result<BarSeries, ingest::FetchFailure> fetch(const ingest::FetchRequest& req) const override {
    auto r = inner_.fetch(req);
    if (r) bars += static_cast<long long>(r->size());
    return r;
  }
  mutable std::atomic<long long> bars{0};

 private:
  const ingest::BarProvider& inner_;
};

TEST_P(PipelineTest, AWindowOpeningOnAWeekendIsNotRefetchedByTheNextDailyRun) {
  // 2023-01-01 is a Sunday and 2023-01-02 the observed New Year holiday: the
  // first stored bar is 2023-01-03, after the window's start, yet nothing lies
  // between them to backfill.
  ASSERT_FALSE(is_trading_day(d("2023-01-01")));
  ASSERT_FALSE(is_trading_day(d("2023-01-02")));
  const auto u = first_n_of_sp500(3);
  ASSERT_EQ(run(request(u, "2023-01-01", "2024-12-30")).status, RunStatus::completed);
  ASSERT_EQ(db_->first_bar_date(u.members[0].symbol, Timeframe::daily), d("2023-01-03"));
  CountingProvider counting(*provider_);
  const auto next = engine::run_pipeline(request(u, "2023-01-01", "2024-12-31"), *db_, counting, cancel_);
  ASSERT_EQ(next.status, RunStatus::completed);
  EXPECT_EQ(next.records_imported, 3);
  EXPECT_EQ(counting.bars.load(), 3) << "the daily run fetched more than the one new bar per symbol";
  // A window that does reach back over a session still backfills.
  const auto back = engine::run_pipeline(request(u, "2022-12-30", "2024-12-31"), *db_, counting, cancel_);
  ASSERT_EQ(back.status, RunStatus::completed);
  EXPECT_EQ(back.records_imported, 3);
  EXPECT_EQ(db_->first_bar_date(u.members[0].symbol, Timeframe::daily), d("2022-12-30"));
}

TEST_P(PipelineTest, PhasesCanBeRunSeparately) {
  const auto u = first_n_of_sp500(4);
  auto imp = request(u, "2024-01-02", "2024-12-31");
  imp.phases = {Phase::import};
  const auto r1 = run(imp);
  ASSERT_EQ(r1.status, RunStatus::completed);
  EXPECT_EQ(db_->count_bars(Timeframe::weekly), 0);
  EXPECT_EQ(db_->count_indicator_values(), 0);
  auto rest = request(u, "2024-01-02", "2024-12-31");
  rest.phases = {Phase::cache_sync, Phase::indicators, Phase::patterns};
  const auto r2 = run(rest);
  ASSERT_EQ(r2.status, RunStatus::completed);
  EXPECT_GT(db_->count_bars(Timeframe::weekly), 0);
  EXPECT_GT(db_->count_indicator_values(), 0);
  EXPECT_EQ(r2.records_imported, 0);
}

TEST_P(PipelineTest, FailingSymbolsBelowTheThresholdFailTheRun) {
  TempDir csv;
  // Two symbols have no file at all: 2 of 4 succeed, below the 80% default.
  const auto good = ingest::make_provider("synthetic").value();
  auto u = universe_from_symbols(parse_symbol_list("AAA,BBB,CCC,DDD").value());
  for (const char* s : {"AAA", "BBB"}) {
    const auto bars = good->fetch({Symbol::parse(s).value(), d("2024-01-02"), d("2024-03-29"), {}}).value();
    std::ofstream f(csv.path() / (std::string(s) + ".csv"));
    f << "date,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < bars.size(); ++i)
      f << format_date(bars.date[i]) << ',' << bars.open[i] << ',' << bars.high[i] << ',' << bars.low[i]
        << ',' << bars.close[i] << ',' << bars.volume[i] << '\n';
  }
  const auto provider = ingest::make_provider("csv:" + csv.str()).value();
  auto req = request(u, "2024-01-02", "2024-03-29");
  const auto r = engine::run_pipeline(req, *db_, *provider, cancel_);
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_NE(r.error.find("import"), std::string::npos) << r.error;
  EXPECT_EQ(r.symbols_failed, 2);
  const auto failures = db_->run_outcomes(r.run_id, true);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].error_code, "SYMBOL_NOT_FOUND");
  // With a 50% threshold the same run completes with errors.
  req.min_success_ratio = 0.5;
  EXPECT_EQ(engine::run_pipeline(req, *db_, *provider, cancel_).status, RunStatus::completed_with_errors);
}

// The same run on both backends stores the same rows: bars of every
// timeframe, every indicator value and every detection, to the last bit.
TEST(PipelineBackends, PostgresqlStoresExactlyWhatSqliteStores) {
  storage::testing::TestDatabases lite("sqlite"), pg("postgresql");
  auto a = storage::open_storage(lite.fresh_url());
  auto b = storage::open_storage(pg.fresh_url());
  auto provider = ingest::make_provider("synthetic:seed=11").value();
  engine::CancellationToken cancel;
  const auto u = first_n_of_sp500(4);
  auto req = request(u, "2023-01-02", "2024-06-28");
  req.store_history = true;
  const auto ra = engine::run_pipeline(req, *a, *provider, cancel);
  const auto rb = engine::run_pipeline(req, *b, *provider, cancel);
  ASSERT_EQ(ra.status, RunStatus::completed);
  ASSERT_EQ(rb.status, RunStatus::completed);
  EXPECT_EQ(ra.records_imported, rb.records_imported);
  EXPECT_EQ(ra.indicators_calculated, rb.indicators_calculated);
  EXPECT_EQ(ra.patterns_detected, rb.patterns_detected);
  for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly, Timeframe::monthly}) {
    EXPECT_EQ(a->count_bars(tf), b->count_bars(tf));
    EXPECT_EQ(a->count_indicator_values(tf), b->count_indicator_values(tf));
  }
  EXPECT_GT(a->count_indicator_values(), 0);
  for (const auto& m : u.members) {
    for (const Timeframe tf : {Timeframe::daily, Timeframe::weekly}) {
      const auto ba = a->load_bars(m.symbol, tf), bb = b->load_bars(m.symbol, tf);
      ASSERT_EQ(ba.size(), bb.size());
      for (std::size_t i = 0; i < ba.size(); ++i) {
        ASSERT_EQ(ba.date[i], bb.date[i]);
        ASSERT_EQ(ba.open[i], bb.open[i]);
        ASSERT_EQ(ba.close[i], bb.close[i]);
        ASSERT_EQ(ba.volume[i], bb.volume[i]);
      }
    }
    for (const char* key :
         {"EMA(timeperiod=50)", "RSI(timeperiod=14)", "MACD(fastperiod=12,slowperiod=26,signalperiod=9)"}) {
      const auto va = a->indicator_values(m.symbol, Timeframe::daily, key);
      const auto vb = b->indicator_values(m.symbol, Timeframe::daily, key);
      ASSERT_EQ(va.size(), vb.size()) << key;
      for (std::size_t i = 0; i < va.size(); ++i) {
        EXPECT_EQ(va[i].as_of, vb[i].as_of);
        EXPECT_EQ(va[i].values_json, vb[i].values_json);
      }
    }
  }
  storage::DetectionQuery q;
  q.limit = 100000;
  const auto da = a->query_detections(q), db = b->query_detections(q);
  ASSERT_EQ(da.size(), db.size());
  EXPECT_GT(da.size(), 0u);
  for (std::size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].symbol, db[i].symbol);
    EXPECT_EQ(da[i].pattern, db[i].pattern);
    EXPECT_EQ(da[i].bar_date, db[i].bar_date);
    EXPECT_EQ(da[i].strength, db[i].strength);
    EXPECT_EQ(da[i].confidence, db[i].confidence);
    EXPECT_EQ(da[i].levels_json, db[i].levels_json);
  }
}

}  // namespace
}  // namespace ts
