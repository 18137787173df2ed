// Issue #7 fault 2 and the Redis half of fault 4, with the real binaries: a
// `tickstock engine` process, `tickstock ctl watch` as the consumer, and a
// private redis-server that is SIGKILLed in the middle of a run and started
// again (once with AOF persistence, once without). Plus idempotent re-send of
// a command whose reply was lost, and a pub/sub subscriber that Redis cuts
// off for falling behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <set>

#include "bus/subscriber.hpp"
#include "client/stream_tail.hpp"
#include "engine_support.hpp"
#include "server/http_client.hpp"

namespace ts::testing {
namespace {

using namespace std::chrono_literals;
using bus::testing::wait_for;

/// A child process running `tickstock ARGS...`, stdout and stderr to files.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
    pid_ = fork();
    if (pid_ == 0) {
      freopen(out.c_str(), "w", stdout);
      freopen(err.c_str(), "w", stderr);
      std::vector<char*> argv{const_cast<char*>(TICKSTOCK_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(TICKSTOCK_BINARY, argv.data());
      _exit(127);
    }
  }
  ~Child() { stop(SIGKILL); }
  /// Sends `sig` and reaps; returns the exit status (or -1).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  bool ok() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

long long metric(const std::string& text, const std::string& name) {
  const auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::stoll(text.substr(pos + name.size() + 2));
}

struct OutageParams {
  const char* name;
  bool persistence;
};

class RedisKilledMidRun : public bus::testing::RedisFixture,
                          public ::testing::WithParamInterface<OutageParams> {
 protected:
  bus::RedisServerOptions server_options() const override {
    bus::RedisServerOptions o;
    if (GetParam().persistence) o.extra_args = {"--appendonly", "yes", "--appendfsync", "everysec"};
    return o;
  }
};

TEST_P(RedisKilledMidRun, TheConsumerEndsWithEveryEventOfTheRunOnceAndInSeqOrder) {
  TempDir dir;
  const std::string db = engine_db(dir.str("engine.db"));
  const int http_port = bus::pick_free_port().value();
  const std::string redis = url().str();
  // The stream keeps the whole run: the outbox drains faster than ctl prints.
  // Every detection is published (alert_bars = 0), so the events can be counted against the database.
  std::ofstream(dir.path() / "engine.toml") << "stream_maxlen = 2000000\nalert_bars = 0\n";
  Child engine({"engine", "--config", dir.str("engine.toml"), "--redis", redis, "--db", db, "--http",
                "127.0.0.1:" + std::to_string(http_port), "--no-scheduler"},
               dir.str("engine.out"), dir.str("engine.err"));
  auto c = sync();
  ASSERT_TRUE(wait_for([&] {
    auto n = c.publish("tickstock:commands", R"({"command":"get_processing_status"})");
    return n && *n >= 1;
  }));
  const std::string run_id = std::string("outage-") + GetParam().name;
  Child watch({"ctl", "--redis", redis, "--json", "watch", "--run", run_id}, dir.str("watch.out"),
              dir.str("watch.err"));
  // ctl is tailing once its blocking XREAD shows in CLIENT LIST.
  ASSERT_TRUE(wait_for([&] {
    auto list = c.command({"CLIENT", "LIST"});
    return list && list->str.find("cmd=xread") != std::string::npos;
  })) << read_file(dir.path() / "watch.err");

  const std::string cmd = R"({"command":"trigger_daily_processing","parameters":{"universe":"sp500",)"
                          R"("skip_market_check":true,"run_id":")" +
                          run_id + R"("}})";
  ASSERT_TRUE(c.publish("tickstock:commands", cmd));
  // Mid-run: once the consumer has shown some of the run's events.
  ASSERT_TRUE(wait_for([&] { return lines_of(dir.path() / "watch.out").size() >= 3; }, 60s))
      << read_file(dir.path() / "engine.err");
  server().stop(/*hard=*/true);  // SIGKILL

  // The engine keeps processing without Redis: the run ends in the database.
  auto store = storage::open_storage(db);
  ASSERT_TRUE(wait_for(
      [&] {
        const auto r = store->get_run(run_id);
        return r && is_terminal(r->status);
      },
      300s));
  const auto run = store->get_run(run_id).value();
  EXPECT_EQ(run.status, RunStatus::completed);
  const auto metrics =
      server::http_request("GET", "http://127.0.0.1:" + std::to_string(http_port) + "/metrics", "", {}, 10s);
  ASSERT_TRUE(metrics);
  EXPECT_GT(metric(metrics->body, "tickstock_events_spilled_total"), 0) << metrics->body;
  EXPECT_EQ(metric(metrics->body, "tickstock_events_dropped_total"), 0);

  ASSERT_TRUE(server().start());  // same port and directory
  ASSERT_TRUE(wait_for(
      [&] {
        const auto out = lines_of(dir.path() / "watch.out");
        return !out.empty() && out.back().find("\"processing_completed\"") != std::string::npos;
      },
      300s))
      << read_file(dir.path() / "watch.err");
  EXPECT_EQ(watch.stop(SIGTERM), 0);

  std::set<std::string> ids;
  std::uint64_t expected_seq = 1;
  long long detections = 0;
  for (const auto& line : lines_of(dir.path() / "watch.out")) {
    auto e = protocol::decode_event(line);
    ASSERT_TRUE(e) << line;
    ASSERT_EQ(e->payload.value("run_id", ""), run_id);
    ASSERT_TRUE(ids.insert(e->id).second) << "duplicate " << line;
    ASSERT_EQ(e->seq, expected_seq) << line;  // every event, in order, no gap
    ++expected_seq;
    if (e->event == protocol::Event::patterns_detected) ++detections;
  }
  EXPECT_EQ(detections, store->count_detections(run_id));
  EXPECT_EQ(detections, run.patterns_detected);
  EXPECT_GT(detections, 0);
  std::cout << "[ measured ] " << ids.size() << " events of the run, "
            << metric(metrics->body, "tickstock_events_spilled_total")
            << " spilled to the database outbox; run " << run.duration_seconds << " s\n";
  EXPECT_EQ(read_file(dir.path() / "watch.err").find("seq gap"), std::string::npos)
      << read_file(dir.path() / "watch.err");
  // The outbox is empty again once everything was acknowledged.
  EXPECT_TRUE(wait_for([&] { return store->count_outbox() == 0; }, 60s));
  EXPECT_EQ(engine.stop(SIGTERM), 0) << read_file(dir.path() / "engine.err");
  for (const char* log : {"engine.out", "engine.err"})
    for (const auto& line : lines_of(dir.path() / log))
      if (line.find("outbox published") != std::string::npos || line.find("Redis lost") != std::string::npos)
        std::cout << "[ measured ] " << line << "\n";
}

INSTANTIATE_TEST_SUITE_P(Persistence, RedisKilledMidRun,
                         ::testing::Values(OutageParams{"aof", true}, OutageParams{"none", false}),
                         [](const auto& info) { return std::string(info.param.name); });

// seq continuation through the real binary: an engine SIGKILLed mid-run, a
// new engine marks the run interrupted; that event's seq is above every seq
// the run used before (a gap is allowed, a reuse is not).
class EngineKilledMidRun : public bus::testing::RedisFixture {};

TEST_F(EngineKilledMidRun, TheInterruptedEventContinuesTheRunsSeqWithoutReuse) {
  TempDir dir;
  const std::string db = engine_db(dir.str("engine.db"));
  const std::vector<std::string> args{"engine", "--redis", url().str(), "--db",
                                      db,       "--http",  "off",       "--no-scheduler"};
  auto c = sync();
  auto listening = [&] {
    auto n = c.publish("tickstock:commands", R"({"command":"get_processing_status"})");
    return n && *n >= 1;
  };
  const std::string run_id = "killed-run";
  auto run_events = [&] {
    std::vector<protocol::Envelope> out;
    if (auto entries = c.xrange(std::string(protocol::kStreamKey)))
      for (const auto& e : *entries)
        if (auto env = protocol::decode_event(e.payload); env && env->payload.value("run_id", "") == run_id)
          out.push_back(std::move(env).value());
    return out;
  };
  {
    Child engine(args, dir.str("engine1.out"), dir.str("engine1.err"));
    ASSERT_TRUE(wait_for(listening));
    ASSERT_TRUE(c.publish("tickstock:commands",
                          R"({"command":"trigger_daily_processing","parameters":{"universe":"sp500",)"
                          R"("skip_market_check":true,"run_id":"killed-run"}})"));
    ASSERT_TRUE(wait_for([&] { return run_events().size() >= 50; }, 60s));
    engine.stop(SIGKILL);
  }
  const auto before = run_events();
  std::set<std::uint64_t> used;
  for (const auto& e : before) used.insert(e.seq);
  ASSERT_FALSE(before.empty());
  Child engine(args, dir.str("engine2.out"), dir.str("engine2.err"));
  std::optional<protocol::Envelope> interrupted;
  ASSERT_TRUE(wait_for(
      [&] {
        for (const auto& e : run_events())
          if (e.event == protocol::Event::processing_interrupted) interrupted = e;
        return interrupted.has_value();
      },
      60s))
      << read_file(dir.path() / "engine2.err");
  EXPECT_GT(interrupted->seq, *used.rbegin());         // never a number the killed engine used
  EXPECT_LE(interrupted->seq, *used.rbegin() + 1024);  // at most one reserved block skipped
  EXPECT_EQ(engine.stop(SIGTERM), 0);
}

// A trigger whose reply went nowhere (the client was not listening, or Redis
// restarted) is sent again with the same request_id: the engine answers with
// the first reply and starts nothing new.
class IdempotentResend : public EngineFixture {};

TEST_F(IdempotentResend, ASecondSendOfTheSameRequestGetsTheSameReplyAndStartsNothing) {
  json cmd{{"command", "trigger_daily_processing"},
           {"request_id", "resend-1"},
           {"reply_to", "tickstock:commands:replies:nobody-listens"},
           {"parameters", {{"symbols", {"AAPL", "KO"}}, {"skip_market_check", true}}}};
  auto c = sync();
  ASSERT_TRUE(c.publish(std::string(protocol::kCommandChannel), cmd.dump()));
  auto& db = daemon_->storage();
  ASSERT_TRUE(wait_for([&] { return db.list_runs({}).size() == 1; }));  // it ran; the reply was lost
  const std::string run_id = db.list_runs({}).front().run_id;

  cmd["reply_to"] = reply_channel_;  // the client listens this time
  const auto reply = send(cmd);
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  EXPECT_EQ(reply["request_id"], "resend-1");
  EXPECT_EQ(reply["result"]["run_id"], run_id);
  EXPECT_FALSE(reply["result"].value("existing", false));  // the very first reply
  ASSERT_TRUE(wait_terminal(run_id));
  daemon_->wait_idle();
  EXPECT_EQ(db.list_runs({}).size(), 1u);
  const auto again = send(cmd);  // after the run ended: still the same answer
  EXPECT_EQ(again, reply);
  EXPECT_EQ(db.list_runs({}).size(), 1u);

  // A new request_id is a new command.
  cmd["request_id"] = "resend-2";
  const auto other = send(cmd);
  ASSERT_TRUE(other.value("ok", false)) << other.dump();
  EXPECT_NE(other["result"]["run_id"], run_id);
}

// Fault 4, Redis side: a pub/sub subscriber that stops reading is cut off by
// Redis's client-output-buffer-limit (small here), so Redis's memory stays
// bounded; the consumer then recovers every event from the stream.
class SlowSubscriber : public EngineFixture {
 protected:
  bus::RedisServerOptions server_options() const override {
    bus::RedisServerOptions o;
    o.extra_args = {"--client-output-buffer-limit", "pubsub 262144 131072 1"};
    return o;
  }
  void customise(app::EngineConfig& c) override {
    c.stream_maxlen = 2'000'000;  // the whole run
    c.alert_bars = 0;             // every detection is published: ~160k events overflow the subscriber
  }
};

TEST_F(SlowSubscriber, IsDisconnectedByRedisAndRecoversFromTheStreamWithoutLoss) {
  auto c = sync();
  client::StreamTail tail(c, std::string(protocol::kStreamKey));
  ASSERT_TRUE(tail.start("$"));  // the consumer's position before it subscribes

  bus::EventLoop loop("ts-test-slow");
  bus::ConnectionOptions o;
  o.url = url();
  o.name = "slow-subscriber";
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool released = false;
  std::atomic<long> received{0};
  bus::Subscriber sub(loop, o, [&](const bus::Message&) {
    if (received++ == 0) {  // stalls on the first message: stops reading the socket
      std::unique_lock lock(gate_mu);
      gate_cv.wait(lock, [&] { return released; });
    }
  });
  ASSERT_TRUE(sub.start().get());
  ASSERT_TRUE(bus::as_future<Ok>([&](auto cb) {
                sub.subscribe({std::string(protocol::channel_of(protocol::Event::patterns_detected))}, cb);
              }).get());

  const auto reply = call("trigger_daily_processing", {{"universe", "sp500"}, {"skip_market_check", true}});
  ASSERT_TRUE(reply.value("ok", false)) << reply.dump();
  const std::string run_id = reply["result"]["run_id"];
  ASSERT_TRUE(wait_terminal(run_id, 300s));
  // Redis dropped the stalled subscriber (its output buffer passed the limit).
  auto clients = c.command({"CLIENT", "LIST"});
  ASSERT_TRUE(clients);
  EXPECT_EQ(clients->str.find("name=slow-subscriber"), std::string::npos) << clients->str;
  {
    std::lock_guard lock(gate_mu);
    released = true;
  }
  gate_cv.notify_all();
  EXPECT_TRUE(wait_for([&] { return sub.reconnects() >= 1; }));  // and it came back by itself

  // Recovery from the stream: every event of the run, once, in seq order.
  std::vector<protocol::Envelope> events;
  bool done = false;
  while (!done) {
    auto entries = tail.next(1000, 1000ms);
    ASSERT_TRUE(entries);
    ASSERT_FALSE(entries->empty()) << "the stream ended before the run's terminal event";
    for (const auto& e : *entries) {
      auto env = protocol::decode_event(e.payload);
      ASSERT_TRUE(env);
      if (env->payload.value("run_id", "") != run_id) continue;
      events.push_back(*env);
      if (protocol::info(env->event).kind == protocol::PayloadKind::run_finished) done = true;
    }
  }
  long long detections = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].seq, i + 1);
    if (events[i].event == protocol::Event::patterns_detected) ++detections;
  }
  EXPECT_EQ(detections, daemon_->storage().count_detections(run_id));
  EXPECT_GT(received.load(), 0);
  sub.close();
}

}  // namespace
}  // namespace ts::testing
