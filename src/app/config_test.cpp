#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/providers.hpp"
#include "engine/pipeline.hpp"
#include "core/uuid.hpp"

namespace ts::app {
namespace {

std::string write_toml(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("ts_cfg_" + make_uuid_v4() + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

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
  const auto bad_syntax = write_toml("threads = [\n");
  EXPECT_FALSE(apply_toml_file(EngineConfig{}, bad_syntax));
  EXPECT_FALSE(apply_toml_file(EngineConfig{}, "/nonexistent/tickstock.toml"));
  setenv("TICKSTOCK_THREADS", "many", 1);
  EXPECT_FALSE(apply_environment(EngineConfig{}));
  unsetenv("TICKSTOCK_THREADS");
  for (const auto& p : {bad_key, bad_value, bad_alerts, all_alerts, bad_syntax}) std::filesystem::remove(p);
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
  const auto text = describe(c);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("tok-very-secret"), std::string::npos) << text;
  EXPECT_NE(text.find("redis://engine:***@127.0.0.1:6379/0"), std::string::npos) << text;
  EXPECT_EQ(mask_url("redis://:pw@h:1/0"), "redis://:***@h:1/0");
  EXPECT_EQ(mask_url("redis://h:1/0"), "redis://h:1/0");
}

}  // namespace
}  // namespace ts::app
