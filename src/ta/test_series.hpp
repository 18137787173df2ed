#pragma once
// Test helper (not part of the library): seeded random OHLCV bars shared by
// the ta unit tests.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "ta/function.hpp"

namespace ts::ta::test_data {

/// MAVP's periods column for tests that have none: periods 1..45 (below,
/// inside and above the default [2, 30]) holding for a few bars, with
/// fractions (truncated) and a NaN every 97 bars (read as the minimum period).
inline std::span<const double> periods_column(std::size_t n) {
  static const std::vector<double> column = [] {
    std::vector<double> v(50000);
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = i % 97 == 50 ? std::numeric_limits<double>::quiet_NaN()
                          : static_cast<double>((i / 3 * 7) % 45 + 1) + 0.25 * static_cast<double>(i % 4);
    return v;
  }();
  return std::span<const double>(column).first(std::min(n, column.size()));
}

struct Series {
  std::vector<double> open, high, low, close, volume;
  Inputs inputs() const {
    Inputs in{open, high, low, close, volume, {}, {}, close.size()};
    in.periods = periods_column(close.size());
    return in;
  }
};

/// A geometric random walk with intrabar ranges; volume is 0 on every bar
/// i with i % zero_volume_every == 5 when zero_volume_every > 0.
inline Series random_series(std::size_t n, unsigned seed, std::size_t zero_volume_every = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  Series s;
  double p = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double o = p;
    p *= std::exp(0.02 * z(rng));
    s.open.push_back(o);
    s.close.push_back(p);
    s.high.push_back(std::max(o, p) * (1.0 + 0.01 * std::fabs(z(rng))));
    s.low.push_back(std::min(o, p) * (1.0 - 0.01 * std::fabs(z(rng))));
    const double v = std::floor(1e5 * std::exp(z(rng)));
    s.volume.push_back(zero_volume_every > 0 && i % zero_volume_every == 5 ? 0.0 : v);
  }
  return s;
}

}  // namespace ts::ta::test_data
