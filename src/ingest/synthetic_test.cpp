#include "ingest/synthetic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>
#include <vector>

#include "core/calendar.hpp"
#include "ingest/validate.hpp"

namespace ts::ingest {
namespace {

TradingDate d(std::string_view s) { return parse_date(s).value(); }

FetchRequest request(std::string_view symbol, std::string_view from, std::string_view to,
                     std::optional<std::string_view> after = std::nullopt) {
  FetchRequest r{Symbol::parse(symbol).value(), d(from), d(to), std::nullopt};
  if (after) r.after = d(*after);
  return r;
}

BarSeries fetch(const BarProvider& p, const FetchRequest& req) {
  auto r = p.fetch(req);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(r).value() : BarSeries{};
}

std::unique_ptr<BarProvider> provider(std::string_view spec = "synthetic") {
  auto p = make_provider(spec);
  EXPECT_TRUE(p) << p.error().message;
  return std::move(p).value();
}

TEST(Synthetic, SpecAndDescribe) {
  EXPECT_EQ(provider()->describe(), "synthetic:seed=42");
  EXPECT_EQ(provider("synthetic:seed=7")->describe(), "synthetic:seed=7");
  EXPECT_EQ(provider("synthetic:seed=18446744073709551615")->describe(),
            "synthetic:seed=18446744073709551615");
  for (const char* bad : {"synthetic:", "synthetic:seed=", "synthetic:seed=abc", "synthetic:seed=-1",
                          "synthetic:seed=18446744073709551616", "synthetic:seed=1x", "synthetic:vol=2",
                          "synth", "", "yahoo:AAPL", "Synthetic"}) {
    SCOPED_TRACE(bad);
    auto p = make_provider(bad);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, "INVALID_PROVIDER");
    EXPECT_FALSE(p.error().message.empty());
  }
}

TEST(Synthetic, SameSeedAndSymbolGiveIdenticalBars) {
  const auto a = fetch(*provider("synthetic:seed=9"), request("AAPL", "2015-01-01", "2024-12-31"));
  const auto b = fetch(*provider("synthetic:seed=9"), request("AAPL", "2015-01-01", "2024-12-31"));
  ASSERT_GT(a.size(), 2000u);
  EXPECT_EQ(a.date, b.date);
  EXPECT_EQ(a.open, b.open);
  EXPECT_EQ(a.high, b.high);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.close, b.close);
  EXPECT_EQ(a.volume, b.volume);
}

TEST(Synthetic, WindowsAgreeOnOverlappingDates) {
  const auto p = provider();
  const auto wide = fetch(*p, request("MSFT", "2005-01-01", "2025-06-30"));
  const auto narrow = fetch(*p, request("MSFT", "2023-06-01", "2025-06-30"));
  const auto incremental = fetch(*p, request("MSFT", "2023-06-01", "2025-06-30", "2025-03-14"));
  ASSERT_FALSE(narrow.empty());
  ASSERT_FALSE(incremental.empty());
  const auto check = [&](const BarSeries& part) {
    const auto it = std::find(wide.date.begin(), wide.date.end(), part.date.front());
    ASSERT_NE(it, wide.date.end());
    const auto offset = static_cast<std::size_t>(it - wide.date.begin());
    ASSERT_EQ(wide.size() - offset, part.size());
    for (std::size_t i = 0; i < part.size(); ++i) ASSERT_EQ(wide.bar(offset + i), part.bar(i)) << i;
  };
  check(narrow);
  check(incremental);
  EXPECT_EQ(incremental.date.front(), d("2025-03-17"));  // first session after Friday the 14th
}

TEST(Synthetic, RangeIsInclusiveAndClipped) {
  const auto p = provider();
  auto bars = fetch(*p, request("IBM", "2024-01-02", "2024-01-05"));
  ASSERT_EQ(bars.size(), 4u);
  EXPECT_EQ(bars.date.front(), d("2024-01-02"));
  EXPECT_EQ(bars.date.back(), d("2024-01-05"));
  EXPECT_TRUE(fetch(*p, request("IBM", "2024-01-06", "2024-01-07")).empty());  // a weekend
  EXPECT_TRUE(fetch(*p, request("IBM", "2024-01-05", "2024-01-02")).empty());  // from > to
  EXPECT_TRUE(fetch(*p, request("IBM", "1990-01-01", "1999-12-31")).empty());  // before the epoch
  bars = fetch(*p, request("IBM", "1990-01-01", "2000-01-07"));
  ASSERT_EQ(bars.size(), 5u);
  EXPECT_EQ(bars.date.front(), kSyntheticEpoch);
}

TEST(Synthetic, DifferentSymbolsAndSeedsDiffer) {
  const auto a = fetch(*provider(), request("AAPL", "2024-01-01", "2024-12-31"));
  const auto b = fetch(*provider(), request("AAPLX", "2024-01-01", "2024-12-31"));
  const auto c = fetch(*provider("synthetic:seed=43"), request("AAPL", "2024-01-01", "2024-12-31"));
  EXPECT_EQ(a.date, b.date);
  EXPECT_NE(a.close, b.close);
  EXPECT_NE(a.close, c.close);
  EXPECT_NE(a.volume, b.volume);
}

TEST(Synthetic, EveryBarIsValidOnATradingDayWithVolume) {
  std::size_t total = 0;
  for (const char* spec : {"synthetic", "synthetic:seed=0", "synthetic:seed=1", "synthetic:seed=987654321"}) {
    const auto p = provider(spec);
    for (int i = 0; i < 60; ++i) {
      const std::string sym = std::string(1, static_cast<char>('A' + i % 26)) + "S" + std::to_string(i);
      const auto bars = fetch(*p, request(sym, "2000-01-01", "2030-12-31"));
      ASSERT_GT(bars.size(), 7000u) << sym;
      std::optional<TradingDate> prev;
      for (std::size_t k = 0; k < bars.size(); ++k) {
        const Bar b = bars.bar(k);
        const auto problem = bar_problem(b, prev);
        ASSERT_FALSE(problem) << spec << " " << sym << " " << format_date(b.date) << ": " << *problem;
        ASSERT_TRUE(is_trading_day(b.date)) << format_date(b.date);
        ASSERT_FALSE(is_weekend(b.date));
        ASSERT_GT(b.volume, 0);
        ASSERT_EQ(b.volume, std::round(b.volume));
        prev = b.date;
      }
      total += bars.size();
    }
  }
  EXPECT_GT(total, 1'500'000u);
}

TEST(Synthetic, EveryTradingDayHasABar) {
  const auto bars = fetch(*provider(), request("SPY", "2020-01-01", "2020-12-31"));
  std::size_t sessions = 0;
  for (TradingDate t = d("2020-01-01"); t <= d("2020-12-31"); t += std::chrono::days{1})
    sessions += is_trading_day(t) ? 1 : 0;
  EXPECT_EQ(bars.size(), sessions);
}

/// Rough realism: volatility, gaps, ranges and volume behave like daily equity data.
TEST(Synthetic, LooksLikeMarketData) {
  const auto p = provider();
  for (const char* sym : {"AAPL", "KO", "TSLA", "XOM", "JPM"}) {
    SCOPED_TRACE(sym);
    const auto b = fetch(*p, request(sym, "2005-01-01", "2024-12-31"));
    const std::size_t n = b.size();
    ASSERT_GT(n, 5000u);
    std::vector<double> ret, abs_ret;
    std::size_t gaps = 0;
    double range_sum = 0;
    for (std::size_t i = 1; i < n; ++i) {
      ret.push_back(std::log(b.close[i] / b.close[i - 1]));
      abs_ret.push_back(std::abs(ret.back()));
      gaps += b.open[i] != b.close[i - 1] ? 1 : 0;
      range_sum += std::log(b.high[i] / b.low[i]);
    }
    const double mean = std::accumulate(ret.begin(), ret.end(), 0.0) / static_cast<double>(ret.size());
    double var = 0;
    for (const double r : ret) var += (r - mean) * (r - mean);
    const double annual_vol = std::sqrt(var / static_cast<double>(ret.size()) * 252.0);
    EXPECT_GT(annual_vol, 0.10);
    EXPECT_LT(annual_vol, 1.0);
    EXPECT_GT(gaps, n * 9 / 10) << "the open should usually differ from the previous close";
    const double mean_range = range_sum / static_cast<double>(n - 1);
    EXPECT_GT(mean_range, 0.005);
    EXPECT_LT(mean_range, 0.10);
    EXPECT_GT(*std::max_element(b.close.begin(), b.close.end()), 0.5);

    // Volume is higher on big-move days (top decile of |return|) than on average.
    std::vector<double> sorted = abs_ret;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() * 9 / 10, sorted.end());
    const double cutoff = sorted[sorted.size() * 9 / 10];
    double big = 0, all = 0;
    std::size_t n_big = 0;
    for (std::size_t i = 0; i < abs_ret.size(); ++i) {
      all += b.volume[i + 1];
      if (abs_ret[i] >= cutoff) {
        big += b.volume[i + 1];
        ++n_big;
      }
    }
    EXPECT_GT(big / static_cast<double>(n_big), 1.2 * all / static_cast<double>(abs_ret.size()));

    // Volatility clusters: |returns| are positively autocorrelated (regimes).
    const double abs_mean =
        std::accumulate(abs_ret.begin(), abs_ret.end(), 0.0) / static_cast<double>(abs_ret.size());
    double cov = 0, avar = 0;
    for (std::size_t i = 1; i < abs_ret.size(); ++i)
      cov += (abs_ret[i] - abs_mean) * (abs_ret[i - 1] - abs_mean);
    for (const double a : abs_ret) avar += (a - abs_mean) * (a - abs_mean);
    EXPECT_GT(cov / avar, 0.03);
  }
}

TEST(Synthetic, ConcurrentFetchesAgree) {
  const auto p = provider();
  const auto expected = fetch(*p, request("NVDA", "2010-01-01", "2024-12-31"));
  std::vector<BarSeries> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got)
    threads.emplace_back([&] { g = fetch(*p, request("NVDA", "2010-01-01", "2024-12-31")); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g.close, expected.close);
}

}  // namespace
}  // namespace ts::ingest
