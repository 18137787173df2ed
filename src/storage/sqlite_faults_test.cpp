// The SQLite backend under real faults: a full disk (tmpfs), a read-only file
// (immutable flag) and a database locked by another writer. One test body
// runs against each fault: a failed unit of work throws StorageError, leaves
// nothing of itself behind, reads keep working, the database stays intact and
// works again once the fault is removed.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "core/uuid.hpp"
#include "storage/fault_fixture.hpp"
#include "storage/storage.hpp"

namespace ts::storage {
namespace {

namespace fs = std::filesystem;
using namespace ts::storage::testing;

Symbol sym(const char* s) { return Symbol::parse(s).value(); }

/// `n` consecutive daily bars from 2020-01-01 (enough rows to need new pages).
BarSeries bars(int n) {
  BarSeries b;
  TradingDate d = parse_date("2020-01-01").value();
  for (int i = 0; i < n; ++i, d += std::chrono::days(1))
    b.push_back({d, 10.0 + i, 11.0 + i, 9.0 + i, 10.5 + i, 1000.0 + i});
  return b;
}

class SqliteFaultTest : public ::testing::TestWithParam<FaultKind> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ts_faults_" + make_uuid_v4());
    fs::create_directories(dir_);
    fault_ = make_fault(GetParam(), 8u << 20, /*busy_timeout_ms=*/50);
  }
  void TearDown() override {
    db_.reset();
    fault_.reset();  // unmounts / unlocks / clears flags before the directory goes
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  RunRecord run_record() const {
    RunRecord r;
    r.run_id = "fault-run";
    r.status = RunStatus::running;
    r.phases = {Phase::import, Phase::indicators};
    r.universe = "custom";
    r.run_date = "2025-01-02";
    r.started_at = "2025-01-02T21:00:00.000Z";
    r.symbols_total = 2;
    for (const Phase p : r.phases) {
      PhaseSummary sum;
      sum.phase = p;
      sum.status = "running";
      r.phase_summaries.push_back(sum);
    }
    return r;
  }
  static SymbolOutcome ok(Phase p, const char* s) { return {"fault-run", p, s, "ok", 1, "", "", 1}; }

  fs::path dir_;
  std::unique_ptr<DatabaseFault> fault_;
  std::unique_ptr<Storage> db_;
};

TEST_P(SqliteFaultTest, AFailedUnitOfWorkThrowsLeavesNothingAndTheDatabaseRecovers) {
  const std::string url = fault_->prepare(dir_, "t.db");
  if (url.empty()) GTEST_SKIP() << fault_->skip_reason;
  db_ = open_storage(url);
  const fs::path path = sqlite_url_path(url);
  const RunRecord run = run_record();
  db_->insert_run(run);
  db_->commit_import(sym("AAA"), bars(300).view(), ok(Phase::import, "AAA"));
  const std::vector<TimeframeIndicators> rows{
      {Timeframe::daily, {{"SMA(timeperiod=5)", parse_date("2020-10-26").value(), R"({"real":1.5})"}}}};

  const std::string injected = fault_->inject(path);
  ASSERT_EQ(injected, "") << "the fault could not be injected";

  // Every kind of write fails with StorageError naming the cause...
  try {
    db_->commit_import(sym("BBB"), bars(2000).view(), ok(Phase::import, "BBB"));
    FAIL() << "commit_import succeeded on a failed database";
  } catch (const StorageError& e) {
    EXPECT_EQ(e.code(), "STORAGE_FAILED");
    EXPECT_NE(std::string(e.what()).find(fault_->symptom()), std::string::npos) << e.what();
  }
  EXPECT_THROW(db_->commit_indicators(sym("AAA"), rows, parse_date("2020-10-26").value(),
                                      ok(Phase::indicators, "AAA")),
               StorageError);
  RunRecord finished = run;
  finished.status = RunStatus::failed;
  finished.error = "STORAGE_FAILED";
  EXPECT_THROW(db_->update_run(finished), StorageError);
  // ... while reads keep working (WAL readers never wait for the writer).
  EXPECT_EQ(db_->load_bars(sym("AAA"), Timeframe::daily).size(), 300u);
  ASSERT_TRUE(db_->get_run("fault-run"));
  EXPECT_EQ(db_->get_run("fault-run")->status, RunStatus::running);
  // Nothing of the failed units of work is left: no bars, outcome or watermark.
  EXPECT_FALSE(db_->last_bar_date(sym("BBB"), Timeframe::daily));
  EXPECT_FALSE(db_->watermark(sym("AAA"), Phase::indicators));
  EXPECT_EQ(db_->count_indicator_values(), 0);
  const auto outcomes = db_->run_outcomes("fault-run", false);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].symbol, "AAA");

  fault_->remove();
  EXPECT_EQ(integrity_check(path), "ok");
  // The same connection works again once the fault is gone.
  db_->commit_import(sym("BBB"), bars(2000).view(), ok(Phase::import, "BBB"));
  db_->commit_indicators(sym("AAA"), rows, parse_date("2020-10-26").value(), ok(Phase::indicators, "AAA"));
  EXPECT_TRUE(db_->update_run(finished));
  EXPECT_EQ(db_->load_bars(sym("BBB"), Timeframe::daily).size(), 2000u);
  EXPECT_EQ(db_->count_indicator_values(), 1);
  EXPECT_EQ(db_->get_run("fault-run")->status, RunStatus::failed);
  db_.reset();
  EXPECT_EQ(integrity_check(path), "ok");
}

INSTANTIATE_TEST_SUITE_P(Faults, SqliteFaultTest,
                         ::testing::Values(FaultKind::disk_full, FaultKind::read_only, FaultKind::locked),
                         [](const ::testing::TestParamInfo<FaultKind>& i) { return fault_name(i.param); });

TEST(SqliteOptions, BusyTimeoutIsAUrlOptionAndBadOptionsAreRejected) {
  const fs::path dir = fs::temp_directory_path() / ("ts_faults_" + make_uuid_v4());
  const std::string path = (dir / "t.db").string();
  EXPECT_NO_THROW(open_storage("sqlite:" + path + "?busy_timeout_ms=250"));
  EXPECT_TRUE(fs::exists(path));  // the option is not part of the file name
  EXPECT_FALSE(fs::exists(path + "?busy_timeout_ms=250"));
  for (const char* bad : {"?busy_timeout_ms=", "?busy_timeout_ms=-1", "?busy_timeout_ms=5s",
                          "?busy_timeout_ms=600001", "?timeout=5"}) {
    try {
      open_storage("sqlite:" + path + bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const StorageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string(bad).substr(1, 7)), std::string::npos) << e.what();
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(SqliteOptions, AWriterWaitsForTheLockWithinTheBusyTimeout) {
  // A lock released by its holder before the timeout is waited for, not an error.
  const fs::path dir = fs::temp_directory_path() / ("ts_faults_" + make_uuid_v4());
  const fs::path path = dir / "t.db";
  auto db = open_storage("sqlite:" + path.string() + "?busy_timeout_ms=60000");
  auto lock = std::make_unique<ExclusiveLock>(path);
  ASSERT_TRUE(lock->ok()) << lock->error();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lock->release();
  });
  EXPECT_NO_THROW(db->put_setting("k", "v"));
  releaser.join();
  EXPECT_EQ(db->get_setting("k"), "v");
  db.reset();
  lock.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace ts::storage
