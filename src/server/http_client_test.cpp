// http_request's own failure modes; its happy paths are exercised by http_server_test.
#include "server/http_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/http_server.hpp"

namespace ts::server {
namespace {

using namespace std::chrono_literals;

/// A listening socket that never accepts: connects succeed (backlog), nothing answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// A loopback port with nothing listening on it.
std::uint16_t closed_port() {
  SilentListener l;
  return l.port();
}

TEST(HttpClient, RejectsBadUrls) {
  for (const char* url : {"", "127.0.0.1:8080/health", "https://", "ftp://x/", "http://",
                          "http://user:pw@127.0.0.1:80/", "http://127.0.0.1:99999/", "http://127.0.0.1:0/",
                          "http://127.0.0.1:80/a b", "http://[::1/"}) {
    SCOPED_TRACE(url);
    const auto r = http_request("GET", url, "", {}, 1s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "INVALID_URL");
  }
  const auto r = http_request("get me", "http://127.0.0.1:80/", "", {}, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "INVALID_URL");
}

TEST(HttpClient, ConnectionRefusedIsConnectFailed) {
  const auto r =
      http_request("GET", "http://127.0.0.1:" + std::to_string(closed_port()) + "/health", "", {}, 5s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "CONNECT_FAILED");
}

TEST(HttpClient, SilentServerIsTimeout) {
  SilentListener silent;
  const auto r =
      http_request("GET", "http://127.0.0.1:" + std::to_string(silent.port()) + "/health", "", {}, 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "TIMEOUT");
}

TEST(HttpClient, SendsHeadersAndBodyAndReadsTheResponse) {
  HttpServerOptions o;
  o.endpoint = Endpoint{"127.0.0.1", 0};
  o.api_token = "t";
  HttpHandlers h;
  h.on_command = [](const protocol::CommandRequest& r) {
    return protocol::make_ok_reply(r, {{"parameters", r.parameters}}, "", "");
  };
  HttpServer server(o, h);
  server.start();
  const std::string base = "http://localhost:" + std::to_string(server.port());
  const auto r = http_request("POST", base + "/api/processing/schedule#frag", R"({"enabled":false})",
                              {{"Authorization", "Bearer t"}}, 5s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"parameters":{"enabled":false}})");
  ASSERT_NE(find_header(*r, "content-type"), nullptr);
  EXPECT_EQ(*find_header(*r, "CONTENT-TYPE"), "application/json");
  EXPECT_EQ(find_header(*r, "X-Nope"), nullptr);
  // Query only, no path.
  const auto q = http_request("GET", base + "?x=1", "", {}, 5s);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->status, 404);
}

}  // namespace
}  // namespace ts::server
