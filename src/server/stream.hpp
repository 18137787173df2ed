#pragma once
// Stream: one accepted connection's byte stream, plain TCP or TLS over TCP,
// chosen per listener (see listener.hpp). Both HTTP servers and the app's
// WebSocket hub read and write it the same way, so a session is written once
// and serves http:// and https:// (ws:// and wss://) alike.
//
//   Stream s(std::move(socket));          // plain
//   Stream s(std::move(socket), ctx);     // TLS; the handshake is the Listener's job
//   http::async_read(s, buffer, parser, handler);
//   s.tcp().expires_after(timeout);       // deadlines live on the TCP layer, for both
//   websocket::stream<Stream> ws(std::move(s));
//
// It is an AsyncReadStream/AsyncWriteStream for completion handlers (not
// other completion tokens), and a SyncReadStream/SyncWriteStream (tests and
// blocking clients). A moved-from Stream holds nothing: only its
// destructor may be called. Teardown and close customisation points for
// Beast's websocket::stream are provided below (found by ADL).
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <memory>

namespace ts::server {

class Stream {
 public:
  using Tcp = boost::beast::tcp_stream;
  using Tls = boost::beast::ssl_stream<Tcp>;
  using executor_type = Tcp::executor_type;

  /// Plain TCP.
  explicit Stream(boost::asio::ip::tcp::socket&& socket) : plain_(std::make_unique<Tcp>(std::move(socket))) {}
  /// TLS over the socket with `ctx` (which must outlive the stream); not yet handshaken.
  Stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context& ctx)
      : tls_(std::make_unique<Tls>(std::move(socket), ctx)) {}

  bool tls() const noexcept { return tls_ != nullptr; }
  /// The TLS layer (nullptr for plain).
  Tls* tls_stream() noexcept { return tls_.get(); }
  /// The TCP layer: deadlines (expires_after), the socket (peer address, close).
  Tcp& tcp() noexcept { return tls_ ? tls_->next_layer() : *plain_; }
  executor_type get_executor() noexcept { return tcp().get_executor(); }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    layer([&](auto& s) { s.async_read_some(buffers, std::forward<Handler>(handler)); });
  }
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    layer([&](auto& s) { s.async_write_some(buffers, std::forward<Handler>(handler)); });
  }

  // Blocking I/O: the TLS stream, or the plain socket.
  template <class Buffers, class... Ec>
  std::size_t read_some(const Buffers& buffers, Ec&... ec) {
    return sync([&](auto& s) { return s.read_some(buffers, ec...); });
  }
  template <class Buffers, class... Ec>
  std::size_t write_some(const Buffers& buffers, Ec&... ec) {
    return sync([&](auto& s) { return s.write_some(buffers, ec...); });
  }

  /// Ends the sending side gracefully: TLS sends close_notify (and waits for the
  /// peer's, at most `limit`); plain TCP half-closes at once. Then calls
  /// handler() on the stream's executor. Never reports an error: the caller
  /// closes the socket afterwards either way.
  template <class Handler>
  void async_shutdown(std::chrono::milliseconds limit, Handler handler) {
    if (tls_) {
      tcp().expires_after(limit);
      tls_->async_shutdown([h = std::move(handler)](boost::beast::error_code) mutable { h(); });
      return;
    }
    boost::beast::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    boost::asio::post(get_executor(), std::move(handler));
  }

  /// Closes the socket at once (no close_notify). Safe on a moved-from stream.
  void close() noexcept {
    if (!plain_ && !tls_) return;
    boost::beast::error_code ignored;
    tcp().socket().close(ignored);
  }

 private:
  /// f(the TLS stream or the TCP stream): async operations start on the top layer.
  template <class F>
  void layer(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(*plain_);
  }
  template <class F>
  std::size_t sync(F&& f) {
    return tls_ ? f(*tls_) : f(plain_->socket());
  }

  // Behind pointers: a moved-from beast::tcp_stream must not be destroyed.
  std::unique_ptr<Tcp> plain_;
  std::unique_ptr<Tls> tls_;
};

// Beast customisation points (websocket::stream<Stream>), found by ADL.
inline void beast_close_socket(Stream& s) { s.close(); }

inline void teardown(boost::beast::role_type role, Stream& s, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  if (auto* t = s.tls_stream())
    teardown(role, *t, ec);
  else
    teardown(role, s.tcp(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, Stream& s, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  if (auto* t = s.tls_stream())
    async_teardown(role, *t, std::forward<TeardownHandler>(handler));
  else
    async_teardown(role, s.tcp(), std::forward<TeardownHandler>(handler));
}

}  // namespace ts::server
