// Issue 7, fault 3: the database fails under a running engine (real Redis,
// real SQLite, the engine daemon). For each fault (disk full on a small tmpfs,
// the database file made read-only, the database locked by another writer)
// injected in the middle of a run:
// * the run ends `failed` with one critical STORAGE_FAILED error event;
// * the engine keeps serving commands during the fault and reports the run
//   failed even where the database could not store it;
// * no symbol is left half-written: per phase, the symbols with results, with
//   an `ok` outcome and with a watermark are the same set;
// * PRAGMA integrity_check passes, and once the fault is removed a new run
//   completes and the failed run's row says `failed`.
#include <gtest/gtest.h>

#include <set>

#include "engine_support.hpp"
#include "server/http_client.hpp"
#include "storage/fault_fixture.hpp"

namespace ts::testing {
namespace {

using storage::testing::FaultKind;

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

class DatabaseFaultTest : public EngineFixture, public ::testing::WithParamInterface<FaultKind> {
 protected:
  void customise(app::EngineConfig& c) override {
    fault_ = storage::testing::make_fault(GetParam(), 128u << 20, /*busy_timeout_ms=*/200);
    const std::string url = fault_->prepare(dir_.path(), "engine.db");
    if (url.empty()) return;  // the test skips with fault_->skip_reason
    c.db_url = url;
    db_path_ = storage::testing::sqlite_url_path(url);
  }
  void SetUp() override {
    EngineFixture::SetUp();
    if (!HasFatalFailure() && db_path_.empty()) GTEST_SKIP() << fault_->skip_reason;
  }
  void TearDown() override {
    if (fault_) fault_->remove();  // the daemon's final writes (and clean stop) need a working database
    EngineFixture::TearDown();
    fault_.reset();
  }

  /// Starts a long run (sp500), injects the fault once the run is importing,
  /// waits for the run's end (expecting processing_failed) and returns its
  /// terminal event; nullopt after a test failure.
  std::optional<protocol::Envelope> fail_a_run_by_the_fault() {
    const auto reply = call("trigger_daily_processing", {{"universe", "sp500"}, {"skip_market_check", true}});
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    if (!reply.value("ok", false)) return std::nullopt;
    const std::string run_id = reply["result"]["run_id"];
    const bool importing = bus::testing::wait_for(
        [&] {
          for (const auto& e : run_events(run_id))
            if (e.event == protocol::Event::import_progress) return true;
          return false;
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(importing) << "no import_progress event";
    const std::string injected = fault_->inject(db_path_);
    EXPECT_EQ(injected, "");
    if (!importing || !injected.empty()) return std::nullopt;
    auto terminal = wait_terminal(run_id);
    EXPECT_TRUE(terminal) << "run " << run_id << " did not end";
    if (terminal) {
      EXPECT_EQ(terminal->event, protocol::Event::processing_failed) << terminal->payload.dump();
    }
    return terminal;
  }

  /// The first STORAGE_FAILED error of a run, if any.
  std::vector<protocol::Envelope> storage_errors(const std::string& run_id) {
    std::vector<protocol::Envelope> out;
    for (auto& e : run_events(run_id))
      if (e.event == protocol::Event::error && e.payload.value("error_code", "") == "STORAGE_FAILED")
        out.push_back(std::move(e));
    return out;
  }

  std::vector<std::string> column(const std::string& sql) {
    return storage::testing::query_column(db_path_, sql);
  }

  /// Per phase, the symbols with stored results, with an `ok` outcome in
  /// `run_id` and with a watermark agree: each symbol's phase committed all
  /// of its writes or none. (The database is fresh, so every row is this
  /// test's.)
  void expect_no_partial_symbol(const std::string& run_id) {
    const auto ok = [&](const char* phase) {
      return as_set(column("SELECT symbol FROM run_symbols WHERE run_id='" + run_id + "' AND phase='" +
                           phase + "' AND status='ok'"));
    };
    const auto watermarked = [&](const char* phase) {
      return as_set(column(std::string("SELECT symbol FROM phase_watermarks WHERE phase='") + phase + "'"));
    };
    EXPECT_EQ(as_set(column("SELECT DISTINCT symbol FROM ohlcv WHERE timeframe='daily'")), ok("import"));
    EXPECT_EQ(as_set(column("SELECT DISTINCT symbol FROM ohlcv WHERE timeframe='weekly'")), ok("cache_sync"));
    EXPECT_EQ(watermarked("cache_sync"), ok("cache_sync"));
    EXPECT_EQ(as_set(column("SELECT DISTINCT symbol FROM indicator_values")), ok("indicators"));
    EXPECT_EQ(watermarked("indicators"), ok("indicators"));
    EXPECT_EQ(watermarked("patterns"), ok("patterns"));
    // Every stored symbol has its whole imported history, not a prefix.
    EXPECT_EQ(column("SELECT COUNT(DISTINCT n) FROM (SELECT COUNT(*) AS n FROM ohlcv WHERE timeframe='daily' "
                     "GROUP BY symbol)"),
              (std::vector<std::string>{ok("import").empty() ? "0" : "1"}));
  }

  std::unique_ptr<storage::testing::DatabaseFault> fault_;
  std::filesystem::path db_path_;
};

TEST_P(DatabaseFaultTest, RunFailsWithStorageFailedEngineKeepsServingAndRecovers) {
  // The run fails, naming the cause, after exactly one critical STORAGE_FAILED error.
  const auto terminal = fail_a_run_by_the_fault();
  ASSERT_TRUE(terminal);
  const std::string run_id = terminal->payload["run_id"];
  daemon_->wait_idle();
  const std::string error = terminal->payload.value("error", "");
  EXPECT_NE(error.find("STORAGE_FAILED"), std::string::npos) << error;
  EXPECT_NE(error.find(fault_->symptom()), std::string::npos) << error;
  const auto errors = storage_errors(run_id);
  ASSERT_EQ(errors.size(), 1u);
  const auto& ev = errors[0].payload;
  EXPECT_EQ(ev["severity"], "critical");
  EXPECT_EQ(ev["component"], "database");
  EXPECT_EQ(ev["recovery_action"], "run_aborted");
  EXPECT_LT(errors[0].seq, terminal->seq);
  EXPECT_TRUE(protocol::testing::schemas().validate("events/error.json", ev).empty()) << ev.dump();

  // While the fault lasts, the engine serves commands and says the run failed
  // (from memory when the database refused the terminal record).
  const auto status = call("get_processing_status");
  ASSERT_TRUE(status.value("ok", false)) << status.dump();
  EXPECT_EQ(status["result"]["state"], "idle");
  EXPECT_EQ(status["result"]["last_run"]["run_id"], run_id);
  EXPECT_EQ(status["result"]["last_run"]["status"], "failed");
  const auto run = call("get_run", {{"run_id", run_id}});
  ASSERT_TRUE(run.value("ok", false)) << run.dump();
  EXPECT_EQ(run["result"]["run"]["status"], "failed");
  const auto history = call("get_processing_history", {{"limit", 5}});
  ASSERT_TRUE(history.value("ok", false)) << history.dump();
  ASSERT_FALSE(history["result"]["runs"].empty());
  EXPECT_EQ(history["result"]["runs"][0]["run_id"], run_id);
  EXPECT_EQ(history["result"]["runs"][0]["status"], "failed");
  // A new run cannot start on the failed database: over HTTP the trigger is
  // refused with 503 STORAGE_FAILED, or (should its first record still fit)
  // its run fails with a STORAGE_FAILED error.
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon_->http_port());
  auto refused = server::http_request("POST", base + "/api/processing/trigger-manual",
                                      R"({"symbols":["AAPL"],"skip_market_check":true})", {},
                                      std::chrono::seconds(30));
  ASSERT_TRUE(refused) << refused.error().message;
  const auto body = json::parse(refused->body, nullptr, false);
  if (refused->status == 200) {
    const std::string id = body["run_id"];
    const auto t = wait_terminal(id);
    ASSERT_TRUE(t);
    daemon_->wait_idle();
    EXPECT_EQ(t->event, protocol::Event::processing_failed);
    EXPECT_EQ(storage_errors(id).size(), 1u);
  } else {
    EXPECT_EQ(refused->status, 503) << refused->body;
    EXPECT_EQ(body["error"]["code"], "STORAGE_FAILED") << refused->body;
    EXPECT_TRUE(protocol::testing::schemas().is_valid("http_error.json", body)) << refused->body;
  }

  // Nothing half-written, and the file is intact.
  EXPECT_EQ(storage::testing::integrity_check(db_path_), "ok");
  expect_no_partial_symbol(run_id);

  // Remove the fault: a new run completes, and the failed run is recorded as failed.
  fault_->remove();
  const auto again =
      call("trigger_daily_processing", {{"symbols", {"AAPL", "MSFT"}}, {"skip_market_check", true}});
  ASSERT_TRUE(again.value("ok", false)) << again.dump();
  const auto done = wait_terminal(again["result"]["run_id"]);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->event, protocol::Event::processing_completed) << done->payload.dump();
  const auto stored = daemon_->storage().get_run(run_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, RunStatus::failed);
  EXPECT_NE(stored->error.find("STORAGE_FAILED"), std::string::npos) << stored->error;
  EXPECT_EQ(storage::testing::integrity_check(db_path_), "ok");
}

TEST_P(DatabaseFaultTest, AnEngineStoppedDuringTheFaultLeavesNoRunRunning) {
  // The engine stops before the database recovers, so the failed run's
  // terminal record never reaches it: the next engine start must not leave
  // the run `running`.
  const auto terminal = fail_a_run_by_the_fault();
  ASSERT_TRUE(terminal);
  const std::string run_id = terminal->payload["run_id"];
  daemon_->stop();
  daemon_.reset();
  const auto left = storage::testing::query_column(
      db_path_, "SELECT status FROM processing_runs WHERE run_id='" + run_id + "'");
  ASSERT_EQ(left.size(), 1u);

  fault_->remove();
  daemon_ = std::make_unique<app::Daemon>(config_, [this] { return clock_.now(); });
  const auto st = daemon_->start();
  ASSERT_TRUE(st) << st.error().message;
  const auto run = daemon_->storage().get_run(run_id);
  ASSERT_TRUE(run);
  EXPECT_TRUE(is_terminal(run->status)) << to_string(run->status) << " (stored before: " << left[0] << ")";
  EXPECT_EQ(storage::testing::integrity_check(db_path_), "ok");
}

INSTANTIATE_TEST_SUITE_P(Faults, DatabaseFaultTest,
                         ::testing::Values(FaultKind::disk_full, FaultKind::read_only, FaultKind::locked),
                         [](const ::testing::TestParamInfo<FaultKind>& i) {
                           return storage::testing::fault_name(i.param);
                         });

}  // namespace
}  // namespace ts::testing
