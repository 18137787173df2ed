#include "ingest/validate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace ts::ingest {
namespace {

TradingDate d(std::string_view s) { return parse_date(s).value(); }

Bar good() { return {d("2024-01-05"), 10.0, 11.0, 9.0, 10.5, 1000.0}; }

std::string problem(const Bar& b, std::optional<TradingDate> prev = std::nullopt) {
  return bar_problem(b, prev).value_or("");
}

TEST(Validate, GoodBarPasses) {
  EXPECT_FALSE(bar_problem(good(), std::nullopt));
  EXPECT_FALSE(bar_problem(good(), d("2024-01-04")));
}

TEST(Validate, EdgeValuesPass) {
  Bar b{d("2024-01-05"), 10.0, 10.0, 10.0, 10.0, 0.0};  // flat bar, zero volume
  EXPECT_FALSE(bar_problem(b, std::nullopt));
}

TEST(Validate, PricesMustBePositive) {
  Bar b = good();
  b.open = 0;
  EXPECT_EQ(problem(b), "open 0 is not positive");
  b = good();
  b.low = -1.5;
  EXPECT_EQ(problem(b), "low -1.5 is not positive");
  b = good();
  b.close = 0;
  b.low = 0;
  EXPECT_EQ(problem(b), "low 0 is not positive");  // fields checked open, high, low, close
}

TEST(Validate, PricesMustBeFinite) {
  Bar b = good();
  b.high = std::numeric_limits<double>::infinity();
  EXPECT_EQ(problem(b), "high inf is not a finite number");
  b = good();
  b.close = std::nan("");
  EXPECT_EQ(problem(b), "close nan is not a finite number");
}

TEST(Validate, HighAtLeastOpenAndClose) {
  Bar b = good();
  b.high = 10.2;
  EXPECT_EQ(problem(b), "high 10.2 < close 10.5");
  b = good();
  b.open = 11.5;
  EXPECT_EQ(problem(b), "high 11 < open 11.5");
}

TEST(Validate, LowAtMostOpenAndClose) {
  Bar b = good();
  b.low = 10.2;
  EXPECT_EQ(problem(b), "low 10.2 > open 10");
  b = good();
  b.close = 9.5;
  b.low = 9.7;
  EXPECT_EQ(problem(b), "low 9.7 > close 9.5");
}

TEST(Validate, VolumeFiniteAndNonNegative) {
  Bar b = good();
  b.volume = -5;
  EXPECT_EQ(problem(b), "volume -5 is negative");
  b.volume = std::numeric_limits<double>::infinity();
  EXPECT_EQ(problem(b), "volume inf is not a finite number");
  b.volume = std::nan("");
  EXPECT_EQ(problem(b), "volume nan is not a finite number");
}

TEST(Validate, DatesStrictlyIncrease) {
  EXPECT_EQ(problem(good(), d("2024-01-05")), "date 2024-01-05 not after previous 2024-01-05 (duplicate)");
  EXPECT_EQ(problem(good(), d("2024-01-08")), "date 2024-01-05 not after previous 2024-01-08 (out of order)");
}

TEST(Validate, FormatValueIsShortestRoundTrip) {
  EXPECT_EQ(format_value(9.5), "9.5");
  EXPECT_EQ(format_value(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace ts::ingest
