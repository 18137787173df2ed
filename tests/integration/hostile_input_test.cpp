// Hostile input, table-driven (issue #7): every row is sent to a real engine
// (over the Redis commands channel, over the HTTP API, or both) and must get
// its specific error code; afterwards the engine still answers and the stored
// data is unchanged. The HTTP-level rows (CRLF in headers, oversized bodies
// and headers, slowloris) also run against the dashboard's server.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app_support.hpp"
#include "server/test_support.hpp"

namespace ts::testing {
namespace {

using server::testing::RawConnection;

const std::string kToken = "hostile-test-token";

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string command(const std::string& name, const std::string& params_json) {
  return R"({"command":")" + name + R"(","parameters":)" + params_json + "}";
}

/// One hostile input. `redis` is the raw message published on the commands
/// channel, `http_body` the raw body POSTed to trigger-manual, `http_get` a raw
/// target for a GET; empty = that transport does not apply.
struct Row {
  std::string name;
  std::string redis;
  std::string http_body;
  std::string http_get;
  std::string code;    // the protocol error code expected on every transport
  int http_status = 0;  // expected over HTTP
};

std::vector<Row> rows() {
  const std::string mib(1 << 20, 'A');
  return {
      {"deeply nested JSON", command("get_processing_status", R"({"x":)" + nested(20000) + "}"),
       R"({"symbols":)" + nested(20000) + "}", "", "INVALID_JSON", 400},
      {"nesting just past the limit", command("get_processing_status", R"({"x":)" + nested(40) + "}"),
       R"({"symbols":)" + nested(40) + "}", "", "INVALID_JSON", 400},
      {"huge integer", command("get_processing_history", R"({"limit":123456789012345678901234567890})"),
       R"({"min_success":123456789012345678901234567890})", "/api/processing/history?limit=123456789012345678901234567890",
       "INVALID_PARAMETER", 422},
      {"huge exponent", command("get_processing_history", R"({"limit":1e400})"), R"({"min_success":1e400})", "",
       "INVALID_JSON", 400},
      {"NaN", command("get_processing_history", R"({"limit":NaN})"), R"({"min_success":NaN})", "", "INVALID_JSON", 400},
      {"Infinity", command("get_processing_history", R"({"limit":Infinity})"), R"({"min_success":-Infinity})",
       "/api/processing/history?limit=Infinity", "INVALID_JSON", 400},
      {"invalid UTF-8 in a string", command("get_bars", "{\"symbol\":\"AA\xff\xfePL\"}"), "{\"universe\":\"d\xc3\x28w\"}",
       "/api/market/bars?symbol=AA%FF%FEPL", "INVALID_JSON", 400},
      {"1 MiB string", command("get_bars", R"({"symbol":")" + mib + R"("})"), R"({"universe":")" + mib + R"("})",
       "", "PAYLOAD_TOO_LARGE", 413},
      {"duplicate keys", R"({"command":"get_processing_status","command":"cancel_processing"})",
       R"({"universe":"dow30","universe":"sp500"})", "", "INVALID_JSON", 400},
      {"duplicate parameter", command("get_processing_history", R"({"limit":5,"limit":6})"),
       R"({"skip_market_check":true,"skip_market_check":false})", "", "INVALID_JSON", 400},
      {"wrong type: command", R"({"command":42})", "", "", "INVALID_COMMAND", 0},
      {"wrong type: parameters", R"({"command":"get_processing_status","parameters":[1]})", "[1]", "",
       "INVALID_COMMAND", 400},
      {"wrong type: parameter", command("get_processing_history", R"({"limit":"ten"})"), R"({"symbols":"AAPL"})",
       "/api/processing/history?limit=ten", "INVALID_PARAMETER", 422},
      {"SQL in a symbol", command("get_bars", R"({"symbol":"AAPL'; DROP TABLE bars;--"})"),
       R"({"symbols":["1' OR '1'='1"]})", "/api/market/bars?symbol=AAPL%27%3B%20DROP%20TABLE%20bars%3B--",
       "INVALID_PARAMETER", 422},
      {"path traversal in a symbol", command("get_bars", R"({"symbol":"../../etc/passwd"})"),
       R"({"symbols":["../../../etc/passwd"]})", "/api/market/bars?symbol=..%2F..%2Fetc%2Fpasswd", "INVALID_PARAMETER",
       422},
      {"path traversal in a universe", command("trigger_daily_processing", R"({"universe":"../../etc/passwd"})"),
       R"({"universe":"..\\..\\windows"})", "", "INVALID_PARAMETER", 422},
      {"NUL in a symbol", command("get_bars", R"({"symbol":"AAPL\u0000.db"})"), "", "", "INVALID_PARAMETER", 0},
  };
}

class HostileInput : public EngineFixture {
 protected:
  void customise(app::EngineConfig& c) override { c.api_token = kToken; }

  /// What the engine stores, as its read commands show it (no run is ever started here).
  json fingerprint() {
    json out;
    for (const char* cmd : {"list_universes", "get_processing_history", "list_symbols", "get_schedule"}) {
      auto r = call(cmd);
      EXPECT_TRUE(r.value("ok", false)) << cmd << ": " << r.dump();
      out[cmd] = r.value("result", json());
    }
    return out;
  }

  /// Publishes a raw message and returns the next reply on either reply channel.
  json send_raw(const std::string& payload) {
    const auto before = replies_->messages().size();
    auto c = sync();
    auto receivers = c.publish(std::string(protocol::kCommandChannel), payload);
    EXPECT_TRUE(receivers && *receivers >= 1);
    std::optional<json> reply;
    bus::testing::wait_for(
        [&] {
          const auto all = replies_->messages();
          if (all.size() <= before) return false;
          reply = json::parse(all[before].payload, nullptr, false);
          return true;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(reply) << "no reply to a " << payload.size() << "-byte message";
    return reply.value_or(json::object());
  }

  std::string api() const { return "http://127.0.0.1:" + std::to_string(daemon_->http_port()); }

  void expect_alive() {
    auto r = call("get_processing_status");
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    auto h = server::http_request("GET", api() + "/health", "", {}, std::chrono::seconds(30));
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_LT(h->status, 500);
  }
};

std::string error_code_of_reply(const json& reply) {
  return reply.contains("error") && reply["error"].is_object() ? reply["error"].value("code", "") : "<none>";
}
std::string error_code_of_body(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"].value("code", "") : "<none>";
}

TEST_F(HostileInput, EveryRowGetsItsErrorAndTheEngineStaysIntact) {
  const json before = fingerprint();
  for (const auto& row : rows()) {
    SCOPED_TRACE(row.name);
    if (!row.redis.empty()) {
      const json reply = send_raw(row.redis);
      EXPECT_FALSE(reply.value("ok", true)) << reply.dump().substr(0, 300);
      EXPECT_EQ(error_code_of_reply(reply), row.code) << reply.dump().substr(0, 300);
    }
    if (!row.http_body.empty()) {
      auto r = server::http_request("POST", api() + "/api/processing/trigger-manual", row.http_body,
                                    {{"Authorization", "Bearer " + kToken}}, std::chrono::seconds(30));
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->status, row.http_status) << r->body.substr(0, 300);
      EXPECT_EQ(error_code_of_body(r->body), row.code) << r->body.substr(0, 300);
    }
    if (!row.http_get.empty()) {
      auto r = server::http_request("GET", api() + row.http_get, "", {}, std::chrono::seconds(30));
      ASSERT_TRUE(r) << r.error().message;
      // Query values are not JSON: a non-number or non-UTF-8 value is a bad parameter there.
      const std::string code = row.code == "INVALID_JSON" ? "INVALID_PARAMETER" : row.code;
      EXPECT_EQ(error_code_of_body(r->body), code) << r->body.substr(0, 300);
      EXPECT_EQ(r->status, code == "INVALID_PARAMETER" ? 422 : row.http_status);
    }
    expect_alive();
  }
  EXPECT_EQ(fingerprint(), before) << "hostile input changed what the engine stores";
}

// ---- HTTP-level rows, for both servers ---------------------------------------------

struct RawRow {
  std::string name;
  std::string request;  // sent as is
  int status;           // the answer expected before the server closes the connection
  std::string code;
};

std::vector<RawRow> raw_rows(const std::string& path) {
  return {
      {"bare CR inside a header value", "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Evil: a\rSet-Cookie: x=1\r\n\r\n",
       400, "INVALID_COMMAND"},
      {"LF-only header injection", "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Evil: a\nInjected : 1\r\n\r\n", 400,
       "INVALID_COMMAND"},
      {"CRLF in the request target", "GET " + path + "\r\nX: y HTTP/1.1\r\nHost: x\r\n\r\n", 400, "INVALID_COMMAND"},
      {"header line without a colon", "GET " + path + " HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400,
       "INVALID_COMMAND"},
      {"oversized body (by Content-Length)",
       "POST /api/processing/trigger-manual HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 1048576\r\n\r\n{",
       413, "PAYLOAD_TOO_LARGE"},
      {"oversized headers", "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'b') + "\r\n\r\n",
       431, "PAYLOAD_TOO_LARGE"},
  };
}

/// Sends every raw row to the port; each must get its answer, then the next request on a fresh connection works.
void check_raw_rows(std::uint16_t port, const std::string& path) {
  for (const auto& row : raw_rows(path)) {
    SCOPED_TRACE(row.name);
    RawConnection c(port);
    c.send(row.request);  // the server may stop reading early (oversized); its answer still comes
    auto r = c.read_response();
    ASSERT_TRUE(r) << "no answer";
    EXPECT_EQ(r->status, row.status) << r->body;
    EXPECT_EQ(error_code_of_body(r->body), row.code) << r->body;
    EXPECT_EQ(r->header("set-cookie"), "");
    EXPECT_TRUE(c.wait_closed());
    RawConnection next(port);
    ASSERT_TRUE(next.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto ok = next.read_response();
    ASSERT_TRUE(ok) << "the server stopped serving";
    EXPECT_EQ(ok->status, 200);
  }
}

/// A slowloris client: trickles a header byte at a time and never finishes.
/// The server must cut it off (within the test's bound) while serving others.
void check_slowloris(std::uint16_t port, const std::string& path) {
  RawConnection slow(port, std::chrono::seconds(60));
  ASSERT_TRUE(slow.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n"));
  std::atomic<bool> cut{false};
  std::thread trickle([&] {
    // Bounded: 60 s of trickling at most; a server that never times out fails below.
    for (int i = 0; i < 600 && !cut; ++i) {
      if (!slow.send("X")) {
        cut = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Others are served while the slow client trickles.
  for (int i = 0; i < 3; ++i) {
    RawConnection other(port);
    ASSERT_TRUE(other.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = other.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  trickle.join();
  EXPECT_TRUE(cut) << "the slow client was never disconnected";
}

TEST_F(HostileInput, HttpLevelAttacksOnTheEngineApi) {
  const json before = fingerprint();
  check_raw_rows(daemon_->http_port(), "/health");
  check_slowloris(daemon_->http_port(), "/health");  // the engine's read_timeout is 10 s
  expect_alive();
  EXPECT_EQ(fingerprint(), before);
}

class HostileInputApp : public AppFixture {
 protected:
  void customise_app(webapp::AppServerOptions& o) override {
    o.read_timeout = std::chrono::milliseconds(1000);
    o.max_body_bytes = 64 * 1024;
    o.max_header_bytes = 16 * 1024;
  }
};

TEST_F(HostileInputApp, HttpLevelAttacksOnTheDashboard) {
  check_raw_rows(app_->port(), "/login");
  check_slowloris(app_->port(), "/login");
  // The app's own JSON endpoint refuses hostile bodies with the same codes.
  for (const auto& [body, code] : std::vector<std::pair<std::string, std::string>>{
           {R"({"username":"ada","username":"vic","password":"x"})", "INVALID_JSON"},
           {"{\"username\":\"ad\xff\",\"password\":\"x\"}", "INVALID_JSON"},
           {R"({"username":)" + nested(20000) + "}", "INVALID_JSON"},
           {R"({"username":42,"password":NaN})", "INVALID_JSON"}}) {
    auto r = http("POST", "/auth/login", body, {{"Origin", origin_}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(error_code_of_body(r.body), code) << r.body;
  }
  const Login ada = login("ada");  // and the real user still gets in
  EXPECT_FALSE(ada.cookie.empty());
}

}  // namespace
}  // namespace ts::testing
