// Multi-symbol batches: the generic per-series loop and the interleaved-lane
// kernels of the EMA family.
#include "ta/multi.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

namespace ts::ta {

int multi_by_series(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
                    std::span<const std::span<double>> outputs) {
  const std::size_t m = spec.outputs.size();
  int begin = 0;
  for (std::size_t s = 0; s < series.size(); ++s) begin = spec.batch(series[s], options, outputs.subspan(s * m, m));
  return begin;
}

namespace multi {
namespace {

constexpr std::size_t kLanes = 8;

std::span<const double> real0(const Inputs& in) { return in.real0.empty() ? in.close : in.real0; }

}  // namespace

int ema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double k = detail::per_to_k(period);
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    std::array<const double*, kLanes> x{};
    std::array<double*, kLanes> y{};
    std::array<double, kLanes> e{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      x[l] = real0(series[s0 + l]).data();
      y[l] = outputs[s0 + l].data();
      double sum = 0.0;
      for (std::size_t i = 0; i <= lb; ++i) sum += x[l][i];
      e[l] = sum / period;
      y[l][lb] = e[l];
    }
    for (std::size_t i = lb + 1; i < n; ++i) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        e[l] = ((x[l][i] - e[l]) * k) + e[l];
        y[l][i] = e[l];
      }
    }
  }
  // Fewer than 8 series left: the single-series kernel (multi_by_series).
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0));
  return static_cast<int>(lb);
}

}  // namespace multi
}  // namespace ts::ta
