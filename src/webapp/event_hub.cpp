#include "webapp/event_hub.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bus/reply.hpp"
#include "bus/sync_client.hpp"
#include "client/run_tracking.hpp"

namespace ts::webapp {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Frame = std::shared_ptr<const std::string>;
using SteadyClock = std::chrono::steady_clock;

namespace {

/// One stream entry, parsed and framed once for every client.
struct HubEvent {
  bus::StreamId id;
  Frame frame;
  bool progress = false;
  /// A phase or run boundary (<domain>_started/_completed, processing_*):
  /// pending progress must go out before it, or a bar could move backwards.
  bool boundary = false;
  std::string progress_key;  // run_id + '\n' + phase
};
using EventPtr = std::shared_ptr<const HubEvent>;

std::string json_string(std::string_view s) { return nlohmann::json(s).dump(); }

/// nullptr when the payload is not a JSON object (such entries are skipped).
EventPtr make_event(const bus::StreamEntry& e, std::string* event_name = nullptr,
                    nlohmann::json* parsed = nullptr) {
  auto id = bus::StreamId::parse(e.id);
  if (!id) return nullptr;
  nlohmann::json j = nlohmann::json::parse(e.payload, nullptr, false);
  if (!j.is_object()) return nullptr;
  auto ev = std::make_shared<HubEvent>();
  ev->id = *id;
  const std::string name = j.value("event", "");
  ev->boundary =
      name.ends_with("_started") || name.ends_with("_completed") || name.starts_with("processing_");
  if (name.ends_with("_progress")) {
    ev->progress = true;
    const auto& p = j.contains("payload") && j["payload"].is_object() ? j["payload"] : j;
    ev->progress_key = p.value("run_id", "") + "\n" + p.value("phase", name);
  }
  // The envelope is embedded as Redis holds it: valid JSON, checked above.
  ev->frame = std::make_shared<const std::string>(R"({"type":"event","id":)" + json_string(e.id) +
                                                  R"(,"event":)" + e.payload + "}");
  if (event_name) *event_name = name;
  if (parsed) *parsed = std::move(j);
  return ev;
}

/// The envelope fields seq tracking reads, from an already parsed entry.
protocol::Envelope seq_view(const nlohmann::json& j) {
  protocol::Envelope e;
  e.event = protocol::parse_event(j.value("event", "")).value_or(protocol::Event::heartbeat);
  e.source = j.value("source", "");
  e.seq = j.contains("seq") && j["seq"].is_number_unsigned() ? j["seq"].get<std::uint64_t>() : 0;
  if (j.contains("payload") && j["payload"].is_object() && j["payload"].contains("run_id"))
    e.payload = {{"run_id", j["payload"]["run_id"]}};
  return e;
}

Frame make_frame(const nlohmann::json& j) { return std::make_shared<const std::string>(j.dump()); }

}  // namespace

class WsClient;

struct EventHub::Impl : std::enable_shared_from_this<EventHub::Impl> {
  net::io_context& ioc;
  EventHubOptions options;
  SnapshotSource snapshot;

  // ---- io thread only
  std::unordered_set<std::shared_ptr<WsClient>> clients;
  std::unordered_set<WsClient*> progress_pending;
  net::steady_timer flush_timer;
  bool flush_armed = false;
  bool redis_connected_io = false;
  bool stopping_io = false;
  bool deferring_writes = false;  // publish_batch: enqueue without starting writes

  // ---- any thread
  std::atomic<bool> stopping{false};
  std::atomic<bool> redis_connected{false};
  std::atomic<std::size_t> client_count{0};
  std::atomic<std::uint64_t> slow_disconnects{0};
  std::atomic<std::uint64_t> duplicates_dropped{0}, seq_gaps{0};
  mutable std::mutex status_mu;
  std::optional<std::string> last_id;  // the tail's position (last entry read)
  std::optional<std::string> hb_timestamp, hb_source;
  std::optional<SteadyClock::time_point> hb_received;

  std::thread tail_thread;
  std::string tail_from;  // the tail's first position when start() could resolve it ("" = not yet)

  // Replay jobs, run one at a time on their own thread (they block on Redis).
  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::deque<std::function<void(bus::SyncClient*)>> jobs;
  std::thread replay_thread;

  Impl(net::io_context& io, EventHubOptions o, SnapshotSource s)
      : ioc(io), options(std::move(o)), snapshot(std::move(s)), flush_timer(io) {}

  void tail_loop();
  void replay_loop();
  void publish_batch(std::vector<EventPtr> batch);
  void disconnect_all(const char* why);
  void arm_flush();
  void on_flush_timer();
  void broadcast(const Frame& f);
};

/// One WebSocket client. Io thread only.
class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  WsClient(server::Stream stream, std::shared_ptr<EventHub::Impl> hub, ClientIdentity who)
      : ws_(std::move(stream)), hub_(std::move(hub)), who_(std::move(who)) {}

  void start(beast::http::request<beast::http::string_body> req, std::optional<std::string> last_id) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = hub_->options.idle_timeout;
    t.keep_alive_pings = true;  // a ping at half the idle time; no pong by the end: closed
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "tickstock-app"); }));
    ws_.read_message_max(4096);
    ws_.text(true);
    req_ = std::move(req);
    ws_.async_accept(req_,
                     [self = shared_from_this(), last_id = std::move(last_id)](beast::error_code ec) mutable {
                       self->req_ = {};
                       if (ec) return self->close();
                       self->on_accepted(std::move(last_id));
                     });
  }

  /// A live event: queued now, or held while the client is still replaying.
  void deliver(const EventPtr& ev) {
    if (closed_) return;
    if (syncing_) {
      held_.push_back(ev);
      // Bounded like a replay: a client this far behind starts over from a snapshot.
      if (held_.size() > hub_->options.max_replay) slow("held live events while replaying");
      return;
    }
    accept(ev);
  }

  /// Feeds the replay into the send queue as it drains, never more than half
  /// of max_queue_frames at a time: a resuming client thousands of events
  /// behind must not trip the slow-reader limit with its own replay. When the
  /// replay is done, the live events held meanwhile follow.
  void pump() {
    const std::size_t room = hub_->options.max_queue_frames / 2;
    while (!backlog_.empty() && !closed_ && queue_.size() < room) {
      accept(backlog_.front());
      backlog_.pop_front();
    }
    if (!backlog_.empty() || !syncing_ || closed_) return;
    syncing_ = false;
    auto held = std::move(held_);
    held_.clear();
    for (const auto& ev : held) accept(ev);
  }

  void accept(const EventPtr& ev) {
    if (ev->id <= last_sent_) return;  // already given (replay/live seam, or a re-read)
    last_sent_ = ev->id;
    if (ev->progress) {
      const auto now = SteadyClock::now();
      if (pending_.empty() && now - last_progress_ >= hub_->options.progress_interval) {
        last_progress_ = now;
        return enqueue(ev->frame);
      }
      for (auto& p : pending_)
        if (p->progress_key == ev->progress_key) {
          p = ev;  // the newest per run and phase wins, in the slot of the first
          return;
        }
      pending_.push_back(ev);
      hub_->progress_pending.insert(this);
      hub_->arm_flush();
      return;
    }
    // Other events do not release pending progress early: a burst of
    // detections would otherwise carry one progress frame each and defeat the
    // 10-per-second limit. Progress may therefore arrive after later
    // detections or errors (clients resume from the greatest id they saw),
    // but never after its phase's or run's boundary event.
    if (ev->boundary) flush_progress();
    enqueue(ev->frame);
  }

  /// Sends pending progress (before another event, or when the interval passed).
  void flush_progress() {
    if (pending_.empty()) return;
    auto pending = std::move(pending_);
    pending_.clear();
    hub_->progress_pending.erase(this);
    last_progress_ = SteadyClock::now();
    for (auto& p : pending) enqueue(p->frame);
  }
  bool progress_due(SteadyClock::time_point now) const {
    return !pending_.empty() && now - last_progress_ >= hub_->options.progress_interval;
  }

  void send(Frame f) {
    if (!closed_) enqueue(std::move(f));
  }
  bool live() const { return !closed_ && !syncing_; }

  /// Starts writing what a batch delivery queued (see publish_batch).
  void kick() {
    if (!closed_ && !writing_ && !queue_.empty()) write();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    hub_->progress_pending.erase(this);
    beast::error_code ignored;
    ws_.next_layer().tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    ws_.next_layer().close();
    auto self = shared_from_this();
    if (hub_->clients.erase(self)) hub_->client_count.fetch_sub(1);
  }

 private:
  void on_accepted(std::optional<std::string> last_id) {
    if (hub_->stopping_io) return close();
    hub_->clients.insert(shared_from_this());
    hub_->client_count.fetch_add(1);
    read();
    // Determine the mode and gather the replay off the io thread.
    std::weak_ptr<WsClient> weak = shared_from_this();
    auto hub = hub_;
    std::lock_guard lock(hub->jobs_mu);
    hub->jobs.push_back([weak, hub, last_id = std::move(last_id)](bus::SyncClient* redis) {
      if (weak.expired()) return;
      auto plan = std::make_shared<Plan>(make_plan(*hub, redis, last_id));
      net::post(hub->ioc, [weak, plan] {
        if (auto self = weak.lock()) self->begin(*plan);
      });
    });
    hub->jobs_cv.notify_one();
  }

  struct Plan {
    std::string mode;  // live, replay, snapshot
    std::optional<nlohmann::json> status;
    std::string snapshot_id;
    bus::StreamId start;
    std::vector<EventPtr> replay;
  };

  /// Replay thread: what the client gets before live events.
  static Plan make_plan(EventHub::Impl& hub, bus::SyncClient* redis,
                        const std::optional<std::string>& last_id) {
    Plan plan;
    std::optional<bus::StreamInfo> info;
    if (redis)
      if (auto i = redis->stream_info(hub.options.stream_key)) info = *i;
    std::optional<bus::StreamId> from = last_id ? bus::StreamId::parse(*last_id) : std::nullopt;
    bool snapshot = !from || !info;
    if (!snapshot && info->exists) {
      const auto last = bus::StreamId::parse(info->last_generated_id).value_or(bus::StreamId{});
      if (*from > last || bus::detect_gap(*info, *last_id)) snapshot = true;  // reset or trimmed
    } else if (!snapshot && !info->exists && !(*from == bus::StreamId{})) {
      snapshot = true;  // the stream is gone: whatever the client saw is history
    }
    if (snapshot) {
      plan.mode = "snapshot";
      const std::string s = info && info->exists ? info->last_generated_id : std::string("0-0");
      from = bus::StreamId::parse(s).value_or(bus::StreamId{});
      plan.snapshot_id = from->str();
      auto got = std::make_shared<std::promise<std::optional<nlohmann::json>>>();
      auto fut = got->get_future();
      hub.snapshot([got](std::optional<nlohmann::json> j) { got->set_value(std::move(j)); });
      if (fut.wait_for(std::chrono::seconds(15)) == std::future_status::ready) plan.status = fut.get();
    }
    plan.start = *from;
    // The entries after `from` (none is the common case for a snapshot).
    if (redis && info && info->exists) {
      std::string after = from->str();
      while (plan.replay.size() <= hub.options.max_replay) {
        auto page = redis->xrange(hub.options.stream_key, "(" + after, "+", 1000);
        if (!page || page->empty()) break;
        for (const auto& e : *page)
          if (auto ev = make_event(e)) plan.replay.push_back(std::move(ev));
        after = page->back().id;
      }
      if (plan.replay.size() > hub.options.max_replay && plan.mode != "snapshot") {
        // Too far behind to be worth replaying: start afresh from a snapshot.
        plan.replay.clear();
        return make_plan(hub, redis, std::nullopt);
      }
    }
    if (plan.mode.empty()) plan.mode = plan.replay.empty() ? "live" : "replay";
    return plan;
  }

  void begin(const Plan& plan) {
    if (closed_) return;
    enqueue(make_frame(
        {{"type", "hello"}, {"username", who_.username}, {"role", who_.role}, {"mode", plan.mode}}));
    if (plan.mode == "snapshot")
      enqueue(make_frame({{"type", "snapshot"},
                          {"status", plan.status ? *plan.status : nlohmann::json(nullptr)},
                          {"last_id", plan.snapshot_id}}));
    last_sent_ = plan.start;
    backlog_.assign(plan.replay.begin(), plan.replay.end());
    pump();
  }

  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      const auto text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      const auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_object() && j.value("type", "") == "ping") {
        static const Frame kPong = std::make_shared<const std::string>(R"({"type":"pong"})");
        self->enqueue(kPong);
      }
      self->read();
    });
  }

  void enqueue(Frame f) {
    if (closed_) return;
    queued_bytes_ += f->size();
    queue_.push_back(std::move(f));
    if (queue_.size() > hub_->options.max_queue_frames || queued_bytes_ > hub_->options.max_queue_bytes)
      return slow("send queue full");
    if (!writing_ && !hub_->deferring_writes) write();
  }

  void slow(const char* why) {
    hub_->slow_disconnects.fetch_add(1);
    spdlog::info("app: ws: disconnecting {} (slow reader: {})", who_.username, why);
    close();
  }

  /// One WebSocket message per write. A lone frame goes out as it is (the
  /// buffer shared with every other client); when several are queued (the
  /// client or the server fell behind) they go out together, one JSON object
  /// per line, up to kMaxBatchBytes. Batching is what keeps a detection burst
  /// to a thousand clients from costing a syscall per event per client: the
  /// write rate per client adapts to how fast it drains.
  void write() {
    writing_ = true;
    std::size_t frames = 1;
    net::const_buffer out = net::buffer(*queue_.front());
    if (queue_.size() > 1) {
      batch_.clear();
      batch_.append(*queue_.front());
      while (frames < queue_.size() && batch_.size() + 1 + queue_[frames]->size() <= kMaxBatchBytes) {
        batch_.push_back('\n');
        batch_.append(*queue_[frames]);
        ++frames;
      }
      out = net::buffer(batch_);
    }
    ws_.async_write(out, [self = shared_from_this(), frames](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->close();
      for (std::size_t i = 0; i < frames; ++i) {
        self->queued_bytes_ -= self->queue_.front()->size();
        self->queue_.pop_front();
      }
      if (self->syncing_ && !self->closed_) self->pump();
      if (!self->queue_.empty() && !self->closed_ && !self->writing_) self->write();
    });
  }

  static constexpr std::size_t kMaxBatchBytes = 64 * 1024;

  // A plain socket, not beast::tcp_stream: the websocket layer keeps its own
  // idle timer, and tcp_stream's per-operation timer bookkeeping was a visible
  // share of the fan-out's CPU (perf, 1,000 clients).
  websocket::stream<server::Stream> ws_;
  std::shared_ptr<EventHub::Impl> hub_;
  ClientIdentity who_;
  beast::http::request<beast::http::string_body> req_;
  beast::flat_buffer in_;
  std::deque<Frame> queue_;
  std::string batch_;  // the joined frames of the write in flight, when it has several
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool syncing_ = true;
  std::vector<EventPtr> held_;
  std::deque<EventPtr> backlog_;  // replay not yet queued (see pump)
  std::vector<EventPtr> pending_;
  SteadyClock::time_point last_progress_{};
  bus::StreamId last_sent_{};
};

void EventHub::Impl::broadcast(const Frame& f) {
  std::vector<std::shared_ptr<WsClient>> targets(clients.begin(), clients.end());
  for (const auto& c : targets)
    if (c->live()) c->send(f);
}

void EventHub::Impl::publish_batch(std::vector<EventPtr> batch) {
  // Copy: a client dropped as a slow reader leaves the set while we iterate.
  std::vector<std::shared_ptr<WsClient>> targets(clients.begin(), clients.end());
  // Queue the whole batch first, then start the writes: each idle client
  // gets the batch as one message instead of its first event alone.
  deferring_writes = batch.size() > 1;
  for (const auto& ev : batch)
    for (const auto& c : targets) c->deliver(ev);
  if (deferring_writes) {
    deferring_writes = false;
    for (const auto& c : targets) c->kick();
  }
}

void EventHub::Impl::arm_flush() {
  if (flush_armed || stopping_io) return;
  flush_armed = true;
  flush_timer.expires_after(options.progress_interval / 2);
  flush_timer.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->on_flush_timer();
  });
}

void EventHub::Impl::on_flush_timer() {
  flush_armed = false;
  const auto now = SteadyClock::now();
  std::vector<WsClient*> due;
  for (auto* c : progress_pending)
    if (c->progress_due(now)) due.push_back(c);
  for (auto* c : due) c->flush_progress();
  if (!progress_pending.empty()) arm_flush();
}

void EventHub::Impl::disconnect_all(const char* why) {
  spdlog::warn("app: ws: disconnecting every client: {}", why);
  std::vector<std::shared_ptr<WsClient>> all(clients.begin(), clients.end());
  for (auto& c : all) c->close();
}

void EventHub::Impl::tail_loop() {
  std::optional<bus::SyncClient> redis;
  client::RecentIds seen;  // envelope ids: bounded de-duplication window
  client::SeqTracker seq;           // seq gaps per run (counted and logged)
  std::string position = tail_from;  // "" until resolved
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping) {
    if (!redis) {
      auto c = bus::SyncClient::connect(options.url, std::chrono::milliseconds(2000), "tickstock-app-tail");
      if (!c) {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      redis.emplace(std::move(c).value());
      backoff = std::chrono::milliseconds(100);
      auto info = redis->stream_info(options.stream_key);
      if (!info) {
        redis.reset();
        continue;
      }
      const std::string last = info->exists ? info->last_generated_id : "0-0";
      if (position.empty()) {
        position = last;  // start with new events only
      } else {
        // Resuming after a lost connection: did the stream move on without us?
        const auto pos = bus::StreamId::parse(position).value_or(bus::StreamId{});
        const auto end = bus::StreamId::parse(last).value_or(bus::StreamId{});
        if (end < pos || bus::detect_gap(*info, position)) {
          position = end < pos ? "0-0" : last;
          net::post(ioc, [self = shared_from_this()] {
            self->disconnect_all("the event stream was trimmed or reset");
          });
        }
      }
      std::lock_guard lock(status_mu);
      if (position != "0-0") last_id = position;
    }
    auto entries = redis->xread(options.stream_key, position, options.read_batch, options.read_block);
    if (!entries) {
      spdlog::debug("app: event tail: {}", entries.error().message);
      redis.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (entries->empty()) continue;
    std::vector<EventPtr> batch;
    batch.reserve(entries->size());
    for (const auto& e : *entries) {
      std::string name;
      nlohmann::json parsed;
      auto ev = make_event(e, &name, &parsed);
      if (!ev) {
        spdlog::warn("app: event tail: skipping entry {} (not a JSON object)", e.id);
        continue;
      }
      // The same envelope under a new stream id: the engine re-sent it (a
      // lost reply, or a restarted Redis that had lost it). Clients get it once.
      if (!seen.insert(parsed.value("id", e.id))) {
        duplicates_dropped.fetch_add(1);
        continue;
      }
      if (auto gap = seq.observe(seq_view(parsed))) {
        seq_gaps.fetch_add(1);
        spdlog::warn("app: event tail: {} seq {}..{} missing from the stream", gap->scope, gap->expected,
                     gap->got - 1);
      }
      if (name == "heartbeat") {
        std::lock_guard lock(status_mu);
        hb_timestamp = parsed.value("timestamp", "");
        hb_source = parsed.value("source", "");
        hb_received = SteadyClock::now();
      }
      batch.push_back(std::move(ev));
    }
    position = entries->back().id;
    {
      std::lock_guard lock(status_mu);
      last_id = position;
    }
    net::post(ioc, [self = shared_from_this(), batch = std::move(batch)]() mutable {
      self->publish_batch(std::move(batch));
    });
  }
}

void EventHub::Impl::replay_loop() {
  std::optional<bus::SyncClient> redis;
  for (;;) {
    std::function<void(bus::SyncClient*)> job;
    {
      std::unique_lock lock(jobs_mu);
      jobs_cv.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (stopping) return;
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    if (!redis) {
      auto c = bus::SyncClient::connect(options.url, std::chrono::milliseconds(2000), "tickstock-app-replay");
      if (c) redis.emplace(std::move(c).value());
    }
    try {
      job(redis ? &*redis : nullptr);
    } catch (const std::exception& e) {
      spdlog::error("app: ws replay failed: {}", e.what());
    }
  }
}

EventHub::EventHub(net::io_context& ioc, EventHubOptions options, SnapshotSource snapshot)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(snapshot))) {}

EventHub::~EventHub() { stop(); }

void EventHub::start() {
  // The live position is fixed before the app accepts a client: a client's
  // snapshot or replay then never ends before it. Left to the tail thread's
  // first connection, a slow one skipped the events published between a
  // client's snapshot and that connection. (Redis down now: the tail
  // resolves it when Redis is back, as before.)
  if (auto c = bus::SyncClient::connect(impl_->options.url, std::chrono::milliseconds(2000), "tickstock-app-tail"))
    if (auto info = c->stream_info(impl_->options.stream_key))
      impl_->tail_from = info->exists ? info->last_generated_id : "0-0";
  impl_->tail_thread = std::thread([impl = impl_] { impl->tail_loop(); });
  impl_->replay_thread = std::thread([impl = impl_] { impl->replay_loop(); });
}

void EventHub::stop() {
  auto& m = *impl_;
  if (m.stopping.exchange(true)) return;
  m.jobs_cv.notify_all();
  if (m.tail_thread.joinable()) m.tail_thread.join();
  if (m.replay_thread.joinable()) m.replay_thread.join();
  // Close the clients on the io thread (if it still runs); the caller stops it afterwards.
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  net::post(m.ioc, [impl = impl_, done] {
    impl->stopping_io = true;
    impl->flush_timer.cancel();
    std::vector<std::shared_ptr<WsClient>> all(impl->clients.begin(), impl->clients.end());
    for (auto& c : all) c->close();
    impl->progress_pending.clear();
    done->set_value();
  });
  if (fut.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
    spdlog::warn("app: ws clients not closed within 5 s (the io thread is not running)");
}

void EventHub::attach(server::Stream stream, beast::http::request<beast::http::string_body> request,
                      ClientIdentity who, std::optional<std::string> last_id) {
  auto client = std::make_shared<WsClient>(std::move(stream), impl_, std::move(who));
  client->start(std::move(request), std::move(last_id));
}

void EventHub::set_redis_connected(bool connected) {
  impl_->redis_connected = connected;
  net::post(impl_->ioc, [impl = impl_, connected] {
    if (impl->redis_connected_io == connected) return;
    impl->redis_connected_io = connected;
    impl->broadcast(make_frame({{"type", "app_status"}, {"redis_connected", connected}}));
  });
}

HubStatus EventHub::status() const {
  HubStatus s;
  s.redis_connected = impl_->redis_connected;
  s.clients = impl_->client_count;
  s.disconnected_slow = impl_->slow_disconnects;
  s.duplicates_dropped = impl_->duplicates_dropped;
  s.seq_gaps = impl_->seq_gaps;
  std::lock_guard lock(impl_->status_mu);
  s.stream_last_id = impl_->last_id;
  if (impl_->hb_received) {
    s.last_heartbeat = impl_->hb_timestamp;
    s.heartbeat_source = impl_->hb_source;
    s.heartbeat_age_seconds = std::chrono::duration<double>(SteadyClock::now() - *impl_->hb_received).count();
  }
  return s;
}

}  // namespace ts::webapp
