// Multi-symbol batches: the generic per-series loop and the interleaved-lane
// kernels of the EMA family.
#include "ta/multi.hpp"

#include <emmintrin.h>

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

// ---- SMA, RSI, ATR: 8 series per block as 4 SSE2 pairs --------------------------
// Each pair register holds the same bar of two series; every operation is
// lane-wise IEEE arithmetic in the single-series kernel's order (sma(), rsi(),
// atr() in overlap.cpp / momentum.cpp / volatility.cpp), selects yield the value
// or +0.0 exactly as those kernels' branchless selects do, so each lane is
// bit-identical to the kernel on its series alone. Divisions run as divpd: two
// series per division, which is what bounds RSI and ATR once the per-series
// dependency chains overlap.
typedef double V2 __attribute__((vector_size(16)));
typedef long long M2 __attribute__((vector_size(16)));
constexpr std::size_t kPairs = kLanes / 2;

inline V2 pair_at(const std::array<const double*, kLanes>& c, std::size_t k, std::size_t i) {
  return V2{c[2 * k][i], c[2 * k + 1][i]};
}
inline void store_pair(const std::array<double*, kLanes>& y, std::size_t k, std::size_t i, V2 v) {
  y[2 * k][i] = v[0];
  y[2 * k + 1][i] = v[1];
}
inline V2 splat(double v) { return V2{v, v}; }
inline V2 keep_if(M2 mask, V2 v) { return reinterpret_cast<V2>(mask & reinterpret_cast<M2>(v)); }
inline V2 select(M2 mask, V2 a, V2 b) {
  return reinterpret_cast<V2>((mask & reinterpret_cast<M2>(a)) | (~mask & reinterpret_cast<M2>(b)));
}
inline V2 vabs(V2 v) {
  const M2 no_sign = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL};
  return reinterpret_cast<V2>(reinterpret_cast<M2>(v) & no_sign);
}

/// Runs `block(x, y)` for every full block of 8 series (x: the columns picked
/// by `col`, y: output 0), the single-series kernel for the rest.
template <class Columns, class Block>
void by_blocks(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
               std::span<const std::span<double>> outputs, Columns col, Block block) {
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    std::array<double*, kLanes> y{};
    for (std::size_t l = 0; l < kLanes; ++l) y[l] = outputs[s0 + l].data();
    block(col(series.subspan(s0, kLanes)), y);
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0));
}

std::array<const double*, kLanes> real0_cols(std::span<const Inputs> block) {
  std::array<const double*, kLanes> x{};
  for (std::size_t l = 0; l < kLanes; ++l) x[l] = real0(block[l]).data();
  return x;
}

struct HlcCols {
  std::array<const double*, kLanes> h, l, c;
};
HlcCols hlc_cols(std::span<const Inputs> block) {
  HlcCols r{};
  for (std::size_t l = 0; l < kLanes; ++l) {
    r.h[l] = block[l].high.data();
    r.l[l] = block[l].low.data();
    r.c[l] = block[l].close.data();
  }
  return r;
}

/// detail::true_range() on pairs: the same comparisons, selects instead of ifs.
inline V2 true_range2(V2 h, V2 l, V2 pc) {
  V2 out = h - l;
  const V2 a = vabs(h - pc);
  out = select(a > out, a, out);
  const V2 b = vabs(l - pc);
  return select(b > out, b, out);
}

}  // namespace

int sma(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const V2 p = splat(period);
  by_blocks(spec, series, options, outputs, real0_cols, [&](const auto& x, const auto& y) {
    V2 total[kPairs] = {};
    for (std::size_t i = 0; i < lb; ++i)
      for (std::size_t k = 0; k < kPairs; ++k) total[k] += pair_at(x, k, i);
    for (std::size_t i = lb; i < n; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        total[k] += pair_at(x, k, i);
        const V2 t = total[k];
        total[k] -= pair_at(x, k, i - lb);
        store_pair(y, k, i, t / p);
      }
    }
  });
  return static_cast<int>(lb);
}

int rsi(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  if (period == 1) return multi_by_series(spec, series, options, outputs);
  const detail::WilderSmoothing w(period);
  const V2 p = splat(period), decay = splat(w.decay), weight = splat(w.weight), hundred = splat(100.0),
           eps = splat(detail::kEpsilon);
  const V2 zero = splat(0.0);
  auto value = [&](V2 gain, V2 loss) {
    const V2 s = gain + loss;
    const M2 is_zero = (-eps < s) & (s < eps);
    return keep_if(~is_zero, hundred * (gain / s));
  };
  by_blocks(spec, series, options, outputs, real0_cols, [&](const auto& x, const auto& y) {
    V2 gain[kPairs], loss[kPairs], prev[kPairs];
    for (std::size_t k = 0; k < kPairs; ++k) {
      gain[k] = zero;
      loss[k] = zero;
      prev[k] = pair_at(x, k, 0);
    }
    for (std::size_t i = 1; i <= lb; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        const V2 v = pair_at(x, k, i);
        const V2 d = v - prev[k];
        prev[k] = v;
        const M2 neg = d < zero;
        loss[k] -= keep_if(neg, d);
        gain[k] += keep_if(~neg, d);
      }
    }
    for (std::size_t k = 0; k < kPairs; ++k) {
      loss[k] /= p;
      gain[k] /= p;
      store_pair(y, k, lb, value(gain[k], loss[k]));
    }
    for (std::size_t i = lb + 1; i < n; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        const V2 v = pair_at(x, k, i);
        const V2 d = v - prev[k];
        prev[k] = v;
        const M2 neg = d < zero;
        loss[k] = (loss[k] * decay) + (keep_if(neg, -d) * weight);  // rsi()'s WilderSmoothing
        gain[k] = (gain[k] * decay) + (keep_if(~neg, d) * weight);
        store_pair(y, k, i, value(gain[k], loss[k]));
      }
    }
  });
  return static_cast<int>(lb);
}

int atr(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  if (period <= 1) return multi_by_series(spec, series, options, outputs);  // TRANGE
  const detail::WilderSmoothing w(period);
  const V2 p = splat(period), decay = splat(w.decay), weight = splat(w.weight);
  by_blocks(spec, series, options, outputs, hlc_cols, [&](const HlcCols& x, const auto& y) {
    V2 prev[kPairs] = {};
    for (std::size_t i = 1; i <= lb; ++i)
      for (std::size_t k = 0; k < kPairs; ++k)
        prev[k] += true_range2(pair_at(x.h, k, i), pair_at(x.l, k, i), pair_at(x.c, k, i - 1));
    for (std::size_t k = 0; k < kPairs; ++k) {
      prev[k] /= p;
      store_pair(y, k, lb, prev[k]);
    }
    for (std::size_t i = lb + 1; i < n; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        const V2 tr = true_range2(pair_at(x.h, k, i), pair_at(x.l, k, i), pair_at(x.c, k, i - 1));
        prev[k] = (prev[k] * decay) + (tr * weight);  // atr()'s WilderSmoothing
        store_pair(y, k, i, prev[k]);
      }
    }
  });
  return static_cast<int>(lb);
}

int bbands(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
           std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const int matype = static_cast<int>(options[3]);
  if (matype != 0) return multi_by_series(spec, series, options, outputs);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const V2 p = splat(period), up_k = splat(options[1]), dn_k = splat(options[2]),
           eps = splat(detail::kEpsilon);
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    const auto x = real0_cols(series.subspan(s0, kLanes));
    std::array<double*, kLanes> up{}, mid{}, lo{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      up[l] = outputs[(s0 + l) * 3].data();
      mid[l] = outputs[(s0 + l) * 3 + 1].data();
      lo[l] = outputs[(s0 + l) * 3 + 2].data();
    }
    V2 total1[kPairs] = {}, total2[kPairs] = {};
    for (std::size_t i = 0; i < lb; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        const V2 v = pair_at(x, k, i);
        total1[k] += v;
        total2[k] += v * v;
      }
    }
    for (std::size_t i = lb; i < n; ++i) {
      for (std::size_t k = 0; k < kPairs; ++k) {
        const V2 v = pair_at(x, k, i);
        total1[k] += v;
        total2[k] += v * v;
        const V2 mean1 = total1[k] / p;
        V2 mean2 = total2[k] / p;
        const V2 old = pair_at(x, k, i - lb);
        total1[k] -= old;
        total2[k] -= old * old;
        mean2 -= mean1 * mean1;
        const V2 sd =
            keep_if(~(mean2 < eps), reinterpret_cast<V2>(_mm_sqrt_pd(reinterpret_cast<__m128d>(mean2))));
        store_pair(mid, k, i, mean1);
        store_pair(up, k, i, mean1 + sd * up_k);
        store_pair(lo, k, i, mean1 - sd * dn_k);
      }
    }
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0 * 3));
  return static_cast<int>(lb);
}

int adx(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t per = static_cast<std::size_t>(period);
  const std::size_t lb = 2 * per - 1;
  if (n <= lb) return static_cast<int>(n);
  if (period < 2) return multi_by_series(spec, series, options, outputs);
  // adx_impl() in directional.cpp, lane-wise in SSE2 intrinsics, with its
  // per-bar helpers (detail::dm_moves, wilder_by_reciprocal, di_lanes,
  // dx_lanes): TA-Lib's skipped bars (TR or +DI + -DI ~0) as masks that keep
  // the ADX (r and dx * r masked to +0.0) or add +0.0 to the non-negative DX sum.
  // Intrinsics rather than vector-extension compares: GCC 12 lowers the AND of
  // two vector comparisons, and selects on it, through general registers,
  // which put movq/cmov on the recurrences' chains (2x slower). One pair at a
  // time over all bars: its state stays in registers, and the work of
  // consecutive bars that does not feed the Wilder recurrences overlaps.
  const __m128d p = _mm_set1_pd(period), recip = _mm_set1_pd(1.0 / period);
  const __m128d zero = _mm_setzero_pd();
  const auto wilder = [&](__m128d x, __m128d add) { return detail::wilder_by_reciprocal(x, recip, add); };
  struct Pair {
    const double *h0, *h1, *l0, *l1, *c0, *c1;
    double *y0, *y1;
    __m128d ph, pl, pc, pdm, mdm, tr, adx;
  };
  const auto move = [&](Pair& q, std::size_t i) {
    const __m128d h = _mm_set_pd(q.h1[i], q.h0[i]), l = _mm_set_pd(q.l1[i], q.l0[i]);
    const detail::DmMoves m = detail::dm_moves(q.ph, h, q.pl, l, q.pc);
    q.ph = h;
    q.pl = l;
    q.pc = _mm_set_pd(q.c1[i], q.c0[i]);
    return m;
  };
  // Wilder update, then DX; ok: TA-Lib uses this bar's DX.
  const auto smooth_dx = [&](Pair& q, std::size_t i) {
    const detail::DmMoves m = move(q, i);
    q.pdm = wilder(q.pdm, m.plus);
    q.mdm = wilder(q.mdm, m.minus);
    q.tr = wilder(q.tr, m.range);
    return detail::dx_lanes(detail::di_lanes(q.pdm, q.tr), detail::di_lanes(q.mdm, q.tr), q.tr);
  };
  // Bars 0 .. lb of one pair: the sums, the first smoothed DX values, the first ADX.
  const auto warm_up = [&](Pair& q) {
    q.ph = _mm_set_pd(q.h1[0], q.h0[0]);
    q.pl = _mm_set_pd(q.l1[0], q.l0[0]);
    q.pc = _mm_set_pd(q.c1[0], q.c0[0]);
    q.pdm = q.mdm = q.tr = zero;
    for (std::size_t i = 1; i < per; ++i) {
      const detail::DmMoves m = move(q, i);
      q.mdm = _mm_add_pd(q.mdm, m.minus);
      q.pdm = _mm_add_pd(q.pdm, m.plus);
      q.tr = _mm_add_pd(q.tr, m.range);
    }
    __m128d sum_dx = zero;
    for (std::size_t i = per; i <= lb; ++i) {
      const detail::DxLanes d = smooth_dx(q, i);
      sum_dx = _mm_add_pd(sum_dx, _mm_and_pd(d.ok, d.dx));
    }
    q.adx = _mm_div_pd(sum_dx, p);
    _mm_storel_pd(q.y0 + lb, q.adx);
    _mm_storeh_pd(q.y1 + lb, q.adx);
  };
  const auto step = [&](Pair& q, std::size_t i) {
    const detail::DxLanes d = smooth_dx(q, i);
    // A skipped bar: r and dx * r masked to +0.0 leave the ADX as it is (adx_impl()).
    q.adx = detail::wilder_by_reciprocal(q.adx, _mm_and_pd(d.ok, recip),
                                         _mm_and_pd(d.ok, _mm_mul_pd(d.dx, recip)));
    _mm_storel_pd(q.y0 + i, q.adx);
    _mm_storeh_pd(q.y1 + i, q.adx);
  };
  // Two pairs (four series) side by side over all bars: their chains
  // (multiply, subtract, add) overlap; the rest is divider throughput.
  by_blocks(spec, series, options, outputs, hlc_cols, [&](const HlcCols& x, const auto& y) {
    for (std::size_t k = 0; k < kPairs; k += 2) {
      Pair q[2];
      for (std::size_t j = 0; j < 2; ++j) {
        const std::size_t a = 2 * (k + j), b = a + 1;
        q[j] = Pair{x.h[a], x.h[b], x.l[a], x.l[b], x.c[a], x.c[b], y[a], y[b],
                    zero,   zero,   zero,   zero,   zero,   zero,   zero};
        warm_up(q[j]);
      }
      Pair q0 = q[0], q1 = q[1];
      for (std::size_t i = lb + 1; i < n; ++i) {
        step(q0, i);
        step(q1, i);
      }
    }
  });
  return static_cast<int>(lb);
}

int stoch(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
          std::span<const std::span<double>> outputs) {
  const auto fk_period = static_cast<std::size_t>(options[0]);
  const auto sk_period = static_cast<std::size_t>(options[1]);
  const auto sd_period = static_cast<std::size_t>(options[3]);
  constexpr std::size_t kMaxSmooth = 64;  // the SMA rings live on the stack
  if (static_cast<int>(options[2]) != 0 || static_cast<int>(options[4]) != 0 || sk_period < 2 ||
      sd_period < 2 || sk_period > kMaxSmooth || sd_period > kMaxSmooth)
    return multi_by_series(spec, series, options, outputs);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t first = fk_period - 1;  // first fast %K
  const std::size_t lb = first + (sk_period - 1) + (sd_period - 1);
  if (n <= lb) return static_cast<int>(n);
  // stoch() in momentum.cpp on 4 SSE2 pairs of series: fast %K from the van
  // Herk window extremes (detail::RollingExtremesOf<TwoSeries>: maxpd/minpd,
  // then detail::fast_k lane-wise, in blocks on the stack), slow %K and slow %D
  // as detail::StreamMa's SMA (add, divide, subtract the oldest); divisions as
  // divpd. NaN in a block's high/low: that block of 8 series is redone by
  // stoch() itself (TA-Lib's exact scan).
  const V2 pk = splat(static_cast<double>(sk_period)), pd = splat(static_cast<double>(sd_period));
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    const auto block = series.subspan(s0, kLanes);
    std::array<double*, kLanes> yk{}, yd{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      yk[l] = outputs[(s0 + l) * 2].data();
      yd[l] = outputs[(s0 + l) * 2 + 1].data();
    }
    bool nan = false;
    {
      std::array<detail::RollingExtremesOf<detail::TwoSeries>, kPairs> ext = [&]<std::size_t... K>(
          std::index_sequence<K...>) {
        return std::array<detail::RollingExtremesOf<detail::TwoSeries>, kPairs>{
            detail::RollingExtremesOf<detail::TwoSeries>(
                detail::TwoSeries{block[2 * K].high.data(), block[2 * K + 1].high.data(),
                                  block[2 * K].low.data(), block[2 * K + 1].low.data()},
                fk_period)...};
      }
      (std::make_index_sequence<kPairs>());
      V2 fk[kPairs][detail::kBlock];
      V2 ring_k[kPairs][kMaxSmooth], ring_d[kPairs][kMaxSmooth];
      V2 sum_k[kPairs] = {}, sum_d[kPairs] = {};
      std::size_t pos_k = 0, pos_d = 0, count_k = 0, count_d = 0;
      const __m128d hundred = _mm_set1_pd(100.0), zero = _mm_setzero_pd();
      for (std::size_t b = first; b < n && !nan; b += detail::kBlock) {
        const std::size_t cnt = std::min(detail::kBlock, n - b);
        for (std::size_t k = 0; k < kPairs; ++k) {
          __m128d hi[detail::kBlock], lo[detail::kBlock];
          ext[k].fill(b, cnt, hi, lo);
          nan |= ext[k].saw_nan();
          const double* c0 = block[2 * k].close.data() + b;
          const double* c1 = block[2 * k + 1].close.data() + b;
          for (std::size_t j = 0; j < cnt; ++j) {  // detail::fast_k, lane-wise
            const __m128d diff = _mm_div_pd(_mm_sub_pd(hi[j], lo[j]), hundred);
            const __m128d v = _mm_div_pd(_mm_sub_pd(_mm_set_pd(c1[j], c0[j]), lo[j]), diff);
            fk[k][j] = reinterpret_cast<V2>(_mm_and_pd(_mm_cmpneq_pd(diff, zero), v));
          }
        }
        if (nan) break;
        for (std::size_t j = 0; j < cnt; ++j) {
          // Slow %K: the SMA of fast %K (StreamMa::push, sma case).
          const bool k_ready = count_k == sk_period - 1;
          const std::size_t pk_next = pos_k + 1 == sk_period ? 0 : pos_k + 1;
          V2 slow_k[kPairs];
          for (std::size_t k = 0; k < kPairs; ++k) {
            const V2 v = fk[k][j];
            ring_k[k][pos_k] = v;
            sum_k[k] += v;
            if (k_ready) {
              slow_k[k] = sum_k[k] / pk;
              sum_k[k] -= ring_k[k][pk_next];
            }
          }
          pos_k = pk_next;
          if (!k_ready) {
            ++count_k;
            continue;
          }
          // Slow %D: the SMA of slow %K.
          const bool d_ready = count_d == sd_period - 1;
          const std::size_t pd_next = pos_d + 1 == sd_period ? 0 : pos_d + 1;
          for (std::size_t k = 0; k < kPairs; ++k) {
            ring_d[k][pos_d] = slow_k[k];
            sum_d[k] += slow_k[k];
            if (d_ready) {
              const V2 slow_d = sum_d[k] / pd;
              sum_d[k] -= ring_d[k][pd_next];
              store_pair(yk, k, b + j, slow_k[k]);
              store_pair(yd, k, b + j, slow_d);
            }
          }
          pos_d = pd_next;
          if (!d_ready) ++count_d;
        }
      }
    }
    if (nan) multi_by_series(spec, block, options, outputs.subspan(s0 * 2, kLanes * 2));
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0 * 2));
  return static_cast<int>(lb);
}

// The EMA function's own recurrence (detail::EmaTwoStep, as ema()): per block
// of 8 series the seed and the first step come from ema() on the first
// lb + 2 bars, then every lane advances e[i] = A*e[i-2] + (k*x[i] + B*x[i-1]).
int ema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs) {
  const int period = static_cast<int>(options[0]);
  const std::size_t n = series.empty() ? 0 : series[0].size;
  const std::size_t lb = static_cast<std::size_t>(period - 1);
  if (n <= lb + 2) return multi_by_series(spec, series, options, outputs);
  const detail::EmaTwoStep w(period);
  std::size_t s0 = 0;
  for (; s0 + kLanes <= series.size(); s0 += kLanes) {
    std::array<const double*, kLanes> x{};
    std::array<double*, kLanes> y{};
    std::array<double, kLanes> e1{}, e2{};
    for (std::size_t l = 0; l < kLanes; ++l) {
      x[l] = real0(series[s0 + l]).data();
      y[l] = outputs[s0 + l].data();
      ta::ema(std::span<const double>(x[l], lb + 2), period, std::span<double>(y[l], lb + 2));
      e2[l] = y[l][lb];
      e1[l] = y[l][lb + 1];
    }
    for (std::size_t i = lb + 2; i < n; ++i) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        const double e = w.next(e2[l], x[l][i], x[l][i - 1]);
        e2[l] = e1[l];
        e1[l] = e;
        y[l][i] = e;
      }
    }
  }
  multi_by_series(spec, series.subspan(s0), options, outputs.subspan(s0));
  return static_cast<int>(lb);
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
