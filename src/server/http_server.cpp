#include "server/http_server.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "server/listener.hpp"
#include "server/router.hpp"

namespace ts::server {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using detail::Request;
using detail::Response;

/// How long a closing connection is drained after its last response (so a client
/// still sending a refused body reads our answer instead of a reset), and how much.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

class Session;

/// State the sessions share with the server; outlives the io_context's handlers.
struct Shared {
  HttpServerOptions options;
  HttpHandlers handlers;
  detail::RouterConfig router;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};

  std::mutex mu;
  std::condition_variable idle;                                   // active reached 0
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

  void add(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(mu);
    sessions.emplace(s, std::move(w));
    active.fetch_add(1);
  }
  void remove(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
    if (active.fetch_sub(1) == 1) idle.notify_all();
  }
};

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

/// One connection: read a request, answer it, repeat while keep-alive holds.
/// Everything runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Stream&& stream, std::shared_ptr<Shared> shared)
      : stream_(std::move(stream)), shared_(std::move(shared)) {}
  ~Session() { shared_->remove(this); }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
  }

  /// From stop(): close when idle or reading; finish a response being written, then close.
  void request_stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      if (self->state_ == State::reading || self->state_ == State::lingering) self->close();
    });
  }

 private:
  enum class State { reading, writing, lingering, closed };

  const HttpServerOptions& options() const { return shared_->options; }

  void read_request() {
    if (stop_requested_ || shared_->stopping) return close();
    state_ = State::reading;
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options().max_header_bytes, UINT32_MAX)));
    parser_->body_limit(options().max_body_bytes);
    // One deadline for the whole request (headers and body): a slow client is cut off.
    stream_.tcp().expires_after(options().read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return on_request();
    const auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      // The body is within the limit (checked from Content-Length): ask for it.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec2, std::size_t) {
                         if (ec2) return self->on_read_error(ec2);
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->on_request();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return refuse(http::status::payload_too_large,
                    {protocol::ErrorCode::payload_too_large,
                     "the request body is larger than the limit (" +
                         std::to_string(options().max_body_bytes) + " bytes)",
                     {{"limit", options().max_body_bytes}}});
    }
    if (ec == http::error::header_limit) {
      return refuse(http::status::request_header_fields_too_large,
                    {protocol::ErrorCode::payload_too_large,
                     "the request headers are larger than the limit (" +
                         std::to_string(options().max_header_bytes) + " bytes)",
                     {{"limit", options().max_header_bytes}}});
    }
    if (is_http_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return refuse(http::status::bad_request,
                    {protocol::ErrorCode::invalid_command, "malformed HTTP request: " + ec.message(),
                     nlohmann::json::object()});
    }
    if (ec == beast::error::timeout)
      spdlog::debug("http: closing a connection: request not complete in time");
    close();  // end of stream, timeout, reset, or stop()
  }

  /// The transport's own refusal: answer once, then close (the rest of the request is not read).
  void refuse(http::status status, protocol::CommandError error) {
    auto res = detail::error_response(status, std::move(error));
    res.keep_alive(false);
    write(std::move(res), /*then_linger=*/true);
  }

  void on_request() {
    Request req = parser_->release();
    Response res = detail::handle_request(req, shared_->handlers, shared_->router);
    res.keep_alive(req.keep_alive() && !stop_requested_ && !shared_->stopping);
    write(std::move(res), false);
  }

  void write(Response res, bool then_linger) {
    state_ = State::writing;
    response_ = std::make_unique<Response>(std::move(res));
    if (stream_.tls()) add_hsts(*response_);
    response_->prepare_payload();
    stream_.tcp().expires_after(options().write_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), then_linger](beast::error_code ec, std::size_t) {
                        self->on_written(ec, then_linger);
                      });
  }

  void on_written(beast::error_code ec, bool then_linger) {
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (ec) return close();
    if (then_linger) return linger();
    if (!keep_alive || stop_requested_) return shutdown_and_close();
    read_request();
  }

  /// Half-close, then read and discard what the client still sends (bounded), then close.
  /// TLS cannot half-close without ending the session: it sends close_notify instead.
  void linger() {
    if (stop_requested_) return close();
    state_ = State::lingering;
    const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<std::chrono::steady_clock::duration>(kLingerTime, options().read_timeout));
    if (stream_.tls())
      return stream_.async_shutdown(limit, [self = shared_from_this()] { self->close(); });
    beast::error_code ignored;
    stream_.tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.tcp().expires_after(limit);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->close();
                              self->drain();
                            });
  }

  void shutdown_and_close() {
    state_ = State::lingering;  // stop() may cut the TLS goodbye short
    stream_.async_shutdown(kLingerTime, [self = shared_from_this()] { self->close(); });
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    stream_.close();
  }

  Stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<Response> response_;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
  State state_ = State::reading;
  bool stop_requested_ = false;
};

}  // namespace

std::uint64_t raise_fd_limit() noexcept {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  const rlim_t old = lim.rlim_cur;
  const rlim_t target = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
  if (old == RLIM_INFINITY || old >= target) return old;
  lim.rlim_cur = target;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    spdlog::debug("http: could not raise RLIMIT_NOFILE from {} to {}", old, target);
    return old;
  }
  spdlog::debug("http: raised RLIMIT_NOFILE from {} to {}", old, target);
  return target;
}

struct HttpServer::Impl {
  std::shared_ptr<Shared> shared;
  net::io_context ioc;
  std::unique_ptr<Listener> listener;
  std::vector<std::thread> threads;

  std::mutex lifecycle;
  bool started = false, stopped = false;
  std::atomic<std::uint16_t> port{0};
  Endpoint bound;

  Impl(HttpServerOptions options, HttpHandlers handlers)
      : shared(std::make_shared<Shared>()), ioc(static_cast<int>(std::max(1u, options.threads))) {
    shared->router = {options.api_token, options.allowed_origins, options.max_body_bytes, options.tls.enabled()};
    shared->options = std::move(options);
    shared->handlers = std::move(handlers);
  }

  void bind() {
    const auto& o = shared->options;
    ListenerOptions lo;
    lo.endpoint = o.endpoint;
    if (o.tls.enabled()) lo.tls = make_server_tls_context(o.tls);
    lo.max_connections = o.max_connections;
    lo.handshake_timeout = o.read_timeout;
    lo.strand_per_connection = true;  // several threads run the io_context
    lo.log_name = "http";
    listener = std::make_unique<Listener>(
        ioc, std::move(lo), [s = shared.get()] { return s->active.load(); },
        [s = shared](Stream stream) {
          auto session = std::make_shared<Session>(std::move(stream), s);
          s->add(session.get(), session);
          session->run();
        });
    listener->listen();
  }

  void run_thread() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: server thread caught: {}", e.what());
      } catch (...) {
        spdlog::error("http: server thread caught a non-standard exception");
      }
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandlers handlers)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  std::lock_guard lock(impl_->lifecycle);
  if (impl_->started) throw HttpServerError("http: the server was already started");
  const auto& options = impl_->shared->options;
  if (options.raise_fd_limit) raise_fd_limit();
  impl_->bind();
  const tcp::endpoint local = impl_->listener->local_endpoint();
  impl_->port = local.port();
  impl_->bound = Endpoint{local.address().to_string(), local.port()};
  if (auto w = exposure_warning("http", local.address(), options.tls.enabled(), !options.api_token.empty());
      !w.empty())
    spdlog::warn("{}", w);
  spdlog::info("http: listening on {}://{} ({} thread(s), auth {})", options.tls.enabled() ? "https" : "http",
               impl_->bound.str(), std::max(1u, options.threads),
               options.api_token.empty() ? "off" : "bearer token");
  impl_->started = true;
  impl_->listener->start();
  for (unsigned i = 0; i < std::max(1u, options.threads); ++i)
    impl_->threads.emplace_back([impl = impl_.get()] { impl->run_thread(); });
}

void HttpServer::stop() {
  std::lock_guard lock(impl_->lifecycle);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  Impl& impl = *impl_;
  impl.shared->stopping = true;
  impl.listener->close(impl.shared->options.shutdown_timeout);
  // Collect first: the last reference to a session may drop here, and ~Session takes the lock.
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard guard(impl.shared->mu);
    for (auto& [ptr, weak] : impl.shared->sessions)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->request_stop();
  sessions.clear();
  {
    std::unique_lock guard(impl.shared->mu);
    if (!impl.shared->idle.wait_for(guard, impl.shared->options.shutdown_timeout,
                                    [&] { return impl.shared->active.load() == 0; }))
      spdlog::warn("http: {} connection(s) still busy after the shutdown timeout; stopping anyway",
                   impl.shared->active.load());
  }
  impl.ioc.stop();
  for (auto& t : impl.threads)
    if (t.joinable()) t.join();
  impl.threads.clear();
  impl.port = 0;
  spdlog::info("http: stopped ({})", impl.bound.str());
}

std::uint16_t HttpServer::port() const noexcept { return impl_->port.load(); }

Endpoint HttpServer::bound_endpoint() const {
  std::lock_guard lock(impl_->lifecycle);
  return impl_->bound;
}

bool HttpServer::running() const noexcept { return impl_->port.load() != 0; }

}  // namespace ts::server
