#pragma once
// Engine configuration: built-in defaults, overridden by a TOML file
// (--config), overridden by TICKSTOCK_* environment variables, overridden by
// command-line flags. Invalid values fail fast with a message naming the key
// and its source.
#include <chrono>
#include <string>

#include "core/result.hpp"

namespace ts::app {

struct EngineConfig {
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string db_url = "sqlite:./tickstock-data/tickstock.db";
  std::string http = "127.0.0.1:8080";  // "off" disables the HTTP API
  std::string provider = "synthetic";
  std::string vendor_url;          // the vendor API's base URL (massive); "" = its default
  std::string universe = "dow30";  // default universe of triggers without one
  bool legacy_channels = false;
  std::string api_token;       // secret: never logged
  std::string command_secret;  // secret: never logged; "" = Redis commands are not authenticated
  std::string tls_cert;        // PEM certificate chain: the HTTP API serves HTTPS ("" = plain HTTP)
  std::string tls_key;         // PEM private key for tls_cert
  std::size_t stream_maxlen = 100000;
  std::size_t event_outbox_max = 2'000'000;  // rows in the database outbox while Redis is down
  double progress_per_second = 4.0;
  unsigned threads = 0;
  double min_success_ratio = 0.8;
  int alert_bars = 5;  // engine::kDefaultAlertBars: detections on the newest N bars are published; 0 = all
  /// Niceness the run's phase threads add to themselves (engine::RunRequest::thread_nice):
  /// 0..19, 0 = the engine's own priority.
  int thread_nice = 10;
  long heartbeat_ms = 5000;
  bool scheduler = true;
  /// At start-up, continue the newest run when it ended `interrupted` (a
  /// crash or a SIGTERM): a new run with trigger_type `resume` and
  /// parent_run_id set skips what the interrupted run committed.
  bool resume = true;
  bool console_progress = false;  // log phase progress lines (tickstock up)
  /// Distributed workers (docs/reliability.md, "Distributed workers"): "auto"
  /// = a run is handed to `tickstock worker` processes when at least one is
  /// alive and the database is PostgreSQL; "off" = the engine's threads only.
  std::string workers = "off";
  std::size_t worker_shard_size = 16;     // symbols per shard
  long worker_claim_timeout_ms = 30'000;  // a shard idle this long is reclaimed (its worker died)
  int worker_max_deliveries = 3;          // deliveries before a shard goes to the dead-letter stream
  long worker_takeover_ms = 60'000;       // no live worker this long in a phase: the engine does the rest
  long worker_stall_ms = 300'000;         // no result this long while workers are alive: the engine does the rest
};

/// The dashboard server's configuration (`tickstock app`), layered the same way.
struct AppConfig {
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string db_url = "sqlite:./tickstock-data/app.db";  // users and sessions only
  std::string http = "127.0.0.1:8000";
  std::string web_dir;  // "" = the compiled-in <source dir>/web
  long engine_timeout_ms = 10'000;
  bool secure_cookies = false;  // TLS terminated in front of the app (implied by tls_cert)
  std::string command_secret;   // secret: signs the app's commands; "" = unsigned
  std::string tls_cert;         // PEM certificate chain: serve HTTPS and WSS ("" = plain HTTP)
  std::string tls_key;          // PEM private key for tls_cert
};

/// The settings of both configs are the key tables in config.cpp (TOML key,
/// environment variable, range, meaning); docs/configuration.md is generated
/// from them (config_reference()). A value of the wrong type or outside its
/// range is INVALID_CONFIG naming the key and its source; an unknown TOML key
/// is an error. Secrets (api_token, the command secret) come from files or
/// from NAME / NAME_FILE in the environment, and are never shown.

/// Reads `path` (flat TOML keys) over `base`.
Result<AppConfig> apply_toml_file(AppConfig base, const std::string& path);
/// The TICKSTOCK_* variables of the table over `base`.
Result<AppConfig> apply_environment(AppConfig base);
/// The path of a `sqlite:PATH` URL (a bare path is accepted too).
Result<std::string> sqlite_path(const std::string& db_url);

/// Reads `path` (flat TOML keys) over `base`.
Result<EngineConfig> apply_toml_file(EngineConfig base, const std::string& path);
/// The TICKSTOCK_* variables of the table over `base`.
Result<EngineConfig> apply_environment(EngineConfig base);
/// Every setting within its range or choices (after command-line flags).
Status<> check_config(const EngineConfig& c);
/// One line of key=value, secrets (api_token, the command secret, passwords in URLs) masked.
std::string describe(const EngineConfig& c);
std::string describe(const AppConfig& c);
/// The settings of both tables as markdown (docs/configuration.md).
std::string config_reference();

/// The layers under the command-line flags, for either config: defaults (`base`)
/// < the TOML file (when `file` is not empty) < the environment.
template <class Config>
Result<Config> apply_file_and_environment(Config base, const std::string& file) {
  if (!file.empty()) {
    auto c = apply_toml_file(std::move(base), file);
    if (!c) return c;
    base = std::move(c).value();
  }
  return apply_environment(std::move(base));
}
/// "redis://user:secret@host" -> "redis://user:***@host".
std::string mask_url(const std::string& url);

}  // namespace ts::app
