#pragma once
// The dashboard under test: an in-process engine (EngineFixture) plus an
// AppServer on an ephemeral port with a throwaway web directory and users
// database, and small HTTP and WebSocket clients that speak to it as a browser.
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <deque>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>

#include "auth/auth.hpp"
#include "engine_support.hpp"
#include "server/http_client.hpp"
#include "server/stream.hpp"
#include "server/test_tls.hpp"
#include "webapp/app_server.hpp"

namespace ts::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline auth::AuthOptions cheap_auth() {
  auth::AuthOptions o;
  o.argon2_memory_kib = 64;  // the tests exercise the logic, not the cost
  o.argon2_iterations = 1;
  o.max_failures = 3;
  o.max_attempts_per_address = 8;
  return o;
}

struct Login {
  std::string cookie;  // "ts_session=..."
  std::string csrf;
};

/// A blocking WebSocket client with bounded waits.
class WsTestClient {
 public:
  /// Connects to /ws<query>; open() says whether the upgrade was accepted.
  /// With a `ca_file`, speaks wss:// (TLS, trusting that CA and checking the name 127.0.0.1).
  WsTestClient(unsigned short port, const std::string& query, const std::string& cookie,
               const std::string& origin, const std::string& ca_file = "")
      : tls_(boost::asio::ssl::context::tls_client), ws_(make_stream(ca_file)) {
    namespace net = boost::asio;
    net::ip::tcp::resolver resolver(ioc_);
    net::connect(ws_.next_layer().tcp().socket(), resolver.resolve("127.0.0.1", std::to_string(port)));
    if (auto* t = ws_.next_layer().tls_stream()) {
      t->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
      boost::beast::error_code ec;
      t->handshake(net::ssl::stream_base::client, ec);
      if (ec) return;  // open() stays false
    }
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [cookie, origin](boost::beast::websocket::request_type& req) {
          if (!cookie.empty()) req.set(boost::beast::http::field::cookie, cookie);
          if (!origin.empty()) req.set(boost::beast::http::field::origin, origin);
        }));
    boost::beast::websocket::response_type res;
    boost::beast::error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), "/ws" + query, ec);
    open_ = !ec;
  }
  bool open() const { return open_; }

  /// The next frame as JSON, or nullopt when none arrives within `timeout` (or the socket closed).
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    // A message may hold several frames, one JSON object per line.
    if (!lines_.empty()) {
      auto f = nlohmann::json::parse(lines_.front());
      lines_.pop_front();
      return f;
    }
    if (!open_) return std::nullopt;
    if (!reading_) {
      reading_ = true;
      done_ = false;
      ws_.async_read(buf_, [this](boost::beast::error_code ec, std::size_t) {
        done_ = true;
        ec_ = ec;
      });
    }
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done_) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      ioc_.run_one_for(deadline - now);
    }
    if (!done_) return std::nullopt;
    reading_ = false;
    if (ec_) {
      open_ = false;
      return std::nullopt;
    }
    auto text = boost::beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    for (std::size_t start = 0; start <= text.size();) {
      const auto nl = text.find('\n', start);
      lines_.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    ++messages_;
    auto f = nlohmann::json::parse(lines_.front());
    lines_.pop_front();
    return f;
  }
  /// WebSocket messages received (a message may carry several frames).
  std::size_t messages() const { return messages_; }
  /// The next frame of `type` (skipping heartbeats and others), or nullopt.
  std::optional<nlohmann::json> next_of(const std::string& type,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = next(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!f) return std::nullopt;
      if ((*f)["type"] == type) return f;
    }
    return std::nullopt;
  }
  /// The next event frame that is not a heartbeat, or nullopt after `timeout` in all (heartbeats
  /// keep coming: skipping them without an overall limit waits forever for an event that is lost).
  std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = next_of("event", std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now()));
      if (!f) return std::nullopt;
      if ((*f)["event"]["event"] != "heartbeat") return f;
    }
    return std::nullopt;
  }
  void send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
  /// The socket, to stop reading from it (a slow client).
  bool closed_by_server(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!next(std::chrono::milliseconds(500)) && !open_) return true;
    }
    return false;
  }

 private:
  server::Stream make_stream(const std::string& ca_file) {
    if (ca_file.empty()) return server::Stream(boost::asio::ip::tcp::socket(ioc_));
    tls_.load_verify_file(ca_file);
    tls_.set_verify_mode(boost::asio::ssl::verify_peer);
    return server::Stream(boost::asio::ip::tcp::socket(ioc_), tls_);
  }

  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_;
  boost::beast::websocket::stream<server::Stream> ws_;
  boost::beast::flat_buffer buf_;
  std::deque<std::string> lines_;  // frames of the last message not yet returned
  std::size_t messages_ = 0;
  bool open_ = false, reading_ = false, done_ = false;
  boost::beast::error_code ec_;
};

class AppFixture : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    const auto web = dir_.path() / "web";
    fs::create_directories(web / "assets");
    std::ofstream(web / "index.html") << "<!doctype html><title>TickStock</title>";
    std::ofstream(web / "login.html") << "<!doctype html><title>Sign in</title>";
    std::ofstream(web / "assets" / "app.js") << "export const x = 1;\n";
    std::ofstream(dir_.path() / "secret.txt") << "TOP SECRET";
    users_ = auth::UserStore::open(dir_.str("app.db"), cheap_auth());
    for (auto [name, role] : {std::pair{"ada", auth::Role::admin}, std::pair{"otto", auth::Role::operator_},
                              std::pair{"vic", auth::Role::viewer}})
      ASSERT_TRUE(users_->add_user(name, password(name), role));
    options_.endpoint = {"127.0.0.1", 0};
    options_.redis = url();
    options_.web_dir = web;
    options_.engine_timeout = std::chrono::seconds(10);
    customise_app(options_);
    app_ = std::make_unique<webapp::AppServer>(options_, *users_);
    app_->start();
    base_ = (options_.tls.enabled() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(app_->port());
    origin_ = base_;
  }
  void TearDown() override {
    if (app_) app_->stop();
    app_.reset();
    users_.reset();
    EngineFixture::TearDown();
  }
  virtual void customise_app(webapp::AppServerOptions&) {}

  static std::string password(const std::string& user) { return user + "-correct-horse"; }

  server::HttpResponse http(const std::string& method, const std::string& path, const std::string& body = "",
                            Headers headers = {}) {
    auto r = server::http_request(method, base_ + path, body, headers, std::chrono::seconds(30), {ca_file_});
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }
  /// A browser's request: the session cookie, the CSRF token on state changes, our Origin.
  server::HttpResponse as(const Login& who, const std::string& method, const std::string& path,
                          const std::string& body = "") {
    Headers h{{"Cookie", who.cookie}, {"Origin", origin_}};
    if (method != "GET") h.emplace_back("X-CSRF-Token", who.csrf);
    return http(method, path, body, h);
  }
  Login login(const std::string& user) {
    auto r = http("POST", "/auth/login", json{{"username", user}, {"password", password(user)}}.dump(),
                  {{"Origin", origin_}});
    EXPECT_EQ(r.status, 200) << r.body;
    Login l;
    if (r.status != 200) return l;
    const auto* set = server::find_header(r, "Set-Cookie");
    EXPECT_NE(set, nullptr);
    if (set) l.cookie = set->substr(0, set->find(';'));
    l.csrf = json::parse(r.body)["csrf_token"];
    return l;
  }
  static json body(const server::HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string header(const server::HttpResponse& r, const std::string& name) {
    const auto* h = server::find_header(r, name);
    return h ? *h : std::string();
  }
  std::unique_ptr<WsTestClient> ws(const Login& who, const std::string& query = "") {
    return std::make_unique<WsTestClient>(app_->port(), query, who.cookie, origin_, ca_file_);
  }
  /// Appends an entry to tickstock:events as the engine would.
  std::string xadd(const json& envelope) {
    auto c = sync();
    auto r = c.command({"XADD", std::string(protocol::kStreamKey), "*", "data", envelope.dump()});
    EXPECT_TRUE(r);
    return r ? r->str : std::string();
  }

  std::unique_ptr<auth::UserStore> users_;
  webapp::AppServerOptions options_;
  std::unique_ptr<webapp::AppServer> app_;
  std::string base_, origin_;
  std::string ca_file_;  ///< with TLS: the CA the clients trust (set in customise_app)
};

}  // namespace ts::testing
