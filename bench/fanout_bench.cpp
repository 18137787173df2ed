// Fan-out benchmark: N authenticated WebSocket clients on loopback connected
// to a running `tickstock app`, while this program plays the engine and
// appends events to tickstock:events (the same atomic XADD + PUBLISH the
// engine uses) at a fixed rate.
//
//   fanout_bench --app 127.0.0.1:8000 --redis redis://127.0.0.1:6379/0
//                --user bench --password-file F [--clients 1000] [--rate 1000]
//                [--seconds 10] [--special-every 10] [--app-pid PID]
//
// --rate 0 is the soak mode (bench/soak.sh): publish nothing, hold the N
// clients connected for --seconds (0 = until SIGTERM/SIGINT) while a real
// engine runs. A client the app drops as a slow reader reconnects with the
// greatest stream id it saw, as the front end does. Reports frames received,
// reconnects, and how many clients ended behind the stream's last entry.
//
// Event mix: of every `special-every` events one is patterns_detected or error
// (alternately) and must reach every client; the rest are import_progress of
// one run, which the app coalesces (<= 10 per second per client). Each
// payload carries `bench_ns`, the publisher's system_clock time in ns; a
// client's latency is its receive time minus that (same machine, same clock).
//
// Reports, as text and as one JSON line (prefix "RESULT "):
//   last-client latency p50/p99/max over the must-deliver events (the time
//   until the LAST of the N clients had it), per-delivery p50/p99, deliveries
//   per second, progress frames per client per second, missing deliveries,
//   disconnects, and the app's VmRSS/VmHWM when --app-pid is given.
// Exit status 1 when a must-deliver event did not reach every client.
#include <utility>  // before Boost.Asio (Boost 1.74 under C++20)

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bus/sync_client.hpp"
#include "bus/url.hpp"
#include "core/uuid.hpp"
#include "protocol/envelope.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::system_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1", port = "8000", redis = "redis://127.0.0.1:6379/0";
  std::string user = "bench", password_file;
  int clients = 1000, rate = 1000, seconds = 10, special_every = 10;
  long app_pid = 0;
};

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

/// The integer after `"key":` in a JSON text, or -1 (a scan, not a parse:
/// the load generator shares the two cores with the server it measures).
long long find_int(std::string_view s, std::string_view key) {
  const auto at = s.find(key);
  if (at == std::string_view::npos) return -1;
  auto p = s.data() + at + key.size();
  while (p < s.data() + s.size() && (*p == ' ' || *p == ':')) ++p;
  long long v = -1;
  std::from_chars(p, s.data() + s.size(), v);
  return v;
}

std::string login_cookie(const Options& o, const std::string& password) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::resolver(io).resolve(o.host, o.port));
  http::request<http::string_body> req{http::verb::post, "/auth/login", 11};
  req.set(http::field::host, o.host + ":" + o.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::origin, "http://" + o.host + ":" + o.port);
  req.body() = nlohmann::json{{"username", o.user}, {"password", password}}.dump();
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  if (res.result() != http::status::ok) throw std::runtime_error("login failed: " + res.body());
  const std::string set_cookie(res[http::field::set_cookie]);
  return set_cookie.substr(0, set_cookie.find(';'));
}

struct Stats {
  std::mutex mu;
  // must-deliver event number -> (receipts, max latency ns)
  std::unordered_map<long long, std::pair<int, long long>> special;
  std::vector<long long> delivery_ns;
  long long progress_frames = 0, frames = 0;
  std::atomic<long long> all_frames{0};  // every frame, benchmark payload or not
  std::atomic<long long> reconnects{0};  // soak mode: resumptions after a drop
};

/// Stream ids "ms-seq" compare numerically, part by part.
bool stream_id_less(std::string_view a, std::string_view b) {
  const auto split = [](std::string_view id) {
    unsigned long long ms = 0, sq = 0;
    const auto dash = id.find('-');
    std::from_chars(id.data(), id.data() + std::min(dash, id.size()), ms);
    if (dash != std::string_view::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), sq);
    return std::pair{ms, sq};
  };
  return split(a) < split(b);
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::io_context& io, const Options& o, std::string cookie, Stats& stats, std::atomic<int>& ready,
         std::atomic<int>& closed, std::string last_id = {})
      : io_(io), ws_(io), o_(o), cookie_(std::move(cookie)), stats_(stats), ready_(ready), closed_(closed),
        last_id_(std::move(last_id)), resuming_(!last_id_.empty()) {}

  /// Soak mode: the client that now carries this connection's position.
  std::shared_ptr<Client> current() { return successor_ ? successor_->current() : shared_from_this(); }
  const std::string& last_id() const { return last_id_; }

  void start(const tcp::resolver::results_type& eps) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(eps, [self = shared_from_this()](beast::error_code ec, auto) {
      if (ec) return self->fail("connect", ec);
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.set_option(websocket::stream_base::decorator([self](websocket::request_type& r) {
        r.set(http::field::cookie, self->cookie_);
        r.set(http::field::origin, "http://" + self->o_.host + ":" + self->o_.port);
      }));
      const std::string target = self->last_id_.empty() ? "/ws" : "/ws?last_id=" + self->last_id_;
      self->ws_.async_handshake(self->o_.host + ":" + self->o_.port, target,
                                [self](beast::error_code ec2) {
                                  if (ec2) return self->fail("handshake", ec2);
                                  self->read();
                                });
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("read", ec);
      self->on_message(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  /// A message holds one frame per line (the app batches for a client that fell behind).
  void on_message(const std::string& m) {
    const long long t = now_ns();
    for (std::size_t start = 0; start < m.size();) {
      const auto nl = m.find('\n', start);
      on_frame(std::string_view(m).substr(start, nl == std::string::npos ? std::string::npos : nl - start), t);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }

  void on_frame(std::string_view f, long long t) {
    ++stats_.all_frames;
    if (o_.rate == 0 && f.find("\"type\":\"event\"") != std::string_view::npos) {
      const auto at = f.find("\"id\":\"");
      if (at != std::string_view::npos) {
        const auto id = f.substr(at + 6, f.find('"', at + 6) - (at + 6));
        if (last_id_.empty() || stream_id_less(last_id_, id)) last_id_ = std::string(id);
      }
    }
    if (!hello_ && (f.find("\"snapshot\"") != std::string::npos || f.find("\"hello\"") != std::string::npos)) {
      hello_ = true;
      if (!resuming_) ++ready_;
    }
    const long long sent = find_int(f, "\"bench_ns\"");
    if (sent < 0) return;
    const long long lat = t - sent;
    const long long n = find_int(f, "\"bench_n\"");
    const bool special = f.find("\"patterns_detected\"") != std::string::npos ||
                         f.find("\"event\":\"error\"") != std::string::npos;
    std::lock_guard lock(stats_.mu);
    ++stats_.frames;
    stats_.delivery_ns.push_back(lat);
    if (special) {
      auto& [count, worst] = stats_.special[n];
      ++count;
      worst = std::max(worst, lat);
    } else {
      ++stats_.progress_frames;
    }
  }

  void fail(const char* what, beast::error_code ec) {
    if (failed_) return;
    failed_ = true;
    if (o_.rate == 0 && hello_) return resume();
    ++closed_;
    if (closed_ <= 5) std::cerr << "client " << what << ": " << ec.message() << "\n";
  }

  /// Soak mode: reconnect from the greatest id seen after 0.5 s (the front end's first back-off).
  void resume() {
    ++stats_.reconnects;
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(500));
    timer->async_wait([self = shared_from_this(), timer](beast::error_code) {
      self->successor_ = std::make_shared<Client>(self->io_, self->o_, self->cookie_, self->stats_, self->ready_,
                                                  self->closed_, self->last_id_);
      self->successor_->start(tcp::resolver(self->io_).resolve(self->o_.host, self->o_.port));
    });
  }

  asio::io_context& io_;
  websocket::stream<beast::tcp_stream> ws_;
  const Options& o_;
  std::string cookie_;
  Stats& stats_;
  std::atomic<int>& ready_;
  std::atomic<int>& closed_;
  beast::flat_buffer buf_;
  bool hello_ = false, failed_ = false;
  std::string last_id_;  // soak mode: greatest stream id received
  bool resuming_ = false;
  std::shared_ptr<Client> successor_;
};

long long percentile(std::vector<long long> v, double p) {
  if (v.empty()) return -1;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

std::string proc_status(long pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return line.substr(line.find(':') + 1);
  return "";
}

double kib_to_mb(const std::string& s) { return s.empty() ? -1 : std::stod(s) / 1024.0; }

/// CPU seconds (user + system) a process has used, from /proc/PID/stat.
double cpu_seconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// Soak mode: keep the clients connected until --seconds pass or a stop
/// signal arrives; exit 1 when any client was disconnected.
int hold(const Options& o, Stats& stats, std::atomic<int>& ready, std::atomic<int>& closed,
         asio::io_context& io, std::thread& net, const std::vector<std::shared_ptr<Client>>& clients) {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  const auto t0 = std::chrono::steady_clock::now();
  while (!g_stop.load() &&
         (o.seconds == 0 || std::chrono::steady_clock::now() - t0 < std::chrono::seconds(o.seconds)))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Every client should end at the stream's last entry; give stragglers 30 s to catch up.
  auto redis = ts::bus::SyncClient::connect(ts::bus::RedisUrl::parse(o.redis).value()).value();
  const std::string stream_last = redis.stream_info(std::string(ts::protocol::kStreamKey)).value().last_generated_id;
  const auto behind = [&] {
    std::promise<int> count;
    asio::post(io, [&] {
      int n = 0;
      for (const auto& c : clients) n += c->current()->last_id() != stream_last;
      count.set_value(n);
    });
    return count.get_future().get();
  };
  int left_behind = behind();
  for (int i = 0; i < 300 && left_behind > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left_behind = behind();
  }
  io.stop();
  net.join();
  const nlohmann::json j{{"clients", o.clients},
                         {"ready", ready.load()},
                         {"disconnected", closed.load()},
                         {"reconnects", stats.reconnects.load()},
                         {"behind_stream_end", left_behind},
                         {"frames", stats.all_frames.load()},
                         {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
  std::printf("RESULT %s\n", j.dump().c_str());
  return closed == 0 && ready == o.clients && left_behind == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--app") {
      o.host = v.substr(0, v.find(':'));
      o.port = v.substr(v.find(':') + 1);
    } else if (k == "--redis") o.redis = v;
    else if (k == "--user") o.user = v;
    else if (k == "--password-file") o.password_file = v;
    else if (k == "--clients") o.clients = std::stoi(v);
    else if (k == "--rate") o.rate = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stoi(v);
    else if (k == "--special-every") o.special_every = std::max(1, std::stoi(v));
    else if (k == "--app-pid") o.app_pid = std::stol(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  std::string password;
  std::ifstream(o.password_file) >> password;
  const std::string cookie = login_cookie(o, password);

  asio::io_context io;
  Stats stats;
  stats.delivery_ns.reserve(static_cast<std::size_t>(o.rate) * o.seconds * 2 + 1'000'000);
  std::atomic<int> ready{0}, closed{0};
  const auto eps = tcp::resolver(io).resolve(o.host, o.port);
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_shared<Client>(io, o, cookie, stats, ready, closed));
    clients.back()->start(eps);
  }
  auto guard = asio::make_work_guard(io);
  std::thread net([&] { io.run(); });

  const auto connect_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ready + closed < o.clients && std::chrono::steady_clock::now() < connect_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::printf("clients ready     %d of %d (%d failed)\n", ready.load(), o.clients, closed.load());
  const double rss_idle = o.app_pid ? kib_to_mb(proc_status(o.app_pid, "VmRSS")) : -1;
  if (o.rate == 0) return hold(o, stats, ready, closed, io, net, clients);

  auto redis = ts::bus::SyncClient::connect(ts::bus::RedisUrl::parse(o.redis).value()).value();
  ts::protocol::Sequencer seq;
  const std::string run_id = "bench-" + ts::make_uuid_v4().substr(0, 8);
  long long specials = 0;
  const long long total = static_cast<long long>(o.rate) * o.seconds;
  const auto period = std::chrono::nanoseconds(1'000'000'000LL / o.rate);
  auto next = std::chrono::steady_clock::now();
  const auto t_start = std::chrono::steady_clock::now();
  const double app_cpu0 = o.app_pid ? cpu_seconds(o.app_pid) : 0, self_cpu0 = cpu_seconds(getpid());
  for (long long n = 0; n < total; ++n) {
    std::this_thread::sleep_until(next);
    next += period;
    ts::protocol::Envelope e;
    e.id = ts::make_uuid_v4();
    e.source = "tickstock-engine/bench:1";
    e.timestamp = ts::protocol::format_timestamp(Clock::now());
    const bool special = n % o.special_every == o.special_every - 1;
    if (!special) {
      e.event = ts::protocol::Event::import_progress;
      e.payload = {{"run_id", run_id}, {"phase", "import"}, {"total", total}, {"processed", n},
                   {"failed", 0}, {"percent", 100.0 * n / total}, {"current_symbol", "AAPL"}};
    } else if (specials++ % 2 == 0) {
      e.event = ts::protocol::Event::patterns_detected;
      e.payload = {{"run_id", run_id}, {"symbol", "AAPL"}, {"timeframe", "daily"}, {"pattern", "doji"},
                   {"direction", "neutral"}, {"bar_date", "2026-11-27"}, {"strength", 0.5}, {"confidence", 0.5}};
    } else {
      e.event = ts::protocol::Event::error;
      e.payload = {{"run_id", run_id}, {"severity", "warning"}, {"code", "BENCH"}, {"message", "bench error"}};
    }
    e.seq = seq.next(run_id);
    e.payload["bench_n"] = n;
    e.payload["bench_ns"] = now_ns();
    const auto& spec = ts::protocol::info(e.event);
    if (auto r = redis.publish_event(std::string(spec.channel), std::string(ts::protocol::kStreamKey), 100000,
                                     ts::protocol::encode_event(e));
        !r)
      std::cerr << "publish: " << r.error().message << "\n";
  }
  const double publish_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  const double app_cpu = o.app_pid ? (cpu_seconds(o.app_pid) - app_cpu0) / publish_s : -1;
  const double self_cpu = (cpu_seconds(getpid()) - self_cpu0) / publish_s;

  // Drain: wait until every must-deliver event reached every live client, or 10 s.
  const int live = ready - closed;
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    {
      std::lock_guard lock(stats.mu);
      long long complete = 0;
      for (const auto& [n, v] : stats.special) complete += v.first >= live;
      if (complete == specials) break;
    }
    if (std::chrono::steady_clock::now() > drain_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double rss = o.app_pid ? kib_to_mb(proc_status(o.app_pid, "VmRSS")) : -1;
  const double hwm = o.app_pid ? kib_to_mb(proc_status(o.app_pid, "VmHWM")) : -1;
  guard.reset();
  io.stop();
  net.join();

  std::lock_guard lock(stats.mu);
  std::vector<long long> last_client;
  long long missing = 0;
  for (const auto& [n, v] : stats.special) {
    last_client.push_back(v.second);
    missing += std::max(0, live - v.first);
  }
  missing += (specials - static_cast<long long>(stats.special.size())) * live;
  const double us = 1e-3;
  const double prog_per_client_s = live ? stats.progress_frames / (double)live / publish_s : 0;
  std::printf("published         %lld events in %.2f s (%lld must-deliver)\n", total, publish_s, specials);
  std::printf("last-client lat.  p50 %.0f us  p99 %.0f us  max %.0f us\n", percentile(last_client, 0.5) * us,
              percentile(last_client, 0.99) * us, percentile(last_client, 1.0) * us);
  std::printf("per-delivery lat. p50 %.0f us  p99 %.0f us\n", percentile(stats.delivery_ns, 0.5) * us,
              percentile(stats.delivery_ns, 0.99) * us);
  std::printf("deliveries        %lld (%.0f/s)\n", stats.frames, stats.frames / publish_s);
  std::printf("progress frames   %.2f per client per second\n", prog_per_client_s);
  std::printf("missing           %lld must-deliver receipts; %d clients disconnected\n", missing, closed.load());
  if (o.app_pid) std::printf("app RSS           %.1f MB idle-connected, %.1f MB after, peak %.1f MB\n", rss_idle, rss, hwm);
  std::printf("CPU (cores)       app %.2f, load generator %.2f, while publishing\n", app_cpu, self_cpu);
  nlohmann::json j{{"clients", o.clients},
                   {"ready", ready.load()},
                   {"rate", o.rate},
                   {"seconds", publish_s},
                   {"must_deliver", specials},
                   {"last_client_p50_us", percentile(last_client, 0.5) * us},
                   {"last_client_p99_us", percentile(last_client, 0.99) * us},
                   {"last_client_max_us", percentile(last_client, 1.0) * us},
                   {"delivery_p50_us", percentile(stats.delivery_ns, 0.5) * us},
                   {"delivery_p99_us", percentile(stats.delivery_ns, 0.99) * us},
                   {"deliveries_per_s", stats.frames / publish_s},
                   {"progress_per_client_per_s", prog_per_client_s},
                   {"missing", missing},
                   {"disconnected", closed.load()},
                   {"app_rss_mb", rss},
                   {"app_peak_rss_mb", hwm},
                   {"app_cpu_cores", app_cpu},
                   {"generator_cpu_cores", self_cpu}};
  std::printf("RESULT %s\n", j.dump().c_str());
  return missing == 0 && closed == 0 ? 0 : 1;
}
