// HTTPS through the vendor client against the fake server with a throw-away
// self-signed certificate (made with the openssl CLI; skipped without it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "vendor/fake_massive_server.hpp"
#include "vendor/massive_provider.hpp"

namespace ts::vendor {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono;
namespace fs = std::filesystem;

constexpr const char* kKey = "sk-TLS-55aa";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("ts_vendor_tls_" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    const std::string cert = (*dir_ / "cert.pem").string(), key = (*dir_ / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        key + " -out " + cert + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return;
    fake_ = new testing::FakeMassive(kKey, 100, {cert, key});
  }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  void SetUp() override {
    if (!fake_) GTEST_SKIP() << "openssl CLI unavailable: no test certificate";
  }

  MassiveConfig config(bool trust) {
    MassiveConfig c;
    c.base_url = fake_->base();
    c.api_key = kKey;
    c.retry.max_attempts = 1;
    c.sleeper = [](milliseconds) {};
    if (trust) c.ca_file = (*dir_ / "cert.pem").string();
    return c;
  }

  static fs::path* dir_;
  static testing::FakeMassive* fake_;
};
fs::path* TlsTest::dir_ = nullptr;
testing::FakeMassive* TlsTest::fake_ = nullptr;

ingest::FetchRequest request(std::string_view s) {
  return {Symbol::parse(s).value(), parse_date("2026-01-05").value(), parse_date("2026-01-16").value(),
          std::nullopt};
}

TEST_F(TlsTest, FetchesOverHttpsAndReusesTheConnection) {
  ASSERT_THAT(fake_->base(), HasSubstr("https://"));
  MassiveProvider p(config(true));
  for (const char* s : {"AAPL", "MSFT", "NVDA"}) {
    auto bars = p.fetch(request(s));
    ASSERT_TRUE(bars) << s << ": " << bars.error().message;
    EXPECT_EQ(bars->size(), 10u);
  }
  EXPECT_EQ(p.client().connections_opened(), 1u);
}

TEST_F(TlsTest, UntrustedCertificateIsRejected) {
  MassiveProvider p(config(false));
  auto bars = p.fetch(request("AAPL"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.error().code, ingest::ImportError::network_timeout);
  EXPECT_THAT(bars.error().message, HasSubstr("TLS handshake"));
}

TEST_F(TlsTest, HostNameMustMatchTheCertificate) {
  MassiveConfig c = config(true);
  const std::string port = c.base_url.substr(c.base_url.rfind(':'));
  c.base_url = "https://localhost" + port;  // the certificate names only 127.0.0.1
  MassiveProvider p(std::move(c));
  auto bars = p.fetch(request("AAPL"));
  ASSERT_FALSE(bars);
  EXPECT_THAT(bars.error().message, HasSubstr("TLS handshake"));
}

}  // namespace
}  // namespace ts::vendor
