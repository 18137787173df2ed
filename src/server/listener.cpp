#include "server/listener.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <openssl/err.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <future>

#include "server/http_server.hpp"

namespace ts::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr auto kPausedPoll = std::chrono::milliseconds(20);
constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
/// How long the plain-HTTP refusal on a TLS port may take to write.
constexpr auto kRefusalTime = std::chrono::seconds(2);

// What a browser or curl shows when someone types http:// for an https:// server.
constexpr std::string_view kPlainOnTlsPort =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 48\r\n"
    "Connection: close\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "\r\n"
    "This server speaks HTTPS only: use https:// URLs";
static_assert(kPlainOnTlsPort.size() - kPlainOnTlsPort.find("\r\n\r\n") - 4 == 48);

std::string openssl_reason(const beast::error_code& ec) {
  std::string out = ec.message();
  // The context's loaders leave more detail in OpenSSL's error queue.
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += "; ";
    out += buf;
  }
  return out;
}

/// One connection between accept and on_connection (TLS only).
struct Pending {
  Pending(tcp::socket&& s, ssl::context& ctx) : stream(std::move(s), ctx) {}
  Stream stream;
  beast::flat_buffer buffer;
};

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const TlsFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty())
    throw HttpServerError("tls: both a certificate (--tls-cert) and a key (--tls-key) are needed; got only the " +
                          std::string(files.cert_file.empty() ? "key" : "certificate"));
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and 1.3 only: the older versions have known weaknesses and no client we serve needs them.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  ERR_clear_error();
  beast::error_code ec;
  ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec) throw HttpServerError("tls: cannot load the certificate " + files.cert_file + ": " + openssl_reason(ec));
  ctx->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec) throw HttpServerError("tls: cannot load the private key " + files.key_file + ": " + openssl_reason(ec));
  // use_private_key_file checks the pair only when it can; say it plainly when they differ.
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw HttpServerError("tls: the private key " + files.key_file + " does not match the certificate " +
                          files.cert_file);
  return ctx;
}

std::string exposure_warning(std::string_view server, const net::ip::address& address, bool tls,
                             bool authenticated) {
  if (address.is_loopback() || (tls && authenticated)) return {};
  std::string out(server);
  out += ": listening on non-loopback ";
  out += address.to_string();
  if (!tls) out += " without TLS";
  if (!tls && !authenticated) out += " and";
  if (!authenticated) out += " without authentication";
  out += ":";
  if (!tls) out += " tokens, passwords and session cookies cross the network in clear text (--tls-cert/--tls-key);";
  if (!authenticated) out += " anyone who can reach it can trigger and cancel runs (set TICKSTOCK_API_TOKEN);";
  out.back() = '.';
  return out;
}

void add_hsts(beast::http::fields& headers) {
  headers.set(beast::http::field::strict_transport_security, "max-age=31536000");
}

struct Listener::State : std::enable_shared_from_this<Listener::State> {
  State(net::io_context& c, ListenerOptions o, ActiveCount a, OnConnection cb)
      : ioc(c),
        options(std::move(o)),
        active(std::move(a)),
        on_connection(std::move(cb)),
        strand(net::make_strand(c)),
        acceptor(strand),
        timer(strand) {}

  net::io_context& ioc;
  ListenerOptions options;
  ActiveCount active;
  OnConnection on_connection;
  net::strand<net::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  net::steady_timer timer;  // back-off after errors, polling while paused
  std::chrono::milliseconds backoff{0};
  std::size_t accept_errors = 0;
  std::atomic<std::size_t> handshaking{0};
  std::atomic<bool> closed{false};

  net::any_io_executor connection_executor() {
    if (options.strand_per_connection) return net::make_strand(ioc);
    return ioc.get_executor();
  }

  void wait_then_accept(std::chrono::milliseconds d) {
    timer.expires_after(d);
    timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_accept();
    });
  }

  void do_accept() {
    if (closed) return;
    if ((active ? active() : 0) + handshaking.load() >= options.max_connections)
      return wait_then_accept(kPausedPoll);  // leave further connections in the kernel backlog
    acceptor.async_accept(connection_executor(), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      self->on_accept(ec, std::move(s));
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || closed) return;
    if (ec) {
      // EMFILE and friends: re-arming at once would spin (STACK.md); back off, log once per cycle.
      if (accept_errors++ == 0)
        spdlog::warn("{}: accept failed: {}; backing off (raise `ulimit -n`?)", options.log_name, ec.message());
      backoff = backoff.count() == 0 ? std::chrono::milliseconds(10) : std::min(backoff * 2, kMaxBackoff);
      return wait_then_accept(backoff);
    }
    if (accept_errors > 0)
      spdlog::info("{}: accepting again after {} failed accept(s)", options.log_name, accept_errors);
    accept_errors = 0;
    backoff = std::chrono::milliseconds(0);
    if (options.tls)
      handshake(std::move(socket));
    else
      on_connection(Stream(std::move(socket)));
    do_accept();
  }

  void handshake(tcp::socket socket) {
    auto p = std::make_shared<Pending>(std::move(socket), *options.tls);
    handshaking.fetch_add(1);
    auto self = shared_from_this();
    net::dispatch(p->stream.get_executor(), [self, p] {
      p->stream.tcp().expires_after(self->options.handshake_timeout);
      // Peek at the first bytes: a TLS ClientHello, or someone speaking plain HTTP.
      beast::async_detect_ssl(p->stream.tcp(), p->buffer, [self, p](beast::error_code ec, bool is_tls) {
        if (ec) return self->drop(p, "no TLS ClientHello in time: " + ec.message());
        if (!is_tls) return self->refuse_plain(p);
        p->stream.tls_stream()->async_handshake(
            ssl::stream_base::server, p->buffer.data(), [self, p](beast::error_code ec2, std::size_t used) {
              if (ec2) return self->drop(p, "TLS handshake failed: " + ec2.message());
              p->buffer.consume(used);
              p->stream.tcp().expires_never();
              self->handshaking.fetch_sub(1);
              if (!self->closed) self->on_connection(std::move(p->stream));
            });
      });
    });
  }

  void refuse_plain(const std::shared_ptr<Pending>& p) {
    spdlog::debug("{}: plain HTTP on the TLS port; answering 400", options.log_name);
    p->stream.tcp().expires_after(kRefusalTime);
    net::async_write(p->stream.tcp(), net::buffer(kPlainOnTlsPort.data(), kPlainOnTlsPort.size()),
                     [self = shared_from_this(), p](beast::error_code, std::size_t) {
                       beast::error_code ignored;
                       p->stream.tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
                       self->drop(p, {});
                     });
  }

  void drop(const std::shared_ptr<Pending>& p, const std::string& why) {
    if (!why.empty()) spdlog::debug("{}: closing a connection: {}", options.log_name, why);
    p->stream.close();
    handshaking.fetch_sub(1);
  }
};

Listener::Listener(net::io_context& ioc, ListenerOptions options, ActiveCount active, OnConnection on_connection)
    : state_(std::make_shared<State>(ioc, std::move(options), std::move(active), std::move(on_connection))) {}

Listener::~Listener() {
  state_->closed = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
}

void Listener::listen() {
  auto& acceptor = state_->acceptor;
  const Endpoint& want = state_->options.endpoint;
  tcp::resolver resolver(state_->ioc);
  beast::error_code ec;
  const auto results = resolver.resolve(want.host, std::to_string(want.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) throw HttpServerError(state_->options.log_name + ": cannot resolve " + want.str() + ": " + ec.message());
  std::string why = "no address";
  for (const auto& entry : results) {
    const tcp::endpoint ep = entry.endpoint();
    beast::error_code e;
    acceptor.open(ep.protocol(), e);
    if (!e) acceptor.set_option(net::socket_base::reuse_address(true), e);
    if (!e) acceptor.bind(ep, e);
    if (!e) acceptor.listen(net::socket_base::max_listen_connections, e);
    if (!e) return;
    why = e.message();
    beast::error_code ignored;
    acceptor.close(ignored);
  }
  throw HttpServerError(state_->options.log_name + ": cannot listen on " + want.str() + ": " + why);
}

tcp::endpoint Listener::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void Listener::start() {
  net::post(state_->strand, [s = state_] { s->do_accept(); });
}

void Listener::close(std::chrono::milliseconds limit) {
  state_->closed = true;
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  net::post(state_->strand, [s = state_, done] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
    s->timer.cancel();
    done->set_value();
  });
  fut.wait_for(limit);
}

}  // namespace ts::server
