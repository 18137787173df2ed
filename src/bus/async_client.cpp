#include "bus/async_client.hpp"

#include <algorithm>
#include <atomic>
#include <deque>

#include "bus/detail/commands.hpp"
#include "bus/detail/component.hpp"
#include "bus/detail/log.hpp"

namespace ts::bus {

using detail::invoke_safely;
using detail::log;
namespace lvl = spdlog::level;

struct AsyncClient::Impl : detail::ComponentCore, std::enable_shared_from_this<AsyncClient::Impl> {
  struct Event {
    std::string channel, stream_key, payload;
    std::size_t maxlen = 0;
    Callback<EventReceipt> done;
    bool sent = false;  // sent on an earlier connection: a resend may duplicate it
  };
  struct Retained {  // acknowledged: kept for a restarted Redis that lost it
    std::string channel, stream_key, payload;
    std::size_t maxlen = 0;
    StreamId id;
  };
  struct DrainWaiter {
    std::shared_ptr<std::promise<Status<>>> promise;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  Impl(EventLoop& l, AsyncClientOptions o) : loop(l), opt(std::move(o)) {
    if (opt.max_in_flight == 0) opt.max_in_flight = 1;
    conn = detail::Connection::create(loop.context(), opt.connection, base_handlers());
  }

  EventLoop& loop;
  AsyncClientOptions opt;
  std::atomic<std::size_t> accepted{0};  // admission count: outbox + in flight
  std::atomic<std::uint64_t> published{0}, rejected{0}, failed{0}, resent{0}, replayed{0};

  // Loop thread only:
  std::deque<Event> outbox;  // [0, in_flight) sent and unacknowledged, in order
  std::size_t in_flight = 0;
  std::uint64_t send_gen = 0;  // bumped when in-flight events are requeued
  std::vector<DrainWaiter> drainers;
  std::deque<Retained> retained;  // the last replay_window acknowledged events, in order
  bool probing = false;           // XINFO before anything else after a reconnection

  std::string what() const override { return "Redis client"; }
  void on_ready() override {
    if (retained.empty()) return pump();
    probe_for_loss();
  }
  void on_down(const Error&) override {
    probing = false;
    requeue_in_flight();
  }

  // XINFO STREAM <key>: did the server we reconnected to lose what it had
  // acknowledged? Nothing else is sent until the answer is in, so the events
  // found missing go out ahead of the outbox, in their original order.
  void probe_for_loss() {
    const std::string key = retained.back().stream_key;
    auto cb = [self = shared_from_this(), key, gen = send_gen](Result<Reply> r) {
      if (gen != self->send_gen || self->closed) return;
      self->probing = false;
      if (!r) return;  // the connection broke again: on_down, then on_ready probes again
      auto info = parse_stream_info(*r);
      if (!info) {
        log(lvl::warn, "bus: {}: XINFO STREAM {} unreadable ({}); not checking for lost events",
            self->conn->describe(), key, info.error().message);
      } else {
        self->replay_lost(key, *info);
      }
      self->pump();
    };
    probing = true;
    if (!conn->send({"XINFO", "STREAM", key}, std::move(cb))) probing = false;
  }

  void replay_lost(const std::string& key, const StreamInfo& info) {
    const auto last = StreamId::parse(info.last_generated_id).value_or(StreamId{});
    std::deque<Event> lost;
    std::deque<Retained> kept;
    for (auto& r : retained) {
      if (r.stream_key == key && (!info.exists || r.id > last))
        lost.push_back(
            Event{std::move(r.channel), std::move(r.stream_key), std::move(r.payload), r.maxlen, {}, true});
      else
        kept.push_back(std::move(r));
    }
    retained = std::move(kept);
    if (lost.empty()) return;
    log(lvl::warn,
        "bus: {}: Redis lost {} acknowledged event(s) of {} (restarted without them); sending them again",
        conn->describe(), lost.size(), key);
    replayed.fetch_add(lost.size());
    accepted.fetch_add(lost.size());
    outbox.insert(outbox.begin(), std::make_move_iterator(lost.begin()), std::make_move_iterator(lost.end()));
  }

  // Takes the event's strings: it has been acknowledged and is done with them.
  void retain(Event& ev, const EventReceipt& receipt) {
    if (opt.replay_window == 0) return;
    const auto id = StreamId::parse(receipt.id);
    if (!id) return;
    retained.push_back(
        {std::move(ev.channel), std::move(ev.stream_key), std::move(ev.payload), ev.maxlen, *id});
    if (retained.size() > opt.replay_window) retained.pop_front();
  }

  void enqueue(Event ev) {
    if (closed) {
      accepted.fetch_sub(1);
      Result<EventReceipt> r{fail("CLOSED", "the Redis client is closed")};
      invoke_safely("publish_event", ev.done, std::move(r));
      return;
    }
    outbox.push_back(std::move(ev));
    pump();
  }

  void pump() {
    while (!probing && conn->ready() && in_flight < outbox.size() && in_flight < opt.max_in_flight) {
      Event& ev = outbox[in_flight];
      auto argv = detail::publish_event_cmd(ev.channel, ev.stream_key, ev.maxlen, ev.payload);
      auto cb = [self = shared_from_this(), gen = send_gen](Result<Reply> r) {
        self->on_event_reply(gen, std::move(r));
      };
      if (!conn->send(argv, std::move(cb))) break;
      if (ev.sent) resent.fetch_add(1);
      ev.sent = true;
      ++in_flight;
    }
  }

  // Whatever was in flight goes back to the front of the outbox (it already
  // is: only the in-flight mark moves), to be sent again after reconnection.
  void requeue_in_flight() {
    if (in_flight == 0) return;
    log(lvl::warn, "bus: {}: {} event(s) unacknowledged at disconnect; they will be sent again",
        conn->describe(), in_flight);
    in_flight = 0;
    ++send_gen;
  }

  void on_event_reply(std::uint64_t gen, Result<Reply> r) {
    if (gen != send_gen || closed) return;
    if (!r) {  // transport failure: no acknowledgement, keep the event
      requeue_in_flight();
      return;
    }
    Event ev = std::move(outbox.front());
    outbox.pop_front();
    --in_flight;
    accepted.fetch_sub(1);
    auto receipt = detail::parse_publish_event(*r);
    if (receipt) {
      published.fetch_add(1);
      retain(ev, *receipt);
    } else {
      failed.fetch_add(1);
      log(lvl::err, "bus: {}: event for {} / {} refused: {}", conn->describe(), ev.stream_key, ev.channel,
          receipt.error().message);
    }
    invoke_safely("publish_event", ev.done, std::move(receipt));
    pump();
    check_drained();
  }

  void check_drained() {
    if (!outbox.empty() || drainers.empty()) return;
    auto waiters = std::move(drainers);
    drainers.clear();
    for (auto& w : waiters) {
      w.timer->cancel();
      w.promise->set_value(Ok{});
    }
  }

  // After the connection closed: in-flight replies came back CLOSED and were
  // ignored (closed == true), so every event is still in the outbox.
  void fail_pending() override {
    if (!outbox.empty())
      log(lvl::warn, "bus: {}: closed with {} unsent event(s)", conn->describe(), outbox.size());
    auto events = std::move(outbox);
    outbox.clear();
    in_flight = 0;
    accepted.fetch_sub(events.size());
    for (auto& ev : events) {
      Result<EventReceipt> r{fail("CLOSED", "the Redis client was closed before the event was sent")};
      invoke_safely("publish_event", ev.done, std::move(r));
    }
    auto waiters = std::move(drainers);
    drainers.clear();
    for (auto& w : waiters) {
      w.timer->cancel();
      w.promise->set_value(fail("CLOSED", "the Redis client was closed while draining"));
    }
  }

  template <class T, class Parse>
  void call(detail::Argv argv, Parse parse, Callback<T> done) {
    loop.post([self = shared_from_this(), argv = std::move(argv), parse, done = std::move(done)]() mutable {
      if (self->closed) {
        Result<T> r{fail("CLOSED", "the Redis client is closed")};
        return invoke_safely(argv[0].c_str(), done, std::move(r));
      }
      const char* what = argv[0].c_str();
      auto on_reply = [parse, done, what = std::string(argv[0])](Result<Reply> r) mutable {
        Result<T> out = r ? parse(*r, what.c_str()) : Result<T>(fail(std::move(r).error()));
        invoke_safely(what.c_str(), done, std::move(out));
      };
      if (!self->conn->send(argv, std::move(on_reply))) {
        Result<T> r{
            fail("NOT_CONNECTED", "not connected to Redis " + self->conn->describe() + " (reconnecting)")};
        invoke_safely(what, done, std::move(r));
      }
    });
  }
};

AsyncClient::AsyncClient(EventLoop& loop, AsyncClientOptions options)
    : loop_(loop), impl_(std::make_shared<Impl>(loop, std::move(options))) {}

AsyncClient::~AsyncClient() { detail::destroy(loop_, impl_); }

std::future<Status<>> AsyncClient::start() { return detail::start(loop_, impl_); }

void AsyncClient::close() { detail::close(loop_, impl_); }

std::future<Status<>> AsyncClient::drain(std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<Status<>>>();
  auto f = p->get_future();
  loop_.post([impl = impl_, p, timeout] {
    if (impl->closed) return p->set_value(fail("CLOSED", "the Redis client is closed"));
    if (impl->outbox.empty()) return p->set_value(Ok{});
    auto timer = std::make_shared<boost::asio::steady_timer>(impl->loop.context(), timeout);
    impl->drainers.push_back({p, timer});
    timer->async_wait([impl, p, timeout](const boost::system::error_code& ec) {
      if (ec) return;
      auto& d = impl->drainers;
      auto it = std::find_if(d.begin(), d.end(), [&](const Impl::DrainWaiter& w) { return w.promise == p; });
      if (it == d.end()) return;
      d.erase(it);
      p->set_value(fail("TIMEOUT", std::to_string(impl->outbox.size()) +
                                       " event(s) still unacknowledged after " +
                                       std::to_string(timeout.count()) + " ms"));
    });
  });
  return f;
}

Status<> AsyncClient::publish_event(std::string channel, std::string stream_key, std::size_t maxlen,
                                    std::string payload, Callback<EventReceipt> done) {
  if (impl_->closed) {
    impl_->rejected.fetch_add(1);
    return fail("CLOSED", "the Redis client is closed");
  }
  if (impl_->accepted.fetch_add(1) >= impl_->opt.outbox_capacity) {
    impl_->accepted.fetch_sub(1);
    impl_->rejected.fetch_add(1);
    return fail("OUTBOX_FULL", "the Redis outbox is full (" + std::to_string(impl_->opt.outbox_capacity) +
                                   " events waiting for " + impl_->conn->describe() +
                                   "); the event was not queued");
  }
  Impl::Event ev{std::move(channel), std::move(stream_key), std::move(payload), maxlen, std::move(done)};
  loop_.post([impl = impl_, ev = std::move(ev)]() mutable { impl->enqueue(std::move(ev)); });
  return Ok{};
}

void AsyncClient::publish(std::string channel, std::string payload, Callback<long long> done) {
  impl_->call<long long>(detail::publish_cmd(channel, payload), detail::expect_integer, std::move(done));
}

void AsyncClient::set(std::string key, std::string value, Callback<Ok> done, std::chrono::milliseconds ttl) {
  impl_->call<Ok>(detail::set_cmd(key, value, ttl), detail::expect_ok, std::move(done));
}

void AsyncClient::get(std::string key, Callback<std::optional<std::string>> done) {
  impl_->call<std::optional<std::string>>(detail::get_cmd(key), detail::expect_string_or_nil,
                                          std::move(done));
}

void AsyncClient::set_if_absent(std::string key, std::string value, std::chrono::milliseconds ttl,
                                Callback<bool> done) {
  impl_->call<bool>(detail::set_if_absent_cmd(key, value, ttl), detail::expect_ok_or_nil, std::move(done));
}

void AsyncClient::renew_if_equal(std::string key, std::string value, std::chrono::milliseconds ttl,
                                 Callback<bool> done) {
  impl_->call<bool>(detail::renew_if_equal_cmd(key, value, ttl), detail::expect_flag, std::move(done));
}

void AsyncClient::delete_if_equal(std::string key, std::string value, Callback<bool> done) {
  impl_->call<bool>(detail::delete_if_equal_cmd(key, value), detail::expect_flag, std::move(done));
}

void AsyncClient::command(std::vector<std::string> argv, Callback<Reply> done) {
  if (argv.empty()) {
    loop_.post([done = std::move(done)]() mutable {
      Result<Reply> r{fail("INVALID_ARGUMENT", "empty command")};
      invoke_safely("command", done, std::move(r));
    });
    return;
  }
  auto pass = [](const Reply& r, const char* what) -> Result<Reply> {
    if (r.is_error()) return fail(redis_error(r, what));
    return r;
  };
  impl_->call<Reply>(std::move(argv), pass, std::move(done));
}

ClientStats AsyncClient::stats() const {
  ClientStats s;
  s.connected = impl_->conn->connected();
  s.reconnects = impl_->conn->reconnects();
  s.outbox = impl_->accepted.load();
  s.events_published = impl_->published.load();
  s.events_rejected = impl_->rejected.load();
  s.events_failed = impl_->failed.load();
  s.events_resent = impl_->resent.load();
  s.events_replayed = impl_->replayed.load();
  return s;
}

bool AsyncClient::connected() const { return impl_->conn->connected(); }

}  // namespace ts::bus
