// `tickstock engine` and `tickstock up`: the long-running engine daemon.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/daemon.hpp"
#include "app/dashboard.hpp"
#include "bus/redis_server.hpp"
#include "core/secret.hpp"

namespace ts::app {
namespace {

struct EngineFlags {
  std::string config_file, redis, db, http, provider, vendor_url, universe, api_token, tls_cert, tls_key;
  std::string api_token_file, command_secret_file;  // secrets come from files, not from `ps`-visible literals
  std::string workers;                              // auto | off
  bool legacy_channels = false;
  bool no_scheduler = false;
  bool no_resume = false;
  std::string data_dir = "./tickstock-data";
  std::string http_app = "127.0.0.1:8000";
  std::string web_dir;
};

/// Defaults < TOML file < environment < flags.
Result<EngineConfig> effective_config(const EngineFlags& f, EngineConfig base) {
  auto c = apply_file_and_environment(std::move(base), f.config_file);
  if (!c) return c;
  if (!f.redis.empty()) c->redis_url = f.redis;
  if (!f.db.empty()) c->db_url = f.db;
  if (!f.http.empty()) c->http = f.http;
  if (!f.provider.empty()) c->provider = f.provider;
  if (!f.vendor_url.empty()) c->vendor_url = f.vendor_url;
  if (!f.universe.empty()) c->universe = f.universe;
  if (!f.api_token.empty()) c->api_token = f.api_token;
  for (auto [file, target] : {std::pair{&f.api_token_file, &c->api_token}, std::pair{&f.command_secret_file, &c->command_secret}})
    if (!file->empty()) {
      auto secret = read_secret_file(*file);
      if (!secret) return fail("INVALID_CONFIG", secret.error().message);
      *target = std::move(secret).value();
    }
  if (!f.tls_cert.empty()) c->tls_cert = f.tls_cert;
  if (!f.tls_key.empty()) c->tls_key = f.tls_key;
  if (f.legacy_channels) c->legacy_channels = true;
  if (f.no_scheduler) c->scheduler = false;
  if (f.no_resume) c->resume = false;
  if (!f.workers.empty()) {
    c->workers = f.workers;
    if (auto st = check_config(*c); !st) return fail("INVALID_CONFIG", "--workers: " + st.error().message);
  }
  return c;
}

/// Runs alongside the engine in `up`: started after it, stopped before it.
struct Companion {
  std::function<Status<>()> start;
  std::function<void()> stop;
};

int serve(const EngineConfig& cfg, const sigset_t& signals, bool first_run = false,
          Companion* companion = nullptr) {
  Daemon daemon(cfg);
  if (auto st = daemon.start(); !st) {
    std::cerr << "error: " << st.error().code << ": " << st.error().message << "\n";
    daemon.stop();
    return 1;
  }
  if (companion) {
    if (auto st = companion->start(); !st) {
      std::cerr << "error: " << st.error().code << ": " << st.error().message << "\n";
      companion->stop();
      daemon.stop();
      return 1;
    }
  }
  // A fresh installation has no data: process the default universe once so
  // there is something to look at.
  if (first_run && daemon.run_count() == 0) {
    if (auto id = daemon.run_now(cfg.universe); !id)
      spdlog::warn("first run not started: {}", id.error().message);
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  if (companion) companion->stop();
  daemon.stop();
  return 0;
}

void add_common(CLI::App* cmd, EngineFlags& f) {
  cmd->add_option("--config", f.config_file, "TOML configuration file");
  cmd->add_option("--db", f.db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)");
  cmd->add_option("--http", f.http, "HTTP API address HOST:PORT, or 'off'");
  cmd->add_option("--provider", f.provider,
                  "Bar provider: synthetic[:seed=N] | csv:DIR | massive[:base=URL,rpm=N]");
  cmd->add_option("--vendor-url", f.vendor_url,
                  "Vendor API base URL (massive; or TOML vendor_url, TICKSTOCK_VENDOR_URL; default "
                  "MASSIVE_BASE_URL, else the vendor's HTTPS host)");
  cmd->add_option("--universe", f.universe, "Default universe of triggers that name none");
  cmd->add_option("--api-token", f.api_token,
                  "Bearer token required by mutating HTTP endpoints (visible in `ps`: prefer --api-token-file "
                  "or TICKSTOCK_API_TOKEN[_FILE])");
  cmd->add_option("--api-token-file", f.api_token_file, "File holding the API bearer token");
  cmd->add_option("--command-secret-file", f.command_secret_file,
                  "File holding the shared secret that signs Redis commands (HMAC-SHA256; or "
                  "TICKSTOCK_COMMAND_SECRET[_FILE]); without one, Redis commands are not authenticated");
  cmd->add_option("--tls-cert", f.tls_cert,
                  "PEM certificate chain: serve the HTTP API (and `up`'s dashboard) over HTTPS (or TICKSTOCK_TLS_CERT)");
  cmd->add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert (or TICKSTOCK_TLS_KEY)");
  cmd->add_flag("--legacy-channels", f.legacy_channels,
                "Also publish detections on tickstock.events.patterns");
  cmd->add_flag("--no-scheduler", f.no_scheduler, "Do not fire scheduled runs");
  cmd->add_option("--workers", f.workers,
                  "auto: hand runs to `tickstock worker` processes when one is alive (PostgreSQL only); off "
                  "(default; or TOML workers, TICKSTOCK_WORKERS)");
  cmd->add_flag(
      "--no-resume", f.no_resume,
      "Do not continue an interrupted run at start-up (or TOML resume = false, TICKSTOCK_RESUME=0)");
}

}  // namespace

void add_engine_command(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<EngineFlags>();
  auto* cmd =
      app.add_subcommand("engine", "Run the engine daemon: Redis commands and events, HTTP API, scheduler");
  add_common(cmd, *f);
  cmd->add_option("--redis", f->redis, "Redis URL redis://[user:pass@]host:port/db");
  auto keys = std::make_shared<bool>(false);
  cmd->add_flag("--config-keys", *keys,
                "Print every setting (TOML key, environment variable, default, range) as markdown and exit");
  cmd->callback([f, keys, &exit_code] {
    if (*keys) {
      std::cout << config_reference();
      exit_code = 0;
      return;
    }
    const auto signals = block_stop_signals();
    auto cfg = effective_config(*f, EngineConfig{});
    if (!cfg) {
      std::cerr << "error: " << cfg.error().message << "\n";
      exit_code = 2;
      return;
    }
    exit_code = serve(*cfg, signals);
  });
}

void add_up_command(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<EngineFlags>();
  auto* cmd = app.add_subcommand(
      "up",
      "The embedded default: the engine with a private Redis, SQLite and synthetic data in ./tickstock-data");
  add_common(cmd, *f);
  cmd->add_option("--redis", f->redis, "Use this Redis instead of starting a private one");
  cmd->add_option("--data-dir", f->data_dir, "Where the database and the private Redis keep their files")
      ->capture_default_str();
  cmd->add_option("--http-app", f->http_app, "Dashboard address HOST:PORT (port 0 = any free port), or 'off'")
      ->capture_default_str();
  cmd->add_option("--web-dir", f->web_dir,
                  "The dashboard's front-end files (default: the source tree's web/)");
  cmd->callback([f, &exit_code] {
    EngineConfig base;
    base.db_url = "sqlite:" + (std::filesystem::path(f->data_dir) / "tickstock.db").string();
    std::unique_ptr<bus::RedisServer> redis;
    if (f->redis.empty()) {
      bus::RedisServerOptions ro;
      ro.dir = std::filesystem::path(f->data_dir) / "redis";
      std::error_code ec;
      std::filesystem::create_directories(ro.dir, ec);
      redis = std::make_unique<bus::RedisServer>(ro);
      if (auto st = redis->start(); !st) {
        std::cerr << "error: cannot start a private redis-server: " << st.error().message << "\n";
        exit_code = 1;
        return;
      }
      base.redis_url = redis->url().str();
    }
    // After forking redis-server: a child inherits the blocked mask, and a redis that
    // cannot see SIGTERM is only killed after stop()'s 5 s grace period.
    const auto signals = block_stop_signals();
    auto cfg = effective_config(*f, base);
    if (!cfg) {
      std::cerr << "error: " << cfg.error().message << "\n";
      exit_code = 2;
      return;
    }
    std::cout << "TickStock is up.\n"
              << "  Redis:    " << mask_url(cfg->redis_url)
              << (redis ? " (private, data in " + redis->dir().string() + ")" : "")
              << "\n  Database: " << cfg->db_url << "\n  HTTP API: "
              << (cfg->http == "off" ? std::string("off") : "http://" + cfg->http + "/api/processing/status")
              << "\n  Try:      tickstock ctl --redis " << mask_url(cfg->redis_url)
              << " trigger --skip-market-check --wait\n"
              << "Ctrl-C stops everything." << std::endl;
    cfg->console_progress = true;

    // The dashboard, in the same process: users in <data-dir>/app.db.
    std::unique_ptr<auth::UserStore> users;
    std::unique_ptr<webapp::AppServer> dashboard;
    Companion companion{
        [&]() -> Status<> {
          AppConfig ac;
          ac.redis_url = cfg->redis_url;
          ac.db_url = "sqlite:" + (std::filesystem::path(f->data_dir) / "app.db").string();
          ac.http = f->http_app;
          ac.web_dir = f->web_dir;
          ac.command_secret = cfg->command_secret;  // the dashboard signs with the engine's secret
          ac.tls_cert = cfg->tls_cert;
          ac.tls_key = cfg->tls_key;
          auto options = server_options(ac);
          if (!options) return fail(options.error());
          try {
            users = open_users(ac.db_url);
            auto admin = ensure_admin(*users, std::filesystem::path(f->data_dir) / "admin-password.txt");
            if (!admin) return fail(admin.error());
            if (*admin)
              std::cout << "First start: created the dashboard user 'admin' with password " << **admin
                        << "\n  (also in "
                        << (std::filesystem::path(f->data_dir) / "admin-password.txt").string()
                        << ", mode 0600; change it with `tickstock app user passwd admin`)" << std::endl;
            dashboard = std::make_unique<webapp::AppServer>(*options, *users);
            dashboard->start();
          } catch (const std::exception& e) {
            return fail("APP_UNAVAILABLE", std::string("dashboard: ") + e.what());
          }
          std::cout << "Dashboard: " << (options->tls.enabled() ? "https" : "http") << "://" << options->endpoint.host << ":" << dashboard->port() << "/"
                    << std::endl;
          return Ok{};
        },
        [&] {
          if (dashboard) dashboard->stop();
        }};
    exit_code = serve(*cfg, signals, /*first_run=*/true, f->http_app == "off" ? nullptr : &companion);
    dashboard.reset();
    users.reset();
    if (redis) redis->stop();
  });
}

}  // namespace ts::app
