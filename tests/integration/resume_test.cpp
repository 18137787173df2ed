// Resuming an interrupted run, in process: the run is stopped as an engine
// shutdown would stop it, inside each phase in turn, and a `resume` child run
// finishes it. The database must then hold exactly the rows of one
// uninterrupted run, and the child must not redo what the parent committed.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "db_snapshot.hpp"
#include "engine/pipeline.hpp"
#include "test_support.hpp"

namespace ts {
namespace {

using testing::TempDir;

/// The synthetic provider, counting fetches per symbol.
class CountingProvider final : public ingest::BarProvider {
 public:
  CountingProvider() : inner_(ingest::make_provider("synthetic:seed=11").value()) {}
  std::string describe() const override { return inner_->describe(); }
  Result<BarSeries, ingest::FetchFailure> fetch(const ingest::FetchRequest& req) const override {
    {
      std::lock_guard lock(mu_);
      ++fetches_[req.symbol.str()];
    }
    return inner_->fetch(req);
  }
  std::map<std::string, int> fetches() const {
    std::lock_guard lock(mu_);
    return fetches_;
  }

 private:
  std::unique_ptr<ingest::BarProvider> inner_;
  mutable std::mutex mu_;
  mutable std::map<std::string, int> fetches_;
};

/// Stops the run as SIGTERM does (StopReason::shutdown) once `after` symbols
/// of `phase` are done.
class ShutdownAfter final : public engine::RunObserver {
 public:
  ShutdownAfter(engine::CancellationToken& t, Phase phase, int after)
      : token_(t), phase_(phase), after_(after) {}
  void on_progress(const storage::RunRecord&, const engine::ProgressUpdate& u) override {
    if (u.phase == phase_ && u.completed >= after_) token_.request(engine::StopReason::shutdown);
  }

 private:
  engine::CancellationToken& token_;
  Phase phase_;
  int after_;
};

Universe universe() {
  auto u = builtin_universe("sp500").value();
  u.members.erase(u.members.begin() + 12, u.members.end());
  u.name = "custom";
  return u;
}

engine::RunRequest request() {
  engine::RunRequest r;
  r.universe = universe();
  r.from = parse_date("2022-01-03").value();
  r.to = parse_date("2024-06-28").value();
  r.threads = 1;  // a deterministic stopping point
  return r;
}

TEST(ResumeTest, AResumeAfterAShutdownInEachPhaseLeavesExactlyTheRowsOfOneCleanRun) {
  TempDir dir;
  CountingProvider provider;
  testing::DbRows reference;
  {
    auto db = storage::open_storage(testing::engine_db(dir.str("reference.db")));
    engine::CancellationToken none;
    const auto r = engine::run_pipeline(request(), *db, provider, none);
    ASSERT_EQ(r.status, RunStatus::completed) << r.error;
  }
  reference = testing::result_rows(testing::engine_db(dir.str("reference.db")));
  ASSERT_FALSE(reference["indicator_values"].empty());
  ASSERT_FALSE(reference["pattern_detections"].empty());

  for (const Phase phase : kAllPhases) {
    SCOPED_TRACE(std::string("stopped in ") + std::string(to_string(phase)));
    const std::string path = dir.str(std::string(to_string(phase)) + ".db");
    auto db = storage::open_storage(testing::engine_db(path));
    CountingProvider counted;
    engine::CancellationToken token;
    ShutdownAfter stop(token, phase, 5);
    auto first = request();
    first.run_id = "parent-" + std::string(to_string(phase));
    const auto parent = engine::run_pipeline(first, *db, counted, token, &stop);
    ASSERT_EQ(parent.status, RunStatus::interrupted) << parent.error;

    // The resume request is rebuilt from what the parent recorded, as the engine does.
    auto again = request();
    again.run_id = "child-" + std::string(to_string(phase));
    again.trigger = TriggerType::resume;
    again.parent_run_id = parent.run_id;
    again.from = again.to = TradingDate{};
    ASSERT_TRUE(engine::apply_recorded_parameters(db->get_run(parent.run_id)->parameters_json, again));
    EXPECT_EQ(again.from, request().from);
    EXPECT_EQ(again.to, request().to);
    engine::CancellationToken fresh;
    const auto child = engine::run_pipeline(again, *db, counted, fresh);
    ASSERT_EQ(child.status, RunStatus::completed) << child.error;
    EXPECT_EQ(child.parent_run_id, parent.run_id);
    EXPECT_EQ(db->get_run(child.run_id)->trigger_type, TriggerType::resume);
    db.reset();

    testing::expect_same_rows(reference, testing::result_rows(testing::engine_db(path)), "after the resume");

    // Nothing committed was redone: every symbol was fetched once, and the
    // child carried exactly the parent's ok outcomes (attempts 0).
    for (const auto& [symbol, n] : counted.fetches()) EXPECT_EQ(n, 1) << symbol;
    EXPECT_EQ(counted.fetches().size(), universe().members.size());
    auto store = storage::open_storage(testing::engine_db(path));
    std::set<std::pair<Phase, std::string>> parent_ok, carried;
    for (const auto& o : store->run_outcomes(parent.run_id, false))
      if (o.status == "ok") parent_ok.emplace(o.phase, o.symbol);
    for (const auto& o : store->run_outcomes(child.run_id, false))
      if (o.attempts == 0) {
        EXPECT_EQ(o.status, "ok");
        carried.emplace(o.phase, o.symbol);
      }
    EXPECT_EQ(carried, parent_ok);
    EXPECT_GE(parent_ok.size(), 5u);
    // Every symbol of every phase is accounted for in the child.
    EXPECT_EQ(store->run_outcomes(child.run_id, false).size(), 4 * universe().members.size());
  }
}

TEST(ResumeTest, RecordedParametersRoundTripAndBadOnesAreRejected) {
  TempDir dir;
  auto db = storage::open_storage(testing::engine_db(dir.str("p.db")));
  CountingProvider provider;
  auto req = request();
  req.universe.members.erase(req.universe.members.begin() + 1, req.universe.members.end());
  req.phases = {Phase::import, Phase::indicators};
  req.store_history = true;
  req.min_success_ratio = 0.5;
  req.studies = {ta::parse_call("SMA(timeperiod=5)").value()};
  req.timeframes = {Timeframe::weekly};
  req.patterns = {"doji"};
  engine::CancellationToken none;
  const auto r = engine::run_pipeline(req, *db, provider, none);
  engine::RunRequest back;
  ASSERT_TRUE(engine::apply_recorded_parameters(db->get_run(r.run_id)->parameters_json, back));
  EXPECT_EQ(back.from, req.from);
  EXPECT_EQ(back.to, req.to);
  EXPECT_EQ(back.phases, req.phases);
  EXPECT_TRUE(back.store_history);
  EXPECT_EQ(back.min_success_ratio, 0.5);
  ASSERT_EQ(back.studies.size(), 1u);
  EXPECT_EQ(back.studies[0].key(), "SMA(timeperiod=5)");
  EXPECT_EQ(back.timeframes, req.timeframes);
  EXPECT_EQ(back.patterns, req.patterns);

  for (const char* bad : {"[]", "not json", R"({"from":"2024-13-40"})", R"({"phases":["nope"]})",
                          R"j({"indicators":["NOPE(x=1)"]})j", R"({"timeframes":["yearly"]})"}) {
    engine::RunRequest x;
    const auto st = engine::apply_recorded_parameters(bad, x);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, "INVALID_PARAMETER") << bad;
  }
}

}  // namespace
}  // namespace ts
