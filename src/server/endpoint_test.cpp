#include "server/endpoint.hpp"

#include <gtest/gtest.h>

namespace ts::server {
namespace {

TEST(ParseEndpoint, AcceptsHostsAndPorts) {
  struct Case {
    const char* text;
    const char* host;
    std::uint16_t port;
  };
  for (const auto& c : {Case{"127.0.0.1:8080", "127.0.0.1", 8080}, Case{"0.0.0.0:0", "0.0.0.0", 0},
                        Case{"localhost:65535", "localhost", 65535}, Case{"[::1]:8080", "::1", 8080},
                        Case{"[::]:1", "::", 1}, Case{"engine-1.internal:80", "engine-1.internal", 80}}) {
    SCOPED_TRACE(c.text);
    const auto e = parse_endpoint(c.text);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->host, c.host);
    EXPECT_EQ(e->port, c.port);
    EXPECT_EQ(e->str(), c.text);
    EXPECT_EQ(parse_endpoint(e->str()).value(), *e);
  }
}

TEST(ParseEndpoint, RejectsWhatIsNotHostPort) {
  for (const char* text : {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                           "127.0.0.1:80x", "::1:8080", "[::1:8080", "[]:80", "[zz::1]:80", "host name:80",
                           "-bad:80", "a..b:80", "http://127.0.0.1:8080"}) {
    SCOPED_TRACE(text);
    const auto e = parse_endpoint(text);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, "INVALID_ENDPOINT");
    EXPECT_NE(e.error().message.find("HOST:PORT"), std::string::npos);
  }
}

TEST(Endpoint, DefaultIsLoopback8080) { EXPECT_EQ(Endpoint{}.str(), "127.0.0.1:8080"); }

}  // namespace
}  // namespace ts::server
