#pragma once
// HttpServer: the engine's HTTP API (docs/openapi.yaml) over Boost.Beast.
//
//   <route of a command in protocol::kCommands>  -> decode_http_command -> on_command -> Reply
//   GET /health                                  -> on_health  (status, JSON body)
//   GET /metrics                                 -> on_metrics (text/plain; version=0.0.4)
//
// The server is transport only: it decodes with the protocol layer, checks the
// bearer token on mutating routes, calls the injected handlers and writes
// protocol::http_status(reply) + protocol::http_body(reply). It knows nothing
// of runs or storage.
//
// Answers it gives itself (bodies are the protocol's {"error": {code, message, details}}):
//   400 INVALID_JSON / INVALID_COMMAND  body not JSON / not an object, or malformed HTTP
//   401 UNAUTHORIZED   mutating route, token configured, missing or wrong `Authorization: Bearer`
//                      (with `WWW-Authenticate: Bearer`); or a cross-origin browser request to
//                      a mutating route (an `Origin` that is neither this host nor allowed)
//   404 UNKNOWN_COMMAND no such path;  405 the same body, path known but not for this method,
//                      with `Allow`
//   413 PAYLOAD_TOO_LARGE body over max_body_bytes (decided from Content-Length before
//                      the body is read; the connection is then closed)
//   431 PAYLOAD_TOO_LARGE request headers over max_header_bytes
//   422 INVALID_PARAMETER from the decoder
//   500 INTERNAL       a handler threw; the server keeps serving
// Every response carries X-Content-Type-Options: nosniff, Cache-Control: no-store,
// Content-Security-Policy: default-src 'none'; frame-ancestors 'none',
// X-Frame-Options: DENY and Referrer-Policy: no-referrer; under TLS also
// Strict-Transport-Security. Command responses carry X-Request-Id (the
// generated request id).
//
// TLS (options.tls): HTTPS only on the port (TLS 1.2+). Plain HTTP sent to it
// gets a plain-text 400 and the connection is closed; a client that does not
// complete the handshake within read_timeout is disconnected. See listener.hpp.
//
// Threads: one io_context run by `threads` threads; each connection is served
// on its own strand. Handlers are called synchronously on a server thread and
// MAY BE CALLED CONCURRENTLY from different connections; a slow handler holds
// one server thread for its duration. Handler exceptions are caught.
//
// Connections: HTTP/1.1 keep-alive (and pipelining) honoured. A request must
// arrive completely (headers and body) within read_timeout of the server
// starting to wait for it, else the connection is closed (slowloris); so an
// idle keep-alive connection is also closed after read_timeout. At most
// max_connections connections are served; beyond that the server stops
// accepting (the kernel backlog holds the rest) until one closes. Accept
// errors (EMFILE, ...) back off exponentially up to 1 s and are logged at most
// once per back-off cycle.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/commands.hpp"
#include "server/endpoint.hpp"
#include "server/tls_files.hpp"

namespace ts::server {

/// start() failures: address resolution, bind or listen, or the TLS files.
class HttpServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpServerOptions {
  Endpoint endpoint{};  ///< default 127.0.0.1:8080; port 0 = ephemeral (see HttpServer::port())
  /// Certificate and key: serve HTTPS only (start() throws HttpServerError when
  /// they cannot be loaded). Empty = plain HTTP.
  TlsFiles tls;
  unsigned threads = 1;
  /// Bearer token for mutating routes; empty = no authentication. A warning
  /// (exposure_warning) is logged when the server binds a non-loopback address
  /// without a token or without TLS.
  std::string api_token;
  std::size_t max_body_bytes = protocol::kMaxCommandBytes;
  std::size_t max_header_bytes = 8 * 1024;
  /// Time allowed for one whole request (headers and body) to arrive.
  std::chrono::milliseconds read_timeout{10'000};
  /// Time allowed for writing one response.
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 512;
  /// stop(): how long in-flight requests get to finish before the io_context is stopped.
  std::chrono::milliseconds shutdown_timeout{5'000};
  /// Extra origins (e.g. "http://127.0.0.1:8000") allowed to call mutating routes from a
  /// browser; the server's own origin (http://<Host>) is always allowed.
  std::vector<std::string> allowed_origins;
  /// Raise RLIMIT_NOFILE's soft limit to the hard limit at start().
  bool raise_fd_limit = true;
};

struct HttpHandlers {
  /// A decoded, validated command. Required for the command routes (without it they answer 500).
  std::function<protocol::Reply(const protocol::CommandRequest&)> on_command;
  /// GET /health: (HTTP status, JSON body). Without it /health is 404.
  std::function<std::pair<int, std::string>()> on_health;
  /// GET /metrics: Prometheus text. Without it /metrics is 404.
  std::function<std::string()> on_metrics;
  /// Observer, called once per answered request with the command name ("health",
  /// "metrics" for those routes; "" when no route matched), the HTTP status and the
  /// seconds from the complete request to the response being ready. Exceptions are
  /// caught and logged.
  std::function<void(std::string_view command, int status, double seconds)> on_request_done;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandlers handlers);
  ~HttpServer();  ///< stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Resolves, binds, listens and starts the threads. Throws HttpServerError.
  /// Called at most once per object.
  void start();
  /// Graceful: stops accepting, closes idle connections, lets in-flight requests
  /// finish (up to shutdown_timeout), joins the threads. Idempotent; thread-safe
  /// with respect to start() but must not be called from a handler.
  void stop();

  /// The bound port (the real one when the endpoint's port was 0); 0 before start().
  std::uint16_t port() const noexcept;
  /// The bound "host:port".
  Endpoint bound_endpoint() const;
  bool running() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft limit
/// (the old one when it could not be raised). Logs at debug level.
std::uint64_t raise_fd_limit() noexcept;

}  // namespace ts::server
