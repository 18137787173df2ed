// Multi-symbol batches: the generic per-series loop and the interleaved-lane
// kernels of the EMA family.
#include "ta/multi.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

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

namespace {

/// `count` EMA stages of one period (TA-Lib's INT_EMA on a value stream).
template <std::size_t... I>
std::array<detail::EmaCore, sizeof...(I)> ema_stages(int period, std::index_sequence<I...>) {
  return {((void)I, detail::EmaCore(period, detail::per_to_k(period)))...};
}

/// DEMA (Stages 2) and TEMA (3): dema() / tema()'s chained EMAs, 8 series in
/// lockstep (bar-major), each lane with its own stages.
template <std::size_t Stages>
int ema_chain(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
              std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = Stages * static_cast<std::size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    std::array<const double*, kLanes> x{};
    std::array<double*, kLanes> y{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      x[l] = real0(series[s0 + l]).data();
      y[l] = outputs[s0 + l].data();
    }
    auto e = ema_stages(period, std::make_index_sequence<Stages * kLanes>());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        detail::EmaCore* st = &e[l * Stages];
        double v1 = 0.0, v2 = 0.0, v3 = 0.0;
        if (!st[0].step(x[l][i], v1, true) || !st[1].step(v1, v2, true)) continue;
        if constexpr (Stages == 2) {
          y[l][i] = (2.0 * v1) - v2;
        } else {
          if (!st[2].step(v2, v3, true)) continue;
          double t = v3;
          t += (3.0 * v1) - (3.0 * v2);
          y[l][i] = t;
        }
      }
    }
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0));
  return static_cast<int>(lb);
}

}  // namespace

int dema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
         std::span<const std::span<double>> outputs) {
  return ema_chain<2>(spec, series, options, outputs);
}
int tema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
         std::span<const std::span<double>> outputs) {
  return ema_chain<3>(spec, series, options, outputs);
}

}  // namespace multi
}  // namespace ts::ta
