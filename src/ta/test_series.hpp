#pragma once
// Test helper (not part of the library): seeded random OHLCV bars shared by
// the ta unit tests.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "ta/function.hpp"

namespace ts::ta::test_data {

struct Series {
  std::vector<double> open, high, low, close, volume;
  Inputs inputs() const { return {open, high, low, close, volume, {}, {}, close.size()}; }
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
