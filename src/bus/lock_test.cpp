// The lock primitives the scheduler builds "exactly one engine fires" on.
#include <gtest/gtest.h>

#include "bus/async_client.hpp"
#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;
using testing::fast;
using testing::succeeds;
using testing::wait_for;

constexpr const char* kLock = "tickstock:lock:schedule:2026-03-09T16:10";

class RedisLock : public testing::RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    a = std::make_unique<AsyncClient>(loop, AsyncClientOptions{fast(url(), "engine-a")});
    b = std::make_unique<AsyncClient>(loop, AsyncClientOptions{fast(url(), "engine-b")});
    auto fa = a->start();
    auto fb = b->start();
    ASSERT_TRUE(succeeds(fa));
    ASSERT_TRUE(succeeds(fb));
  }
  void TearDown() override {
    a.reset();
    b.reset();
    RedisFixture::TearDown();
  }

  bool acquire(AsyncClient& c, const std::string& token, std::chrono::milliseconds ttl) {
    auto f = as_future<bool>([&](auto cb) { c.set_if_absent(kLock, token, ttl, cb); });
    return testing::get_within(f).value().value();
  }
  bool renew(AsyncClient& c, const std::string& token, std::chrono::milliseconds ttl) {
    auto f = as_future<bool>([&](auto cb) { c.renew_if_equal(kLock, token, ttl, cb); });
    return testing::get_within(f).value().value();
  }
  bool release(AsyncClient& c, const std::string& token) {
    auto f = as_future<bool>([&](auto cb) { c.delete_if_equal(kLock, token, cb); });
    return testing::get_within(f).value().value();
  }
  long long pttl() { return sync().command({"PTTL", kLock})->integer; }

  EventLoop loop;
  std::unique_ptr<AsyncClient> a, b;
};

TEST_F(RedisLock, OnlyOneContenderAcquires) {
  auto fa = as_future<bool>([&](auto cb) { a->set_if_absent(kLock, "token-a", 30s, cb); });
  auto fb = as_future<bool>([&](auto cb) { b->set_if_absent(kLock, "token-b", 30s, cb); });
  bool got_a = testing::get_within(fa).value().value();
  bool got_b = testing::get_within(fb).value().value();
  EXPECT_NE(got_a, got_b) << "exactly one must win";
  EXPECT_EQ(sync().get(kLock).value(), got_a ? "token-a" : "token-b");
  EXPECT_GT(pttl(), 0);  // it expires
}

TEST_F(RedisLock, RenewalExtendsOnlyForTheOwner) {
  ASSERT_TRUE(acquire(*a, "token-a", 5s));
  EXPECT_LE(pttl(), 5000);
  EXPECT_FALSE(renew(*b, "token-b", 600s));  // not the owner
  EXPECT_LE(pttl(), 5000);
  EXPECT_TRUE(renew(*a, "token-a", 600s));
  EXPECT_GT(pttl(), 5000);
}

TEST_F(RedisLock, ReleaseOnlyByTheOwner) {
  ASSERT_TRUE(acquire(*a, "token-a", 30s));
  EXPECT_FALSE(release(*b, "token-b"));
  EXPECT_EQ(sync().get(kLock).value(), "token-a");
  EXPECT_TRUE(release(*a, "token-a"));
  EXPECT_EQ(sync().get(kLock).value(), std::nullopt);
  EXPECT_FALSE(release(*a, "token-a"));     // already gone
  EXPECT_FALSE(renew(*a, "token-a", 30s));  // a released lock cannot be renewed back to life
  EXPECT_TRUE(acquire(*b, "token-b", 30s));
}

TEST_F(RedisLock, ExpiryLetsTheOtherTakeIt) {
  ASSERT_TRUE(acquire(*a, "token-a", 50ms));
  // a stops renewing (say it crashed); b polls until the lock has expired.
  ASSERT_TRUE(wait_for([&] { return acquire(*b, "token-b", 30s); }));
  EXPECT_FALSE(renew(*a, "token-a", 30s));  // a's late renewal must not steal it back
  EXPECT_EQ(sync().get(kLock).value(), "token-b");
}

}  // namespace
}  // namespace ts::bus
