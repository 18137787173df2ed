#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

#include "app/providers.hpp"
#include "core/uuid.hpp"
#include "engine/pipeline.hpp"

namespace ts::app {
namespace {

std::string write_toml(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("ts_cfg_" + make_uuid_v4() + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

/// TOML files that are removed when the test ends.
struct TomlFiles {
  std::vector<std::string> paths;
  std::string write(const std::string& text) { return paths.emplace_back(write_toml(text)); }
  ~TomlFiles() {
    for (const auto& p : paths) std::filesystem::remove(p);
  }
};

TEST(Config, TomlOverridesDefaultsAndEnvironmentOverridesToml) {
  const auto path =
      write_toml("redis = \"redis://:pw@127.0.0.1:7000/1\"\nhttp = \"127.0.0.1:9000\"\nthreads = 3\n");
  auto c = apply_toml_file(EngineConfig{}, path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->redis_url, "redis://:pw@127.0.0.1:7000/1");
  EXPECT_EQ(c->http, "127.0.0.1:9000");
  EXPECT_EQ(c->threads, 3u);
  EXPECT_EQ(c->db_url, EngineConfig{}.db_url);  // untouched keys keep their defaults
  setenv("TICKSTOCK_HTTP", "127.0.0.1:9100", 1);
  auto e = apply_environment(*c);
  unsetenv("TICKSTOCK_HTTP");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->http, "127.0.0.1:9100");
  std::filesystem::remove(path);
}

TEST(Config, UnknownKeysAndBadValuesAreRejectedWithTheirName) {
  TomlFiles files;
  const auto bad_key = write_toml("redis_url = \"redis://x\"\n");
  auto c = apply_toml_file(EngineConfig{}, bad_key);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("redis_url"), std::string::npos) << c.error().message;
  const auto bad_value = write_toml("min_success = 2.5\n");
  c = apply_toml_file(EngineConfig{}, bad_value);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("min_success"), std::string::npos);
  const auto bad_alerts = write_toml("alert_bars = -1\n");
  c = apply_toml_file(EngineConfig{}, bad_alerts);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("alert_bars"), std::string::npos);
  const auto all_alerts = write_toml("alert_bars = 0\n");
  c = apply_toml_file(EngineConfig{}, all_alerts);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->alert_bars, 0);
  EXPECT_EQ(EngineConfig{}.alert_bars, engine::kDefaultAlertBars);
  for (const char* bad : {"thread_nice = -1\n", "thread_nice = 20\n"}) {
    c = apply_toml_file(EngineConfig{}, files.write(bad));
    ASSERT_FALSE(c) << bad;
    EXPECT_NE(c.error().message.find("thread_nice"), std::string::npos) << c.error().message;
  }
  c = apply_toml_file(EngineConfig{}, files.write("thread_nice = 0\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->thread_nice, 0);
  EXPECT_EQ(EngineConfig{}.thread_nice, engine::RunRequest{}.thread_nice);
  c = apply_toml_file(EngineConfig{}, files.write("worker_takeover_ms = 0\n"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("worker_takeover_ms"), std::string::npos) << c.error().message;
  c = apply_toml_file(EngineConfig{}, files.write("worker_takeover_ms = 2500\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->worker_takeover_ms, 2500);
  const auto bad_syntax = write_toml("threads = [\n");
  EXPECT_FALSE(apply_toml_file(EngineConfig{}, bad_syntax));
  EXPECT_FALSE(apply_toml_file(EngineConfig{}, "/nonexistent/tickstock.toml"));
  setenv("TICKSTOCK_THREADS", "many", 1);
  EXPECT_FALSE(apply_environment(EngineConfig{}));
  unsetenv("TICKSTOCK_THREADS");
  for (const auto& p : {bad_key, bad_value, bad_alerts, all_alerts, bad_syntax}) std::filesystem::remove(p);
}

TEST(Config, ResumeIsOnByDefaultAndTomlOrEnvironmentTurnItOff) {
  EXPECT_TRUE(EngineConfig{}.resume);
  const auto path = write_toml("resume = false\n");
  auto c = apply_toml_file(EngineConfig{}, path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->resume);
  setenv("TICKSTOCK_RESUME", "1", 1);
  auto e = apply_environment(*c);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->resume);
  setenv("TICKSTOCK_RESUME", "false", 1);
  e = apply_environment(EngineConfig{});
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->resume);
  setenv("TICKSTOCK_RESUME", "maybe", 1);
  e = apply_environment(EngineConfig{});
  unsetenv("TICKSTOCK_RESUME");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("TICKSTOCK_RESUME"), std::string::npos) << e.error().message;
  EXPECT_NE(describe(EngineConfig{}).find("resume=true"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(Config, VendorUrlFromTomlThenEnvironmentReachesTheProvider) {
  EXPECT_EQ(EngineConfig{}.vendor_url, "");
  const auto path = write_toml("provider = \"massive\"\nvendor_url = \"http://127.0.0.1:9001\"\n");
  auto c = apply_toml_file(EngineConfig{}, path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->vendor_url, "http://127.0.0.1:9001");
  setenv("TICKSTOCK_VENDOR_URL", "http://127.0.0.1:9002", 1);
  auto e = apply_environment(*c);
  unsetenv("TICKSTOCK_VENDOR_URL");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->vendor_url, "http://127.0.0.1:9002");
  EXPECT_NE(describe(*e).find("vendor_url=http://127.0.0.1:9002"), std::string::npos) << describe(*e);
  // What the daemon builds its provider from.
  setenv("MASSIVE_API_KEY", "sk-config-test", 1);
  auto p = make_any_provider(e->provider, e->vendor_url);
  unsetenv("MASSIVE_API_KEY");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)->describe(), "massive:base=http://127.0.0.1:9002");
  EXPECT_FALSE(make_any_provider("synthetic", e->vendor_url));
  std::filesystem::remove(path);
}

TEST(Config, DescriptionMasksSecrets) {
  EngineConfig c;
  c.redis_url = "redis://engine:hunter2@127.0.0.1:6379/0";
  c.api_token = "tok-very-secret";
  c.command_secret = "cmd-secret-very-secret";
  const auto text = describe(c);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("tok-very-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("cmd-secret-very-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("command_secret=***"), std::string::npos) << text;
  EXPECT_NE(text.find("redis://engine:***@127.0.0.1:6379/0"), std::string::npos) << text;
  EXPECT_EQ(mask_url("redis://:pw@h:1/0"), "redis://:***@h:1/0");
  EXPECT_EQ(mask_url("redis://h:1/0"), "redis://h:1/0");
}

TEST(Config, SecretsComeFromTheEnvironmentOrFiles) {
  const auto secret = write_toml("file-secret-0123456789\n");  // any file; one trailing newline is dropped
  const auto token = write_toml("file-token\r\n");
  setenv("TICKSTOCK_COMMAND_SECRET_FILE", secret.c_str(), 1);
  setenv("TICKSTOCK_API_TOKEN_FILE", token.c_str(), 1);
  auto e = apply_environment(EngineConfig{});
  auto a = apply_environment(AppConfig{});
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(e->command_secret, "file-secret-0123456789");
  EXPECT_EQ(e->api_token, "file-token");
  EXPECT_EQ(a->command_secret, "file-secret-0123456789");

  setenv("TICKSTOCK_COMMAND_SECRET", "env-secret-0123456789", 1);  // both: ambiguous
  auto both = apply_environment(EngineConfig{});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("TICKSTOCK_COMMAND_SECRET_FILE"), std::string::npos);
  unsetenv("TICKSTOCK_COMMAND_SECRET_FILE");
  EXPECT_EQ(apply_environment(EngineConfig{})->command_secret, "env-secret-0123456789");
  unsetenv("TICKSTOCK_COMMAND_SECRET");

  setenv("TICKSTOCK_API_TOKEN_FILE", "/nonexistent/tickstock-token", 1);
  auto missing = apply_environment(EngineConfig{});
  unsetenv("TICKSTOCK_API_TOKEN_FILE");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/tickstock-token"), std::string::npos);

  const auto toml = write_toml("command_secret_file = \"" + secret + "\"\n");
  auto t = apply_toml_file(EngineConfig{}, toml);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->command_secret, "file-secret-0123456789");
  const auto empty = write_toml("");
  const auto bad = write_toml("command_secret_file = \"" + empty + "\"\n");
  auto refused = apply_toml_file(EngineConfig{}, bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("empty"), std::string::npos) << refused.error().message;
  for (const auto& p : {secret, token, toml, empty, bad}) std::filesystem::remove(p);
}

TEST(Config, ValuesOfTheWrongTypeOrRangeAreErrorsNotDefaults) {
  TomlFiles files;
  // A number where a string is expected (and the reverse) used to fall back to the default silently.
  for (const char* bad :
       {"min_success = \"high\"\n", "threads = \"4\"\n", "redis = 6379\n", "resume = 1\n"}) {
    auto c = apply_toml_file(EngineConfig{}, files.write(bad));
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, "INVALID_CONFIG");
    const std::string key(bad, std::string_view(bad).find(' '));
    EXPECT_NE(c.error().message.find(": " + key + " must be a"), std::string::npos) << c.error().message;
  }
  auto whole = apply_toml_file(EngineConfig{}, files.write("min_success = 1\n"));  // an integer is a number
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->min_success_ratio, 1.0);
  for (const char* beyond :
       {"thread_nice = 4294967306\n", "min_success = nan\n", "worker_shard_size = -1\n"}) {
    auto c = apply_toml_file(EngineConfig{}, files.write(beyond));  // no wrap-around into the range, no NaN
    EXPECT_FALSE(c) << beyond;
  }
  auto range = apply_toml_file(EngineConfig{}, files.write("threads = 5000\n"));
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message.find("threads must be within 0..1024, not 5000"), std::string::npos)
      << range.error().message;

  setenv("TICKSTOCK_THREADS", "5000", 1);
  auto e = apply_environment(EngineConfig{});
  unsetenv("TICKSTOCK_THREADS");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("TICKSTOCK_THREADS"), std::string::npos) << e.error().message;
  setenv("TICKSTOCK_LEGACY_CHANNELS", "yes", 1);
  e = apply_environment(EngineConfig{});
  unsetenv("TICKSTOCK_LEGACY_CHANNELS");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("TICKSTOCK_LEGACY_CHANNELS"), std::string::npos) << e.error().message;
  setenv("TICKSTOCK_WORKERS", "sometimes", 1);
  e = apply_environment(EngineConfig{});
  unsetenv("TICKSTOCK_WORKERS");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("one of auto|off"), std::string::npos) << e.error().message;

  auto app = apply_toml_file(AppConfig{}, files.write("engine_timeout_ms = 0\n"));
  ASSERT_FALSE(app);
  EXPECT_NE(app.error().message.find("engine_timeout_ms"), std::string::npos) << app.error().message;
  setenv("TICKSTOCK_ENGINE_TIMEOUT_MS", "soon", 1);
  auto app_env = apply_environment(AppConfig{});
  unsetenv("TICKSTOCK_ENGINE_TIMEOUT_MS");
  ASSERT_FALSE(app_env);
  EXPECT_NE(app_env.error().message.find("TICKSTOCK_ENGINE_TIMEOUT_MS"), std::string::npos);
}

TEST(Config, TheDefaultsAreValidAndEveryKeyIsShownOnceWithSecretsMasked) {
  EXPECT_TRUE(check_config(EngineConfig{}));
  EngineConfig c;
  c.worker_shard_size = 0;
  EXPECT_FALSE(check_config(c));
  AppConfig a;
  a.command_secret = "app-secret-very-secret";
  a.redis_url = "redis://app:pw-very-secret@127.0.0.1:6379/0";
  const auto text = describe(a);
  EXPECT_EQ(text.find("very-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("command_secret=***"), std::string::npos) << text;
  const auto engine = describe(EngineConfig{});
  for (const char* key :
       {"api_token=(none)", "worker_takeover_ms=60000", "thread_nice=10", "min_success=0.8"})
    EXPECT_NE(engine.find(key), std::string::npos) << key << " in " << engine;
  EXPECT_EQ(engine.find("api_token_file"), std::string::npos) << engine;  // one field, shown once
}

TEST(Docs, ConfigurationPageHoldsTheCurrentKeyTables) {
  std::ifstream in(std::filesystem::path(TICKSTOCK_SOURCE_DIR) / "docs/configuration.md");
  ASSERT_TRUE(in);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string begin = "do not edit by hand -->\n", end = "<!-- end of generated tables -->";
  const auto from = page.find(begin), to = page.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(page.substr(from + begin.size(), to - from - begin.size()), config_reference())
      << "regenerate the tables in docs/configuration.md with `tickstock engine --config-keys`";
}

}  // namespace
}  // namespace ts::app
