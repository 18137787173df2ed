// Security over real Redis (docs/security.md):
//  - signed commands: the engine accepts signed ones and refuses unsigned, wrongly
//    signed, stale and replayed ones with UNAUTHORIZED plus a `warning` event; ctl signs;
//  - least privilege: the documented ACL users (docs/security/redis-users.acl) on a
//    Redis with requirepass carry a full run through the app, the engine and ctl
//    without a single refused command, and the watcher cannot publish a command.
// The secrets grep test is in secrets_test.cpp.
#include <sys/stat.h>

#include "app_support.hpp"
#include "protocol/signing.hpp"

namespace ts::testing {
namespace {

constexpr std::string_view kSecret = "cmd-secret-4f1d2c9a7b3e6f58";

/// `tickstock ARGS` with environment assignments ("A=1 B=2").
CommandResult run_with_env(const std::string& env, const std::string& args, const TempDir& dir) {
  return run_tickstock(args, dir, env);
}

std::string write_secret(const TempDir& dir, const std::string& name, std::string_view value) {
  const std::string path = dir.str(name);
  std::ofstream(path) << value << "\n";  // the trailing newline is not part of the secret
  ::chmod(path.c_str(), 0600);
  return path;
}

/// Commands signed the way ctl and the app sign them, sent to the in-process engine.
class SignedCommands : public EngineFixture {
 protected:
  void customise(app::EngineConfig& c) override {
    c.command_secret = std::string(kSecret);
    real_clock_ = true;
  }
  json signed_command(const std::string& command, json params, std::string request_id,
                      std::chrono::system_clock::time_point when, std::string_view secret = kSecret) {
    protocol::CommandRequest r;
    r.command = protocol::find_command(command)->command;
    r.request_id = std::move(request_id);
    r.parameters = std::move(params);
    r.source = "security-test";
    r.reply_to = reply_channel_;
    protocol::sign_command(r, secret, when);
    return json::parse(protocol::encode_command(r));
  }
  /// The `warning` error events about refused commands, from the stream.
  std::vector<json> refusal_warnings() {
    std::vector<json> out;
    for (const auto& e : stream())
      if (e.event == protocol::Event::error && e.payload.value("component", "") == "commands")
        out.push_back(e.payload);
    return out;
  }
  /// Publishes `cmd` and returns the reply that is the k-th (from 0) on its
  /// request_id's reply channel.
  json publish_for_answer(const json& cmd, std::size_t k) {
    auto c = sync();
    EXPECT_TRUE(c.publish(std::string(protocol::kCommandChannel), cmd.dump()));
    std::vector<json> answers;
    bus::testing::wait_for([&] {
      answers.clear();
      for (const auto& m : replies_->messages()) {
        auto j = json::parse(m.payload, nullptr, false);
        if (j.is_object() && j.value("request_id", "") == cmd["request_id"]) answers.push_back(j);
      }
      return answers.size() > k;
    });
    EXPECT_EQ(answers.size(), k + 1);
    return answers.size() > k ? answers[k] : json::object();
  }
  /// Publishes `cmd` again (its request_id already answered once) and returns the second reply.
  json send_again(const json& cmd) { return publish_for_answer(cmd, 1); }
  static std::string reason(const json& reply) {
    EXPECT_FALSE(reply.value("ok", true)) << reply.dump();
    const json error = reply.value("error", json::object());
    EXPECT_EQ(error.value("code", ""), "UNAUTHORIZED") << reply.dump();
    return error.value("details", json::object()).value("reason", "");
  }
};

TEST_F(SignedCommands, ASignedCommandIsAccepted) {
  const auto now = std::chrono::system_clock::now();
  const auto reply = send(signed_command("get_processing_status", json::object(), "ok-1", now));
  EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
  const auto started = send(signed_command(
      "trigger_daily_processing", {{"symbols", {"AAPL"}}, {"skip_market_check", true}}, "ok-2", now));
  ASSERT_TRUE(started.value("ok", false)) << started.dump();
  EXPECT_TRUE(wait_terminal(started["result"]["run_id"].get<std::string>()));
  EXPECT_TRUE(refusal_warnings().empty());
}

TEST_F(SignedCommands, UnsignedWrongStaleAndReplayedAreRefusedWithAWarningEach) {
  using std::chrono::seconds;
  const auto now = std::chrono::system_clock::now();
  const json trigger{{"symbols", {"AAPL"}}, {"skip_market_check", true}};

  json unsigned_cmd{{"command", "trigger_daily_processing"},
                    {"parameters", trigger},
                    {"timestamp", protocol::format_timestamp(now)}};
  EXPECT_EQ(reason(send(unsigned_cmd)), "unsigned");
  EXPECT_EQ(reason(send(
                signed_command("trigger_daily_processing", trigger, "bad-1", now, "some-other-secret-0000"))),
            "bad_signature");
  json tampered = signed_command("trigger_daily_processing", trigger, "bad-2", now);
  tampered["parameters"]["full"] = true;
  EXPECT_EQ(reason(send(tampered)), "bad_signature");
  EXPECT_EQ(reason(send(signed_command("trigger_daily_processing", trigger, "old-1", now - seconds(61)))),
            "stale");
  const json once = signed_command("get_processing_status", json::object(), "once-1", now);
  EXPECT_TRUE(send(once).value("ok", false));
  EXPECT_EQ(reason(send_again(once)), "replayed");

  // Nothing refused was carried out.
  EXPECT_EQ(daemon_->run_count(), 0u);
  // One warning per refusal, valid against the schema, without the secret.
  ASSERT_TRUE(bus::testing::wait_for([&] { return refusal_warnings().size() >= 5; }));
  const auto warnings = refusal_warnings();
  EXPECT_EQ(warnings.size(), 5u);
  for (const auto& w : warnings) {
    EXPECT_EQ(w.value("severity", ""), "warning");
    EXPECT_EQ(w.value("error_code", ""), "UNAUTHORIZED");
    EXPECT_EQ(w.value("recovery_action", ""), "command_refused");
    EXPECT_TRUE(protocol::testing::schemas().is_valid("events/error.json", w)) << w.dump();
    EXPECT_EQ(w.dump().find(kSecret), std::string::npos);
  }
  EXPECT_NE(warnings[4].value("message", "").find("once-1"), std::string::npos) << warnings[4].dump();
}

// A client whose reply was lost sends the same signed command again (as sent,
// or signed again with a new timestamp): the engine answers with the first
// reply and runs nothing new. A reused request_id with other parameters is
// still refused as replayed.
TEST_F(SignedCommands, ASignedReSendOfATriggerGetsTheFirstReplyAndRunsNothing) {
  const auto now = std::chrono::system_clock::now();
  const json trigger{{"symbols", {"AAPL"}}, {"skip_market_check", true}};
  const json cmd = signed_command("trigger_daily_processing", trigger, "resend-signed-1", now);
  const auto first = send(cmd);
  ASSERT_TRUE(first.value("ok", false)) << first.dump();
  const std::string run_id = first["result"]["run_id"];
  EXPECT_EQ(send_again(cmd), first);  // the very same message

  const json resigned =
      signed_command("trigger_daily_processing", trigger, "resend-signed-1", now + std::chrono::seconds(2));
  ASSERT_NE(resigned["signature"], cmd["signature"]);
  EXPECT_EQ(publish_for_answer(resigned, 2), first);

  const json other = signed_command("trigger_daily_processing", {{"symbols", {"KO"}}, {"skip_market_check", true}},
                                    "resend-signed-1", now);
  EXPECT_EQ(reason(publish_for_answer(other, 3)), "replayed");
  EXPECT_TRUE(wait_terminal(run_id));
  EXPECT_EQ(daemon_->run_count(), 1u);
  ASSERT_TRUE(bus::testing::wait_for([&] { return refusal_warnings().size() >= 1; }));
  EXPECT_EQ(refusal_warnings().size(), 1u);  // only the reused id was refused
}

TEST_F(SignedCommands, CtlSignsWithTheSecretFromAFileOrTheEnvironment) {
  TempDir dir;
  const std::string file = write_secret(dir, "command-secret", kSecret);
  const std::string redis = "--redis " + url().str();

  const auto by_file = run_with_env("TICKSTOCK_COMMAND_SECRET_FILE=" + file, "ctl " + redis + " status", dir);
  EXPECT_EQ(by_file.exit_code, 0) << by_file.err;
  const auto by_flag = run_tickstock("ctl " + redis + " --command-secret-file " + file +
                                         " trigger --symbols AAPL --skip-market-check --wait",
                                     dir);
  EXPECT_EQ(by_flag.exit_code, 0) << by_flag.out << by_flag.err;
  const auto by_env =
      run_with_env("TICKSTOCK_COMMAND_SECRET=" + std::string(kSecret), "ctl " + redis + " history", dir);
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;

  const auto unsigned_ctl = run_tickstock("ctl " + redis + " status", dir);
  EXPECT_EQ(unsigned_ctl.exit_code, 1);
  EXPECT_NE(unsigned_ctl.err.find("UNAUTHORIZED"), std::string::npos) << unsigned_ctl.err;
  const std::string wrong = write_secret(dir, "wrong-secret", "not-the-engines-secret-0000");
  const auto wrong_ctl = run_tickstock("ctl " + redis + " --command-secret-file " + wrong + " status", dir);
  EXPECT_EQ(wrong_ctl.exit_code, 1);
  EXPECT_NE(wrong_ctl.err.find("wrong signature"), std::string::npos) << wrong_ctl.err;
  EXPECT_EQ(daemon_->run_count(), 1u);  // only the signed trigger ran
}

// ---- least privilege ----------------------------------------------------------------------
constexpr std::string_view kEnginePassword = "engine-pw-51c0e2";
constexpr std::string_view kAppPassword = "app-pw-9d7731";
constexpr std::string_view kWatcherPassword = "watcher-pw-a3f4b8";

std::vector<std::string> documented_acl_users() {
  return bus::testing::acl_user_args(fs::path(TICKSTOCK_SOURCE_DIR) / "docs/security/redis-users.acl",
                                     {{"><engine-password>", ">" + std::string(kEnginePassword)},
                                      {"><app-password>", ">" + std::string(kAppPassword)},
                                      {"><watcher-password>", ">" + std::string(kWatcherPassword)}});
}

class LeastPrivilege : public AppFixture {
 protected:
  bus::RedisServerOptions server_options() const override {
    bus::RedisServerOptions o;
    o.password = "admin-pw-only-for-the-test-harness";
    o.extra_args = documented_acl_users();
    return o;
  }
  bus::RedisUrl redis_as(std::string_view user, std::string_view password) const {
    bus::RedisUrl u = url();
    u.user = std::string(user);
    u.password = std::string(password);
    return u;
  }
  void customise(app::EngineConfig& c) override {
    c.redis_url = redis_as("tickstock-engine", kEnginePassword).str();
    c.command_secret = std::string(kSecret);
    real_clock_ = true;
  }
  void customise_app(webapp::AppServerOptions& o) override {
    o.redis = redis_as("tickstock-app", kAppPassword);
    o.command_secret = std::string(kSecret);
  }
  std::vector<std::string> refused() {
    auto admin = sync();
    return bus::testing::acl_refusals(admin);
  }
};

TEST_F(LeastPrivilege, AFullRunThroughTheAppEngineAndCtlNeedsNothingMore) {
  TempDir dir;
  const auto otto = login("otto");
  auto started = as(otto, "POST", "/api/processing/trigger-manual",
                    json{{"symbols", {"AAPL", "MSFT"}}, {"skip_market_check", true}}.dump());
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string run_id = body(started)["run_id"];
  const auto terminal = wait_terminal(run_id);
  ASSERT_TRUE(terminal);
  EXPECT_EQ(terminal->event, protocol::Event::processing_completed);

  // The app reads through the engine and follows the stream (XINFO, XRANGE, XREAD, GET).
  EXPECT_EQ(as(otto, "GET", "/api/processing/runs/" + run_id).status, 200);
  auto socket = ws(otto, "?last_id=0");
  ASSERT_TRUE(socket->open());
  EXPECT_TRUE(socket->next().has_value());

  // ctl as the app's user: commands (signed) and the stream.
  const std::string env = "TICKSTOCK_REDIS_URL=" + redis_as("tickstock-app", kAppPassword).str() +
                          " TICKSTOCK_COMMAND_SECRET_FILE=" + write_secret(dir, "secret", kSecret);
  const auto status = run_with_env(env, "ctl run " + run_id, dir);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  const auto cancel = run_with_env(env, "ctl trigger --symbols AAPL --skip-market-check --wait", dir);
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  const auto watch = run_with_env(env, "ctl watch --json --from-id 0 --max-events 3", dir);
  EXPECT_EQ(watch.exit_code, 0) << watch.err;

  const auto denied = refused();
  EXPECT_TRUE(denied.empty()) << "Redis refused: " << denied.front();
}

TEST_F(LeastPrivilege, TheWatcherCanWatchButCannotPublishACommand) {
  TempDir dir;
  const std::string env = "TICKSTOCK_REDIS_URL=" + redis_as("tickstock-watcher", kWatcherPassword).str() +
                          " TICKSTOCK_COMMAND_SECRET_FILE=" + write_secret(dir, "secret", kSecret);
  const auto watch = run_with_env(env, "ctl watch --json --from-id 0 --max-events 1", dir);
  EXPECT_EQ(watch.exit_code, 0) << watch.err;  // heartbeats are in the stream

  const auto trigger = run_with_env(env, "ctl trigger --symbols AAPL --skip-market-check", dir);
  EXPECT_NE(trigger.exit_code, 0);
  EXPECT_NE(trigger.err.find("NOPERM"), std::string::npos) << trigger.err;
  EXPECT_EQ(daemon_->run_count(), 0u);
  const auto denied = refused();
  ASSERT_FALSE(denied.empty());
  EXPECT_NE(denied.front().find("tickstock-watcher"), std::string::npos) << denied.front();
  // The password is not in what ctl printed.
  EXPECT_EQ(trigger.err.find(kWatcherPassword), std::string::npos) << trigger.err;
}

TEST(EngineAcl, AUserWithoutTheCommandPatternFailsToStartAndSaysWhy) {
  // The documented engine user minus &tickstock:commands:*: the engine must not hang at start.
  auto users = documented_acl_users();
  std::erase(users, "&tickstock:commands:*");
  bus::RedisServerOptions o;
  o.password = "admin-pw-only-for-the-test-harness";
  o.extra_args = users;
  bus::RedisServer redis(o);
  ASSERT_TRUE(redis.start());
  TempDir dir;
  app::EngineConfig c;
  bus::RedisUrl u = redis.url();
  u.user = "tickstock-engine";
  u.password = std::string(kEnginePassword);
  c.redis_url = u.str();
  c.db_url = engine_db(dir.str("engine.db"));
  c.http = "off";
  c.scheduler = false;
  app::Daemon daemon(c);
  const auto st = daemon.start();
  daemon.stop();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "REDIS_UNAVAILABLE");
  EXPECT_NE(st.error().message.find("tickstock:commands:*"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find(kEnginePassword), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace ts::testing
