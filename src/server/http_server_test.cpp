// HttpServer over real loopback sockets. A small dispatcher lambda stands in
// for the engine: it echoes the decoded command, or fails on request.
#include "server/http_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "core/uuid.hpp"
#include "server/http_client.hpp"
#include "server/test_support.hpp"

namespace ts::server {
namespace {

using nlohmann::json;
using protocol::CommandRequest;
using protocol::kCommands;
using testing::RawConnection;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr auto kTimeout = std::chrono::seconds(10);
const std::string kToken = "s3cret-token";

/// A minimal valid request for every command route.
struct RouteCall {
  std::string method, path, body;
};
RouteCall minimal_call(const protocol::CommandSpec& spec) {
  RouteCall c{std::string(spec.route.method), std::string(spec.route.path), ""};
  if (const auto p = c.path.find("{run_id}"); p != std::string::npos) c.path.replace(p, 8, "run-1");
  if (spec.command == protocol::Command::retry_failed_imports) c.body = R"({"run_id":"run-1"})";
  if (spec.command == protocol::Command::update_schedule) c.body = R"({"enabled":true})";
  if (spec.command == protocol::Command::get_bars) c.path += "?symbol=AAPL";
  if (spec.command == protocol::Command::get_indicator_values) c.path += "?symbol=AAPL&indicators=RSI";
  if (spec.command == protocol::Command::screen) c.path += "?expression=close%20%3E%201";
  return c;
}

class HttpServerTest : public ::testing::Test {
 protected:
  struct Done {
    std::string command;
    int status;
    double seconds;
  };

  void TearDown() override {
    if (server) server->stop();
  }

  static HttpServerOptions default_options() {
    HttpServerOptions o;
    o.endpoint = Endpoint{"127.0.0.1", 0};
    o.threads = 2;
    o.api_token = kToken;
    return o;
  }

  HttpHandlers echo_handlers() {
    HttpHandlers h;
    h.on_command = [this](const CommandRequest& r) {
      calls.fetch_add(1);
      if (r.parameters.value("run_id", "") == "boom") throw std::runtime_error("kaboom");
      if (r.parameters.value("run_id", "") == "missing")
        return protocol::make_error_reply(r, protocol::run_not_found("missing"), "ts", "test");
      if (r.command == protocol::Command::get_schedule && slow_schedule) {
        {
          std::lock_guard lock(mu);
          in_handler = true;
        }
        cv.notify_all();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
      json result = {{"command", protocol::to_string(r.command)},
                     {"parameters", r.parameters},
                     {"request_id", r.request_id},
                     {"source", r.source}};
      return protocol::make_ok_reply(r, std::move(result), "ts", "test");
    };
    h.on_health = [] { return std::pair<int, std::string>{503, R"({"status":"degraded"})"}; };
    h.on_metrics = [] {
      return std::string("# TYPE tickstock_runs_total counter\ntickstock_runs_total 0\n");
    };
    h.on_request_done = [this](std::string_view command, int status, double seconds) {
      std::lock_guard lock(mu);
      done.push_back({std::string(command), status, seconds});
    };
    return h;
  }

  void start(HttpServerOptions o = default_options()) { start(std::move(o), echo_handlers()); }
  void start(HttpServerOptions o, HttpHandlers h) {
    server = std::make_unique<HttpServer>(std::move(o), std::move(h));
    server->start();
    ASSERT_NE(server->port(), 0);
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }

  HttpResponse call(std::string_view method, std::string_view path, std::string_view body = "",
                    const Headers& headers = {}) {
    auto r = http_request(method, url(path), body, headers, kTimeout);
    if (!r) ADD_FAILURE() << r.error().code << ": " << r.error().message;
    return r ? std::move(r).value() : HttpResponse{};
  }
  HttpResponse call_authed(std::string_view method, std::string_view path, std::string_view body = "") {
    return call(method, path, body, {{"Authorization", "Bearer " + kToken}});
  }

  static json body_json(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string error_code(const HttpResponse& r) {
    const json j = body_json(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "<no error body>";
  }
  static std::string header(const HttpResponse& r, std::string_view name) {
    const std::string* v = find_header(r, name);
    return v ? *v : std::string();
  }
  static void expect_security_headers(const HttpResponse& r) {
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    EXPECT_EQ(header(r, "Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
    EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
    EXPECT_EQ(header(r, "Strict-Transport-Security"), "") << "HSTS on plain HTTP";
  }

  std::unique_ptr<HttpServer> server;
  std::atomic<int> calls{0};
  std::mutex mu;
  std::condition_variable cv;
  bool in_handler = false;
  bool slow_schedule = false;
  std::vector<Done> done;
};

// ---- routing ------------------------------------------------------------------------

TEST_F(HttpServerTest, EveryRouteReachesItsCommand) {
  start();
  for (const auto& spec : kCommands) {
    SCOPED_TRACE(std::string(spec.name));
    const RouteCall c = minimal_call(spec);
    const auto r = call_authed(c.method, c.path, c.body);
    ASSERT_EQ(r.status, 200) << r.body;
    const json j = body_json(r);
    EXPECT_EQ(j["command"], spec.name);
    EXPECT_EQ(j["source"], "http");
    EXPECT_TRUE(is_uuid(j["request_id"].get<std::string>()));
    EXPECT_EQ(header(r, "X-Request-Id"), j["request_id"]);
    EXPECT_EQ(header(r, "Content-Type"), "application/json");
    expect_security_headers(r);
    if (spec.command == protocol::Command::get_run) {
      EXPECT_EQ(j["parameters"]["run_id"], "run-1");
    }
  }
  EXPECT_EQ(calls.load(), static_cast<int>(kCommands.size()));
}

TEST_F(HttpServerTest, ParametersComeFromPathQueryAndBody) {
  start();
  auto r = call("GET", "/api/processing/history?days=7&limit=20&status=completed");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["parameters"], (json{{"days", 7}, {"limit", 20}, {"status", "completed"}}));

  r = call_authed("DELETE", "/api/processing/cancel?run_id=abc-1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["parameters"], (json{{"run_id", "abc-1"}}));

  r = call_authed("POST", "/api/processing/trigger-manual",
                  R"({"phases":["data_import","cache"],"symbols":["AAPL","MSFT"],"skip_market_check":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json p = body_json(r)["parameters"];
  EXPECT_EQ(p["phases"], (json{"import", "cache_sync"}));
  EXPECT_EQ(p["symbols"], (json{"AAPL", "MSFT"}));
  EXPECT_EQ(p["skip_market_check"], true);

  r = call("GET", "/api/processing/runs/run_42");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["parameters"], (json{{"run_id", "run_42"}}));

  r = call_authed("POST", "/api/processing/trigger-indicators",
                  R"({"symbols":["AAPL"],"indicators":["RSI"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["parameters"]["timeframe"], "daily");
}

TEST_F(HttpServerTest, HandlerErrorRepliesKeepTheirStatus) {
  start();
  const auto r = call("GET", "/api/processing/runs/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "NOT_FOUND");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  auto r = call("GET", "/api/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "UNKNOWN_COMMAND");
  expect_security_headers(r);

  r = call("DELETE", "/api/processing/status");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
  EXPECT_EQ(error_code(r), "UNKNOWN_COMMAND");

  r = call("PUT", "/api/processing/schedule", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, POST");

  r = call("POST", "/health");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
  EXPECT_EQ(calls.load(), 0);
}

// ---- authentication ---------------------------------------------------------------------

TEST_F(HttpServerTest, MutatingRoutesNeedTheToken) {
  start();
  int mutating = 0;
  for (const auto& spec : kCommands) {
    if (!spec.mutating) continue;
    ++mutating;
    SCOPED_TRACE(std::string(spec.name));
    const RouteCall c = minimal_call(spec);
    for (const Headers& bad : {Headers{}, Headers{{"Authorization", "Bearer wrong"}},
                               Headers{{"Authorization", "Bearer " + kToken + "x"}},
                               Headers{{"Authorization", "Basic " + kToken}}}) {
      const auto r = call(c.method, c.path, c.body, bad);
      EXPECT_EQ(r.status, 401) << r.body;
      EXPECT_EQ(error_code(r), "UNAUTHORIZED");
      EXPECT_EQ(header(r, "WWW-Authenticate").rfind("Bearer", 0), 0u);
      expect_security_headers(r);
    }
    EXPECT_EQ(call(c.method, c.path, c.body, {{"Authorization", "bearer  " + kToken}}).status, 200);
  }
  EXPECT_EQ(mutating, 6);
  EXPECT_EQ(calls.load(), mutating);  // refused requests never reach the dispatcher
}

TEST_F(HttpServerTest, ReadsNeedNoToken) {
  start();
  for (const auto& spec : kCommands) {
    if (spec.mutating) continue;
    SCOPED_TRACE(std::string(spec.name));
    const RouteCall c = minimal_call(spec);
    EXPECT_EQ(call(c.method, c.path, c.body).status, 200);
  }
  EXPECT_EQ(call("GET", "/health").status, 503);
  EXPECT_EQ(call("GET", "/metrics").status, 200);
}

TEST_F(HttpServerTest, WithoutATokenMutatingRoutesAreOpen) {
  auto o = default_options();
  o.api_token.clear();
  start(o);
  EXPECT_EQ(call("POST", "/api/processing/trigger-manual").status, 200);
}

TEST_F(HttpServerTest, CrossOriginBrowserRequestsAreRefused) {
  auto o = default_options();
  o.api_token.clear();
  o.allowed_origins = {"http://dashboard.local:8000"};
  start(o);
  const std::string self = "http://127.0.0.1:" + std::to_string(server->port());
  auto r = call("POST", "/api/processing/trigger-manual", "", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "UNAUTHORIZED");
  EXPECT_EQ(call("POST", "/api/processing/trigger-manual", "", {{"Origin", self}}).status, 200);
  EXPECT_EQ(
      call("POST", "/api/processing/trigger-manual", "", {{"Origin", "http://dashboard.local:8000"}}).status,
      200);
  EXPECT_EQ(call("GET", "/api/processing/status", "", {{"Origin", "http://evil.example"}}).status, 200);
}

// ---- bodies and errors ------------------------------------------------------------------

TEST_F(HttpServerTest, OversizedBodyIs413) {
  start();
  const std::string big(65 * 1024, ' ');
  const auto r = call_authed("POST", "/api/processing/trigger-manual", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "PAYLOAD_TOO_LARGE");
  expect_security_headers(r);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(call("GET", "/api/processing/status").status, 200);  // still serving
}

TEST_F(HttpServerTest, OversizedBodyWithExpectContinueIsRefusedBeforeItIsSent) {
  start();
  RawConnection c(server->port());
  ASSERT_TRUE(
      c.send("POST /api/processing/trigger-manual HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + kToken +
             "\r\nContent-Type: application/json\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n\r\n"));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("connection"), "close");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  RawConnection c(server->port());
  ASSERT_TRUE(c.send("POST /api/processing/trigger-manual HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                     kToken + "\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("{}"));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, MalformedJsonIs400WithTheProtocolsBody) {
  start();
  const std::string bad = R"({"phases": [)";
  const auto r = call_authed("POST", "/api/processing/trigger-manual", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "INVALID_JSON");
  auto expected = protocol::decode_http_command({"POST", "/api/processing/trigger-manual", "", bad},
                                                [] { return std::string("x"); });
  ASSERT_FALSE(expected);
  EXPECT_EQ(r.body, protocol::http_body(protocol::make_error_reply(expected.error(), "", "")));
  EXPECT_TRUE(body_json(r)["error"]["details"].contains("position"));
}

TEST_F(HttpServerTest, InvalidParameterIs422) {
  start();
  const auto r = call("GET", "/api/processing/history?limit=999");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "INVALID_PARAMETER");
  EXPECT_EQ(body_json(r)["error"]["details"]["parameter"], "limit");
}

TEST_F(HttpServerTest, MalformedHttpIs400) {
  start();
  RawConnection c(server->port());
  ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n"));
  const auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpServerTest, HealthAndMetricsContentTypes) {
  start();
  auto r = call("GET", "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(body_json(r)["status"], "degraded");
  expect_security_headers(r);

  r = call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r.body.find("tickstock_runs_total"), std::string::npos);
  expect_security_headers(r);
}

TEST_F(HttpServerTest, MissingHandlersAnswer404) {
  start(default_options(), HttpHandlers{});
  EXPECT_EQ(call("GET", "/health").status, 404);
  EXPECT_EQ(call("GET", "/metrics").status, 404);
  const auto r = call("GET", "/api/processing/status");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_code(r), "INTERNAL");
}

TEST_F(HttpServerTest, ThrowingHandlerGives500AndTheServerKeepsServing) {
  start();
  auto r = call_authed("POST", "/api/processing/trigger-manual", R"({"run_id":"boom"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_code(r), "INTERNAL");
  EXPECT_NE(body_json(r)["error"]["message"].get<std::string>().find("kaboom"), std::string::npos);
  expect_security_headers(r);
  EXPECT_EQ(call_authed("POST", "/api/processing/trigger-manual", R"({"run_id":"fine"})").status, 200);

  HttpHandlers h = echo_handlers();
  h.on_health = []() -> std::pair<int, std::string> { throw std::logic_error("health broke"); };
  h.on_metrics = []() -> std::string { throw 42; };
  server->stop();
  start(default_options(), std::move(h));
  EXPECT_EQ(call("GET", "/health").status, 500);
  EXPECT_EQ(call("GET", "/metrics").status, 500);
  EXPECT_EQ(call("GET", "/api/processing/status").status, 200);
}

TEST_F(HttpServerTest, ObserverSeesEveryRequest) {
  start();
  call("GET", "/api/processing/status");
  call("GET", "/health");
  call("GET", "/nope");
  call("POST", "/api/processing/trigger-manual");  // 401
  std::lock_guard lock(mu);
  ASSERT_EQ(done.size(), 4u);
  EXPECT_EQ(done[0].command, "get_processing_status");
  EXPECT_EQ(done[0].status, 200);
  EXPECT_GE(done[0].seconds, 0.0);
  EXPECT_EQ(done[1].command, "health");
  EXPECT_EQ(done[1].status, 503);
  EXPECT_EQ(done[2].command, "");
  EXPECT_EQ(done[2].status, 404);
  EXPECT_EQ(done[3].command, "trigger_daily_processing");
  EXPECT_EQ(done[3].status, 401);
}

// ---- connections --------------------------------------------------------------------------

TEST_F(HttpServerTest, SlowClientIsDisconnected) {
  auto o = default_options();
  o.read_timeout = std::chrono::milliseconds(200);
  start(o);
  RawConnection headers_never_end(server->port());
  ASSERT_TRUE(headers_never_end.send("GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n"));
  RawConnection body_never_ends(server->port());
  ASSERT_TRUE(body_never_ends.send(
      "POST /api/processing/trigger-manual HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + kToken +
      "\r\nContent-Length: 100\r\n\r\n{\"full\":"));
  EXPECT_TRUE(headers_never_end.wait_closed());
  EXPECT_TRUE(body_never_ends.wait_closed());
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(call("GET", "/api/processing/status").status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  RawConnection c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /api/processing/status HTTP/1.1\r\nHost: t\r\n\r\n"));
    const auto r = c.read_response();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
  }
  // Pipelined: two requests in one write, answered in order.
  ASSERT_TRUE(c.send(
      "GET /api/processing/runs/a1 HTTP/1.1\r\nHost: t\r\n\r\nGET /api/processing/runs/b2 HTTP/1.1\r\nHost: "
      "t\r\n\r\n"));
  const auto first = c.read_response(), second = c.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(json::parse(first->body)["parameters"]["run_id"], "a1");
  EXPECT_EQ(json::parse(second->body)["parameters"]["run_id"], "b2");
  // Connection: close is honoured.
  ASSERT_TRUE(c.send("GET /api/processing/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  const auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(calls.load(), 6);
}

TEST_F(HttpServerTest, ConcurrentRequestsFromSeveralThreads) {
  auto o = default_options();
  o.threads = 4;
  start(o);
  constexpr int kThreads = 8, kEach = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const bool post = (i + t) % 2 == 0;
        auto r = post ? http_request("POST", url("/api/processing/trigger-manual"), "{}",
                                     {{"Authorization", "Bearer " + kToken}}, kTimeout)
                      : http_request("GET", url("/api/processing/runs/r" + std::to_string(t * 100 + i)), "",
                                     {}, kTimeout);
        if (r && r->status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(calls.load(), kThreads * kEach);
}

TEST_F(HttpServerTest, AtMaxConnectionsNewConnectionsWait) {
  auto o = default_options();
  o.max_connections = 2;
  start(o);
  auto a = std::make_unique<RawConnection>(server->port());
  RawConnection b(server->port());
  // Make sure both are accepted and served before the limit is probed.
  ASSERT_TRUE(a->send("GET /api/processing/status HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(a->read_response());
  ASSERT_TRUE(b.send("GET /api/processing/status HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(b.read_response());
  auto waiting = http_request("GET", url("/api/processing/status"), "", {}, std::chrono::milliseconds(300));
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, "TIMEOUT");
  a.reset();  // a slot frees up
  EXPECT_EQ(call("GET", "/api/processing/status").status, 200);
}

TEST_F(HttpServerTest, StopFinishesInFlightRequests) {
  start();
  slow_schedule = true;
  std::optional<Result<HttpResponse>> result;
  std::thread client(
      [&] { result = http_request("GET", url("/api/processing/schedule"), "", {}, kTimeout); });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kTimeout, [&] { return in_handler; }));
  }
  RawConnection idle(server->port());
  const auto port = server->port();
  server->stop();
  client.join();
  ASSERT_TRUE(result && *result);
  EXPECT_EQ((*result)->status, 200);
  EXPECT_TRUE(idle.wait_closed());
  EXPECT_FALSE(server->running());
  auto after = http_request("GET", "http://127.0.0.1:" + std::to_string(port) + "/health", "", {}, kTimeout);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, "CONNECT_FAILED");
  server->stop();  // idempotent
}

TEST_F(HttpServerTest, StartTwiceOrOnABusyPortThrows) {
  start();
  EXPECT_THROW(server->start(), HttpServerError);
  auto o = default_options();
  o.endpoint.port = server->port();
  HttpServer other(o, echo_handlers());
  EXPECT_THROW(other.start(), HttpServerError);
}

TEST_F(HttpServerTest, BoundEndpointReportsTheEphemeralPort) {
  start();
  const Endpoint e = server->bound_endpoint();
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, server->port());
}

TEST_F(HttpServerTest, NonLoopbackWithoutTokenWarns) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  auto o = default_options();
  o.endpoint.host = "0.0.0.0";
  o.api_token.clear();
  start(o);
  server->stop();
  o.endpoint.host = "127.0.0.1";
  start(o);
  server->stop();
  spdlog::set_default_logger(previous);
  int warnings = 0;
  for (const auto& line : sink->last_formatted())
    if (line.find("without TLS and without authentication") != std::string::npos) ++warnings;
  EXPECT_EQ(warnings, 1);
}

TEST(RaiseFdLimit, ReturnsTheSoftLimit) { EXPECT_GT(raise_fd_limit(), 0u); }

}  // namespace
}  // namespace ts::server
