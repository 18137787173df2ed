#include "webapp/app_server.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <future>
#include <optional>
#include <thread>

#include "client/engine_client.hpp"
#include "server/http_server.hpp"
#include "server/listener.hpp"
#include "webapp/engine_bridge.hpp"
#include "webapp/event_hub.hpp"
#include "webapp/routes.hpp"
#include "webapp/static_files.hpp"

namespace ts::webapp {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using detail::Request;
using detail::Response;

namespace {

constexpr auto kGoodbyeTime = std::chrono::milliseconds(2000);

struct Shared {
  AppServerOptions options;
  std::unique_ptr<detail::RouteContext> ctx;
  EventHub* hub = nullptr;
  net::thread_pool* pool = nullptr;
  std::atomic<std::size_t> active{0};
  std::atomic<bool> stopping{false};
};

/// One HTTP connection: read a request, have it answered (on the pool, or
/// later by the engine bridge), write the answer, repeat while keep-alive;
/// an authorised upgrade of /ws hands the socket to the EventHub.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(server::Stream&& stream, std::shared_ptr<Shared> shared)
      : stream_(std::move(stream)), shared_(std::move(shared)) {
    shared_->active.fetch_add(1);
    beast::error_code ec;
    const auto ep = stream_.tcp().socket().remote_endpoint(ec);
    peer_ = ec ? std::string("unknown") : ep.address().to_string();
  }
  ~Session() { shared_->active.fetch_sub(1); }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  const AppServerOptions& options() const { return shared_->options; }

  void read() {
    if (shared_->stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    // One deadline for the whole request: a client trickling bytes is cut off (slowloris).
    stream_.tcp().expires_after(options().read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return refuse(detail::error_response(
          413, "PAYLOAD_TOO_LARGE",
          "the request body is larger than " + std::to_string(options().max_body_bytes) + " bytes"));
    if (ec == http::error::header_limit)
      return refuse(detail::error_response(431, "PAYLOAD_TOO_LARGE", "the request headers are too large"));
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
      return refuse(detail::error_response(400, "INVALID_COMMAND", "malformed HTTP request"));
    if (ec) return close();
    stream_.tcp().expires_never();
    auto req = std::make_shared<Request>(parser_->release());
    const auto target = req->target();
    const bool ws_path = target == "/ws" || target.starts_with("/ws?");
    auto self = shared_from_this();
    if (ws_path && beast::websocket::is_upgrade(*req)) {
      net::post(*shared_->pool, [self, req] {
        auto decision = detail::check_upgrade(*self->shared_->ctx, *req);
        net::post(self->stream_.get_executor(), [self, req, decision = std::move(decision)]() mutable {
          if (decision.refusal) return self->refuse(std::move(*decision.refusal));
          self->shared_->hub->attach(std::move(self->stream_), std::move(*req),
                                     std::move(*decision.who), std::move(decision.last_id));
        });
      });
      return;
    }
    net::post(*shared_->pool, [self, req] {
      try {
        detail::handle_request(*self->shared_->ctx, *req, self->peer_, [self, req](Response res) {
          net::post(self->stream_.get_executor(), [self, req, res = std::move(res)]() mutable {
            res.keep_alive(req->keep_alive() && !self->shared_->stopping);
            self->write(std::move(res), false);
          });
        });
      } catch (const std::exception& e) {
        spdlog::error("app: request failed: {}", e.what());
      }
    });
  }

  /// Answer once, then close (the rest of the request is not read).
  void refuse(Response res) {
    res.keep_alive(false);
    write(std::move(res), true);
  }

  void write(Response res, bool close_after) {
    response_ = std::make_unique<Response>(std::move(res));
    if (stream_.tls()) server::add_hsts(*response_);
    response_->prepare_payload();
    stream_.tcp().expires_after(options().write_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                        const bool keep = self->response_->keep_alive();
                        self->response_.reset();
                        if (ec) return self->close();
                        if (close_after || !keep)
                          return self->stream_.async_shutdown(kGoodbyeTime, [self] { self->close(); });
                        self->read();
                      });
  }

  void close() { stream_.close(); }

  server::Stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<Response> response_;
  std::string peer_;
};

}  // namespace

struct AppServer::Impl {
  auth::UserStore& users;
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  net::io_context ioc{1};
  // Keeps run() from returning between connections (and while stop() closes the WebSockets).
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  net::thread_pool pool;
  std::unique_ptr<server::Listener> listener;
  std::unique_ptr<StaticFiles> files;
  std::unique_ptr<EngineBridge> bridge;
  std::unique_ptr<EventHub> hub;
  std::thread io_thread;
  std::atomic<std::uint16_t> port{0};
  bool started = false, stopped = false;

  Impl(AppServerOptions o, auth::UserStore& u) : users(u), pool(std::max(1u, o.blocking_threads)) {
    shared->options = std::move(o);
  }

  void bind() {
    const auto& o = shared->options;
    server::ListenerOptions lo;
    lo.endpoint = o.endpoint;
    lo.max_connections = o.max_connections;
    lo.handshake_timeout = o.read_timeout;
    // No strand: one thread runs the io_context (see the header), and a strand
    // per connection only adds dispatch cost to every WebSocket write.
    lo.strand_per_connection = false;
    lo.log_name = "app";
    try {
      if (o.tls.enabled()) lo.tls = server::make_server_tls_context(o.tls);
      listener = std::make_unique<server::Listener>(
          ioc, std::move(lo),
          [s = shared.get()] { return s->active.load() + (s->hub ? s->hub->status().clients : 0); },
          [s = shared](server::Stream stream) { std::make_shared<Session>(std::move(stream), s)->run(); });
      listener->listen();
    } catch (const server::HttpServerError& e) {
      throw AppServerError(std::string("app: ") + e.what());
    }
  }
};

std::filesystem::path default_web_dir() {
#ifdef TICKSTOCK_WEB_DIR
  return TICKSTOCK_WEB_DIR;
#else
  return "web";
#endif
}

AppServer::AppServer(AppServerOptions options, auth::UserStore& users)
    : impl_(std::make_unique<Impl>(std::move(options), users)) {}

AppServer::~AppServer() { stop(); }

void AppServer::start() {
  auto& m = *impl_;
  if (m.started) throw AppServerError("app: already started");
  auto& o = m.shared->options;
  if (o.tls.enabled()) o.secure_cookies = true;  // cookies and Origin checks follow the scheme
  server::raise_fd_limit();
  m.bind();
  const auto local = m.listener->local_endpoint();
  m.port = local.port();
  m.files = std::make_unique<StaticFiles>(o.web_dir);
  if (!std::filesystem::exists(m.files->root() / "index.html"))
    spdlog::warn("app: {} has no index.html (is --web-dir right?)", m.files->root().string());

  EventHubOptions ho;
  ho.url = o.redis;
  ho.stream_key = o.stream_key;
  ho.max_queue_frames = o.ws_max_queue_frames;
  ho.max_queue_bytes = o.ws_max_queue_bytes;
  ho.progress_interval = o.progress_interval;
  const auto timeout = o.engine_timeout;
  // The hub asks for snapshots only after start(), when the bridge exists.
  m.hub = std::make_unique<EventHub>(m.ioc, ho, [impl = impl_.get(), timeout](auto done) {
    auto request = client::make_request(protocol::Command::get_processing_status, nlohmann::json::object(),
                                        "tickstock-app");
    impl->bridge->call(std::move(request), timeout, [done](Result<protocol::Reply> r) {
      if (r && r->ok) return done(r->result);
      done(std::nullopt);
    });
  });
  EngineBridgeOptions bo;
  bo.url = o.redis;
  bo.timeout = o.engine_timeout;
  bo.command_channel = o.command_channel;
  bo.command_secret = o.command_secret;
  bo.on_connection = [hub = m.hub.get()](bool up) {
    spdlog::info("app: Redis {}", up ? "connected" : "disconnected");
    hub->set_redis_connected(up);
  };
  m.bridge = std::make_unique<EngineBridge>(bo);
  m.bridge->start();
  m.hub->set_redis_connected(m.bridge->connected());
  m.hub->start();

  m.shared->hub = m.hub.get();
  m.shared->pool = &m.pool;
  m.shared->ctx = std::make_unique<detail::RouteContext>(
      detail::RouteContext{m.shared->options, m.users, *m.bridge, *m.hub, *m.files});

  // secure_cookies without --tls-cert means TLS is terminated by a proxy in front.
  if (auto w = server::exposure_warning("app", local.address(), o.secure_cookies, /*authenticated=*/true);
      !w.empty())
    spdlog::warn("{}", w);
  spdlog::info("app: dashboard on {}://{}:{}/ (web files from {})", o.tls.enabled() ? "https" : "http",
               o.endpoint.host, m.port.load(), m.files->root().string());
  m.started = true;
  m.work.emplace(m.ioc.get_executor());
  m.listener->start();
  m.io_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      try {
        impl->ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("app: io thread caught: {}", e.what());
      }
    }
  });
}

void AppServer::stop() {
  auto& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  m.shared->stopping = true;
  m.listener->close(std::chrono::seconds(5));
  m.hub->stop();     // closes the WebSockets on the io thread, joins the tail
  m.pool.join();     // requests in progress finish (engine calls may still be pending)
  m.bridge->stop();  // pending engine calls complete with CLOSED
  // Let the last answers go out, then stop.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (m.shared->active > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  m.work.reset();
  m.ioc.stop();
  if (m.io_thread.joinable()) m.io_thread.join();
  m.port = 0;
  spdlog::info("app: stopped");
}

std::uint16_t AppServer::port() const noexcept { return impl_->port.load(); }

}  // namespace ts::webapp
