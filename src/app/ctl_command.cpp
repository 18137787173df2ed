// `tickstock ctl`: the engine's command-line client. Sends one command over
// Redis (default) or HTTP (--api), prints the reply for people or as JSON,
// follows runs (--wait) and tails the event stream (watch).
//
// Exit codes: 0 ok; 1 the engine answered with an error (or the run failed);
// 2 usage; 3 the followed run completed with errors; 69 no engine reachable
// (PUBLISH reached nobody, Redis or the API unreachable); 75 no reply within
// --timeout; 130 the followed run was cancelled or interrupted, or Ctrl-C.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "app/commands.hpp"
#include "app/ctl_render.hpp"
#include "app/ctl_request.hpp"
#include "bus/sync_client.hpp"
#include "client/http_engine_client.hpp"
#include "client/redis_engine_client.hpp"
#include "client/run_tracking.hpp"
#include "client/stream_tail.hpp"
#include "core/secret.hpp"
#include "protocol/events.hpp"

namespace ts::app {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE
constexpr int kExitTimeout = 75;      // EX_TEMPFAIL
constexpr int kExitInterrupted = 130;

constexpr const char* kDefaultRedisUrl = "redis://127.0.0.1:6379/0";
constexpr std::size_t kStreamBatch = 256;
constexpr auto kStreamBlock = 500ms;
constexpr auto kStallWarning = 30s;

struct CtlGlobal {
  std::string redis;  // "" = $TICKSTOCK_REDIS_URL or the default
  std::string api;    // "" = commands over Redis
  std::string token;                // "" = $TICKSTOCK_API_TOKEN[_FILE]
  std::string command_secret_file;  // "" = $TICKSTOCK_COMMAND_SECRET[_FILE]
  std::string ca_file;  // --api https://: the CA to trust ("" = $TICKSTOCK_CA_FILE, else the system's)
  double timeout = 10;
  bool json = false;
};

struct WatchArgs {
  std::string from_id;
  std::string run_id;
  long long max_events = 0;
};

// ---- Ctrl-C ---------------------------------------------------------------------------
std::atomic<bool> g_interrupted{false};
extern "C" void on_ctl_interrupt(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}
/// Catches SIGINT/SIGTERM while following or watching, so the loop ends cleanly.
struct InterruptScope {
  InterruptScope() {
    g_interrupted.store(false);
    std::signal(SIGINT, on_ctl_interrupt);
    std::signal(SIGTERM, on_ctl_interrupt);
  }
  ~InterruptScope() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};
bool interrupted() { return g_interrupted.load(); }
/// Sleeps up to `d`, waking early on Ctrl-C.
void nap(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!interrupted() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
}

/// Library logs (the bus's connection notices) go to stderr, warnings and
/// worse only, so stdout carries nothing but the command's output.
void quiet_logs() {
  static const bool once = [] {
    auto logger = spdlog::stderr_color_mt("ctl");
    logger->set_level(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    return true;
  }();
  (void)once;
}

// ---- configuration ------------------------------------------------------------------------
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
std::chrono::milliseconds timeout_of(const CtlGlobal& g) {
  return std::chrono::milliseconds(static_cast<long long>(g.timeout * 1000));
}
/// The Redis URL for commands (when no --api) or events; nullopt = with --api
/// and no --redis, there is no Redis to read events from.
std::optional<std::string> redis_url_text(const CtlGlobal& g) {
  if (!g.redis.empty()) return g.redis;
  if (!g.api.empty()) return std::nullopt;
  if (const std::string e = env("TICKSTOCK_REDIS_URL"); !e.empty()) return e;
  return std::string(kDefaultRedisUrl);
}

int exit_for(const Error& e) {
  switch (client::classify(e)) {
    case client::FailureKind::unavailable:
      return kExitUnavailable;
    case client::FailureKind::timeout:
      return kExitTimeout;
    case client::FailureKind::other:
      break;
  }
  return e.code == "INVALID_REDIS_URL" || e.code == "INVALID_URL" || e.code == "INVALID_STREAM_ID"
             ? kExitUsage
             : kExitError;
}

/// A transport failure: the message on stderr, and the error object on stdout with --json.
int report_failure(const CtlGlobal& g, const Error& e) {
  std::cerr << "error: " << e.code << ": " << e.message << "\n";
  if (g.json) std::cout << error_json(e.code, e.message).dump(2) << "\n";
  return exit_for(e);
}

Result<std::unique_ptr<client::EngineClient>> open_client(const CtlGlobal& g) {
  if (!g.api.empty()) {
    if (!g.api.starts_with("http://") && !g.api.starts_with("https://"))
      return fail("INVALID_URL", "--api must be an http:// or https:// URL such as http://127.0.0.1:8080, got '" +
                                     g.api + "'");
    auto token = g.token.empty() ? secret_from_environment("TICKSTOCK_API_TOKEN") : Result<std::string>(g.token);
    if (!token) return fail(std::move(token).error());
    const std::string ca_file = g.ca_file.empty() ? env("TICKSTOCK_CA_FILE") : g.ca_file;
    return std::unique_ptr<client::EngineClient>(
        std::make_unique<client::HttpEngineClient>(g.api, *token, timeout_of(g), ca_file));
  }
  auto url = bus::RedisUrl::parse(*redis_url_text(g));
  if (!url) return fail(std::move(url).error());
  auto secret = g.command_secret_file.empty() ? secret_from_environment("TICKSTOCK_COMMAND_SECRET")
                                              : read_secret_file(g.command_secret_file);
  if (!secret) return fail(std::move(secret).error());
  auto c = client::RedisEngineClient::connect(
      {.url = *url, .timeout = timeout_of(g), .command_secret = std::move(secret).value()});
  if (!c) return fail(std::move(c).error());
  return std::unique_ptr<client::EngineClient>(std::move(c).value());
}

Result<bus::SyncClient> open_events(const std::string& url_text, const CtlGlobal& g) {
  auto url = bus::RedisUrl::parse(url_text);
  if (!url) return fail(std::move(url).error());
  return bus::SyncClient::connect(*url, timeout_of(g), "tickstock-ctl-events");
}

/// Prints a reply; returns the exit code for it (0 ok, 1 engine error).
int print_reply(const CtlGlobal& g, const protocol::Reply& reply, protocol::Command c) {
  if (!reply.ok) {
    const protocol::CommandError e = reply.error.value_or(protocol::CommandError{});
    std::cerr << render_error(e);
    if (g.json) std::cout << error_json(protocol::to_string(e.code), e.message, e.details).dump(2) << "\n";
    return kExitError;
  }
  if (g.json)
    std::cout << reply.result.dump(2) << "\n";
  else
    std::cout << render_result(c, reply.result);
  return kExitOk;
}

// ---- following a run ------------------------------------------------------------------------
/// Shared by both ways of following: feeds envelopes to the run and the view.
struct Follow {
  client::RunProgress run;
  ProgressView view;
  client::SeqTracker seq;
  client::RecentIds seen;

  explicit Follow(std::string run_id)
      : run(std::move(run_id)), view(std::cerr, isatty(STDERR_FILENO) != 0, 30, terminal_columns()) {}

  static std::size_t terminal_columns() {
    winsize ws{};
    return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  }

  void feed(const protocol::Envelope& e) {
    const auto step = run.apply(e);
    if (!step.of_run) return;
    if (const auto gap = seq.observe(e)) view.note(run, render_gap(*gap));
    view.update(run, step);
  }
};

int finish_follow(const CtlGlobal& g, const Follow& f) {
  const RunStatus status = f.run.status().value_or(RunStatus::failed);
  if (g.json)
    std::cout << f.run.final_payload().dump(2) << "\n";
  else
    std::cout << render_run_finished(f.run.final_payload()) << "\n";
  return exit_code(status);
}

int stop_following(const std::string& run_id) {
  std::cerr << "\nstopped following run " << run_id << "; it goes on in the engine (`tickstock ctl cancel "
            << run_id << "` stops it)\n";
  return kExitInterrupted;
}

/// Follows the run through the stream from the position captured before the command was sent.
int follow_stream(const CtlGlobal& g, client::StreamTail& tail, const std::string& run_id) {
  InterruptScope scope;
  Follow f(run_id);
  auto last_entry = std::chrono::steady_clock::now();
  bool stall_warned = false, down = false;
  while (!interrupted()) {
    auto entries = tail.next(kStreamBatch, kStreamBlock);
    if (!entries) {
      if (!down) f.view.note(f.run, "warning: " + entries.error().message + "; retrying");
      down = true;
      nap(1s);
      continue;
    }
    if (down) {
      down = false;
      f.view.note(f.run, "reconnected to Redis");
      if (auto gap = tail.check_gap(); gap && *gap)
        f.view.note(f.run, "warning: events after " + (*gap)->after_id +
                               " were trimmed from the stream; the progress shown may be incomplete");
    }
    const auto now = std::chrono::steady_clock::now();
    if (entries->empty()) {
      if (!stall_warned && now - last_entry > kStallWarning) {
        stall_warned = true;
        f.view.note(f.run, "warning: no events on " + tail.key() +
                               " for 30 s; is the engine still running? (still waiting; Ctrl-C stops)");
      }
      continue;
    }
    last_entry = now;
    stall_warned = false;
    for (const auto& entry : *entries) {
      auto e = protocol::decode_event(entry.payload);
      if (!e || !f.seen.insert(e->id)) continue;
      f.feed(*e);
      if (f.run.status()) return finish_follow(g, f);
    }
  }
  return stop_following(run_id);
}

/// j[key] when j is an object holding a string there, else "".
std::string text(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
/// j[key] when j is an object holding an object (or array) there, else an empty one.
json member(const json& j, const char* key, json fallback = json::object()) {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  return it != j.end() && it->type() == fallback.type() ? *it : fallback;
}

protocol::Envelope synthetic(protocol::Event event, json payload) {
  protocol::Envelope e;
  e.event = event;
  e.payload = std::move(payload);
  return e;
}

/// Without a Redis for events (--api only): polls get_processing_status and get_run.
int follow_polling(const CtlGlobal& g, client::EngineClient& engine, const std::string& run_id) {
  InterruptScope scope;
  Follow f(run_id);
  std::set<std::string> failures_shown;
  bool warned = false;
  while (!interrupted()) {
    auto status = engine.call(client::make_request(protocol::Command::get_processing_status));
    auto detail = engine.call(client::make_request(protocol::Command::get_run, {{"run_id", run_id}}));
    if (!status || !detail || !detail->ok) {
      if (!warned) {
        const std::string why = !status   ? status.error().message
                                : !detail ? detail.error().message
                                          : detail->error.value_or(protocol::CommandError{}).message;
        f.view.note(f.run, "warning: " + why + "; retrying");
      }
      warned = true;
      nap(1s);
      continue;
    }
    warned = false;
    const json& d = detail->result;
    const json run = member(d, "run");
    if (f.run.bars().empty() && run.contains("phases"))
      f.feed(synthetic(protocol::Event::processing_started, {{"run_id", run_id}, {"phases", run["phases"]}}));
    const json phases = member(d, "phases", json::array());
    auto feed_phases = [&](bool finished_ones) {
      for (json summary : phases) {
        const auto ph = parse_phase(text(summary, "phase"));
        const std::string st = text(summary, "status");
        if (!ph || st == "pending" || st == "skipped" || (st != "running") != finished_ones) continue;
        summary["run_id"] = run_id;
        f.feed(synthetic(protocol::phase_event(*ph, finished_ones ? protocol::PhaseStage::completed
                                                                  : protocol::PhaseStage::started),
                         summary));
      }
    };
    feed_phases(false);  // running phases: started
    if (status->ok) {
      const json& s = status->result;
      const json prog = member(s, "current_progress");
      if (text(member(s, "current_run"), "run_id") == run_id)
        if (const auto ph = parse_phase(text(prog, "phase")))
          f.feed(synthetic(protocol::phase_event(*ph, protocol::PhaseStage::progress), prog));
    }
    feed_phases(true);  // finished phases: completed
    for (const auto& fs : member(d, "failed_symbols", json::array())) {
      const std::string where = text(fs, "phase") + " " + text(fs, "symbol");
      if (failures_shown.insert(where).second)
        f.view.note(f.run, "  " + where + ": " + text(fs, "error_code") + " " + text(fs, "message"));
    }
    const auto rs = parse_run_status(text(run, "status"));
    if (rs && is_terminal(*rs)) {
      json payload = run;
      payload["phases"] = phases;
      f.feed(synthetic(protocol::terminal_event(*rs), payload));
      return finish_follow(g, f);
    }
    nap(1s);
  }
  return stop_following(run_id);
}

// ---- subcommands ----------------------------------------------------------------------------
int run_command(const CtlGlobal& g, const CtlArgs& args) {
  quiet_logs();
  auto request = build_request(args);
  if (!request) {
    std::cerr << "error: " << request.error().message << "\n";
    return kExitUsage;
  }
  auto engine = open_client(g);
  if (!engine) return report_failure(g, engine.error());

  // --wait: take the stream position BEFORE sending, so no event of the run is missed.
  std::optional<bus::SyncClient> events;
  std::optional<client::StreamTail> tail;
  if (args.wait) {
    if (const auto url = redis_url_text(g)) {
      auto c = open_events(*url, g);
      if (!c) return report_failure(g, c.error());
      events.emplace(std::move(c).value());
      tail.emplace(*events, std::string(protocol::kStreamKey));
      if (auto s = tail->start("$"); !s) return report_failure(g, s.error());
    }
  }

  auto reply = (*engine)->call(*request);
  if (!reply) return report_failure(g, reply.error());
  if (!args.wait || !reply->ok) return print_reply(g, *reply, request->command);

  const std::string run_id = text(reply->result, "run_id");
  if (run_id.empty()) return print_reply(g, *reply, request->command);
  if (!g.json) std::cout << render_result(request->command, reply->result) << std::flush;
  if (const auto st = parse_run_status(text(reply->result, "status")); st && is_terminal(*st)) {
    // An existing run that has already finished: nothing to follow.
    if (g.json) std::cout << reply->result.dump(2) << "\n";
    return exit_code(*st);
  }
  return tail ? follow_stream(g, *tail, run_id) : follow_polling(g, **engine, run_id);
}

int run_watch(const CtlGlobal& g, const WatchArgs& w) {
  quiet_logs();
  const auto url = redis_url_text(g);
  if (!url) {
    std::cerr << "error: watch reads the Redis stream " << protocol::kStreamKey
              << "; give --redis URL (with --api there is no Redis to read)\n";
    return kExitUsage;
  }
  auto redis = open_events(*url, g);
  if (!redis) return report_failure(g, redis.error());
  client::StreamTail tail(*redis, std::string(protocol::kStreamKey));
  auto gap = tail.start(w.from_id);
  if (!gap) return report_failure(g, gap.error());
  if (*gap)
    std::cerr << "warning: "
              << ((*gap)->after_id == "0-0" ? "the oldest events" : "the events after " + (*gap)->after_id)
              << " have been trimmed from " << protocol::kStreamKey
              << "; continuing from the oldest entry left ("
              << ((*gap)->first_id.empty() ? "none yet" : (*gap)->first_id) << ")\n";
  if (!g.json)
    std::cerr << "watching " << protocol::kStreamKey << " on " << redis->url().redacted() << " after "
              << tail.position() << " (Ctrl-C stops)\n";

  InterruptScope scope;
  client::RecentIds seen;
  client::SeqTracker seq;
  long long shown = 0;
  bool down = false;
  while (!interrupted()) {
    auto entries = tail.next(kStreamBatch, kStreamBlock);
    if (!entries) {
      if (!down) std::cerr << "warning: " << entries.error().message << "; retrying\n";
      down = true;
      nap(1s);
      continue;
    }
    if (down) {
      down = false;
      std::cerr << "reconnected to Redis\n";
      if (auto again = tail.check_gap(); again && *again)
        std::cerr << "warning: the events after " << (*again)->after_id
                  << " have been trimmed; continuing from the oldest entry left\n";
    }
    for (const auto& entry : *entries) {
      auto e = protocol::decode_event(entry.payload);
      if (!e) {
        std::cerr << "warning: skipping stream entry " << entry.id << ": " << e.error().message << "\n";
        continue;
      }
      if (!seen.insert(e->id)) continue;
      if (!w.run_id.empty() && client::run_id_of(*e) != w.run_id) continue;
      if (const auto g2 = seq.observe(*e)) std::cerr << render_gap(*g2) << "\n";
      if (g.json)
        std::cout << entry.payload << "\n";
      else
        std::cout << render_event_line(*e) << "\n";
      std::cout.flush();
      if (w.max_events > 0 && ++shown >= w.max_events) return kExitOk;
    }
  }
  return kExitOk;
}

// ---- CLI11 wiring -----------------------------------------------------------------------------
CLI::App* add_sub(CLI::App* parent, const std::string& name, const std::string& description) {
  auto* s = parent->add_subcommand(name, description);
  s->fallthrough();  // the ctl options (--redis, --json, ...) may follow the subcommand
  return s;
}

// Required arguments and exclusions are checked by build_request, not CLI11,
// so that every usage error exits 2 with a message naming the option.
void add_target_options(CLI::App* s, CtlArgs& a) {
  s->add_option("--universe", a.universe, "Universe name (default: the engine's)");
  s->add_option("--symbols", a.symbols, "Symbols instead of a universe: AAPL,MSFT or AAPL MSFT");
}

}  // namespace

void add_ctl_command(CLI::App& app, int& exit_code) {
  auto g = std::make_shared<CtlGlobal>();
  auto a = std::make_shared<CtlArgs>();
  auto w = std::make_shared<WatchArgs>();

  auto* ctl = app.add_subcommand("ctl", "Control a running engine over Redis (default) or its HTTP API");
  ctl->require_subcommand(1);
  ctl->footer(
      "Exit codes: 0 ok, 1 engine error or failed run, 2 usage, 3 run completed with errors, 69 no engine "
      "reachable, 75 no reply in time, 130 run cancelled/interrupted or Ctrl-C.");
  ctl->add_option(
      "--redis", g->redis,
      "Redis URL (default $TICKSTOCK_REDIS_URL or redis://127.0.0.1:6379/0); with --api, used only "
      "to follow events");
  ctl->add_option("--api", g->api,
                  "Send commands to the HTTP API instead, e.g. http://127.0.0.1:8080 or https://host:8443");
  ctl->add_option("--ca-file", g->ca_file,
                  "With an https:// --api: PEM CA certificate(s) to trust (default $TICKSTOCK_CA_FILE, else the "
                  "system's store)");
  ctl->add_option("--token", g->token,
                  "API bearer token for mutating requests (default $TICKSTOCK_API_TOKEN or the file "
                  "$TICKSTOCK_API_TOKEN_FILE; a literal here is visible in `ps`)");
  ctl->add_option("--command-secret-file", g->command_secret_file,
                  "File holding the engine's command secret: commands are signed (default "
                  "$TICKSTOCK_COMMAND_SECRET or the file $TICKSTOCK_COMMAND_SECRET_FILE)");
  ctl->add_option("--timeout", g->timeout, "Seconds to wait for a reply")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  ctl->add_flag("--json", g->json, "Print JSON (the reply's result or error; watch: one envelope per line)");

  auto command = [g, a, &exit_code](std::string name) {
    return [g, a, &exit_code, name] {
      a->subcommand = name;
      exit_code = run_command(*g, *a);
    };
  };

  auto* trigger = add_sub(ctl, "trigger", "Start a processing run (trigger_daily_processing)");
  add_target_options(trigger, *a);
  trigger->add_option("--phases", a->phases, "import,cache_sync,indicators,patterns or all (default all)");
  trigger->add_flag("--skip-market-check", a->skip_market_check,
                    "Run even when the day is not an NYSE trading day");
  trigger->add_flag("--full", a->full, "Recompute everything instead of only new bars");
  trigger->add_flag("--publish-indicator-values", a->publish_indicator_values,
                    "Publish one indicators_calculated event per stored value");
  trigger->add_option("--run-id", a->run_id, "Client-chosen run id (idempotency key)");
  trigger->add_flag("--wait", a->wait, "Follow the run to its end and exit with its exit code");
  trigger->callback(command("trigger"));

  auto* cancel = add_sub(ctl, "cancel", "Cancel a run (default: the active one)");
  cancel->add_option("RUN_ID", a->run_id, "The run to cancel");
  cancel->callback(command("cancel"));

  add_sub(ctl, "status", "The engine's status snapshot")->callback(command("status"));

  auto* history = add_sub(ctl, "history", "Runs, newest first, one page at a time");
  history->add_option("--days", a->days, "Only runs started in the last N days");
  history->add_option("--limit", a->limit, "Page size, 1-200 (default 50)");
  history->add_option("--cursor", a->cursor, "next_cursor of the previous page");
  history->add_option("--status", a->status, "Only runs with this status");
  history->add_option("--trigger-type", a->trigger_type,
                      "Only runs triggered so: scheduled, manual, retry, api");
  history->callback(command("history"));

  auto* run = add_sub(ctl, "run", "One run: phases and failed symbols");
  run->add_option("RUN_ID", a->run_id, "The run (required)");
  run->callback(command("run"));

  auto* retry = add_sub(ctl, "retry", "Retry a run's failed imports in a new run");
  retry->add_option("RUN_ID", a->run_id, "The original run (required)");
  retry->add_option("SYMBOLS", a->symbols, "A subset of its failed symbols (default: all)");
  retry->add_flag("--wait", a->wait, "Follow the new run to its end and exit with its exit code");
  retry->callback(command("retry"));

  auto* indicators = add_sub(ctl, "indicators", "A run of the indicators phase only");
  add_target_options(indicators, *a);
  indicators->add_option("--indicators", a->indicators, "TA functions or calls: RSI,SMA(timeperiod=50)");
  indicators->add_option("--timeframe", a->timeframe, "daily, weekly or monthly (default daily)");
  indicators->add_flag("--wait", a->wait, "Follow the run to its end and exit with its exit code");
  indicators->callback(command("indicators"));

  auto* patterns = add_sub(ctl, "patterns", "A run of the patterns phase only");
  add_target_options(patterns, *a);
  patterns->add_option("--patterns", a->patterns, "Pattern names: engulfing,golden_cross");
  patterns->add_option("--timeframe", a->timeframe, "daily, weekly or monthly (default daily)");
  patterns->add_flag("--wait", a->wait, "Follow the run to its end and exit with its exit code");
  patterns->callback(command("patterns"));

  auto* schedule = add_sub(ctl, "schedule", "Show (get, the default) or change (set) the schedule");
  schedule->require_subcommand(0, 1);
  add_sub(schedule, "get", "Show the schedule and its next fire in New York and UTC time");
  auto* set = add_sub(schedule, "set", "Change the fields given, keep the others");
  set->add_option("--time", a->time, "Fire time HH:MM on a full trading day");
  set->add_option("--enabled", a->enabled, "true or false");
  set->add_option("--timezone", a->timezone, "IANA time zone of --time");
  set->add_option("--universes", a->universes, "Universes of scheduled runs");
  set->add_option("--market-check", a->market_check, "true: fire on NYSE trading days only");
  set->add_option("--phases", a->phases, "Phases of scheduled runs");
  schedule->callback([g, a, set, &exit_code] {
    a->subcommand = set->parsed() ? "schedule-set" : "schedule-get";
    exit_code = run_command(*g, *a);
  });

  auto* watch = add_sub(ctl, "watch", "Tail the event stream tickstock:events until Ctrl-C");
  watch->add_option("--from-id", w->from_id,
                    "Start after this stream entry id (0 = the beginning; default: new "
                    "events only)");
  watch->add_option("--run", w->run_id, "Only this run's events");
  watch->add_option("--max-events", w->max_events, "Stop after N events (0 = never)");
  watch->callback([g, w, &exit_code] { exit_code = run_watch(*g, *w); });
}

}  // namespace ts::app
