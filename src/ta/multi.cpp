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
  for (std::size_t s = 0; s < series.size(); ++s)
    begin = spec.batch(series[s], options, outputs.subspan(s * m, m));
  return begin;
}

namespace multi {
namespace {

constexpr std::size_t kLanes = 8;

std::span<const double> real0(const Inputs& in) { return in.real0.empty() ? in.close : in.real0; }

/// `count` EMA stages of one period (TA-Lib's INT_EMA on a value stream).
template <std::size_t... I>
std::array<detail::EmaCore, sizeof...(I)> ema_stages(int period, std::index_sequence<I...>) {
  return {((void)I, detail::EmaCore(period, detail::per_to_k(period)))...};
}

/// The output of EMA (1 stage), DEMA (2) or TEMA (3) from the stage values,
/// with ema() / dema() / tema()'s operations.
template <std::size_t Stages>
double chain_output(const double* v) {
  if constexpr (Stages == 1) {
    return v[0];
  } else if constexpr (Stages == 2) {
    return (2.0 * v[0]) - v[1];
  } else {
    double t = v[2];
    t += (3.0 * v[0]) - (3.0 * v[1]);
    return t;
  }
}

/// EMA, DEMA, TEMA: `Stages` chained EMAs of one period. Per block of 8
/// series: each lane is warmed up to the first output bar with the batch
/// kernels' own EMA stages (detail::EmaCore: the seeds are sums in bar order),
/// then all lanes advance together bar by bar, e = ((x - e) * k) + e per stage,
/// so 8 independent dependency chains overlap. Fewer than 8 series left: the
/// single-series kernel.
template <std::size_t Stages>
int ema_chain(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
              std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = Stages * static_cast<std::size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double k = detail::per_to_k(period);
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    std::array<const double*, kLanes> x{};
    std::array<double*, kLanes> y{};
    std::array<std::array<double, kLanes>, Stages> e{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      x[l] = real0(series[s0 + l]).data();
      y[l] = outputs[s0 + l].data();
      auto st = ema_stages(period, std::make_index_sequence<Stages>());
      std::array<double, Stages> v{};
      for (std::size_t i = 0; i <= lb; ++i) {
        double in = x[l][i];
        for (std::size_t j = 0; j < Stages; ++j) {
          if (!st[j].step(in, v[j], true)) break;
          in = v[j];
        }
      }
      for (std::size_t j = 0; j < Stages; ++j) e[j][l] = v[j];
      y[l][lb] = chain_output<Stages>(v.data());
    }
    for (std::size_t i = lb + 1; i < n; ++i) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        double v[Stages];
        double in = x[l][i];
        for (std::size_t j = 0; j < Stages; ++j) {
          v[j] = ((in - e[j][l]) * k) + e[j][l];
          e[j][l] = v[j];
          in = v[j];
        }
        y[l][i] = chain_output<Stages>(v);
      }
    }
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0));
  return static_cast<int>(lb);
}

}  // namespace

int ema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  return ema_chain<1>(spec, series, options, outputs);
}
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
