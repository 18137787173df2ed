#include "bus/url.hpp"

#include <gtest/gtest.h>

namespace ts::bus {
namespace {

TEST(BusUrl, Defaults) {
  auto u = RedisUrl::parse("redis://");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->db, 0);
  EXPECT_EQ(u->user, "");
  EXPECT_EQ(u->password, "");
  EXPECT_EQ(u->str(), "redis://127.0.0.1:6379/0");
}

TEST(BusUrl, HostPortDb) {
  auto u = RedisUrl::parse("redis://cache.internal:6380/3");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "cache.internal");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 3);
  EXPECT_EQ(RedisUrl::parse("redis://h")->port, 6379);
  EXPECT_EQ(RedisUrl::parse("redis://h/")->db, 0);
  EXPECT_EQ(RedisUrl::parse("redis://:7000")->host, "127.0.0.1");
}

TEST(BusUrl, UserAndPassword) {
  auto u = RedisUrl::parse("redis://engine:s3cret@10.0.0.5:6379/1");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->user, "engine");
  EXPECT_EQ(u->password, "s3cret");
  EXPECT_EQ(u->redacted(), "redis://engine:***@10.0.0.5:6379/1");
  EXPECT_EQ(u->str(), "redis://engine:s3cret@10.0.0.5:6379/1");
}

TEST(BusUrl, PasswordOnly) {
  auto u = RedisUrl::parse("redis://:pw@localhost");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->user, "");
  EXPECT_EQ(u->password, "pw");
  EXPECT_EQ(u->redacted(), "redis://:***@localhost:6379/0");
}

TEST(BusUrl, PercentEncodedPasswordRoundTrips) {
  auto u = RedisUrl::parse("redis://:p%40ss%3Aw%2Fd@h:1/2");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->password, "p@ss:w/d");
  auto again = RedisUrl::parse(u->str());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, *u);
  // An unencoded '@' in the password still works: the last '@' ends the credentials.
  EXPECT_EQ(RedisUrl::parse("redis://:a@b@h")->password, "a@b");
}

TEST(BusUrl, Ipv6) {
  auto u = RedisUrl::parse("redis://[::1]:6390/0");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 6390);
  EXPECT_EQ(u->endpoint(), "[::1]:6390");
  EXPECT_EQ(RedisUrl::parse(u->str())->host, "::1");
}

TEST(BusUrl, Errors) {
  auto msg = [](std::string_view text) {
    auto r = RedisUrl::parse(text);
    EXPECT_FALSE(r) << text;
    if (r) return std::string();
    EXPECT_EQ(r.error().code, "INVALID_REDIS_URL");
    return r.error().message;
  };
  EXPECT_NE(msg("http://h:1").find("must start with redis://"), std::string::npos);
  EXPECT_NE(msg("rediss://h").find("TLS"), std::string::npos);
  EXPECT_NE(msg("redis://h:0").find("port \"0\""), std::string::npos);
  EXPECT_NE(msg("redis://h:70000").find("1-65535"), std::string::npos);
  EXPECT_NE(msg("redis://h:abc").find("port \"abc\""), std::string::npos);
  EXPECT_NE(msg("redis://h:").find("empty port"), std::string::npos);
  EXPECT_NE(msg("redis://h/x").find("database \"x\""), std::string::npos);
  EXPECT_NE(msg("redis://h/-1").find("database"), std::string::npos);
  EXPECT_NE(msg("redis://h/1/2").find("database"), std::string::npos);
  EXPECT_NE(msg("redis://user@h").find("needs a password"), std::string::npos);
  EXPECT_NE(msg("redis://u:@h").find("empty password"), std::string::npos);
  EXPECT_NE(msg("redis://:%zz@h").find("percent-encoding"), std::string::npos);
  EXPECT_NE(msg("redis://[::1:6379").find("IPv6"), std::string::npos);
}

TEST(BusUrl, ErrorsNeverShowThePassword) {
  auto r = RedisUrl::parse("redis://admin:hunter2@h:notaport/0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("admin:***@"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace ts::bus
