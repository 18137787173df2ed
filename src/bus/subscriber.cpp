#include "bus/subscriber.hpp"

#include <atomic>
#include <deque>
#include <set>
#include <string_view>

#include "bus/detail/component.hpp"
#include "bus/detail/log.hpp"

namespace ts::bus {

using detail::invoke_safely;

struct Subscriber::Impl : detail::ComponentCore {
  // A subscription is keyed "c:<channel>" or "p:<pattern>".
  struct Waiter {
    std::set<std::string> remaining;
    Callback<Ok> done;
  };

  Impl(EventLoop& l, ConnectionOptions o, MessageHandler m) : loop(l), on_message(std::move(m)) {
    auto h = base_handlers();
    h.on_push = [this](const Reply& r) { on_push(r); };
    conn = detail::Connection::create(loop.context(), std::move(o), std::move(h));
  }

  EventLoop& loop;
  MessageHandler on_message;
  // Loop thread only:
  std::set<std::string> channels, patterns;
  std::vector<Waiter> waiters;
  // On the current connection: the (P)SUBSCRIBE commands sent and not yet
  // confirmed in full (their unconfirmed keys, in sending order), and the keys
  // confirmed. Redis answers in order, so when it refuses one (NOPERM) the
  // first unconfirmed command is the one refused.
  std::deque<std::set<std::string>> unconfirmed;
  std::set<std::string> live;

  std::string what() const override { return "subscriber"; }

  static std::string key(bool pattern, const std::string& name) { return (pattern ? "p:" : "c:") + name; }

  void send(const char* verb, const std::set<std::string>& names) {
    if (names.empty()) return;
    std::vector<std::string> argv{verb};
    argv.insert(argv.end(), names.begin(), names.end());
    // false when down: on_ready sends everything again
    if (!conn->send_subscription(argv)) return;
    const std::string_view v(verb);
    if (v != "SUBSCRIBE" && v != "PSUBSCRIBE") return;  // unsubscribing: nothing to confirm
    std::set<std::string> keys;
    for (const auto& n : names) keys.insert(key(v == "PSUBSCRIBE", n));
    unconfirmed.push_back(std::move(keys));
  }

  void on_ready() override {
    unconfirmed.clear();
    live.clear();
    send("SUBSCRIBE", channels);
    send("PSUBSCRIBE", patterns);
  }

  /// hiredis 0.14 answers a refused SUBSCRIBE (an error reply on a subscribed
  /// connection) by dropping the connection, and the same SUBSCRIBE after
  /// every reconnect would be refused again, forever. So a NOPERM loss forgets
  /// the refused command's names (those not already live on this connection)
  /// and fails their waiters with NOPERM; the other subscriptions are made
  /// again on the reconnect as usual.
  void on_down(const Error& why) override {
    std::set<std::string> refused;
    if (why.message.find("NOPERM") != std::string::npos && !unconfirmed.empty())
      for (const auto& k : unconfirmed.front())
        if (!live.contains(k)) refused.insert(k);
    unconfirmed.clear();
    live.clear();
    if (refused.empty()) return;
    std::string names;
    for (const auto& k : refused) {
      (k[0] == 'p' ? patterns : channels).erase(k.substr(2));
      names += (names.empty() ? "" : ", ") + k.substr(2);
    }
    const std::string message = "Redis refused the subscription to " + names + " (" + why.message +
                                "): the Redis user needs these channels (docs/security.md)";
    detail::log(spdlog::level::err, "bus: subscriber: {}", message);
    for (std::size_t i = 0; i < waiters.size();) {
      auto& w = waiters[i];
      bool hit = false;
      for (const auto& k : refused) hit |= w.remaining.erase(k) > 0;
      if (!hit) {
        ++i;
        continue;
      }
      auto done = std::move(w.done);
      waiters.erase(waiters.begin() + static_cast<std::ptrdiff_t>(i));
      Result<Ok> r{fail("NOPERM", message)};
      invoke_safely("subscribe", done, std::move(r));
    }
  }

  void add(bool pattern, std::vector<std::string> names, Callback<Ok> done) {
    if (closed) {
      Result<Ok> r{fail("CLOSED", "the subscriber is closed")};
      return invoke_safely("subscribe", done, std::move(r));
    }
    auto& set = pattern ? patterns : channels;
    std::set<std::string> fresh(names.begin(), names.end());
    Waiter w{{}, std::move(done)};
    for (const auto& n : fresh) {
      set.insert(n);
      w.remaining.insert(key(pattern, n));
    }
    if (w.remaining.empty()) {
      Result<Ok> r{Ok{}};
      return invoke_safely("subscribe", w.done, std::move(r));
    }
    waiters.push_back(std::move(w));
    send(pattern ? "PSUBSCRIBE" : "SUBSCRIBE", fresh);
  }

  void remove(bool pattern, std::vector<std::string> names) {
    auto& set = pattern ? patterns : channels;
    std::set<std::string> gone;
    for (const auto& n : names)
      if (set.erase(n)) gone.insert(n);
    send(pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", gone);
  }

  void confirmed(const std::string& k) {
    live.insert(k);
    for (auto& keys : unconfirmed)
      if (keys.erase(k) > 0) break;
    while (!unconfirmed.empty() && unconfirmed.front().empty()) unconfirmed.pop_front();
    for (std::size_t i = 0; i < waiters.size();) {
      waiters[i].remaining.erase(k);
      if (waiters[i].remaining.empty()) {
        auto done = std::move(waiters[i].done);
        waiters.erase(waiters.begin() + static_cast<std::ptrdiff_t>(i));
        Result<Ok> r{Ok{}};
        invoke_safely("subscribe", done, std::move(r));
      } else {
        ++i;
      }
    }
  }

  void on_push(const Reply& r) {
    if (closed || !r.is_array() || r.elements.size() < 3) return;
    const std::string& kind = r.elements[0].str;
    if (kind == "message") {
      invoke_safely("message", on_message, Message{r.elements[1].str, "", r.elements[2].str});
    } else if (kind == "pmessage" && r.elements.size() == 4) {
      invoke_safely("message", on_message, Message{r.elements[2].str, r.elements[1].str, r.elements[3].str});
    } else if (kind == "subscribe") {
      confirmed("c:" + r.elements[1].str);
    } else if (kind == "psubscribe") {
      confirmed("p:" + r.elements[1].str);
    }
  }

  void fail_pending() override {
    auto ws = std::move(waiters);
    waiters.clear();
    for (auto& w : ws) {
      Result<Ok> r{fail("CLOSED", "the subscriber was closed")};
      invoke_safely("subscribe", w.done, std::move(r));
    }
  }
};

Subscriber::Subscriber(EventLoop& loop, ConnectionOptions options, MessageHandler on_message)
    : loop_(loop), impl_(std::make_shared<Impl>(loop, std::move(options), std::move(on_message))) {}

Subscriber::~Subscriber() { detail::destroy(loop_, impl_); }

std::future<Status<>> Subscriber::start() { return detail::start(loop_, impl_); }

void Subscriber::close() { detail::close(loop_, impl_); }

void Subscriber::subscribe(std::vector<std::string> channels, Callback<Ok> done) {
  loop_.post([impl = impl_, n = std::move(channels), d = std::move(done)]() mutable {
    impl->add(false, std::move(n), std::move(d));
  });
}

void Subscriber::psubscribe(std::vector<std::string> patterns, Callback<Ok> done) {
  loop_.post([impl = impl_, n = std::move(patterns), d = std::move(done)]() mutable {
    impl->add(true, std::move(n), std::move(d));
  });
}

void Subscriber::unsubscribe(std::vector<std::string> channels) {
  loop_.post([impl = impl_, n = std::move(channels)]() mutable { impl->remove(false, std::move(n)); });
}

void Subscriber::punsubscribe(std::vector<std::string> patterns) {
  loop_.post([impl = impl_, n = std::move(patterns)]() mutable { impl->remove(true, std::move(n)); });
}

bool Subscriber::connected() const { return impl_->conn->connected(); }
std::uint64_t Subscriber::reconnects() const { return impl_->conn->reconnects(); }

}  // namespace ts::bus
