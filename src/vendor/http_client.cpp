// clang-format off
#include <utility>  // before Boost.Asio: Boost 1.74 + g++ 12 + C++20 (see STACK.md)
// clang-format on
#include "vendor/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>

namespace ts::vendor {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::uint64_t kBodyLimit = 256ull << 20;  // grouped daily is a few MB; leave room

/// One keep-alive connection with its own io_context (used by one thread at a time).
struct Connection {
  net::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

/// Runs the io_context until the started async operation completes.
template <class Start>
beast::error_code run_op(net::io_context& ioc, Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

}  // namespace

std::string Url::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(https ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + port;
}

Result<Url> parse_url(std::string_view text) {
  Url u;
  std::string_view rest = text;
  if (rest.substr(0, 8) == "https://") {
    u.https = true;
    rest.remove_prefix(8);
  } else if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else {
    return fail("INVALID_URL", "expected http:// or https:// URL");
  }
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos)
    return fail("INVALID_URL", "credentials in URL not supported");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("INVALID_URL", "unterminated IPv6 host");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("INVALID_URL", "bad port");
      port = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail("INVALID_URL", "missing host");
  if (port.empty()) {
    u.port = u.https ? "443" : "80";
  } else {
    for (char c : port)
      if (c < '0' || c > '9') return fail("INVALID_URL", "bad port");
    u.port = std::string(port);
  }
  u.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  return u;
}

struct HttpClient::Impl {
  Impl(unsigned limit, const std::string& ca_file)
      : max_concurrency(limit == 0 ? 1 : limit), tls_ctx(ssl::context::tls_client) {
    tls_ctx.set_default_verify_paths();
    if (!ca_file.empty()) {
      beast::error_code ec;
      tls_ctx.load_verify_file(ca_file, ec);
      ca_error = ec ? "cannot load CA file " + ca_file + ": " + ec.message() : "";
    }
    tls_ctx.set_verify_mode(ssl::verify_peer);
  }

  std::string ca_error;  // reported by every https request when set

  unsigned max_concurrency;
  ssl::context tls_ctx;
  std::mutex mu;
  std::condition_variable cv;
  unsigned in_flight = 0;
  std::size_t opened = 0;
  std::multimap<std::string, std::unique_ptr<Connection>> idle;

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto c = std::move(it->second);
    idle.erase(it);
    return c;
  }

  void put_idle(const std::string& key, std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu);
    if (idle.size() < 4 * max_concurrency) idle.emplace(key, std::move(c));
  }

  Result<std::unique_ptr<Connection>> open(const Url& url, const HttpTimeouts& t) {
    auto c = std::make_unique<Connection>();
    {
      std::lock_guard lock(mu);
      ++opened;
    }
    tcp::resolver resolver(c->ioc);
    tcp::resolver::results_type endpoints;
    beast::error_code ec = run_op(c->ioc, [&](auto handler) {
      resolver.async_resolve(
          url.host, url.port,
          [&endpoints, handler](beast::error_code e, tcp::resolver::results_type r) mutable {
            endpoints = std::move(r);
            handler(e);
          });
    });
    const std::string where = url.host + ":" + url.port;
    if (ec) return fail("CONNECT_FAILED", "resolve " + where + ": " + ec.message());
    if (url.https) {
      if (!ca_error.empty()) return fail("CONNECT_FAILED", ca_error);
      c->tls.emplace(c->ioc, tls_ctx);
      if (!SSL_set_tlsext_host_name(c->tls->native_handle(), url.host.c_str()))
        return fail("CONNECT_FAILED", "TLS SNI for " + where + " failed");
      c->tls->set_verify_callback(ssl::host_name_verification(url.host));
    } else {
      c->plain.emplace(c->ioc);
    }
    beast::tcp_stream& s = c->lowest();
    s.expires_after(t.connect);
    ec = run_op(c->ioc, [&](auto handler) { s.async_connect(endpoints, handler); });
    if (ec == beast::error::timeout) return fail("TIMEOUT", "connect to " + where + " timed out");
    if (ec) return fail("CONNECT_FAILED", "connect to " + where + ": " + ec.message());
    if (c->tls) {
      s.expires_after(t.connect);
      ec = run_op(c->ioc, [&](auto handler) { c->tls->async_handshake(ssl::stream_base::client, handler); });
      if (ec == beast::error::timeout) return fail("TIMEOUT", "TLS handshake with " + where + " timed out");
      if (ec) return fail("CONNECT_FAILED", "TLS handshake with " + where + ": " + ec.message());
    }
    return c;
  }

  /// One exchange on an open connection; sets keep_alive.
  Result<HttpReply> exchange(Connection& c, const Url& url, const Headers& headers, const HttpTimeouts& t,
                             bool& keep_alive) {
    http::request<http::empty_body> req{http::verb::get, url.target, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, "tickstock/1");
    req.set(http::field::accept, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.keep_alive(true);
    c.lowest().expires_after(t.request);
    beast::error_code ec = run_op(c.ioc, [&](auto handler) {
      if (c.tls)
        http::async_write(*c.tls, req, handler);
      else
        http::async_write(*c.plain, req, handler);
    });
    if (ec == beast::error::timeout) return fail("TIMEOUT", "request timed out");
    if (ec) return fail("HTTP_ERROR", "write: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    ec = run_op(c.ioc, [&](auto handler) {
      if (c.tls)
        http::async_read(*c.tls, c.buffer, parser, handler);
      else
        http::async_read(*c.plain, c.buffer, parser, handler);
    });
    if (ec == beast::error::timeout) return fail("TIMEOUT", "request timed out waiting for the response");
    if (ec) return fail("HTTP_ERROR", "read: " + ec.message());
    auto res = parser.release();
    keep_alive = res.keep_alive();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.body = std::move(res.body());
    if (auto it = res.find(http::field::retry_after); it != res.end())
      reply.retry_after = std::string(it->value());
    return reply;
  }
};

HttpClient::HttpClient(unsigned max_concurrency, const std::string& ca_file)
    : impl_(std::make_unique<Impl>(max_concurrency, ca_file)) {}
HttpClient::~HttpClient() = default;

std::size_t HttpClient::connections_opened() const {
  std::lock_guard lock(impl_->mu);
  return impl_->opened;
}

Result<HttpReply> HttpClient::get(const Url& url, const Headers& headers, const HttpTimeouts& timeouts) {
  Impl& m = *impl_;
  {
    std::unique_lock lock(m.mu);
    m.cv.wait(lock, [&] { return m.in_flight < m.max_concurrency; });
    ++m.in_flight;
  }
  struct Release {
    Impl& m;
    ~Release() {
      {
        std::lock_guard lock(m.mu);
        --m.in_flight;
      }
      m.cv.notify_one();
    }
  } release{m};

  const std::string key = url.origin();
  // A reused connection may have been closed by the server while idle: on a
  // non-timeout failure, try once more on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> c = attempt == 0 ? m.take_idle(key) : nullptr;
    const bool reused = c != nullptr;
    if (!c) {
      auto opened = m.open(url, timeouts);
      if (!opened) return fail(std::move(opened).error());
      c = std::move(opened).value();
    }
    bool keep_alive = false;
    auto reply = m.exchange(*c, url, headers, timeouts, keep_alive);
    if (reply) {
      if (keep_alive) m.put_idle(key, std::move(c));
      return reply;
    }
    if (!reused || reply.error().code == "TIMEOUT") return reply;
  }
  return fail("HTTP_ERROR", "unreachable");
}

}  // namespace ts::vendor
