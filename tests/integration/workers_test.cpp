// Distributed workers (issue #8): one in-process engine coordinating real
// `tickstock worker` processes over a private redis-server and PostgreSQL
// (the PgServer fixture). A worker SIGKILLed mid-shard, a poison shard, a
// cancellation, the phase barrier, worker ids in per-symbol events, the
// consumer threads' niceness, and the engine taking over when every worker is
// gone or the only one hangs.
// No timing assertions: every wait is for a state, with a generous limit.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "app/providers.hpp"
#include "db_snapshot.hpp"
#include "engine/pipeline.hpp"
#include "engine_support.hpp"
#include "process_support.hpp"
#include "storage/postgres/test_database.hpp"
#include "worker/work_stream.hpp"

namespace ts::testing {
namespace {

const std::vector<std::string> kSymbols{"AAPL", "MSFT", "NVDA", "JPM", "KO",  "PEP",  "XOM",
                                        "CVX",  "WMT",  "HD",   "DIS", "IBM", "INTC", "CSCO"};

/// One entry of a run's results stream, with its stream id.
struct ResultAt {
  std::string id;
  worker::ResultEntry entry;
};

class WorkersTest : public EngineFixture {
 protected:
  void customise(app::EngineConfig& c) override {
    c.db_url = pg_.url();
    c.workers = "auto";
    c.worker_shard_size = 2;
    c.worker_claim_timeout_ms = 1000;
    c.worker_max_deliveries = 2;
    c.progress_per_second = 1000;
    c.min_success_ratio = 0.5;  // the poison test fails 2 of 6 symbols
  }
  void TearDown() override {
    for (auto& [id, w] : workers_) w->stop(SIGTERM);
    workers_.clear();
    EngineFixture::TearDown();
  }

  /// The Redis URL the workers log in with (the admin's here; WorkersAcl: tickstock-worker).
  virtual bus::RedisUrl worker_redis() const { return url(); }

  /// Starts `tickstock worker --id ID [ARGS]`, with extra environment (fault injection).
  void start_worker(const std::string& id, const std::vector<std::string>& env = {},
                    const std::vector<std::string>& args = {}) {
    env_[id] = env;
    args_[id] = {"worker", "--redis", worker_redis().str(), "--db", pg_.url(), "--id", id};
    args_[id].insert(args_[id].end(), args.begin(), args.end());
    workers_[id] = std::make_unique<TickstockProcess>(args_[id], dir_.str("worker-" + id + ".log"), env_[id]);
  }
  /// Waits until exactly these workers have a liveness key.
  bool workers_alive(std::size_t n) {
    auto c = sync();
    return bus::testing::wait_for(
        [&] {
          auto ids = c.command({"KEYS", "tickstock:workers:*"});
          return ids && ids->elements.size() == n;
        },
        std::chrono::seconds(60));
  }
  std::string trigger(const std::vector<std::string>& symbols) {
    const auto reply = call("trigger_daily_processing", {{"symbols", symbols}, {"skip_market_check", true}});
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    return reply.contains("result") ? reply["result"].value("run_id", "") : "";
  }
  std::vector<ResultAt> results(const std::string& run_id) {
    std::vector<ResultAt> out;
    auto c = sync();
    auto entries = c.xrange(worker::results_key(run_id));
    EXPECT_TRUE(entries);
    if (!entries) return out;
    for (const auto& e : *entries) {
      auto r = worker::decode_result(e.payload);
      EXPECT_TRUE(r) << e.payload;
      if (r) out.push_back({e.id, std::move(r).value()});
    }
    return out;
  }
  long long symbol_results_of(const std::string& run_id, const std::string& worker_id) {
    long long n = 0;
    for (const auto& r : results(run_id))
      n += r.entry.kind == worker::ResultEntry::Kind::symbol && r.entry.worker_id == worker_id;
    return n;
  }
  std::string log_of(const std::string& id) { return read_file(dir_.str("worker-" + id + ".log")); }
  /// Restarts the workers that died (a supervisor's Restart=always).
  void restart_dead_workers() {
    for (auto& [id, w] : workers_)
      if (w->exited())
        w = std::make_unique<TickstockProcess>(args_[id], dir_.str("worker-" + id + ".log"), env_[id]);
  }

  /// A single-process run (the engine's own threads) of what `run_id` recorded, into `into`.
  void single_process_run(const std::string& run_id, const storage::testing::PgTestDatabase& into) {
    const auto rec = daemon_->storage().get_run(run_id);
    ASSERT_TRUE(rec);
    engine::RunRequest req;
    ASSERT_TRUE(engine::apply_recorded_parameters(rec->parameters_json, req));
    const auto p = json::parse(rec->parameters_json);
    std::string csv;
    for (const auto& s : p["symbols"]) csv += (csv.empty() ? "" : ",") + s.get<std::string>();
    auto symbols = parse_symbol_list(csv);
    ASSERT_TRUE(symbols);
    for (const auto& s : *symbols) req.universe.members.push_back({s, "", "", std::nullopt});
    req.universe.name = "custom";
    req.threads = 2;
    auto provider = app::make_any_provider(config_.provider, "");
    ASSERT_TRUE(provider);
    auto db = storage::open_storage(into.url());
    engine::CancellationToken cancel;
    const auto done = engine::run_pipeline(req, *db, **provider, cancel);
    ASSERT_EQ(done.status, RunStatus::completed) << done.error;
  }

  /// Starts w1, which holds its first shard after its second symbol, and `others` healthy workers;
  /// runs kSymbols, kills w1 there and waits for the run (last_run_) to complete.
  void run_killing_w1_mid_shard(const std::vector<std::string>& others) {
    start_worker("w1", {"TICKSTOCK_WORKER_FAULT=hang-after:2"});
    for (const auto& id : others) start_worker(id);
    ASSERT_TRUE(workers_alive(1 + others.size()));
    const std::string run_id = last_run_ = trigger(kSymbols);
    ASSERT_FALSE(run_id.empty());
    ASSERT_TRUE(
        bus::testing::wait_for([&] { return symbol_results_of(run_id, "w1") >= 2; }, std::chrono::seconds(120)))
        << log_of("w1");
    workers_["w1"]->stop(SIGKILL);
    const auto terminal = wait_terminal(run_id, std::chrono::seconds(300));
    ASSERT_TRUE(terminal);
    EXPECT_EQ(protocol::to_string(terminal->event), "processing_completed") << terminal->payload.dump();
    EXPECT_EQ(terminal->payload.value("symbols_processed", 0), static_cast<int>(kSymbols.size()))
        << terminal->payload.dump();
  }

  /// The database holds exactly the rows of a single-process run on the inputs `run_id` recorded.
  void expect_the_rows_of_a_single_process_run(const std::string& run_id, const std::string& what) {
    storage::testing::PgTestDatabase reference;
    single_process_run(run_id, reference);
    const auto want = result_rows(reference.url());
    ASSERT_GT(want.at("indicator_values").size(), 0u);
    ASSERT_GT(want.at("pattern_detections").size(), 0u);
    expect_same_rows(want, result_rows(pg_.url()), what);
  }

  /// Three workers, one killed mid-shard (XAUTOCLAIM reclaims its shard): the run (last_run_)
  /// completes and the database holds exactly the rows of a single-process run on the same inputs.
  void killed_worker_run_equals_a_single_process_run() {
    run_killing_w1_mid_shard({"w2", "w3"});
    if (HasFatalFailure()) return;
    const std::string& run_id = last_run_;

    // The shard w1 died holding was reclaimed and finished by another worker.
    std::set<std::string> w1_shards, w1_done, done_by_others;
    for (const auto& r : results(run_id)) {
      if (r.entry.worker_id == "w1") {
        (r.entry.kind == worker::ResultEntry::Kind::done ? w1_done : w1_shards).insert(r.entry.shard_id);
      } else if (r.entry.kind == worker::ResultEntry::Kind::done) {
        done_by_others.insert(r.entry.shard_id);
      }
    }
    std::vector<std::string> unfinished;
    for (const auto& s : w1_shards)
      if (!w1_done.contains(s)) unfinished.push_back(s);
    ASSERT_EQ(unfinished.size(), 1u);
    EXPECT_TRUE(done_by_others.contains(unfinished.front()));
    EXPECT_NE(log_of("w2") + log_of("w3"), "");
    EXPECT_NE((log_of("w2") + log_of("w3")).find("reclaimed shard " + unfinished.front()), std::string::npos);

    expect_the_rows_of_a_single_process_run(run_id, "distributed run with a killed worker");
  }

  storage::testing::PgTestDatabase pg_;
  std::string last_run_;
  std::map<std::string, std::unique_ptr<TickstockProcess>> workers_;
  std::map<std::string, std::vector<std::string>> env_, args_;
};

TEST_F(WorkersTest, KilledWorkerMidShardLosesNothingAndTheRowsEqualASingleProcessRun) {
  killed_worker_run_equals_a_single_process_run();
}

TEST_F(WorkersTest, PatternsStartOnlyAfterEveryIndicatorsShardIsAcknowledgedAndEventsNameTheWorker) {
  // w1 holds its first indicators shard unacknowledged past the claim timeout:
  // without the barrier, patterns shards would be handed out (and processed by
  // w2 and w3) while it is still pending.
  start_worker("w1", {"TICKSTOCK_WORKER_FAULT=hold-ack:indicators"});
  start_worker("w2");
  start_worker("w3");
  ASSERT_TRUE(workers_alive(3));
  const std::vector<std::string>& symbols = kSymbols;
  const std::string run_id = trigger(symbols);
  const auto terminal = wait_terminal(run_id);
  ASSERT_TRUE(terminal);
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_completed") << terminal->payload.dump();

  // Barrier: in the results stream (one total order), every indicators shard's
  // `done` (written by the same Lua call as its XACK) comes before the first
  // patterns result.
  const auto rs = results(run_id);
  std::size_t indicator_shards_done = 0, last_indicators_done = 0, first_patterns = rs.size();
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& e = rs[i].entry;
    if (e.phase == Phase::indicators && e.kind == worker::ResultEntry::Kind::done) {
      ++indicator_shards_done;
      last_indicators_done = i;
    }
    if (e.phase == Phase::patterns && first_patterns == rs.size()) first_patterns = i;
  }
  EXPECT_EQ(indicator_shards_done, symbols.size() / 2);
  ASSERT_LT(first_patterns, rs.size());
  EXPECT_LT(last_indicators_done, first_patterns);
  // The held shard has exactly one `done` (whoever acknowledged first: w1 late, or the worker that
  // reclaimed it), and it precedes the patterns phase.
  std::string held;
  for (const auto& r : rs)
    if (r.entry.worker_id == "w1" && r.entry.phase == Phase::indicators && held.empty()) held = r.entry.shard_id;
  ASSERT_FALSE(held.empty()) << log_of("w1");
  std::vector<std::string> done_by;
  for (const auto& r : rs)
    if (r.entry.shard_id == held && r.entry.kind == worker::ResultEntry::Kind::done) done_by.push_back(r.entry.worker_id);
  EXPECT_EQ(done_by.size(), 1u);
  EXPECT_NE((log_of("w2") + log_of("w3")).find("reclaimed shard " + held), std::string::npos);
  // No indicators shard is left pending: the work stream is gone with the run,
  // and the engine's patterns_started follows its indicators_completed.
  const auto events = run_events(run_id);
  std::set<std::string> progress_workers;
  long long detections_with_worker = 0, detections = 0;
  for (const auto& e : events) {
    const auto violations =
        protocol::testing::schemas().validate(protocol::payload_schema_path(e.event), e.payload);
    EXPECT_TRUE(violations.empty()) << protocol::to_string(e.event) << ": " << e.payload.dump();
    const std::string name(protocol::to_string(e.event));
    if (name == "import_progress") {
      EXPECT_FALSE(e.payload.contains("worker_id")) << e.payload.dump();
    }
    if (name == "cache_progress" || name == "indicators_progress" || name == "patterns_progress") {
      ASSERT_TRUE(e.payload.contains("worker_id")) << e.payload.dump();
      progress_workers.insert(e.payload["worker_id"].get<std::string>());
    }
    if (e.event == protocol::Event::patterns_detected) {
      ++detections;
      detections_with_worker += e.payload.contains("worker_id");
    }
  }
  EXPECT_FALSE(progress_workers.empty());
  for (const auto& w : progress_workers) EXPECT_TRUE(w == "w1" || w == "w2" || w == "w3") << w;
  EXPECT_GT(detections, 0);
  EXPECT_EQ(detections_with_worker, detections);
}

TEST_F(WorkersTest, PoisonShardGoesToTheDeadLetterStreamAndItsSymbolsFailWithTheCode) {
  // Every worker crashes on KO: each delivery of KO's shard kills its worker,
  // which the test restarts as a supervisor would.
  for (const char* id : {"w1", "w2"}) start_worker(id, {"TICKSTOCK_WORKER_FAULT=crash:KO"});
  ASSERT_TRUE(workers_alive(2));
  const std::vector<std::string> symbols{"AAPL", "MSFT", "NVDA", "JPM", "KO", "PEP"};
  const std::string run_id = trigger(symbols);
  std::optional<protocol::Envelope> terminal;
  ASSERT_TRUE(bus::testing::wait_for(
      [&] {
        restart_dead_workers();
        for (auto& e : run_events(run_id))
          if (is_terminal_event(e, run_id)) terminal = e;
        return terminal.has_value();
      },
      std::chrono::seconds(300)));
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_completed")  // with errors
      << terminal->payload.dump();
  EXPECT_EQ(terminal->payload["status"], "completed_with_errors") << terminal->payload.dump();

  // KO and its shard mate (PEP: shards of 2 in universe order) failed with SHARD_DEAD_LETTER.
  auto& db = daemon_->storage();
  std::set<std::string> failed;
  for (const auto& o : db.run_outcomes(run_id, /*failed_only=*/true)) {
    EXPECT_EQ(o.error_code, "SHARD_DEAD_LETTER") << o.symbol << ": " << o.message;
    EXPECT_EQ(o.phase, Phase::cache_sync);
    failed.insert(o.symbol);
  }
  EXPECT_EQ(failed, (std::set<std::string>{"KO", "PEP"}));
  long long dead_events = 0;
  for (const auto& e : run_events(run_id))
    if (e.event == protocol::Event::error && e.payload["error_code"] == "SHARD_DEAD_LETTER") {
      ++dead_events;
      EXPECT_TRUE(protocol::testing::schemas().validate("events/error.json", e.payload).empty())
          << e.payload.dump();
    }
  EXPECT_EQ(dead_events, 2);
  // The dead-letter stream holds the shard once, delivered max_deliveries + 1 times.
  auto c = sync();
  auto dead = c.xrange(worker::dead_key(run_id));
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  auto shard = worker::decode_shard(dead->front().payload);
  ASSERT_TRUE(shard);
  EXPECT_EQ(shard->symbols, (std::vector<std::string>{"KO", "PEP"}));
}

TEST_F(WorkersTest, CancellationReachesEveryWorkerBeforeItsNextSymbol) {
  // Each worker holds its shard after its first symbol until the run is cancelled.
  for (const char* id : {"w1", "w2", "w3"}) start_worker(id, {"TICKSTOCK_WORKER_FAULT=hang-after:1"});
  ASSERT_TRUE(workers_alive(3));
  const std::string run_id = trigger(kSymbols);
  ASSERT_TRUE(bus::testing::wait_for(
      [&] {
        return symbol_results_of(run_id, "w1") == 1 && symbol_results_of(run_id, "w2") == 1 &&
               symbol_results_of(run_id, "w3") == 1;
      },
      std::chrono::seconds(120)));
  const auto reply = call("cancel_processing", {{"run_id", run_id}});
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  const auto terminal = wait_terminal(run_id);
  ASSERT_TRUE(terminal);
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_cancelled") << terminal->payload.dump();
  // Every worker saw the cancellation before its next symbol and left its shard.
  for (const char* id : {"w1", "w2", "w3"}) {
    ASSERT_TRUE(bus::testing::wait_for(
        [&] { return log_of(id).find("left unfinished: the run was cancelled") != std::string::npos; },
        std::chrono::seconds(60)))
        << id << ": " << log_of(id);
    EXPECT_EQ(symbol_results_of(run_id, id), 1) << id;
  }
}

/// The niceness of each thread of process `pid` (/proc/PID/task/TID/stat, field 19).
std::multiset<int> thread_niceness(pid_t pid) {
  std::multiset<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const std::string stat = read_file((task.path() / "stat").string());
    const auto end_of_name = stat.rfind(')');  // the thread name may hold spaces
    if (end_of_name == std::string::npos) continue;
    std::istringstream fields(stat.substr(end_of_name + 2));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i)
      if (i == 19) out.insert(std::stoi(field));
  }
  return out;
}

TEST_F(WorkersTest, ConsumerThreadsRunBelowTheHeartbeatsPriority) {
  errno = 0;
  const int base = ::getpriority(PRIO_PROCESS, 0);  // inherited by the worker
  ASSERT_EQ(errno, 0);
  start_worker("w1", {}, {"--concurrency", "2", "--nice", "7"});
  ASSERT_TRUE(workers_alive(1)) << log_of("w1");
  const int lowered = std::min(19, base + 7);
  std::multiset<int> seen;
  ASSERT_TRUE(bus::testing::wait_for(
      [&] {
        seen = thread_niceness(workers_["w1"]->pid());
        return seen.count(lowered) == 2;
      },
      std::chrono::seconds(60)))
      << "thread niceness: " << ::testing::PrintToString(seen);
  EXPECT_GE(seen.count(base), 2u) << ::testing::PrintToString(seen);  // the main thread and the heartbeat
  EXPECT_EQ(seen.size(), seen.count(base) + 2) << ::testing::PrintToString(seen);

  const auto refused = run_tickstock("worker --db " + pg_.url() + " --nice 20", dir_);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--nice"), std::string::npos) << refused.err;
}

/// WorkersTest with one of the engine's takeover limits shortened to `Ms`.
template <long app::EngineConfig::*Limit, long Ms>
class WorkersWithLimit : public WorkersTest {
 protected:
  void customise(app::EngineConfig& c) override {
    WorkersTest::customise(c);
    c.*Limit = Ms;
  }
};

/// A short takeover delay (the default is a minute): the engine does a phase's remaining symbols
/// itself once no worker has had a liveness key for a second.
using WorkersTakeover = WorkersWithLimit<&app::EngineConfig::worker_takeover_ms, 1000>;

TEST_F(WorkersTakeover, WhenEveryWorkerIsGoneTheEngineFinishesTheRunAndTheRowsEqualASingleProcessRun) {
  // The only worker holds its first shard after its second symbol and is killed there: nobody is
  // left to reclaim the shard. Its liveness key expires (heartbeat TTL), then the engine takes over.
  run_killing_w1_mid_shard({});
  if (HasFatalFailure()) return;
  const std::string& run_id = last_run_;

  // w1 reported its two symbols of the first distributed phase; the engine did everything else:
  // its progress events carry no worker id, and every later phase is its own.
  EXPECT_EQ(symbol_results_of(run_id, "w1"), 2);
  std::map<std::string, int> by_w1, by_engine;  // progress events per phase
  for (const auto& e : run_events(run_id)) {
    const std::string name(protocol::to_string(e.event));
    if (name != "cache_progress" && name != "indicators_progress" && name != "patterns_progress") continue;
    ++(e.payload.contains("worker_id") ? by_w1 : by_engine)[name];
    if (e.payload.contains("worker_id")) {
      EXPECT_EQ(e.payload["worker_id"], "w1") << e.payload.dump();
    }
  }
  EXPECT_LE(by_w1["cache_progress"], 2);
  EXPECT_EQ(by_w1["indicators_progress"], 0);
  EXPECT_EQ(by_w1["patterns_progress"], 0);
  EXPECT_GT(by_engine["cache_progress"], 0);
  EXPECT_GT(by_engine["indicators_progress"], 0);
  EXPECT_GT(by_engine["patterns_progress"], 0);

  expect_the_rows_of_a_single_process_run(run_id, "run taken over by the engine");
}

/// A short stall limit (the default is five minutes): the engine does a phase's remaining symbols
/// itself once no result has arrived for three seconds, although a worker is alive.
using WorkersStall = WorkersWithLimit<&app::EngineConfig::worker_stall_ms, 3000>;

TEST_F(WorkersStall, ALiveButHungOnlyWorkerIsTakenOverFromAndTheRowsEqualASingleProcessRun) {
  // The only worker holds its first shard after its second symbol and stays alive (its heartbeat
  // keeps its liveness key), so nobody reclaims the shard: without the stall limit the run would
  // wait until it is cancelled.
  start_worker("w1", {"TICKSTOCK_WORKER_FAULT=hang-after:2"});
  ASSERT_TRUE(workers_alive(1));
  const std::string run_id = trigger(kSymbols);
  ASSERT_FALSE(run_id.empty());
  const auto terminal = wait_terminal(run_id, std::chrono::seconds(120));
  ASSERT_TRUE(terminal) << "the run waited on the hung worker";
  EXPECT_EQ(protocol::to_string(terminal->event), "processing_completed") << terminal->payload.dump();
  EXPECT_EQ(terminal->payload.value("symbols_processed", 0), static_cast<int>(kSymbols.size()))
      << terminal->payload.dump();
  EXPECT_FALSE(workers_["w1"]->exited()) << "the worker was to stay alive";
  // At most its two symbols before it hung (fewer if a loaded machine kept it from its first
  // results for the stall limit: the engine took over earlier then).
  EXPECT_LE(symbol_results_of(run_id, "w1"), 2);
  expect_the_rows_of_a_single_process_run(run_id, "run taken over from a hung worker");
}

// ---- least privilege: docs/security/redis-users.acl ----------------------------------------
constexpr std::string_view kEnginePassword = "engine-pw-workers-acl";
constexpr std::string_view kWorkerPassword = "worker-pw-workers-acl";

bus::RedisUrl login_as(bus::RedisUrl url, std::string_view user, std::string_view password) {
  url.user = std::string(user);
  url.password = std::string(password);
  return url;
}

/// The same engine and workers on a Redis with requirepass and the documented ACL users: the
/// engine logs in as tickstock-engine (it coordinates), each worker as tickstock-worker.
class WorkersAcl : public WorkersTest {
 protected:
  bus::RedisServerOptions server_options() const override {
    bus::RedisServerOptions o;
    o.password = "admin-pw-only-for-the-test-harness";
    o.extra_args = bus::testing::acl_user_args(
        std::filesystem::path(TICKSTOCK_SOURCE_DIR) / "docs/security/redis-users.acl",
        {{"><engine-password>", ">" + std::string(kEnginePassword)},
         {"><worker-password>", ">" + std::string(kWorkerPassword)}});
    return o;
  }
  void customise(app::EngineConfig& c) override {
    WorkersTest::customise(c);
    c.redis_url = login_as(url(), "tickstock-engine", kEnginePassword).str();
  }
  bus::RedisUrl worker_redis() const override {
    return login_as(url(), "tickstock-worker", kWorkerPassword);
  }
};

TEST_F(WorkersAcl, ADistributedRunAsTheDocumentedUsersNeedsNothingMore) {
  killed_worker_run_equals_a_single_process_run();
  if (HasFatalFailure()) return;
  // The coordinator's clean-up (HDEL, SET, DEL, then EXPIRE) may still be on its way: wait for it.
  auto admin = sync();
  ASSERT_TRUE(bus::testing::wait_for(
      [&] {
        auto ttl = admin.command({"TTL", worker::results_key(last_run_)});
        return ttl && ttl->integer > 0;
      },
      std::chrono::seconds(60)));
  // The workers' exit (DEL of their liveness keys) is part of their job too; only the killed
  // w1's key is left, to expire.
  for (auto& [id, w] : workers_) w->stop(SIGTERM);
  auto keys = admin.command({"KEYS", "tickstock:workers:*"});
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->elements.size(), 1u);
  EXPECT_EQ(keys->elements[0].str, "tickstock:workers:w1");
  const auto denied = bus::testing::acl_refusals(admin);
  EXPECT_TRUE(denied.empty()) << "Redis refused: " << denied.front();
}

}  // namespace
}  // namespace ts::testing
