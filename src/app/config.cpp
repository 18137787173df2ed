#include "app/config.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <set>
#include <toml.hpp>

#include "core/secret.hpp"

namespace ts::app {

std::string mask_url(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url.substr(0, scheme + 3) + "***" + url.substr(at);
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<EngineConfig> apply_toml_file(EngineConfig c, const std::string& path) {
  static const std::set<std::string> kKeys{"redis",
                                           "db",
                                           "http",
                                           "provider",
                                           "vendor_url",
                                           "universe",
                                           "legacy_channels",
                                           "api_token",
                                           "api_token_file",
                                           "command_secret_file",
                                           "stream_maxlen",
                                           "event_outbox_max",
                                           "progress_per_second",
                                           "threads",
                                           "min_success",
                                           "alert_bars",
                                           "thread_nice",
                                           "heartbeat_ms",
                                           "scheduler",
                                           "resume",
                                           "tls_cert",
                                           "tls_key",
                                           "workers",
                                           "worker_shard_size",
                                           "worker_claim_timeout_ms",
                                           "worker_max_deliveries",
                                           "worker_takeover_ms"};
  try {
    const auto data = toml::parse(path);
    for (const auto& [key, value] : data.as_table())
      if (!kKeys.count(key)) return fail("INVALID_CONFIG", path + ": unknown key '" + key + "'");
    c.redis_url = toml::find_or<std::string>(data, "redis", c.redis_url);
    c.db_url = toml::find_or<std::string>(data, "db", c.db_url);
    c.http = toml::find_or<std::string>(data, "http", c.http);
    c.provider = toml::find_or<std::string>(data, "provider", c.provider);
    c.vendor_url = toml::find_or<std::string>(data, "vendor_url", c.vendor_url);
    c.universe = toml::find_or<std::string>(data, "universe", c.universe);
    c.legacy_channels = toml::find_or<bool>(data, "legacy_channels", c.legacy_channels);
    c.api_token = toml::find_or<std::string>(data, "api_token", c.api_token);
    for (auto [key, target] : {std::pair{"api_token_file", &c.api_token}, std::pair{"command_secret_file", &c.command_secret}})
      if (const auto file = toml::find_or<std::string>(data, key, std::string()); !file.empty()) {
        auto secret = read_secret_file(file);
        if (!secret) return fail("INVALID_CONFIG", path + ": " + key + ": " + secret.error().message);
        *target = std::move(secret).value();
      }
    c.stream_maxlen =
        static_cast<std::size_t>(toml::find_or<long long>(data, "stream_maxlen", c.stream_maxlen));
    c.event_outbox_max =
        static_cast<std::size_t>(toml::find_or<long long>(data, "event_outbox_max", c.event_outbox_max));
    c.progress_per_second = toml::find_or<double>(data, "progress_per_second", c.progress_per_second);
    c.threads = static_cast<unsigned>(toml::find_or<long long>(data, "threads", c.threads));
    c.min_success_ratio = toml::find_or<double>(data, "min_success", c.min_success_ratio);
    c.alert_bars = static_cast<int>(toml::find_or<long long>(data, "alert_bars", c.alert_bars));
    c.thread_nice = static_cast<int>(toml::find_or<long long>(data, "thread_nice", c.thread_nice));
    c.heartbeat_ms = toml::find_or<long long>(data, "heartbeat_ms", c.heartbeat_ms);
    c.scheduler = toml::find_or<bool>(data, "scheduler", c.scheduler);
    c.resume = toml::find_or<bool>(data, "resume", c.resume);
    c.tls_cert = toml::find_or<std::string>(data, "tls_cert", c.tls_cert);
    c.tls_key = toml::find_or<std::string>(data, "tls_key", c.tls_key);
    c.workers = toml::find_or<std::string>(data, "workers", c.workers);
    c.worker_shard_size =
        static_cast<std::size_t>(toml::find_or<long long>(data, "worker_shard_size", c.worker_shard_size));
    c.worker_claim_timeout_ms =
        toml::find_or<long long>(data, "worker_claim_timeout_ms", c.worker_claim_timeout_ms);
    c.worker_max_deliveries =
        static_cast<int>(toml::find_or<long long>(data, "worker_max_deliveries", c.worker_max_deliveries));
    c.worker_takeover_ms = toml::find_or<long long>(data, "worker_takeover_ms", c.worker_takeover_ms);
  } catch (const std::exception& e) {
    return fail("INVALID_CONFIG", "config file " + path + ": " + e.what());
  }
  if (c.progress_per_second <= 0) return fail("INVALID_CONFIG", path + ": progress_per_second must be > 0");
  if (c.min_success_ratio < 0 || c.min_success_ratio > 1)
    return fail("INVALID_CONFIG", path + ": min_success must be within 0..1");
  if (c.alert_bars < 0) return fail("INVALID_CONFIG", path + ": alert_bars must be >= 0 (0 = every detection)");
  if (c.thread_nice < 0 || c.thread_nice > 19)
    return fail("INVALID_CONFIG", path + ": thread_nice must be within 0..19 (0 = the engine's own priority)");
  if (auto st = check_workers(c); !st) return fail("INVALID_CONFIG", path + ": " + st.error().message);
  return c;
}

Status<> check_workers(const EngineConfig& c) {
  if (c.workers != "auto" && c.workers != "off")
    return fail("INVALID_CONFIG", "workers must be auto or off, not '" + c.workers + "'");
  if (c.worker_shard_size < 1) return fail("INVALID_CONFIG", "worker_shard_size must be >= 1");
  if (c.worker_claim_timeout_ms < 1) return fail("INVALID_CONFIG", "worker_claim_timeout_ms must be >= 1");
  if (c.worker_max_deliveries < 1) return fail("INVALID_CONFIG", "worker_max_deliveries must be >= 1");
  if (c.worker_takeover_ms < 1) return fail("INVALID_CONFIG", "worker_takeover_ms must be >= 1");
  return Ok{};
}

namespace {
/// An environment variable's value; nullptr when unset or empty.
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
}  // namespace

Result<EngineConfig> apply_environment(EngineConfig c) {
  if (auto v = env("TICKSTOCK_REDIS_URL")) c.redis_url = v;
  if (auto v = env("TICKSTOCK_DB")) c.db_url = v;
  if (auto v = env("TICKSTOCK_HTTP")) c.http = v;
  if (auto v = env("TICKSTOCK_PROVIDER")) c.provider = v;
  if (auto v = env("TICKSTOCK_VENDOR_URL")) c.vendor_url = v;
  if (auto v = env("TICKSTOCK_UNIVERSE")) c.universe = v;
  for (auto [name, target] : {std::pair{"TICKSTOCK_API_TOKEN", &c.api_token},
                               std::pair{"TICKSTOCK_COMMAND_SECRET", &c.command_secret}}) {
    auto secret = secret_from_environment(name);
    if (!secret) return fail("INVALID_CONFIG", secret.error().message);
    if (!secret->empty()) *target = std::move(secret).value();
  }
  if (auto v = env("TICKSTOCK_TLS_CERT")) c.tls_cert = v;
  if (auto v = env("TICKSTOCK_TLS_KEY")) c.tls_key = v;
  if (auto v = env("TICKSTOCK_LEGACY_CHANNELS"))
    c.legacy_channels = std::string(v) == "1" || std::string(v) == "true";
  if (auto v = env("TICKSTOCK_RESUME")) {
    const std::string r = v;
    if (r != "1" && r != "true" && r != "0" && r != "false")
      return fail("INVALID_CONFIG", "TICKSTOCK_RESUME: expected 1, true, 0 or false, not '" + r + "'");
    c.resume = r == "1" || r == "true";
  }
  if (auto v = env("TICKSTOCK_WORKERS")) {
    c.workers = v;
    if (auto st = check_workers(c); !st)
      return fail("INVALID_CONFIG", "TICKSTOCK_WORKERS: " + st.error().message);
  }
  if (auto v = env("TICKSTOCK_THREADS")) {
    try {
      c.threads = static_cast<unsigned>(std::stoul(v));
    } catch (const std::exception&) {
      return fail("INVALID_CONFIG", std::string("TICKSTOCK_THREADS: not a number: '") + v + "'");
    }
  }
  return c;
}

Result<AppConfig> apply_toml_file(AppConfig c, const std::string& path) {
  static const std::set<std::string> kKeys{"redis",          "db",      "http",   "web_dir", "engine_timeout_ms",
                                           "secure_cookies", "command_secret_file", "tls_cert", "tls_key"};
  try {
    const auto data = toml::parse(path);
    for (const auto& [key, value] : data.as_table())
      if (!kKeys.count(key)) return fail("INVALID_CONFIG", path + ": unknown key '" + key + "'");
    c.redis_url = toml::find_or<std::string>(data, "redis", c.redis_url);
    c.db_url = toml::find_or<std::string>(data, "db", c.db_url);
    c.http = toml::find_or<std::string>(data, "http", c.http);
    c.web_dir = toml::find_or<std::string>(data, "web_dir", c.web_dir);
    c.engine_timeout_ms = toml::find_or<long long>(data, "engine_timeout_ms", c.engine_timeout_ms);
    c.secure_cookies = toml::find_or<bool>(data, "secure_cookies", c.secure_cookies);
    if (const auto file = toml::find_or<std::string>(data, "command_secret_file", std::string()); !file.empty()) {
      auto secret = read_secret_file(file);
      if (!secret) return fail("INVALID_CONFIG", path + ": command_secret_file: " + secret.error().message);
      c.command_secret = std::move(secret).value();
    }
    c.tls_cert = toml::find_or<std::string>(data, "tls_cert", c.tls_cert);
    c.tls_key = toml::find_or<std::string>(data, "tls_key", c.tls_key);
  } catch (const std::exception& e) {
    return fail("INVALID_CONFIG", "config file " + path + ": " + e.what());
  }
  if (c.engine_timeout_ms <= 0) return fail("INVALID_CONFIG", path + ": engine_timeout_ms must be > 0");
  return c;
}

Result<AppConfig> apply_environment(AppConfig c) {
  if (auto v = env("TICKSTOCK_REDIS_URL")) c.redis_url = v;
  if (auto v = env("TICKSTOCK_APP_DB")) c.db_url = v;
  if (auto v = env("TICKSTOCK_APP_HTTP")) c.http = v;
  if (auto v = env("TICKSTOCK_WEB_DIR")) c.web_dir = v;
  if (auto v = env("TICKSTOCK_APP_TLS_CERT")) c.tls_cert = v;
  if (auto v = env("TICKSTOCK_APP_TLS_KEY")) c.tls_key = v;
  if (auto v = env("TICKSTOCK_ENGINE_TIMEOUT_MS")) {
    try {
      c.engine_timeout_ms = std::stol(v);
    } catch (const std::exception&) {
      return fail("INVALID_CONFIG", std::string("TICKSTOCK_ENGINE_TIMEOUT_MS: not a number: '") + v + "'");
    }
    if (c.engine_timeout_ms <= 0) return fail("INVALID_CONFIG", "TICKSTOCK_ENGINE_TIMEOUT_MS must be > 0");
  }
  auto secret = secret_from_environment("TICKSTOCK_COMMAND_SECRET");
  if (!secret) return fail("INVALID_CONFIG", secret.error().message);
  if (!secret->empty()) c.command_secret = std::move(secret).value();
  return c;
}

Result<std::string> sqlite_path(const std::string& db_url) {
  std::string path = db_url.starts_with("sqlite:") ? db_url.substr(7) : db_url;
  if (path.starts_with("//")) path = path.substr(2);
  if (path.empty() || (db_url.find("://") != std::string::npos && !db_url.starts_with("sqlite:")))
    return fail("INVALID_CONFIG", "the app's database must be sqlite:PATH, not '" + mask_url(db_url) + "'");
  return path;
}

std::string describe(const EngineConfig& c) {
  return fmt::format(
      "redis={} db={} http={} provider={} vendor_url={} universe={} legacy_channels={} api_token={} "
      "command_secret={} stream_maxlen={} progress_per_second={} threads={} thread_nice={} min_success={} "
      "alert_bars={} heartbeat_ms={} scheduler={} resume={} workers={} worker_shard_size={}",
      mask_url(c.redis_url), mask_url(c.db_url), c.http, c.provider,
      c.vendor_url.empty() ? "(default)" : mask_url(c.vendor_url), c.universe, c.legacy_channels,
      c.api_token.empty() ? "(none)" : "***", c.command_secret.empty() ? "(none)" : "***", c.stream_maxlen,
      c.progress_per_second, c.threads, c.thread_nice, c.min_success_ratio, c.alert_bars, c.heartbeat_ms,
      c.scheduler,
      c.resume, c.workers, c.worker_shard_size);
}

}  // namespace ts::app
