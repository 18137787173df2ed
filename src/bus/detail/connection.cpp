#include "bus/detail/connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>

#include "bus/detail/asio_adapter.hpp"
#include "bus/detail/hiredis_reply.hpp"
#include "bus/detail/log.hpp"

namespace ts::bus {

std::chrono::milliseconds Backoff::delay(unsigned attempt, double unit) const noexcept {
  double cap = static_cast<double>(std::max(max.count(), std::chrono::milliseconds::rep{0}));
  double base = static_cast<double>(std::max(initial.count(), std::chrono::milliseconds::rep{0}));
  for (unsigned i = 0; i < attempt && base < cap; ++i) base *= std::max(multiplier, 1.0);
  base = std::min(base, cap);
  double j = std::clamp(jitter, 0.0, 1.0);
  double u = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(std::llround(base - base * j * u));
}

std::string_view to_string(ConnectionState s) noexcept {
  switch (s) {
    case ConnectionState::connecting:
      return "connecting";
    case ConnectionState::ready:
      return "ready";
    case ConnectionState::down:
      return "down";
    case ConnectionState::closed:
      return "closed";
  }
  return "?";
}

}  // namespace ts::bus

namespace ts::bus::detail {

void ignore_sigpipe() noexcept {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) != 0) return;
  if ((current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
  }
}

using spdlog::level::level_enum;
namespace lvl = spdlog::level;

struct Connection::Session {
  struct Pending {
    ReplyCallback cb;
    Clock::time_point deadline;
  };
  Connection* owner = nullptr;      // null once the connection let go of this context
  redisAsyncContext* ac = nullptr;  // null once hiredis freed (or is freeing) it
  std::deque<Pending> pending;      // replies are FIFO
  bool dying = false;               // hiredis is tearing the context down
};

// hiredis C callbacks. ac->data is the Session, which the adapter keeps alive
// for as long as hiredis can call back.
struct Trampolines {
  using Session = Connection::Session;
  static Session* session(const redisAsyncContext* ac) { return static_cast<Session*>(ac->data); }
  static std::string error_text(const redisAsyncContext* ac, const char* fallback) {
    return ac->c.err && ac->c.errstr[0] ? std::string(ac->c.errstr) : std::string(fallback);
  }

  static void on_connect(const redisAsyncContext* ac, int status) {
    Session* s = session(ac);
    if (!s) return;
    std::string error;
    if (status != REDIS_OK) {
      error = error_text(ac, "connection failed");
      s->ac = nullptr;  // hiredis frees it when we return
      s->dying = true;
    }
    if (s->owner) s->owner->on_tcp(s, error);
  }

  static void on_disconnect(const redisAsyncContext* ac, int status) {
    Session* s = session(ac);
    if (!s) return;
    s->ac = nullptr;
    s->dying = true;
    if (s->owner)
      s->owner->on_lost(s, status == REDIS_OK ? "connection closed" : error_text(ac, "connection lost"));
  }

  static void on_reply(redisAsyncContext* ac, void* reply, void*) {
    Session* s = session(ac);
    if (!s || s->pending.empty()) return;
    auto p = std::move(s->pending.front());
    s->pending.pop_front();
    if (reply) {
      Result<Reply> r(to_reply(*static_cast<redisReply*>(reply)));
      invoke_safely("reply", p.cb, std::move(r));
    } else {
      s->dying = true;
      Result<Reply> r(
          fail("CONNECTION_LOST",
               "connection to Redis lost before the reply arrived (the command may or may not have run)"));
      invoke_safely("reply", p.cb, std::move(r));
    }
  }

  static void on_push(redisAsyncContext* ac, void* reply, void*) {
    Session* s = session(ac);
    if (!s || !reply || !s->owner) return;
    s->owner->push(to_reply(*static_cast<redisReply*>(reply)));
  }
};

std::shared_ptr<Connection> Connection::create(boost::asio::io_context& io, ConnectionOptions options,
                                               Handlers handlers) {
  return std::shared_ptr<Connection>(new Connection(io, std::move(options), std::move(handlers)));
}

Connection::Connection(boost::asio::io_context& io, ConnectionOptions options, Handlers handlers)
    : io_(io),
      opt_(std::move(options)),
      handlers_(std::move(handlers)),
      describe_(opt_.name + " (" + opt_.url.redacted() + ")"),
      connect_timer_(io),
      retry_timer_(io),
      watchdog_(io),
      rng_(std::random_device{}()) {}

Connection::~Connection() { close(); }

bool Connection::ready() const noexcept { return phase_ == Phase::ready && session_ && !session_->dying; }
bool Connection::connected() const noexcept { return connected_.load(); }
std::uint64_t Connection::reconnects() const noexcept { return reconnects_.load(); }
const ConnectionOptions& Connection::options() const noexcept { return opt_; }
const std::string& Connection::describe() const noexcept { return describe_; }

void Connection::set_phase(Phase p) {
  auto state_of = [](Phase x) {
    switch (x) {
      case Phase::ready:
        return ConnectionState::ready;
      case Phase::waiting:
        return ConnectionState::down;
      case Phase::closed:
        return ConnectionState::closed;
      default:
        return ConnectionState::connecting;
    }
  };
  bool changed = phase_ == Phase::idle || state_of(p) != state_of(phase_);
  phase_ = p;
  connected_ = p == Phase::ready;
  if (changed) invoke_safely("on_state", opt_.on_state, state_of(p));
}

void Connection::start() {
  if (phase_ != Phase::idle) return;
  attempt();
}

void Connection::attempt() {
  ++gen_;
  set_phase(Phase::connecting);
  auto unreachable = [this](const std::string& why) {
    return Error{"REDIS_UNREACHABLE", "cannot connect to Redis " + describe_ + ": " + why};
  };
  ignore_sigpipe();
  redisAsyncContext* ac = redisAsyncConnect(opt_.url.host.c_str(), opt_.url.port);
  if (!ac) return failed(unreachable("out of memory"));
  if (ac->err) {
    std::string why = ac->errstr ? ac->errstr : "unknown error";
    redisAsyncFree(ac);
    return failed(unreachable(why));
  }
  auto s = std::make_shared<Session>();
  s->owner = this;
  s->ac = ac;
  ac->data = s.get();
  if (!attach_asio(ac, io_, s)) {
    ac->data = nullptr;
    redisAsyncFree(ac);
    return failed(unreachable("cannot watch the socket"));
  }
  session_ = s;
  redisAsyncSetConnectCallback(ac, &Trampolines::on_connect);
  redisAsyncSetDisconnectCallback(ac, &Trampolines::on_disconnect);

  connect_timer_.expires_after(opt_.connect_timeout);
  connect_timer_.async_wait(
      [self = shared_from_this(), gen = gen_, unreachable](const boost::system::error_code& ec) {
        if (ec || gen != self->gen_ || self->phase_ != Phase::connecting) return;
        self->failed(
            unreachable("timed out after " + std::to_string(self->opt_.connect_timeout.count()) + " ms"));
      });
}

void Connection::on_tcp(Session* s, const std::string& error) {
  if (s != session_.get()) return;
  connect_timer_.cancel();
  if (!error.empty())
    return failed(Error{"REDIS_UNREACHABLE", "cannot connect to Redis " + describe_ + ": " + error});
  redisEnableKeepAlive(&s->ac->c);
  // Not from inside hiredis's connect callback: a failure there would free the
  // context while hiredis still uses it.
  boost::asio::post(io_, [self = shared_from_this(), gen = gen_] {
    if (gen == self->gen_ && self->phase_ == Phase::connecting) self->handshake();
  });
}

void Connection::handshake() {
  set_phase(Phase::handshaking);
  arm_watchdog();
  auto steps = std::make_shared<std::vector<HandshakeStep>>(handshake_steps(opt_.url, opt_.name));
  for (std::size_t i = 0; i < steps->size(); ++i) {
    bool last = i + 1 == steps->size();
    auto cb = [self = shared_from_this(), gen = gen_, steps, i, last](Result<Reply> r) {
      if (gen != self->gen_ || self->phase_ != Phase::handshaking) return;
      if (!r) return self->failed(std::move(r).error());
      if (auto err = check_handshake_reply((*steps)[i], *r, self->opt_.url, self->describe_))
        return self->failed(std::move(*err));
      if (last) self->became_ready();
    };
    if (!send_raw((*steps)[i].argv, std::move(cb), opt_.command_timeout))
      return failed(Error{"REDIS_UNREACHABLE", "cannot send the handshake to " + describe_});
  }
}

void Connection::became_ready() {
  bool first = !ever_ready_;
  if (!first) ++reconnects_;
  ever_ready_ = true;
  attempt_ = 0;
  set_phase(Phase::ready);
  if (first)
    log(lvl::info, "bus: {} connected", describe_);
  else
    log(lvl::info, "bus: {} reconnected (reconnect #{})", describe_, reconnects_.load());
  invoke_safely("on_ready", handlers_.on_ready, first);
}

void Connection::failed(Error error) {
  if (phase_ == Phase::closed) return;
  bool was_ready = phase_ == Phase::ready;
  drop(error);
  if (phase_ == Phase::closed) return;  // a failed command's callback closed us
  if (was_ready) {
    log(lvl::warn, "bus: {} lost: {}", describe_, error.message);
    set_phase(Phase::waiting);
    invoke_safely("on_down", handlers_.on_down, error);
    if (phase_ == Phase::closed) return;
  } else if (!ever_ready_ && opt_.fail_fast) {
    log(lvl::err, "bus: {}", error.message);
    close();
    invoke_safely("on_fatal", handlers_.on_fatal, error);
    return;
  } else {
    level_enum level = attempt_ % 10 == 0 ? lvl::warn : lvl::debug;
    log(level, "bus: {} (attempt {})", error.message, attempt_ + 1);
  }
  schedule_retry();
}

void Connection::drop(Error reason) {
  ++gen_;  // stale timers and handshake callbacks now ignore themselves
  connected_ = false;
  auto s = std::move(session_);
  if (!s) return;
  s->owner = nullptr;
  auto pending = std::move(s->pending);
  s->pending.clear();
  if (redisAsyncContext* ac = s->ac) {
    s->ac = nullptr;
    redisAsyncFree(ac);  // deferred by hiredis when inside one of its callbacks
  }
  for (auto& p : pending) {
    Result<Reply> r{fail(reason)};
    invoke_safely("reply", p.cb, std::move(r));
  }
}

void Connection::schedule_retry() {
  set_phase(Phase::waiting);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto delay = opt_.backoff.delay(attempt_++, unit(rng_));
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([self = shared_from_this(), gen = gen_](const boost::system::error_code& ec) {
    if (ec || gen != self->gen_ || self->phase_ != Phase::waiting) return;
    self->attempt();
  });
}

void Connection::arm_watchdog() {
  if (watchdog_armed_) return;
  watchdog_armed_ = true;
  auto period =
      std::clamp(opt_.command_timeout / 4, std::chrono::milliseconds{20}, std::chrono::milliseconds{1000});
  watchdog_.expires_after(period);
  watchdog_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->watchdog_armed_ = false;
    if (ec || (self->phase_ != Phase::ready && self->phase_ != Phase::handshaking)) return;
    auto& s = self->session_;
    if (s && !s->pending.empty() && Clock::now() > s->pending.front().deadline) {
      self->failed(Error{"TIMEOUT", "no reply from Redis " + self->describe_ + " within " +
                                        std::to_string(self->opt_.command_timeout.count()) +
                                        " ms; reconnecting"});
      return;
    }
    self->arm_watchdog();
  });
}

void Connection::close() {
  if (phase_ == Phase::closed) return;
  set_phase(Phase::closed);
  connect_timer_.cancel();
  retry_timer_.cancel();
  watchdog_.cancel();
  drop(Error{"CLOSED", "Redis client " + describe_ + " is closed"});
}

bool Connection::send(const std::vector<std::string>& argv, ReplyCallback cb,
                      std::chrono::milliseconds extra) {
  if (!ready()) return false;
  return send_raw(argv, std::move(cb), opt_.command_timeout + extra);
}

bool Connection::send_raw(const std::vector<std::string>& argv, ReplyCallback cb,
                          std::chrono::milliseconds budget) {
  Session* s = session_.get();
  if (!s || !s->ac || s->dying) return false;
  CArgv a(argv);
  if (redisAsyncCommandArgv(s->ac, &Trampolines::on_reply, nullptr, a.argc(), a.ptrs.data(), a.lens.data()) !=
      REDIS_OK)
    return false;
  s->pending.push_back({std::move(cb), Clock::now() + budget});
  return true;
}

bool Connection::send_subscription(const std::vector<std::string>& argv) {
  if (!ready()) return false;
  CArgv a(argv);
  return redisAsyncCommandArgv(session_->ac, &Trampolines::on_push, nullptr, a.argc(), a.ptrs.data(),
                               a.lens.data()) == REDIS_OK;
}

void Connection::on_lost(Session* s, const std::string& error) {
  if (s != session_.get()) return;
  failed(Error{"CONNECTION_LOST", "connection to Redis " + describe_ + " lost: " + error});
}

void Connection::push(const Reply& r) {
  if (phase_ == Phase::closed) return;
  invoke_safely("on_push", handlers_.on_push, r);
}

}  // namespace ts::bus::detail
