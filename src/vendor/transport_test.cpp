#include "vendor/transport.hpp"

#include <gtest/gtest.h>

#include "core/trading_date.hpp"

namespace ts::vendor {
namespace {

using namespace std::chrono;

struct FakeClock {
  steady_clock::time_point now{};
  SteadyClock fn() {
    return [this] { return now; };
  }
};

TEST(TokenBucket, UnlimitedNeverWaits) {
  FakeClock c;
  TokenBucket b(0, 1, c.fn());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.reserve(), 0ms);
}

TEST(TokenBucket, SpacesRequestsAtTheRate) {
  FakeClock c;
  TokenBucket b(60, 1, c.fn());  // one a second
  EXPECT_EQ(b.reserve(), 0ms);
  EXPECT_EQ(b.reserve(), 1000ms);  // concurrent callers queue up
  EXPECT_EQ(b.reserve(), 2000ms);
  c.now += 2000ms;
  EXPECT_EQ(b.reserve(), 1000ms);
  c.now += 10s;  // refills up to the burst only
  EXPECT_EQ(b.reserve(), 0ms);
  EXPECT_EQ(b.reserve(), 1000ms);
}

TEST(TokenBucket, FreeTierFivePerMinuteWithBurst) {
  FakeClock c;
  TokenBucket b(5, 5, c.fn());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.reserve(), 0ms);
  EXPECT_EQ(b.reserve(), 12000ms);
  c.now += 12s;
  EXPECT_EQ(b.reserve(), 12000ms);
}

TEST(Backoff, ExponentialWithJitterAndCap) {
  RetryPolicy p;  // 500 ms base, 25 % jitter, 30 s cap
  EXPECT_EQ(backoff_delay(p, 1, std::nullopt, 0.5), 500ms);
  EXPECT_EQ(backoff_delay(p, 2, std::nullopt, 0.5), 1000ms);
  EXPECT_EQ(backoff_delay(p, 3, std::nullopt, 0.5), 2000ms);
  EXPECT_EQ(backoff_delay(p, 1, std::nullopt, 0.0), 375ms);
  EXPECT_EQ(backoff_delay(p, 1, std::nullopt, 0.999999), 624ms);
  EXPECT_EQ(backoff_delay(p, 20, std::nullopt, 0.5), 30000ms);
}

TEST(Backoff, RetryAfterWinsButIsCapped) {
  RetryPolicy p;
  EXPECT_EQ(backoff_delay(p, 1, 7000ms, 0.9), 7000ms);
  EXPECT_EQ(backoff_delay(p, 3, 0ms, 0.9), 0ms);
  EXPECT_EQ(backoff_delay(p, 1, 120000ms, 0.9), 30000ms);
}

TEST(RetryAfter, SecondsAndHttpDate) {
  const system_clock::time_point now = ts::parse_date("2015-10-21").value() + 7h + 28min;
  EXPECT_EQ(parse_retry_after("3", now), 3000ms);
  EXPECT_EQ(parse_retry_after(" 10 ", now), 10000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0ms);  // in the past
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

}  // namespace
}  // namespace ts::vendor
