#pragma once
// AppServer: the dashboard server of `tickstock app` (docs/app.md).
//
//   browser ──HTTP/WS──► AppServer ─┬─► StaticFiles (--web-dir)
//                                   ├─► auth::UserStore (sessions, users)
//                                   ├─► EngineBridge ──Redis request/reply──► engine
//                                   └─► EventHub ◄──XREAD tickstock:events
//
// Threads: one io_context thread serves every socket (HTTP and WebSocket);
// a small pool runs the blocking work (password hashing, the user database,
// file reads), so a login never stalls the event fan-out; engine calls are
// asynchronous (EngineBridge). Handlers never throw into the transport: a
// failure becomes a 500 with the protocol's error body.
//
// Limits: request headers max_header_bytes (431), body max_body_bytes (413,
// decided from Content-Length before the body is read), a whole request within
// read_timeout (slowloris), at most max_connections sockets (HTTP and
// WebSocket; beyond that the kernel backlog holds new ones), accept errors
// back off. Every response carries the contract's security headers and CSP
// (plus Strict-Transport-Security under TLS). The accept loop and the TLS
// handshake are server::Listener's (a plain HTTP request to the TLS port gets
// a 400 saying so); a non-loopback address without TLS logs a warning.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "bus/url.hpp"
#include "server/endpoint.hpp"
#include "server/tls_files.hpp"

namespace ts::auth {
class UserStore;
}

namespace ts::webapp {

class AppServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AppServerOptions {
  server::Endpoint endpoint{"127.0.0.1", 8000};  ///< port 0 = ephemeral (see port())
  bus::RedisUrl redis;
  std::filesystem::path web_dir;
  std::chrono::milliseconds engine_timeout{10'000};
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 4096;
  unsigned blocking_threads = 2;
  /// Certificate and key: serve HTTPS and WSS only (start() throws
  /// AppServerError when they cannot be loaded). Empty = plain HTTP.
  server::TlsFiles tls;
  /// Set the cookie's Secure flag and expect https:// origins. Implied by
  /// `tls`; set it alone when TLS is terminated by a proxy in front of the app.
  bool secure_cookies = false;
  // WebSocket fan-out (see EventHub).
  std::size_t ws_max_queue_frames = 4096;
  std::size_t ws_max_queue_bytes = 8u << 20;
  std::chrono::milliseconds progress_interval{100};
  std::string stream_key = "tickstock:events";
  std::string command_channel = "tickstock:commands";
  /// Signs every command sent to the engine (protocol/signing.hpp); "" = unsigned.
  std::string command_secret;
};

/// The compiled-in default --web-dir: <source dir>/web.
std::filesystem::path default_web_dir();

class AppServer {
 public:
  /// `users` must outlive the server.
  AppServer(AppServerOptions options, auth::UserStore& users);
  ~AppServer();  ///< stop()
  AppServer(const AppServer&) = delete;
  AppServer& operator=(const AppServer&) = delete;

  /// Binds and starts serving; connects to Redis in the background (the app
  /// serves pages and reports `redis.connected: false` while it is down).
  /// Throws AppServerError when the address cannot be bound.
  void start();
  /// Closes every connection and joins the threads. Idempotent.
  void stop();
  /// The bound port (the real one for port 0); 0 before start().
  std::uint16_t port() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ts::webapp
