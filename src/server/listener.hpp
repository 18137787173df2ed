#pragma once
// Listener: the accept loop and TLS handshake shared by the engine's HttpServer
// and the dashboard's AppServer. It binds an Endpoint, accepts connections,
// (with TLS) completes the handshake, and hands each ready Stream to the
// server's on_connection callback.
//
//   Listener l(ioc, options, on_connection);
//   l.listen();      // bind + listen; throws HttpServerError naming the endpoint
//   l.start();       // accept until close()
//   l.close();       // stop accepting (any thread; waits until the acceptor is closed)
//
// Behaviour:
// - At capacity (active() + connections in handshake >= max_connections) the
//   listener stops accepting and leaves new connections in the kernel backlog.
// - Accept errors (EMFILE, ...) back off exponentially up to 1 s, logged once per cycle.
// - TLS: the whole handshake must finish within handshake_timeout, else the
//   connection is closed (a client that connects and sends nothing is cut
//   off). A client that speaks plain HTTP to the TLS port gets a plain-text
//   `400 Bad Request` saying so, and the connection is closed; nothing else
//   is affected.
// - on_connection runs on the connection's executor (a new strand per
//   connection when strand_per_connection, else the io_context itself).
// The io_context must outlive the Listener, and the Listener the last
// completion of its operations (stop the io_context, then destroy both).
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/endpoint.hpp"
#include "server/stream.hpp"
#include "server/tls_files.hpp"

namespace ts::server {

/// A TLS 1.2+ server context from the files. Throws HttpServerError naming the
/// file and OpenSSL's reason when one is missing, unreadable, not PEM, or the
/// key does not match the certificate (or only one of the two is given).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsFiles& files);

struct ListenerOptions {
  Endpoint endpoint{};
  /// TLS context; nullptr = plain TCP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::size_t max_connections = 512;
  std::chrono::milliseconds handshake_timeout{10'000};
  bool strand_per_connection = true;
  std::string log_name = "http";  ///< prefix of log lines
};

class Listener {
 public:
  using OnConnection = std::function<void(Stream)>;
  using ActiveCount = std::function<std::size_t()>;

  Listener(boost::asio::io_context& ioc, ListenerOptions options, ActiveCount active, OnConnection on_connection);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /// Resolves, binds (SO_REUSEADDR) and listens on the first address that works.
  void listen();
  /// The bound address (after listen()).
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  /// Starts accepting (the io_context must be run by someone).
  void start();
  /// Stops accepting; waits up to `limit` for the acceptor to close on its
  /// strand (returns early when the io_context is not running).
  void close(std::chrono::milliseconds limit);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// The start-up warning for a server bound to `address`: "" for a loopback
/// address, or when it has TLS and authentication; otherwise one line that
/// names the server, the address, what is missing ("without TLS",
/// "without authentication") and what that exposes, e.g.
///   "http: listening on non-loopback 0.0.0.0 without TLS and without authentication: ..."
std::string exposure_warning(std::string_view server, const boost::asio::ip::address& address, bool tls,
                             bool authenticated);

/// Strict-Transport-Security for a response sent over TLS (one year; browsers
/// then refuse plain http:// to this host). Never set it on plain HTTP.
void add_hsts(boost::beast::http::fields& headers);

}  // namespace ts::server
