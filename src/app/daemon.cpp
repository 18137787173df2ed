#include "app/daemon.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "app/providers.hpp"
#include "bus/async_client.hpp"
#include "bus/subscriber.hpp"
#include "core/uuid.hpp"
#include "engine/run_manager.hpp"
#include "ingest/provider.hpp"
#include "protocol/events.hpp"
#include "protocol/payloads.hpp"
#include "protocol/signing.hpp"
#include "server/http_server.hpp"
#include "service/dispatcher.hpp"
#include "service/metrics.hpp"
#include "worker/coordinator.hpp"

namespace ts::app {

/// Runs Redis commands off the bus's I/O thread, one at a time, in arrival order
/// (a command may block: a trigger waits until its run is recorded).
class CommandQueue {
 public:
  explicit CommandQueue(std::function<void(std::string)> handle) : handle_(std::move(handle)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~CommandQueue() { stop(); }
  void push(std::string raw) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      queue_.push_back(std::move(raw));
    }
    cv_.notify_one();
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    while (true) {
      std::string raw;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_ && queue_.empty()) return;
        raw = std::move(queue_.front());
        queue_.pop_front();
      }
      handle_(std::move(raw));
    }
  }
  std::function<void(std::string)> handle_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  std::thread thread_;
};

/// Progress for a human watching the console of `tickstock up`: every 25%
/// and each phase's summary, through the log.
class ProgressLogger final : public engine::RunObserver {
 public:
  void on_run_started(const storage::RunRecord& r) override {
    spdlog::info("run {} started: {} symbols ({})", r.run_id, r.symbols_total, r.universe);
  }
  void on_progress(const storage::RunRecord&, const engine::ProgressUpdate& u) override {
    const int quarter = static_cast<int>(u.percent / 25);
    if (u.phase == phase_ && quarter == quarter_) return;
    phase_ = u.phase;
    quarter_ = quarter;
    spdlog::info("  {:<10} {:5.1f}%  {}/{} symbols, {} failed", to_string(u.phase), u.percent, u.completed,
                 u.total, u.failed);
  }
  void on_phase_completed(const storage::RunRecord&, const storage::PhaseSummary& s) override {
    spdlog::info("  {:<10} {}: {} ok, {} failed, {} records in {:.2f}s", to_string(s.phase), s.status,
                 s.processed, s.failed, s.count, s.duration_seconds);
  }
  void on_run_finished(const storage::RunRecord& r) override {
    spdlog::info("run {} {} in {:.2f}s: {} bars imported, {} indicator values, {} patterns", r.run_id,
                 to_string(r.status), r.duration_seconds, r.records_imported, r.indicators_calculated,
                 r.patterns_detected);
  }

 private:
  Phase phase_ = Phase::import;
  int quarter_ = -1;
};

/// Turns refused Redis commands into `warning` error events, at most kBurst per
/// minute: anyone who can PUBLISH can send unsigned commands, and must not be
/// able to flood the event stream through us. The suppressed count rides on
/// the next warning that goes out.
class RefusalWarnings {
 public:
  static constexpr int kBurst = 20;
  /// The message to publish, or nullopt when this minute's budget is spent.
  std::optional<std::string> admit(std::string message, std::chrono::system_clock::time_point now) {
    std::lock_guard lock(mu_);
    if (now - window_start_ >= std::chrono::minutes(1) || now < window_start_) {
      window_start_ = now;
      sent_ = 0;
    }
    if (sent_ >= kBurst) {
      ++suppressed_;
      return std::nullopt;
    }
    ++sent_;
    if (suppressed_ > 0)
      message += " (" + std::to_string(std::exchange(suppressed_, 0)) + " similar refusals not reported)";
    return message;
  }

 private:
  std::mutex mu_;
  std::chrono::system_clock::time_point window_start_{};
  int sent_ = 0;
  long long suppressed_ = 0;
};

struct Daemon::Impl {
  EngineConfig cfg;
  Clock clock;
  std::string source;
  std::unique_ptr<storage::Storage> db;
  std::unique_ptr<ingest::BarProvider> provider;
  std::unique_ptr<bus::EventLoop> loop;
  std::unique_ptr<bus::AsyncClient> redis;
  std::unique_ptr<bus::Subscriber> commands;
  std::unique_ptr<service::EventPublisher> events;
  service::Metrics metrics;
  ProgressLogger progress_log;
  std::unique_ptr<service::ObserverTee> tee;
  std::unique_ptr<worker::RedisShards> shards;  // null: workers = off
  std::unique_ptr<engine::RunManager> runs;
  std::unique_ptr<service::ScheduleService> schedule;
  std::unique_ptr<service::Dispatcher> dispatcher;
  std::unique_ptr<CommandQueue> queue;
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<protocol::CommandVerifier> verifier;  // null: no command secret configured
  RefusalWarnings refusal_warnings;
  std::thread heartbeat;
  std::mutex hb_mu;
  std::condition_variable hb_cv;
  bool stopping = false;
  bool started = false;

  void on_command_message(const std::string& raw) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string now = protocol::format_timestamp(clock());
    protocol::EnvelopeCheck check;
    bool replayed = false;  // authentic and fresh, but its request_id was used before
    if (verifier)
      check = [this, &replayed](const protocol::CommandEnvelope& e) {
        auto refusal = verifier->verify(e, clock());
        replayed = refusal && refusal->details.value("reason", "") ==
                                  protocol::to_string(protocol::SignatureFault::replayed);
        return refusal;
      };
    const auto new_id = [] { return make_uuid_v4(); };
    auto decoded = protocol::decode_command(raw, new_id, protocol::kMaxCommandBytes, check);
    protocol::Reply reply;
    std::string reply_to;
    std::optional<protocol::Reply> remembered;
    if (!decoded && replayed) {
      // A signed re-send of a command whose reply was lost: the replay test
      // comes after the signature and the clock, so this is the secret
      // holder's own command again. It gets the dispatcher's remembered reply
      // (and runs nothing), as an unsigned re-send would; anything else it
      // does not remember stays refused.
      if (auto again = protocol::decode_command(raw, new_id, protocol::kMaxCommandBytes)) {
        remembered = dispatcher->remembered_reply(*again);
        if (remembered) reply_to = again->reply_to;
      }
    }
    if (remembered) {
      reply = std::move(*remembered);
    } else if (!decoded) {
      reply = protocol::make_error_reply(decoded.error(), now, source);
      reply_to = decoded.error().reply_to;
      spdlog::warn("rejected command: {} {}", protocol::to_string(decoded.error().error.code),
                   decoded.error().error.message);
      if (decoded.error().error.code == protocol::ErrorCode::unauthorized)
        warn_refused(decoded.error().error);
    } else {
      reply = dispatcher->handle(*decoded, TriggerType::manual);
      reply_to = decoded->reply_to;
    }
    const int status = protocol::http_status(reply);
    // Only known names become metric labels: a refused or unknown command's name is the
    // sender's text, and an unauthenticated sender must not be able to grow /metrics.
    metrics.record_command(protocol::find_command(reply.command) ? reply.command : "invalid", status,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (reply_to.empty()) reply_to = std::string(protocol::kDefaultReplyChannel);
    redis->publish(reply_to, protocol::encode_reply(reply), [](Result<long long> r) {
      if (!r) spdlog::warn("reply not sent: {}", r.error().message);
    });
  }

  /// A `warning` error event for a refused command. The message is the
  /// refusal's: it quotes what was sent (truncated), never the secret or the
  /// signature that was expected.
  void warn_refused(const protocol::CommandError& e) {
    auto message = refusal_warnings.admit(e.message, clock());
    if (!message) return;
    protocol::ErrorEvent ev;
    ev.severity = protocol::Severity::warning;
    ev.component = "commands";
    ev.error_code = std::string(protocol::to_string(e.code));
    ev.message = std::move(*message);
    ev.recovery_action = "command_refused";
    events->publish(protocol::Event::error, protocol::error_payload(ev));
  }

  std::pair<int, std::string> health() {
    protocol::HealthReport h;
    h.engine_id = source;
    h.engine_version = "0.1.0";
    h.uptime_seconds = events->uptime_seconds();
    h.redis = {redis && redis->connected(), redis && redis->connected() ? "connected" : "disconnected"};
    try {
      db->get_setting("schedule");
      h.database = {true, db->describe()};
    } catch (const std::exception& e) {
      h.database = {false, e.what()};
    }
    const bool enabled = schedule->get().enabled;
    h.scheduler = {true, std::string(enabled ? "enabled" : "disabled") +
                             (schedule->is_leader() ? ", leader" : ", standby")};
    return {protocol::health_http_status(h), protocol::health_json(h).dump()};
  }

  /// Continues the newest run when a crash or a SIGTERM left it `interrupted`:
  /// a child run (trigger `resume`) skips what it committed. Only the newest
  /// run qualifies (one run at a time, so it is the one that was active; a run
  /// started since then means an operator moved on), and a chain of resumes
  /// stops at kMaxResumeChain, so a run that kills the engine every time it
  /// reaches some symbol does not restart forever.
  static constexpr int kMaxResumeChain = 5;
  void resume_interrupted() {
    storage::RunQuery q;
    q.limit = 1;
    const auto newest = db->list_runs(q);
    if (newest.empty() || newest.front().status != RunStatus::interrupted) return;
    const auto& parent = newest.front();
    int chain = 0;
    for (auto r = std::optional(parent);
         r && r->trigger_type == TriggerType::resume && chain <= kMaxResumeChain;
         r = db->get_run(r->parent_run_id))
      ++chain;
    if (chain >= kMaxResumeChain) {
      spdlog::error("run {} was interrupted after {} resumes in a row; not resuming it again", parent.run_id,
                    chain);
      return;
    }
    auto req = dispatcher->make_resume_request(parent);
    if (!req) {
      spdlog::error("run {} cannot be resumed: {}", parent.run_id, req.error().message);
      return;
    }
    auto started = runs->start(std::move(req).value(), /*skip_market_check=*/true);
    if (!started)
      spdlog::error("run {} not resumed: {}", parent.run_id, started.error().message);
    else
      spdlog::info("run {} resumes interrupted run {}", started->run_id, parent.run_id);
  }

  std::string render_metrics() {
    service::ExternalCounters ext;
    const auto ps = events->stats();
    ext.events_published = ps.published;
    ext.events_dropped = ps.dropped;
    ext.events_coalesced = ps.coalesced;
    ext.events_spilled = ps.spilled;
    ext.events_spill_failed = ps.spill_failed;
    ext.seq_reserve_failed = ps.seq_reserve_failed;
    ext.db_outbox = ps.outbox_rows;
    if (redis) {
      const auto rs = redis->stats();
      ext.redis_reconnects = rs.reconnects;
      ext.outbox = rs.outbox;
    }
    return metrics.render(ext);
  }
};

Daemon::Daemon(EngineConfig config, Clock clock) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(config);
  impl_->clock = std::move(clock);
}

Daemon::~Daemon() { stop(); }

Status<> Daemon::start() {
  auto& d = *impl_;
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  d.source = protocol::make_source(host, static_cast<long long>(getpid()));
  spdlog::info("engine {} starting: {}", d.source, describe(d.cfg));

  auto url = bus::RedisUrl::parse(d.cfg.redis_url);
  if (!url) return fail("INVALID_CONFIG", "redis: " + url.error().message);
  if (!d.cfg.command_secret.empty()) {
    try {
      d.verifier =
          std::make_unique<protocol::CommandVerifier>(protocol::VerifierOptions{d.cfg.command_secret});
    } catch (const std::invalid_argument& e) {
      return fail("INVALID_CONFIG", std::string("command secret: ") + e.what());
    }
  } else {
    spdlog::warn(
        "Redis commands are not authenticated: anyone who can PUBLISH on {} can start and cancel runs; "
        "set TICKSTOCK_COMMAND_SECRET_FILE (docs/security.md)",
        protocol::kCommandChannel);
  }
  auto provider = make_any_provider(d.cfg.provider, d.cfg.vendor_url);
  if (!provider) return fail("INVALID_CONFIG", provider.error().message);
  d.provider = std::move(provider).value();
  std::optional<server::Endpoint> endpoint;
  if (d.cfg.http != "off" && !d.cfg.http.empty()) {
    auto ep = server::parse_endpoint(d.cfg.http);
    if (!ep) return fail("INVALID_CONFIG", "http: " + ep.error().message);
    endpoint = *ep;
  }
  try {
    d.db = storage::open_storage(d.cfg.db_url);
  } catch (const std::exception& e) {
    return fail("DATABASE_UNAVAILABLE", e.what());
  }

  d.loop = std::make_unique<bus::EventLoop>("ts-engine-bus");
  bus::AsyncClientOptions copt;
  copt.connection.url = *url;
  copt.connection.name = "tickstock-engine";
  copt.connection.fail_fast = true;
  d.redis = std::make_unique<bus::AsyncClient>(*d.loop, copt);
  if (auto st = d.redis->start().get(); !st) return fail("REDIS_UNAVAILABLE", st.error().message);

  service::PublisherOptions popt;
  popt.source = d.source;
  popt.stream_maxlen = d.cfg.stream_maxlen;
  popt.db_outbox_capacity = d.cfg.event_outbox_max;
  popt.progress_per_second = d.cfg.progress_per_second;
  popt.legacy_channels = d.cfg.legacy_channels;
  d.events = std::make_unique<service::EventPublisher>(d.redis.get(), popt, d.clock, d.db.get());
  std::vector<engine::RunObserver*> observers{d.events.get(), &d.metrics};
  if (d.cfg.console_progress) observers.push_back(&d.progress_log);
  d.tee = std::make_unique<service::ObserverTee>(std::move(observers));
  d.runs = std::make_unique<engine::RunManager>(*d.db, *d.provider, d.tee.get(), d.clock);
  if (auto st = check_config(d.cfg); !st) return fail("INVALID_CONFIG", st.error().message);
  if (d.cfg.workers == "auto") {
    if (!d.cfg.db_url.starts_with("postgresql://") && !d.cfg.db_url.starts_with("postgres://")) {
      spdlog::warn(
          "workers = auto needs a database the workers share (postgresql://); runs stay in this process");
    } else {
      worker::CoordinatorOptions wopt;
      wopt.redis = *url;
      wopt.enabled = true;
      wopt.shard_size = d.cfg.worker_shard_size;
      wopt.settings.claim_timeout = std::chrono::milliseconds(d.cfg.worker_claim_timeout_ms);
      wopt.settings.max_deliveries = d.cfg.worker_max_deliveries;
      wopt.takeover = std::chrono::milliseconds(d.cfg.worker_takeover_ms);
      wopt.stall = std::chrono::milliseconds(d.cfg.worker_stall_ms);
      d.shards = std::make_unique<worker::RedisShards>(wopt);
      d.runs->set_executor(d.shards.get());
    }
  }

  // Runs a previous process left behind are interrupted, with their event.
  for (const auto& id : d.db->interrupt_stale_runs("the engine stopped while the run was active"))
    if (const auto r = d.db->get_run(id)) d.events->publish_interrupted(*r);

  service::DispatcherOptions dopt;
  dopt.source = d.source;
  dopt.default_universe = d.cfg.universe;
  dopt.provider_description = d.provider->describe();
  dopt.threads = d.cfg.threads;
  dopt.min_success_ratio = d.cfg.min_success_ratio;
  dopt.alert_bars = d.cfg.alert_bars;
  dopt.thread_nice = d.cfg.thread_nice;
  service::ScheduleServiceOptions sopt;
  sopt.engine_token = d.source + "/" + make_uuid_v4();
  d.schedule = std::make_unique<service::ScheduleService>(
      *d.db, *d.runs, *d.events, d.redis.get(),
      // The dispatcher is created right below; fires happen only after start().
      [this](const scheduler::Schedule& s) -> Result<engine::RunRequest> {
        std::string names;
        for (const auto& u : s.universes) {
          if (!names.empty()) names += '+';
          names += u;
        }
        return impl_->dispatcher->make_request(names, {}, s.phases);
      },
      d.clock, sopt);
  d.dispatcher = std::make_unique<service::Dispatcher>(*d.db, *d.runs, *d.events, *d.schedule, dopt, d.clock);

  d.queue = std::make_unique<CommandQueue>([this](std::string raw) { impl_->on_command_message(raw); });
  bus::ConnectionOptions sub_opt = copt.connection;
  sub_opt.name = "tickstock-engine-commands";
  d.commands = std::make_unique<bus::Subscriber>(*d.loop, sub_opt, [this](const bus::Message& m) {
    if (!protocol::is_command_channel(m.channel)) return;  // replies share the prefix
    impl_->queue->push(m.payload);
  });
  if (auto st = d.commands->start().get(); !st) return fail("REDIS_UNAVAILABLE", st.error().message);
  auto subscribed = bus::as_future<Ok>(
      [&](auto cb) { d.commands->subscribe({std::string(protocol::kCommandChannel)}, cb); });
  auto psubscribed = bus::as_future<Ok>(
      [&](auto cb) { d.commands->psubscribe({std::string(protocol::kCommandChannelPattern)}, cb); });
  // A SUBSCRIBE the ACL refuses fails with NOPERM, naming the channels; the
  // wait is bounded as well, so no other silence can hang the start.
  for (auto [future, what] : {std::pair{&subscribed, protocol::kCommandChannel},
                              std::pair{&psubscribed, protocol::kCommandChannelPattern}}) {
    if (future->wait_for(sub_opt.command_timeout) != std::future_status::ready)
      return fail("REDIS_UNAVAILABLE", "Redis " + url->redacted() + " did not confirm the subscription to " +
                                           std::string(what) + " within " +
                                           std::to_string(sub_opt.command_timeout.count()) +
                                           " ms; if the log says NOPERM, the engine's Redis user needs "
                                           "&tickstock:commands:* (docs/security.md)");
    if (auto r = future->get(); !r) return fail("REDIS_UNAVAILABLE", r.error().message);
  }

  if (endpoint) {
    server::HttpServerOptions hopt;
    hopt.endpoint = *endpoint;
    hopt.api_token = d.cfg.api_token;
    hopt.tls = {d.cfg.tls_cert, d.cfg.tls_key};
    server::HttpHandlers handlers;
    handlers.on_command = [this](const protocol::CommandRequest& r) {
      return impl_->dispatcher->handle(r, TriggerType::api);
    };
    handlers.on_health = [this] { return impl_->health(); };
    handlers.on_metrics = [this] { return impl_->render_metrics(); };
    handlers.on_request_done = [this](std::string_view command, int status, double seconds) {
      impl_->metrics.record_command(command, status, seconds);
    };
    try {
      d.http = std::make_unique<server::HttpServer>(hopt, handlers);
      d.http->start();
    } catch (const std::exception& e) {
      return fail("HTTP_UNAVAILABLE", std::string("http ") + d.cfg.http + ": " + e.what());
    }
    spdlog::info("HTTP API on {}:{}", endpoint->host, d.http->port());
  }
  if (d.cfg.scheduler) d.schedule->start();
  d.heartbeat = std::thread([this] {
    auto& dd = *impl_;
    std::unique_lock lock(dd.hb_mu);
    while (!dd.stopping) {
      lock.unlock();
      dd.events->publish_heartbeat();
      lock.lock();
      dd.hb_cv.wait_for(lock, std::chrono::milliseconds(dd.cfg.heartbeat_ms), [&] { return dd.stopping; });
    }
  });
  d.started = true;
  // After the command channel and the HTTP API are up, so the resumed run can
  // be watched and cancelled like any other.
  if (d.cfg.resume) d.resume_interrupted();
  spdlog::info("engine ready: listening on {} and {}", protocol::kCommandChannel,
               protocol::kCommandChannelPattern);
  return Ok{};
}

void Daemon::stop() {
  auto& d = *impl_;
  if (!d.started) {
    if (d.commands) d.commands->close();
    if (d.redis) d.redis->close();
    return;
  }
  d.started = false;
  spdlog::info("engine stopping");
  if (d.http) d.http->stop();
  if (d.commands) d.commands->close();
  if (d.queue) d.queue->stop();
  if (d.schedule) d.schedule->stop();
  if (d.events) d.events->set_state(protocol::EngineState::stopping);
  if (d.runs) d.runs->shutdown();  // the active run ends `interrupted`
  {
    std::lock_guard lock(d.hb_mu);
    d.stopping = true;
  }
  d.hb_cv.notify_all();
  if (d.heartbeat.joinable()) d.heartbeat.join();
  if (d.events) d.events->close(std::chrono::seconds(5));  // flushes; the outbox keeps the rest
  if (d.redis) d.redis->close();
  spdlog::info("engine stopped");
}

Result<std::string> Daemon::run_now(const std::string& universe) {
  auto req = impl_->dispatcher->make_request(universe, {}, {kAllPhases.begin(), kAllPhases.end()});
  if (!req) return fail(req.error());
  auto started = impl_->runs->start(std::move(req).value(), /*skip_market_check=*/true);
  if (!started) return fail(started.error().code, started.error().message);
  return started->run_id;
}

std::size_t Daemon::run_count() { return impl_->db->list_runs({}).size(); }

unsigned short Daemon::http_port() const { return impl_->http ? impl_->http->port() : 0; }
storage::Storage& Daemon::storage() { return *impl_->db; }
void Daemon::wait_idle() {
  if (impl_->runs) impl_->runs->wait_idle();
}

}  // namespace ts::app
