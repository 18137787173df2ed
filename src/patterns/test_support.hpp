#pragma once
// Test helpers for the pattern tests: series builders and filters. Test-only.
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
#include "patterns/pattern.hpp"

namespace ts::patterns::testing {

/// Builds a series one bar at a time; dates are consecutive calendar days.
struct SeriesBuilder {
  BarSeries s;
  void bar(double o, double h, double l, double c, double v = 1000) {
    s.push_back(Bar{from_days(static_cast<std::int32_t>(16000 + s.size())), o, h, l, c, v});
  }
  /// A bar with open == close and high/low `half_range` around it.
  void flat_bar(double c, double half_range = 0.5, double v = 1000) {
    bar(c, c + half_range, c - half_range, c, v);
  }
  /// Straight path of closes from the last close (exclusive) to `to` (inclusive), `step` per bar.
  void walk_to(double to, double step = 1.0) {
    double c = s.close.back();
    while (std::fabs(to - c) > 1e-9) {
      c += to > c ? step : -step;
      flat_bar(c);
    }
  }
  SeriesView view() const { return s.view(); }
};

/// Every detection of one pattern.
inline std::vector<Detection> only(const std::vector<Detection>& all, std::string_view name) {
  std::vector<Detection> out;
  for (const auto& d : all)
    if (d.pattern == name) out.push_back(d);
  return out;
}

inline std::vector<Detection> detect(const BarSeries& s, std::size_t first = 0) {
  std::vector<Detection> out;
  detect_all(s.view(), first, out);
  return out;
}

/// Geometric random walk with cents prices and lognormal volume with spikes.
inline BarSeries random_walk(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto cents = [](double x) { return std::round(x * 100.0) / 100.0; };
  SeriesBuilder b;
  double close = 50.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = cents(close * std::exp(0.004 * z(rng)));
    const double c = cents(open * std::exp(0.016 * z(rng)));
    const double high = cents(std::max(open, c) * std::exp(0.006 * std::fabs(z(rng))));
    const double low = cents(std::min(open, c) * std::exp(-0.006 * std::fabs(z(rng))));
    double volume = std::round(1e6 * std::exp(0.3 * z(rng)));
    if (u(rng) < 0.04) volume *= 3;  // occasional spikes
    b.bar(open, high, low, c, volume);
    close = c;
  }
  return b.s;
}

}  // namespace ts::patterns::testing
