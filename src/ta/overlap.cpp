// Overlap studies: SMA, EMA, MA (every implemented type), BBANDS.
// Operation order follows TA-Lib's C code so results agree to the last bit
// (the module is compiled with -ffp-contract=off), except the EMA function's
// recurrence (detail::EmaTwoStep, a deviation listed in docs/indicators.md).
#include <emmintrin.h>

#include <cmath>
#include <cstddef>

#include "ta/cycle_state.hpp"
#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/multi.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

using std::size_t;

// TA-Lib INT_SMA from index 0: the running sum adds the newest value, keeps
// the total for the division, then subtracts the oldest value.
int sma_impl(const double* x, size_t n, int period, double* out) {
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double p = period;
  double total = 0.0;
  for (size_t i = 0; i < lb; ++i) total += x[i];
  for (size_t i = lb; i < n; ++i) {
    total += x[i];
    const double t = total;
    total -= x[i - lb];
    out[i] = t / p;
  }
  return static_cast<int>(lb);
}

// TA-Lib INT_EMA from index 0: seed = SMA of the first `period` values.
int ema_impl(const double* x, size_t n, int period, double k, double* out) {
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  double sum = 0.0;
  for (size_t i = 0; i <= lb; ++i) sum += x[i];
  double prev = sum / period;
  out[lb] = prev;
  for (size_t i = lb + 1; i < n; ++i) {
    prev = ((x[i] - prev) * k) + prev;
    out[i] = prev;
  }
  return static_cast<int>(lb);
}

/// BBANDS around a WMA/DEMA/TEMA/TRIMA/KAMA/MAMA/T3 middle band: TA-Lib computes the
/// middle band with TA_MA and the deviation with TA_STDDEV (population, over
/// the last `period` values, independent of the MA type).
int bbands_other_ma(In real, int period, double nbdevup, double nbdevdn, int matype, Out upper, Out middle,
                    Out lower) {
  const size_t n = real.size();
  const int begin = ma(real, period, matype, middle);
  if (static_cast<size_t>(begin) >= n) return begin;
  // TA_STDDEV starts its running sums at the first output's window, not at
  // bar 0 (this matters for the rounding of long lookbacks such as TEMA's).
  const size_t lb = static_cast<size_t>(period - 1);
  const size_t first = static_cast<size_t>(begin);
  const double p = period;
  double total1 = 0.0;
  double total2 = 0.0;
  detail::add_sums_of_squares(real.data(), first - lb, first, total1, total2);
  for (size_t i = first; i < n; ++i) {
    const double v = real[i];
    total1 += v;
    total2 += v * v;
    const double mean1 = total1 / p;
    double mean2 = total2 / p;
    const double old = real[i - lb];
    total1 -= old;
    total2 -= old * old;
    mean2 -= mean1 * mean1;
    const double sd = detail::is_zero_or_neg(mean2) ? 0.0 : std::sqrt(mean2);
    const double m = middle[i];
    upper[i] = m + sd * nbdevup;
    lower[i] = m - sd * nbdevdn;
  }
  return begin;
}

/// bbands_ma() for an SMA (kEma false) or EMA middle band, n > period - 1.
template <bool kEma>
void bands_sums_first(const double* x, size_t n, int period, double nbdevup, double nbdevdn, double* up,
                      double* mid, double* lo) {
  const size_t lb = static_cast<size_t>(period - 1);
  double total1 = 0.0;
  double total2 = 0.0;
  detail::add_sums_of_squares(x, 0, lb, total1, total2);
  const double k = detail::per_to_k(period);
  double ema_prev = 0.0;
  if constexpr (kEma) {
    double sum = 0.0;
    for (size_t i = 0; i <= lb; ++i) sum += x[i];
    ema_prev = sum / period;
  }
  const __m128d p = _mm_set1_pd(period);
  const __m128d k_up = _mm_set1_pd(nbdevup);
  const __m128d k_dn = _mm_set1_pd(nbdevdn);
  alignas(16) double t1[detail::kRing] = {};
  alignas(16) double t2[detail::kRing] = {};
  alignas(16) double ema[kEma ? detail::kRing : 1] = {};
  detail::pipelined(
      lb, n, detail::kNoLead,
      [&](size_t i, size_t slot) {
        const double v = x[i];
        total1 += v;
        total2 += v * v;
        t1[slot] = total1;
        t2[slot] = total2;
        const double old = x[i - lb];
        total1 -= old;
        total2 -= old * old;
        if constexpr (kEma) {
          if (i != lb) ema_prev = ((v - ema_prev) * k) + ema_prev;
          ema[slot] = ema_prev;
        }
      },
      [&](size_t i, size_t slot) {
        const __m128d mean1 = _mm_div_pd(_mm_load_pd(t1 + slot), p);
        const __m128d mean2 = _mm_sub_pd(_mm_div_pd(_mm_load_pd(t2 + slot), p), _mm_mul_pd(mean1, mean1));
        const __m128d sd = detail::zero_if_not_above_eps(mean2, _mm_sqrt_pd(mean2));
        __m128d m = mean1;
        if constexpr (kEma) m = _mm_load_pd(ema + slot);
        detail::store_pair(mid, i, n, m);
        detail::store_pair(up, i, n, _mm_add_pd(m, _mm_mul_pd(sd, k_up)));
        detail::store_pair(lo, i, n, _mm_sub_pd(m, _mm_mul_pd(sd, k_dn)));
      });
}

}  // namespace

int sma_lookback(int period) { return period - 1; }
int sma(In real, int period, Out out) { return sma_impl(real.data(), real.size(), period, out.data()); }

int ema_lookback(int period) { return period - 1; }
// detail::EmaTwoStep: the pair (e[i-2], e[i-1]) in one register becomes
// (e[i], e[i+1]) with one mulpd and one addpd on the chain.
int ema(In real, int period, Out out) {
  const size_t n = real.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double* x = real.data();
  double* o = out.data();
  double sum = 0.0;
  for (size_t i = 0; i <= lb; ++i) sum += x[i];
  const double e0 = sum / period;
  o[lb] = e0;
  if (lb + 1 >= n) return static_cast<int>(lb);
  const detail::EmaTwoStep w(period);
  const double e1 = w.first(e0, x[lb + 1]);
  o[lb + 1] = e1;
  const __m128d aa = _mm_set1_pd(w.aa), k = _mm_set1_pd(w.k), ka = _mm_set1_pd(w.ka);
  __m128d e = _mm_set_pd(e1, e0);  // (e[i-2], e[i-1])
  size_t i = lb + 2;
  for (; i + 1 < n; i += 2) {
    const __m128d xi = _mm_loadu_pd(x + i);      // (x[i], x[i+1])
    const __m128d xp = _mm_loadu_pd(x + i - 1);  // (x[i-1], x[i])
    e = _mm_add_pd(_mm_mul_pd(aa, e), _mm_add_pd(_mm_mul_pd(k, xi), _mm_mul_pd(ka, xp)));
    _mm_storeu_pd(o + i, e);
  }
  if (i < n) o[i] = w.next(_mm_cvtsd_f64(e), x[i], x[i - 1]);
  return static_cast<int>(lb);
}

int ma_lookback(int period, int matype) {
  if (period <= 1) return 0;
  switch (matype) {
    case 3:
      return dema_lookback(period);
    case 4:
      return tema_lookback(period);
    case 6:
      return kama_lookback(period);
    case 7:
      return mama_lookback();
    case 8:
      return t3_lookback(period);
    default:  // SMA, EMA, WMA, TRIMA
      return period - 1;
  }
}
int ma(In real, int period, int matype, Out out) {
  const size_t n = real.size();
  if (period <= 1) {
    for (size_t i = 0; i < n; ++i) out[i] = real[i];
    return 0;
  }
  switch (matype) {
    case 1:  // TA-Lib's INT_EMA (detail::EmaTwoStep says why not ema())
      return ema_impl(real.data(), n, period, detail::per_to_k(period), out.data());
    case 2:
      return wma(real, period, out);
    case 3:
      return dema(real, period, out);
    case 4:
      return tema(real, period, out);
    case 5:
      return trima(real, period, out);
    case 6:
      return kama(real, period, out);
    case 7:
      return mama(real, 0.5, 0.05, out, {});
    case 8:
      return t3(real, period, 0.7, out);
    default:
      return sma(real, period, out);
  }
}

int bbands_lookback(int period) { return period - 1; }

int bbands(In real, int period, double nbdevup, double nbdevdn, Out upper, Out middle, Out lower) {
  return bbands_ma(real, period, nbdevup, nbdevdn, 0, upper, middle, lower);
}

// The middle band (SMA or EMA) and TA-Lib's population stddev from running
// sums of x and x^2 (E[x^2] - E[x]^2, zero when below TA_EPSILON), as VAR and
// STDDEV (stats.cpp) run them: detail::pipelined, the sums (and the EMA) bar
// by bar in TA-Lib's order, each bar's means, variance test, square root and
// bands kLag bars later, two bars per divpd/sqrtpd (the divider's 3.8 ns per
// two bars bounds it). TA-Lib's per-branch band formulas (nbdev == 1.0 special
// cases) reduce to mid +/- sd * nbdev exactly, because sd * 1.0 == sd in IEEE
// arithmetic. (Dividing the sums of x^2 by a correctly rounded multiply-and-
// correct on the adders measured slower: 2.1-2.2 ns per bar against 1.9.)
int bbands_ma(In real, int period, double nbdevup, double nbdevdn, int matype, Out upper, Out middle,
              Out lower) {
  const size_t n = real.size();
  if (matype >= 2) return bbands_other_ma(real, period, nbdevup, nbdevdn, matype, upper, middle, lower);
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  if (matype == 1)
    bands_sums_first<true>(real.data(), n, period, nbdevup, nbdevdn, upper.data(), middle.data(),
                           lower.data());
  else
    bands_sums_first<false>(real.data(), n, period, nbdevup, nbdevdn, upper.data(), middle.data(),
                            lower.data());
  return static_cast<int>(lb);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// EMA / MA over real0.
struct MaStreamCore {
  MaCore m;
  template <class Ar>
  void persist(Ar& ar) {
    ar(m);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return m.step(b.real0, out[0], commit); }
};

/// bbands_ma() with matype 0/1: x and x^2 running sums (added, used, then the
/// oldest subtracted), mean of squares minus squared mean, EMA or SMA middle.
struct BbandsCore {
  int lb;
  double p;
  double up_k, dn_k;
  bool use_ema;
  EmaCore ema;
  Lag lag;
  int count = 0;
  double total1 = 0.0, total2 = 0.0;
  BbandsCore(int period, double up, double dn, int matype)
      : lb(period - 1),
        p(period),
        up_k(up),
        dn_k(dn),
        use_ema(matype == 1),
        ema(period, detail::per_to_k(period)),
        lag(static_cast<size_t>(period - 1)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, p, up_k, dn_k, use_ema);
    ar(ema, lag, count, total1, total2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.real0;
    double t1 = total1 + v;
    double t2 = total2 + v * v;
    double m = 0.0;
    const bool has_ema = use_ema && ema.step(v, m, commit);
    (void)has_ema;
    if (count < lb) {
      if (commit) {
        total1 = t1;
        total2 = t2;
        lag.push(v);
        ++count;
      }
      return false;
    }
    const double mean1 = t1 / p;
    double mean2 = t2 / p;
    const double old = lag.oldest();
    t1 -= old;
    t2 -= old * old;
    mean2 -= mean1 * mean1;
    const double sd = detail::is_zero_or_neg(mean2) ? 0.0 : std::sqrt(mean2);
    if (!use_ema) m = mean1;
    out[0] = m + sd * up_k;
    out[1] = m;
    out[2] = m - sd * dn_k;
    if (commit) {
      total1 = t1;
      total2 = t2;
      lag.push(v);
    }
    return true;
  }
};

/// bbands_other_ma(): the middle band from MA's stream (WMA, DEMA, TEMA, KAMA,
/// T3) and TA_STDDEV's running sums, which begin at the first output's window
/// (bar lookback - period + 1), not at bar 0.
struct BbandsOtherCore {
  std::unique_ptr<Stream> mid;
  std::uint64_t start;
  size_t lb;
  double p, up_k, dn_k;
  Lag lag;
  std::uint64_t i = 0;
  size_t seen = 0;  // bars summed, capped at lb
  double t1 = 0.0, t2 = 0.0;
  BbandsOtherCore(std::unique_ptr<Stream> middle, int period, int lookback, double up, double dn)
      : mid(std::move(middle)),
        start(static_cast<std::uint64_t>(lookback - (period - 1))),
        lb(static_cast<size_t>(period - 1)),
        p(period),
        up_k(up),
        dn_k(dn),
        lag(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(start, lb, p, up_k, dn_k);
    ar(mid, lag, i, seen, t1, t2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double m = 0.0;
    const std::span<double> ms(&m, 1);
    const bool hm = commit ? mid->update(b, ms) : mid->peek(b, ms);
    const bool summing = i >= start;
    const double v = b.real0;
    double a = t1 + v, q = t2 + v * v;
    const bool valid = hm && summing && seen >= lb;
    if (valid) {
      const double mean1 = a / p;
      double mean2 = q / p;
      const double old = lag.oldest();
      a -= old;
      q -= old * old;
      mean2 -= mean1 * mean1;
      const double sd = detail::is_zero_or_neg(mean2) ? 0.0 : std::sqrt(mean2);
      out[0] = m + sd * up_k;
      out[1] = m;
      out[2] = m - sd * dn_k;
    }
    if (commit) {
      ++i;
      if (summing) {
        t1 = a;
        t2 = q;
        lag.push(v);
        if (seen < lb) ++seen;
      }
    }
    return valid;
  }
};

/// MA with matype 7 is MAMA's first output alone, but MamaState writes both
/// (MAMA, FAMA): it gets a two-slot scratch, and the caller only MAMA.
struct MamaOnlyCore {
  detail::ht::MamaState state;
  template <class Ar>
  void persist(Ar& ar) {
    ar(state);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double both[2];
    bool valid;
    if (commit) {
      valid = state.push(b.real0, both);
    } else {
      detail::ht::MamaState copy = state;
      valid = copy.push(b.real0, both);
    }
    if (valid) out[0] = both[0];
    return valid;
  }
};

std::unique_ptr<Stream> sma(Opts o) { return make<SumCore>(WindowSum(as_int(o[0]), true)); }
std::unique_ptr<Stream> ema(Opts o) { return make<EmaTwoStepCore>(as_int(o[0])); }

std::unique_ptr<Stream> bbands(Opts o) {
  const int period = as_int(o[0]), matype = as_int(o[3]);
  if (matype <= kMaxStreamMaType) return make<BbandsCore>(period, o[1], o[2], matype);
  const double ma_options[] = {o[0], o[3]};
  auto middle = ma(ma_options);
  if (middle == nullptr) return nullptr;
  return make<BbandsOtherCore>(std::move(middle), period, ma_lookback(period, matype), o[1], o[2]);
}

}  // namespace

std::unique_ptr<Stream> ma(Opts o) {
  const int period = as_int(o[0]);
  if (period <= 1) return make<MaStreamCore>(MaCore(period, 0));  // TA_MA copies the input
  switch (as_int(o[1])) {
    case 0:
    case 1:
      return make<MaStreamCore>(MaCore(period, as_int(o[1])));
    case 2:
      return wma(o);
    case 3:
      return dema(o);
    case 4:
      return tema(o);
    case 5:
      return trima(o);
    case 6:
      return kama(o);
    case 8: {
      const double t3_options[] = {o[0], 0.7};  // ma()'s T3 volume factor
      return t3(t3_options);
    }
    case 7:
      return make<MamaOnlyCore>(detail::ht::MamaState(0.5, 0.05));  // ma()'s MAMA limits
    default:
      return nullptr;
  }
}

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OptionSpec kMaOptions[] = {period_option<30, 1>(),
                                     {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

constexpr OptionSpec kBbandsOptions[] = {
    period_option<5, 2>(),
    {"nbdevup", OptionType::real, 2, -kRealLimit, kRealLimit, "Deviation multiplier for the upper band"},
    {"nbdevdn", OptionType::real, 2, -kRealLimit, kRealLimit, "Deviation multiplier for the lower band"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

int bbands_lb(Opts o) { return ma_lookback(as_int(o[0]), as_int(o[3])); }

int bbands_run(const Inputs& in, Opts o, Outs out) {
  return bbands_ma(real0(in), as_int(o[0]), o[1], o[2], as_int(o[3]), out[0], out[1], out[2]);
}

int ma_lb(Opts o) { return ma_lookback(as_int(o[0]), as_int(o[1])); }
int ma_run(const Inputs& in, Opts o, Outs out) { return ma(real0(in), as_int(o[0]), as_int(o[1]), out[0]); }

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"SMA", kOverlap, "Simple Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<sma_lookback>, real_period<sma>, streams::sma, multi::sma},
    {"EMA", kOverlap, "Exponential Moving Average (k = 2/(n+1), seeded with the SMA of the first n values)",
     kReal, kPeriod30, kOutReal, period_lookback<ema_lookback>, real_period<ema>, streams::ema, multi::ema},
    {"MA", kOverlap, "Moving average of the chosen type (period 1 copies the input)", kReal, kMaOptions,
     kOutReal, ma_lb, ma_run, streams::ma},
    {"BBANDS", kOverlap, "Bollinger Bands (middle = MA, bands = middle +/- nbdev * population stddev)",
     kReal, kBbandsOptions, kOutBands, bbands_lb, bbands_run, streams::bbands, multi::bbands},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> overlap_functions() { return kRows; }

}  // namespace ts::ta
