// The dashboard over TLS: login over https, the session cookie marked Secure,
// HSTS and the CSP, the live WebSocket over wss, plain HTTP refused on the
// port; and the engine's HTTP API over https driven by `ctl --api https://`.
// Self-signed certificates are generated per test (server/test_tls.hpp).
#include <gtest/gtest.h>

#include "app_support.hpp"
#include "server/test_support.hpp"

namespace ts::testing {
namespace {

class AppTlsTest : public AppFixture {
 protected:
  void customise_app(webapp::AppServerOptions& o) override {
    const auto pki = server::testing::make_self_signed(dir_.path() / "pki");
    o.tls = {pki.cert, pki.key};
    ca_file_ = pki.cert;
  }
  void SetUp() override {
    AppFixture::SetUp();
    origin_ = base_;  // https://127.0.0.1:PORT
  }
};

TEST_F(AppTlsTest, LoginOverHttpsSetsASecureCookieAndTheWebSocketWorksOverWss) {
  ASSERT_TRUE(base_.starts_with("https://"));
  auto page = http("GET", "/login");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(header(page, "Strict-Transport-Security"), "max-age=31536000");
  EXPECT_NE(header(page, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(page, "Referrer-Policy"), "no-referrer");

  auto r = http("POST", "/auth/login", json{{"username", "ada"}, {"password", password("ada")}}.dump(),
                {{"Origin", origin_}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(header(r, "Set-Cookie").find("; Secure"), std::string::npos) << header(r, "Set-Cookie");
  // An http:// Origin is a different origin once the app speaks https.
  auto cross = http("POST", "/auth/login", json{{"username", "ada"}, {"password", password("ada")}}.dump(),
                    {{"Origin", "http://127.0.0.1:" + std::to_string(app_->port())}});
  EXPECT_NE(cross.status, 200);

  const Login ada = login("ada");
  auto status = as(ada, "GET", "/api/processing/status");
  EXPECT_EQ(status.status, 200) << status.body;

  auto client = ws(ada);
  ASSERT_TRUE(client->open()) << "wss upgrade refused";
  EXPECT_TRUE(client->next_of("hello"));
  client->send(R"({"type":"ping"})");
  EXPECT_TRUE(client->next_of("pong")) << "no pong over wss";
}

TEST_F(AppTlsTest, PlainHttpToTheTlsPortIsRefusedAndTheAppKeepsServing) {
  {
    server::testing::RawConnection c(app_->port());
    ASSERT_TRUE(c.send("GET /login HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("HTTPS only"), std::string::npos);
  }
  auto ws_plain = WsTestClient(app_->port(), "", "", origin_);  // ws:// to a wss:// port
  EXPECT_FALSE(ws_plain.open());
  EXPECT_EQ(http("GET", "/login").status, 200);
}

class EngineTlsTest : public EngineFixture {
 protected:
  void customise(app::EngineConfig& c) override {
    pki_ = server::testing::make_self_signed(dir_.path() / "pki");
    c.tls_cert = pki_.cert;
    c.tls_key = pki_.key;
    c.api_token = "tls-test-token";
  }
  server::testing::SelfSigned pki_;
};

TEST_F(EngineTlsTest, CtlTalksToTheApiOverHttpsWithACaFile) {
  const std::string api = "https://127.0.0.1:" + std::to_string(daemon_->http_port());
  auto ok = run_tickstock("ctl --api " + api + " --ca-file " + pki_.cert + " status", dir_);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  // Without the CA the certificate is not trusted: a clear error, not a hang.
  auto untrusted = run_tickstock("ctl --api " + api + " status", dir_);
  EXPECT_NE(untrusted.exit_code, 0);
  EXPECT_NE((untrusted.out + untrusted.err).find("certificate verify failed"), std::string::npos)
      << untrusted.out << untrusted.err;
  auto plain = run_tickstock("ctl --api http://127.0.0.1:" + std::to_string(daemon_->http_port()) + " status", dir_);
  EXPECT_NE(plain.exit_code, 0);
}

}  // namespace
}  // namespace ts::testing
