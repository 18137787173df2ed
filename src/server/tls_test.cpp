// TLS on the engine's HttpServer (the Listener shared with the dashboard),
// over real loopback sockets, with a self-signed certificate made at test time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/uuid.hpp"
#include "server/http_client.hpp"
#include "server/http_server.hpp"
#include "server/listener.hpp"
#include "server/test_support.hpp"
#include "server/test_tls.hpp"

namespace ts::server {
namespace {

namespace fs = std::filesystem;
using testing::RawConnection;
constexpr auto kTimeout = std::chrono::seconds(10);

std::string header(const HttpResponse& r, std::string_view name) {
  const std::string* v = find_header(r, name);
  return v ? *v : std::string();
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override { pki = testing::make_self_signed(dir); }
  void TearDown() override {
    if (server) server->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void start(TlsFiles files, std::chrono::milliseconds read_timeout = std::chrono::seconds(10)) {
    HttpServerOptions o;
    o.endpoint = Endpoint{"127.0.0.1", 0};
    o.tls = std::move(files);
    o.read_timeout = read_timeout;
    HttpHandlers h;
    h.on_health = [] { return std::pair<int, std::string>{200, R"({"status":"ok"})"}; };
    server = std::make_unique<HttpServer>(o, h);
    server->start();
  }
  std::string url(std::string_view scheme, std::string_view path = "/health") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }
  /// GET /health over https, trusting the test certificate.
  Result<HttpResponse> https_health() {
    return http_request("GET", url("https"), "", {}, kTimeout, {pki.cert});
  }

  fs::path dir = fs::temp_directory_path() / ("tickstock_tls_" + make_uuid_v4());
  testing::SelfSigned pki;
  std::unique_ptr<HttpServer> server;
};

TEST_F(TlsServerTest, HttpsRequestIsServedWithHstsAndSecurityHeaders) {
  start({pki.cert, pki.key});
  auto r = https_health();
  ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(header(*r, "Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(header(*r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(*r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(*r, "Referrer-Policy"), "no-referrer");
  EXPECT_NE(header(*r, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortGets400AndTheServerKeepsServing) {
  start({pki.cert, pki.key});
  {
    RawConnection c(server->port());
    ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r) << "no plain-text answer";
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("HTTPS only"), std::string::npos) << r->body;
    EXPECT_TRUE(c.wait_closed());
  }
  // The client library also refuses to speak http:// to it: an error, not a hang or a crash.
  auto plain = http_request("GET", url("http"), "", {}, kTimeout);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 400);
  auto r = https_health();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsServerTest, AClientThatNeverHandshakesIsCutOffWhileOthersAreServed) {
  start({pki.cert, pki.key}, std::chrono::milliseconds(300));
  RawConnection silent(server->port());  // connects, sends nothing (a TLS slowloris)
  RawConnection garbage(server->port());
  ASSERT_TRUE(garbage.send(std::string("\x16\x03\x01\x00\x05hello", 10)));  // a broken ClientHello
  auto r = https_health();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(garbage.wait_closed()) << "a broken handshake left the connection open";
  EXPECT_TRUE(silent.wait_closed()) << "the silent client was not disconnected within the read bound";
  EXPECT_TRUE(https_health());
}

TEST_F(TlsServerTest, TheClientRefusesACertificateItDoesNotTrust) {
  start({pki.cert, pki.key});
  const auto other = testing::make_self_signed(dir, "other");
  auto r = http_request("GET", url("https"), "", {}, kTimeout, {other.cert});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "TLS_FAILED");
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos) << r.error().message;
  auto missing = http_request("GET", url("https"), "", {}, kTimeout, {(dir / "nope.pem").string()});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "TLS_FAILED");
  EXPECT_TRUE(https_health());  // the server is unaffected
}

TEST_F(TlsServerTest, UnusableTlsFilesFailStartNamingTheFile) {
  const auto other = testing::make_self_signed(dir, "other");
  struct Case {
    TlsFiles files;
    std::string expect;
  };
  const std::string missing = (dir / "missing.pem").string();
  const std::string not_pem = (dir / "not.pem").string();
  std::ofstream(not_pem) << "not a certificate\n";
  for (const auto& c : {Case{{pki.cert, ""}, "only the certificate"}, Case{{"", pki.key}, "only the key"},
                        Case{{missing, pki.key}, missing}, Case{{not_pem, pki.key}, not_pem},
                        Case{{pki.cert, missing}, missing}, Case{{pki.cert, other.key}, "mismatch"}}) {
    HttpServerOptions o;
    o.endpoint = Endpoint{"127.0.0.1", 0};
    o.tls = c.files;
    HttpServer s(o, {});
    try {
      s.start();
      ADD_FAILURE() << "started with cert '" << c.files.cert_file << "' key '" << c.files.key_file << "'";
    } catch (const HttpServerError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
    }
  }
}

TEST(ExposureWarning, OnlyNonLoopbackWithoutTlsOrAuthenticationWarns) {
  using boost::asio::ip::make_address;
  struct Case {
    const char* address;
    bool tls, auth;
    std::vector<std::string> expect;  // substrings; empty = no warning
  };
  const Case cases[] = {
      {"127.0.0.1", false, false, {}},
      {"::1", false, false, {}},
      {"0.0.0.0", true, true, {}},
      {"0.0.0.0", false, false, {"http: listening on non-loopback 0.0.0.0", "without TLS and without authentication", "clear text", "trigger and cancel runs"}},
      {"10.1.2.3", true, false, {"without authentication", "trigger and cancel runs"}},
      {"::", false, true, {"non-loopback :: without TLS:", "clear text"}},
  };
  for (const auto& c : cases) {
    const auto w = exposure_warning("http", make_address(c.address), c.tls, c.auth);
    SCOPED_TRACE(std::string(c.address) + " tls=" + std::to_string(c.tls) + " auth=" + std::to_string(c.auth));
    if (c.expect.empty()) {
      EXPECT_EQ(w, "");
    }
    for (const auto& s : c.expect) EXPECT_NE(w.find(s), std::string::npos) << w;
    if (c.tls) {
      EXPECT_EQ(w.find("without TLS"), std::string::npos) << w;
    }
    if (c.auth) {
      EXPECT_EQ(w.find("without authentication"), std::string::npos) << w;
    }
  }
}

}  // namespace
}  // namespace ts::server
