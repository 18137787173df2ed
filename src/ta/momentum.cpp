// Momentum: RSI, MACD, STOCH, STOCHF, STOCHRSI, WILLR, CCI, MFI.
// Operation order follows TA-Lib's C code, except RSI's Wilder smoothing
// (detail::WilderSmoothing; see kernels.hpp).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/multi.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {

using std::size_t;

int rsi_lookback(int period) { return period; }

// Wilder's RSI: average gain/loss seeded by the plain mean of the first
// `period` changes (TA-Lib's operations), then detail::WilderSmoothing (a
// multiply-add; TA-Lib divides on the chain). Gains and losses are selected
// without branches: the changes' signs are unpredictable.
int rsi(In real, int period, Out out) {
  const size_t n = real.size();
  const size_t lb = static_cast<size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  const double* x = real.data();
  double* o = out.data();
  if (period == 1) {  // TA-Lib copies the input for period 1
    for (size_t i = 1; i < n; ++i) o[i] = x[i];
    return 1;
  }
  double gain = 0.0;
  double loss = 0.0;
  for (size_t i = 1; i <= lb; ++i) {
    const double d = x[i] - x[i - 1];
    const bool neg = d < 0;
    loss -= neg ? d : 0.0;
    gain += neg ? 0.0 : d;
  }
  const double p = period;
  loss /= p;
  gain /= p;
  {
    const double s = gain + loss;
    o[lb] = detail::is_zero(s) ? 0.0 : 100.0 * (gain / s);
  }
  const detail::WilderSmoothing w(period);
  for (size_t i = lb + 1; i < n; ++i) {
    const double d = x[i] - x[i - 1];
    const bool neg = d < 0;
    loss = w.next(loss, detail::keep_if(neg, -d));  // keep_if: GCC branches on a ternary here
    gain = w.next(gain, detail::keep_if(!neg, d));
    const double s = gain + loss;
    o[i] = detail::is_zero(s) ? 0.0 : 100.0 * (gain / s);
  }
  return static_cast<int>(lb);
}

// The EMA lookback as TA-Lib's MACD sees it. TA_EMA_Lookback(1) is -1 (out of
// range), which makes TA-Lib's MACD with signalperiod=1 misaligned; we define
// signal period 1 as "signal == macd line" (lookback 0) instead.
static int macd_signal_lookback(int signal) { return signal <= 1 ? 0 : signal - 1; }

int macd_lookback(int fast, int slow, int signal) {
  if (slow < fast) std::swap(fast, slow);
  return (slow - 1) + macd_signal_lookback(signal);
}

// One streaming pass. TA-Lib computes both EMAs from the slow EMA's first bar
// (slow - 1): the slow EMA seeded with the SMA of bars [0, slow), the fast EMA
// with the SMA of the `fast` bars ending there. The signal is the EMA of the
// MACD line seeded with the SMA of its first `signal` values.
namespace {
int macd_impl(In real, int fast, int slow, int signal, double kf, double ks, Out macd_out, Out signal_out,
              Out hist_out) {
  const size_t n = real.size();
  const size_t first = static_cast<size_t>(slow - 1);  // first bar with both EMAs
  const size_t lb = first + static_cast<size_t>(macd_signal_lookback(signal));
  if (n <= lb) return static_cast<int>(n);
  const double* x = real.data();
  double* om = macd_out.data();
  double* os = signal_out.data();
  double* oh = hist_out.data();
  const double kg = detail::per_to_k(signal);

  double slow_sum = 0.0;
  for (size_t i = 0; i <= first; ++i) slow_sum += x[i];
  double fast_sum = 0.0;
  for (size_t i = first + 1 - static_cast<size_t>(fast); i <= first; ++i) fast_sum += x[i];
  double es = slow_sum / slow;
  double ef = fast_sum / fast;
  double m = ef - es;

  double sig;
  size_t i = first;
  if (signal <= 1) {
    sig = m;
  } else {
    double sig_sum = 0.0;
    sig_sum += m;
    for (i = first + 1; i <= lb; ++i) {
      const double v = x[i];
      es = ((v - es) * ks) + es;
      ef = ((v - ef) * kf) + ef;
      m = ef - es;
      sig_sum += m;
    }
    i = lb;
    sig = sig_sum / signal;
  }
  om[lb] = m;
  os[lb] = sig;
  oh[lb] = m - sig;
  for (i = lb + 1; i < n; ++i) {
    const double v = x[i];
    es = ((v - es) * ks) + es;
    ef = ((v - ef) * kf) + ef;
    m = ef - es;
    sig = signal <= 1 ? m : ((m - sig) * kg) + sig;
    om[i] = m;
    os[i] = sig;
    oh[i] = m - sig;
  }
  return static_cast<int>(lb);
}

}  // namespace

int macd(In real, int fast, int slow, int signal, Out macd_out, Out signal_out, Out hist_out) {
  if (slow < fast) std::swap(fast, slow);
  return macd_impl(real, fast, slow, signal, detail::per_to_k(fast), detail::per_to_k(slow), macd_out,
                   signal_out, hist_out);
}

int macdfix_lookback(int signal) { return macd_lookback(12, 26, signal); }
// TA-Lib's MACDFIX: periods 12 and 26 with the fixed factors 0.15 and 0.075
// (not 2/(n+1)); the signal EMA uses 2/(signal+1).
int macdfix(In real, int signal, Out macd_out, Out signal_out, Out hist_out) {
  return macd_impl(real, 12, 26, signal, 0.15, 0.075, macd_out, signal_out, hist_out);
}

int macdext_lookback(int fast, int fast_matype, int slow, int slow_matype, int signal, int signal_matype) {
  return std::max(ma_lookback(fast, fast_matype), ma_lookback(slow, slow_matype)) +
         ma_lookback(signal, signal_matype);
}
// TA-Lib's MACDEXT: both MAs are computed from the longer lookback's bar, so
// each one is seeded (EMA) lookback_largest - its_lookback bars in; the signal
// is the MA of the MACD line from there. Streamed (matype 0/1).
int macdext(In real, int fast, int fast_matype, int slow, int slow_matype, int signal, int signal_matype,
            Out macd_out, Out signal_out, Out hist_out) {
  if (slow < fast) {
    std::swap(fast, slow);
    std::swap(fast_matype, slow_matype);
  }
  const size_t n = real.size();
  const int lb_fast = ma_lookback(fast, fast_matype);
  const int lb_slow = ma_lookback(slow, slow_matype);
  const int largest = std::max(lb_fast, lb_slow);
  const size_t lb = static_cast<size_t>(largest + ma_lookback(signal, signal_matype));
  if (n <= lb) return static_cast<int>(n);
  const size_t fast_from = static_cast<size_t>(largest - lb_fast);
  const size_t slow_from = static_cast<size_t>(largest - lb_slow);
  detail::StreamMa fast_ma(fast, fast_matype);
  detail::StreamMa slow_ma(slow, slow_matype);
  detail::StreamMa signal_ma(signal, signal_matype);
  for (size_t i = std::min(fast_from, slow_from); i < n; ++i) {
    double f = 0.0;
    double s = 0.0;
    const bool fast_ready = i >= fast_from && fast_ma.push(real[i], f);
    const bool slow_ready = i >= slow_from && slow_ma.push(real[i], s);
    if (!fast_ready || !slow_ready) continue;
    const double m = f - s;
    double g;
    if (!signal_ma.push(m, g)) continue;
    macd_out[i] = m;
    signal_out[i] = g;
    hist_out[i] = m - g;
  }
  return static_cast<int>(lb);
}

int stoch_lookback(int fastk_period, int slowk_period, int slowk_matype, int slowd_period, int slowd_matype) {
  return (fastk_period - 1) + ma_lookback(slowk_period, slowk_matype) +
         ma_lookback(slowd_period, slowd_matype);
}

namespace {

using detail::fast_k;
using detail::williams_r;

// Calls emit(first_bar, count, values) with the oscillator `F(highest, lowest,
// close)` for bars period-1 .. n-1, block by block. The fast path uses the van
// Herk extremes and a vectorizable formula loop; if high/low turn out to hold
// NaN it returns false and the caller starts over with exact_nan = true, which
// uses TA-Lib's own index-tracking scan so NaN behaves as in TA-Lib.
template <double (*F)(double, double, double), class Emit>
bool window_oscillator(const double* h, const double* l, const double* c, std::size_t n, std::size_t period,
                       bool exact_nan, Emit&& emit) {
  double vals[detail::kBlock];
  const std::size_t first = period - 1;
  if (!exact_nan) {
    detail::RollingExtremes ext(h, l, period);
    double hi[detail::kBlock];
    double lo[detail::kBlock];
    for (std::size_t b = first; b < n; b += detail::kBlock) {
      const std::size_t cnt = std::min(detail::kBlock, n - b);
      ext.fill(b, cnt, hi, lo);
      if (ext.saw_nan()) return false;
      const double* cb = c + b;
      for (std::size_t k = 0; k < cnt; ++k) vals[k] = F(hi[k], lo[k], cb[k]);
      emit(b, cnt, vals);
    }
    return true;
  }
  detail::WindowExtremes ext;
  const auto lbs = static_cast<std::ptrdiff_t>(first);
  for (std::size_t b = first; b < n; b += detail::kBlock) {
    const std::size_t cnt = std::min(detail::kBlock, n - b);
    for (std::size_t k = 0; k < cnt; ++k) {
      const auto today = static_cast<std::ptrdiff_t>(b + k);
      ext.update(h, l, today - lbs, today);
      vals[k] = F(ext.highest, ext.lowest, c[today]);
    }
    emit(b, cnt, vals);
  }
  return true;
}

// TA-Lib's SMA as detail::StreamMa runs it (sum += x; value = sum / period;
// sum -= the oldest value) over a stream that arrives in blocks of up to
// kBlock values, laid out by bar: a block's values sit at in()[0 .. cnt), the
// previous block's last kHistory values right before them, so the oldest value
// is in()[k - (period - 1)] in any block. Period 1 copies its input (TA_MA's
// rule).
class BlockSma {
 public:
  static constexpr size_t kHistory = detail::kBlock;
  static bool fits(int period, int matype) {
    return period <= 1 || (matype == 0 && static_cast<size_t>(period) <= kHistory + 1);
  }
  explicit BlockSma(int period) : lb_(period <= 1 ? 0 : static_cast<size_t>(period - 1)), p_(period) {}
  BlockSma(const BlockSma&) = delete;
  BlockSma& operator=(const BlockSma&) = delete;

  double* in() { return buf_ + kHistory; }
  bool copies() const { return lb_ == 0; }
  size_t pending() const { return lb_ - seen_; }  // values left in the warm-up (no average yet)
  size_t lb() const { return lb_; }
  double period() const { return p_; }
  double& sum() { return sum_; }

  // The stream's values of this block are in()[from .. cnt) (from > 0 only
  // where the stream starts). Writes the average of each value's window to
  // out[k] from the returned index (the block's first value past the warm-up)
  // on: the add chain alone first, storing each total, then the divisions.
  size_t run(size_t from, size_t cnt, double* out) {
    const double* x = in();
    if (lb_ == 0) {
      for (size_t k = from; k < cnt; ++k) out[k] = x[k];
      return from;
    }
    size_t k = from;
    double sum = sum_;
    for (; k < cnt && seen_ < lb_; ++k, ++seen_) sum += x[k];
    const size_t first = k;
    for (; k < cnt; ++k) {
      sum += x[k];
      out[k] = sum;
      sum -= x[k - lb_];
    }
    sum_ = sum;
    for (k = first; k < cnt; ++k) out[k] /= p_;
    return first;
  }
  // After a block of cnt values: its last period - 1 values become the history.
  void keep_history(size_t cnt) {
    std::memmove(buf_ + kHistory - lb_, in() + cnt - lb_, lb_ * sizeof(double));
  }

 private:
  size_t lb_;
  double p_;
  double sum_ = 0.0;
  size_t seen_ = 0;  // values summed so far, up to period - 1 (the warm-up)
  double buf_[kHistory + detail::kBlock] = {};
};

// One SMA step on two consecutive values (x0, x1) of a BlockSma's stream at
// in()[k], in()[k + 1]: the totals after each add, the oldest subtracted after.
inline __m128d sma_pair_totals(double& sum, const double* x, size_t k, size_t lb, __m128d v) {
  const double x0 = _mm_cvtsd_f64(v);
  const double x1 = _mm_cvtsd_f64(_mm_unpackhi_pd(v, v));
  sum += x0;
  const double t0 = sum;
  sum -= x[k - lb];
  sum += x1;
  const double t1 = sum;
  sum -= x[k + 1 - lb];
  return _mm_set_pd(t1, t0);
}

// A full block of STOCH past both warm-ups, two bars per step: fast %K (as
// detail::fast_k, lane-wise), slow %K's and slow %D's add chains side by side
// (each one two adds per bar, TA-Lib's order) and their divisions, each two
// per divpd, in one loop, so the two chains and the divider overlap. (Filling
// the next block's extremes between chunks of 16-64 bars of this loop measured
// no faster.)
template <bool kCopyK>
void stoch_block_fused(const double* hi, const double* lo, const double* c, size_t from, size_t to,
                       BlockSma& kma, BlockSma& dma, double* ok, double* od) {
  const __m128d hundred = _mm_set1_pd(100.0);
  const __m128d zero = _mm_setzero_pd();
  const __m128d pk = _mm_set1_pd(kma.period());
  const __m128d pd = _mm_set1_pd(dma.period());
  double* fk = kma.in();
  double* sk = dma.in();
  const size_t lbk = kma.lb();
  const size_t lbd = dma.lb();
  double sum_k = kma.sum();
  double sum_d = dma.sum();
  for (size_t k = from; k + 2 <= to; k += 2) {
    const __m128d h = _mm_loadu_pd(hi + k);
    const __m128d l = _mm_loadu_pd(lo + k);
    const __m128d diff = _mm_div_pd(_mm_sub_pd(h, l), hundred);
    const __m128d v = _mm_div_pd(_mm_sub_pd(_mm_loadu_pd(c + k), l), diff);
    const __m128d f = _mm_and_pd(_mm_cmpneq_pd(diff, zero), v);
    __m128d s = f;
    if constexpr (!kCopyK) {
      _mm_storeu_pd(fk + k, f);
      s = _mm_div_pd(sma_pair_totals(sum_k, fk, k, lbk, f), pk);
    }
    _mm_storeu_pd(sk + k, s);
    _mm_storeu_pd(ok + k, s);
    _mm_storeu_pd(od + k, _mm_div_pd(sma_pair_totals(sum_d, sk, k, lbd, s), pd));
  }
  kma.sum() = sum_k;
  dma.sum() = sum_d;
}

// STOCH with SMA (or period-1) smoothings, and STOCHF as STOCH with a slow %K
// of period 1, per block of bars: the van Herk extremes, then fast %K and the
// two smoothings (slow %K is slow %D's input), fused once both are warm
// (unless slow %D only copies: period 1).
// False if high or low holds NaN (the caller then runs TA-Lib's scan).
bool stoch_sma_blocks(const double* h, const double* l, const double* c, size_t n, int fastk_period,
                      int slowk_period, int slowd_period, double* ok, double* od) {
  const size_t first = static_cast<size_t>(fastk_period - 1);
  detail::RollingExtremes ext(h, l, static_cast<size_t>(fastk_period));
  BlockSma kma(slowk_period);
  BlockSma dma(slowd_period);
  double hi[detail::kBlock];
  double lo[detail::kBlock];
  // Bars [from, to) of the block at b one stage after the other: fast %K, slow
  // %K's chain and divisions, slow %D's.
  auto staged = [&](size_t b, size_t from, size_t to) {
    double* fk = kma.in();
    const double* cb = c + b;
    for (size_t k = from; k < to; ++k) fk[k] = fast_k(hi[k], lo[k], cb[k]);
    const size_t k_first = kma.run(from, to, dma.in());
    const size_t d_first = dma.run(k_first, to, od + b);
    const double* sk = dma.in();
    for (size_t k = d_first; k < to; ++k) ok[b + k] = sk[k];
  };
  for (size_t b = first; b < n; b += detail::kBlock) {
    const size_t cnt = std::min(detail::kBlock, n - b);
    ext.fill(b, cnt, hi, lo);
    if (ext.saw_nan()) return false;
    // Staged through both warm-ups (and all along when slow %D only copies),
    // then fused two bars at a time; an odd last bar staged.
    const size_t warm = dma.copies() ? cnt : std::min(cnt, kma.pending() + dma.pending());
    const size_t pairs_end = warm + ((cnt - warm) & ~size_t{1});
    if (warm > 0) staged(b, 0, warm);
    if (pairs_end > warm) {
      if (kma.copies())
        stoch_block_fused<true>(hi, lo, c + b, warm, pairs_end, kma, dma, ok + b, od + b);
      else
        stoch_block_fused<false>(hi, lo, c + b, warm, pairs_end, kma, dma, ok + b, od + b);
    }
    if (pairs_end < cnt) staged(b, pairs_end, cnt);
    kma.keep_history(cnt);
    dma.keep_history(cnt);
  }
  return true;
}

}  // namespace

// Fast %K over the window extremes, then Slow %K = MA(fast %K) and Slow %D =
// MA(slow %K), streamed (TA-Lib runs MA over buffers that start at the first
// fast %K value, which is what the streaming MAs reproduce).
int stoch(In high, In low, In close, int fastk_period, int slowk_period, int slowk_matype, int slowd_period,
          int slowd_matype, Out slowk, Out slowd) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(
      stoch_lookback(fastk_period, slowk_period, slowk_matype, slowd_period, slowd_matype));
  if (n <= lb) return static_cast<int>(n);
  double* ok = slowk.data();
  double* od = slowd.data();
  if (BlockSma::fits(slowk_period, slowk_matype) && BlockSma::fits(slowd_period, slowd_matype) &&
      stoch_sma_blocks(high.data(), low.data(), close.data(), n, fastk_period, slowk_period, slowd_period, ok,
                       od))
    return static_cast<int>(lb);
  auto pass = [&](bool exact_nan) {
    detail::StreamMa kma(slowk_period, slowk_matype);
    detail::StreamMa dma(slowd_period, slowd_matype);
    return window_oscillator<fast_k>(high.data(), low.data(), close.data(), n,
                                     static_cast<size_t>(fastk_period), exact_nan,
                                     [&](size_t b, size_t cnt, const double* fk) {
                                       for (size_t k = 0; k < cnt; ++k) {
                                         double sk, sd;
                                         if (!kma.push(fk[k], sk) || !dma.push(sk, sd)) continue;
                                         ok[b + k] = sk;
                                         od[b + k] = sd;
                                       }
                                     });
  };
  if (!pass(false)) pass(true);
  return static_cast<int>(lb);
}

int stochf_lookback(int fastk_period, int fastd_period, int fastd_matype) {
  return (fastk_period - 1) + ma_lookback(fastd_period, fastd_matype);
}

// Fast %K as in STOCH; Fast %D = MA(fast %K), streamed like STOCH's MAs.
int stochf(In high, In low, In close, int fastk_period, int fastd_period, int fastd_matype, Out fastk,
           Out fastd) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(stochf_lookback(fastk_period, fastd_period, fastd_matype));
  if (n <= lb) return static_cast<int>(n);
  double* ok = fastk.data();
  double* od = fastd.data();
  if (BlockSma::fits(fastd_period, fastd_matype) &&
      stoch_sma_blocks(high.data(), low.data(), close.data(), n, fastk_period, 1, fastd_period, ok, od))
    return static_cast<int>(lb);
  auto pass = [&](bool exact_nan) {
    detail::StreamMa dma(fastd_period, fastd_matype);
    return window_oscillator<fast_k>(high.data(), low.data(), close.data(), n,
                                     static_cast<size_t>(fastk_period), exact_nan,
                                     [&](size_t b, size_t cnt, const double* fk) {
                                       for (size_t k = 0; k < cnt; ++k) {
                                         double d;
                                         if (!dma.push(fk[k], d)) continue;
                                         ok[b + k] = fk[k];
                                         od[b + k] = d;
                                       }
                                     });
  };
  if (!pass(false)) pass(true);
  return static_cast<int>(lb);
}

int stochrsi_lookback(int period, int fastk_period, int fastd_period, int fastd_matype) {
  return rsi_lookback(period) + stochf_lookback(fastk_period, fastd_period, fastd_matype);
}

// STOCHF over the RSI series (TA-Lib: RSI into a buffer, then STOCHF with
// high = low = close = RSI). The RSI is streamed with the same operations as
// rsi(); the last fastk_period RSI values wait in a ring.
int stochrsi(In real, int period, int fastk_period, int fastd_period, int fastd_matype, Out fastk,
             Out fastd) {
  const size_t n = real.size();
  const size_t lb = static_cast<size_t>(stochrsi_lookback(period, fastk_period, fastd_period, fastd_matype));
  if (n <= lb) return static_cast<int>(n);
  const size_t rlb = static_cast<size_t>(period);
  const double* x = real.data();
  const double p = period;
  const double pm1 = period - 1;
  double gain = 0.0;
  double loss = 0.0;
  double prev = x[0];
  for (size_t i = 1; i <= rlb; ++i) {
    const double d = x[i] - prev;
    prev = x[i];
    const bool neg = d < 0;
    loss -= neg ? d : 0.0;
    gain += neg ? 0.0 : d;
  }
  loss /= p;
  gain /= p;
  const size_t k = static_cast<size_t>(fastk_period);
  detail::Ring ring(k);
  double* r = ring.data();
  detail::StreamMa dma(fastd_period, fastd_matype);
  // Window extremes over the ring with TA-Lib's index tracking (absolute bar
  // indexes; slot = index % k).
  std::ptrdiff_t lo_idx = -1;
  std::ptrdiff_t hi_idx = -1;
  double lowest = 0.0;
  double highest = 0.0;
  double* ok = fastk.data();
  double* od = fastd.data();
  for (size_t i = rlb; i < n; ++i) {
    if (i > rlb) {
      const double d = x[i] - prev;
      prev = x[i];
      const bool neg = d < 0;
      loss *= pm1;
      gain *= pm1;
      loss -= neg ? d : 0.0;
      gain += neg ? 0.0 : d;
      loss /= p;
      gain /= p;
    }
    const double s = gain + loss;
    const double v = detail::is_zero(s) ? 0.0 : 100.0 * (gain / s);
    r[i % k] = v;
    if (i + 1 < rlb + k) continue;  // the first %K window is not full yet
    const auto today = static_cast<std::ptrdiff_t>(i);
    const std::ptrdiff_t trailing = today - static_cast<std::ptrdiff_t>(k) + 1;
    auto at = [&](std::ptrdiff_t j) { return r[static_cast<size_t>(j) % k]; };
    if (lo_idx < trailing) {
      lo_idx = trailing;
      lowest = at(trailing);
      for (std::ptrdiff_t j = trailing + 1; j <= today; ++j) {
        if (at(j) < lowest) {
          lo_idx = j;
          lowest = at(j);
        }
      }
    } else if (v <= lowest) {
      lo_idx = today;
      lowest = v;
    }
    if (hi_idx < trailing) {
      hi_idx = trailing;
      highest = at(trailing);
      for (std::ptrdiff_t j = trailing + 1; j <= today; ++j) {
        if (at(j) > highest) {
          hi_idx = j;
          highest = at(j);
        }
      }
    } else if (v >= highest) {
      hi_idx = today;
      highest = v;
    }
    const double fk = fast_k(highest, lowest, v);
    double fd;
    if (!dma.push(fk, fd)) continue;
    ok[i] = fk;
    od[i] = fd;
  }
  return static_cast<int>(lb);
}

int willr_lookback(int period) { return period - 1; }

int willr(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  double* o = out.data();
  auto pass = [&](bool exact_nan) {
    return window_oscillator<williams_r>(
        high.data(), low.data(), close.data(), n, static_cast<size_t>(period), exact_nan,
        [&](size_t b, size_t cnt, const double* r) { std::copy(r, r + cnt, o + b); });
  };
  if (!pass(false)) pass(true);
  return static_cast<int>(lb);
}

int cci_lookback(int period) { return period - 1; }

namespace {

// Two doubles in one SSE2 register (GCC/Clang vector extension): lane-wise
// IEEE arithmetic, identical rounding to the scalar code.
typedef double V2 __attribute__((vector_size(16)));
typedef long long M2 __attribute__((vector_size(16)));

// TA-Lib's CCI for the G consecutive bars i0 .. i0+G-1 at once (G <= period).
// `ring` holds the typical prices by slot (bar % period) as TA-Lib's circular
// buffer does after bar i0. Bar i0+g sees the same ring except that the g
// oldest slots already hold the newer bars i0+1 .. i0+g, so at slot j every
// lane adds either the shared old value or that slot's new value: each lane
// sums in TA-Lib's slot order, and the G independent chains share each step.
template <int G>
void cci_lanes(const double* ring, std::size_t p, std::size_t r0, const double* fresh, double* out) {
  constexpr int K = G / 2;  // registers per lane set
  // The slots replaced within the group, oldest first: o = 0 .. G-2 at slot
  // s + o (mod p); lane g takes the new value when g > o.
  V2 special[G - 1][K];
  const std::size_t s = r0 + 1 == p ? 0 : r0 + 1;
  for (int o = 0; o + 1 < G; ++o) {
    std::size_t slot = s + static_cast<std::size_t>(o);
    if (slot >= p) slot -= p;
    const double old_v = ring[slot];
    const double new_v = fresh[o + 1];
    for (int k = 0; k < K; ++k) special[o][k] = V2{2 * k > o ? new_v : old_v, 2 * k + 1 > o ? new_v : old_v};
  }
  // Slot order 0 .. p-1 as at most three runs: plain, special, plain (or
  // special, plain, special when the special slots wrap around the ring).
  struct Run {
    std::size_t begin, end;
    bool special;
    std::ptrdiff_t off;  // special run: slot j uses special[j + off]
  };
  Run runs[3];
  const std::size_t span = static_cast<std::size_t>(G - 1);
  const auto ps = static_cast<std::ptrdiff_t>(p), ss = static_cast<std::ptrdiff_t>(s);
  if (s + span <= p) {
    runs[0] = {0, s, false, 0};
    runs[1] = {s, s + span, true, -ss};
    runs[2] = {s + span, p, false, 0};
  } else {
    const std::size_t w = s + span - p;
    runs[0] = {0, w, true, ps - ss};
    runs[1] = {w, s, false, 0};
    runs[2] = {s, p, true, -ss};
  }
  V2 sum[K];
  for (int k = 0; k < K; ++k) sum[k] = V2{0.0, 0.0};
  for (const Run& run : runs) {
    for (std::size_t j = run.begin; j < run.end; ++j) {
      if (run.special) {
        const V2* v = special[static_cast<std::ptrdiff_t>(j) + run.off];
        for (int k = 0; k < K; ++k) sum[k] += v[k];
      } else {
        const V2 v = V2{ring[j], ring[j]};
        for (int k = 0; k < K; ++k) sum[k] += v;
      }
    }
  }
  const double pd = static_cast<double>(p);
  const V2 pv = {pd, pd};
  const M2 no_sign = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL};  // fabs: clear the sign bit
  V2 avg[K], dev[K];
  for (int k = 0; k < K; ++k) {
    avg[k] = sum[k] / pv;
    dev[k] = V2{0.0, 0.0};
  }
  for (const Run& run : runs) {
    for (std::size_t j = run.begin; j < run.end; ++j) {
      if (run.special) {
        const V2* v = special[static_cast<std::ptrdiff_t>(j) + run.off];
        for (int k = 0; k < K; ++k) dev[k] += (V2)((M2)(v[k] - avg[k]) & no_sign);
      } else {
        const V2 v = V2{ring[j], ring[j]};
        for (int k = 0; k < K; ++k) dev[k] += (V2)((M2)(v - avg[k]) & no_sign);
      }
    }
  }
  for (int k = 0; k < K; ++k) {
    for (int e = 0; e < 2; ++e) {
      const double a = avg[k][e];
      const double d = dev[k][e];
      const double t = fresh[2 * k + e] - a;
      out[2 * k + e] = (t != 0.0 && d != 0.0) ? t / (0.015 * (d / pd)) : 0.0;
    }
  }
}

}  // namespace

// TA-Lib keeps the typical prices in a circular buffer indexed by bar % period
// and sums it in SLOT order (not time order); the mean and the mean deviation
// are recomputed over the whole window each bar (O(period) per bar). We keep
// that summation order for bit parity and run up to 8 bars side by side.
int cci(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  double* o = out.data();
  const size_t p = static_cast<size_t>(period);
  const double pd = period;
  detail::Ring ring(p);
  double* buf = ring.data();
  for (size_t i = 0; i < lb; ++i) buf[i] = (h[i] + l[i] + c[i]) / 3;  // lb < p
  size_t i = lb;
  size_t slot = lb;  // i % p, kept without divisions
  auto lanes = [&]<int G>() {
    double fresh[G];
    while (i + G <= n) {
      for (int g = 0; g < G; ++g) {
        const size_t b = i + static_cast<size_t>(g);
        fresh[g] = (h[b] + l[b] + c[b]) / 3;
      }
      buf[slot] = fresh[0];
      cci_lanes<G>(buf, p, slot, fresh, o + i);
      for (int g = 1; g < G; ++g) {
        if (++slot == p) slot = 0;
        buf[slot] = fresh[g];
      }
      if (++slot == p) slot = 0;
      i += G;
    }
  };
  if (p >= 8) {
    lanes.template operator()<8>();
  } else if (p >= 4) {
    lanes.template operator()<4>();
  }
  for (; i < n; ++i, slot = slot + 1 == p ? 0 : slot + 1) {  // the tail (and periods below 4): TA-Lib's loop
    const double last = (h[i] + l[i] + c[i]) / 3;
    buf[slot] = last;
    double avg = 0;
    for (size_t j = 0; j < p; ++j) avg += buf[j];
    avg /= pd;
    double dev = 0;
    for (size_t j = 0; j < p; ++j) dev += std::fabs(buf[j] - avg);
    const double t = last - avg;
    o[i] = (t != 0.0 && dev != 0.0) ? t / (0.015 * (dev / pd)) : 0.0;
  }
  return static_cast<int>(lb);
}

int mfi_lookback(int period) { return period; }

// Money flow index with TA-Lib's circular buffer of positive/negative flows:
// the oldest flow leaves the sums before the new one enters.
int mfi(In high, In low, In close, In volume, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  const double* v = volume.data();
  double* o = out.data();
  const size_t p = static_cast<size_t>(period);
  detail::Ring pos_ring(p);
  detail::Ring neg_ring(p);
  double* rp = pos_ring.data();
  double* rn = neg_ring.data();
  double pos = 0.0;
  double neg = 0.0;
  double prev = (h[0] + l[0] + c[0]) / 3.0;
  for (size_t i = 1; i <= lb; ++i) {
    const double tp = (h[i] + l[i] + c[i]) / 3.0;
    const double d = tp - prev;
    prev = tp;
    const double mf = tp * v[i];
    const double pv = d > 0 ? mf : 0.0;
    const double nv = d < 0 ? mf : 0.0;
    rp[i - 1] = pv;
    rn[i - 1] = nv;
    pos += pv;
    neg += nv;
  }
  {
    const double s = pos + neg;
    o[lb] = s < 1.0 ? 0.0 : 100.0 * (pos / s);
  }
  size_t slot = 0;
  for (size_t i = lb + 1; i < n; ++i) {
    pos -= rp[slot];
    neg -= rn[slot];
    const double tp = (h[i] + l[i] + c[i]) / 3.0;
    const double d = tp - prev;
    prev = tp;
    const double mf = tp * v[i];
    const double pv = d > 0 ? mf : 0.0;
    const double nv = d < 0 ? mf : 0.0;
    rp[slot] = pv;
    rn[slot] = nv;
    pos += pv;
    neg += nv;
    const double s = pos + neg;
    o[i] = s < 1.0 ? 0.0 : 100.0 * (pos / s);
    slot = slot + 1 == p ? 0 : slot + 1;
  }
  return static_cast<int>(lb);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// macd_impl(): slow EMA from bar 0, fast EMA from bar slow - fast (both seeded
/// at bar slow - 1), signal EMA over the MACD line (signal 1: the line itself).
struct MacdCore {
  int fast_start;
  bool plain_signal;
  int count = 0;  // bars seen, capped at fast_start
  EmaCore slow, fast, signal;
  MacdCore(int f, int s, int sig, double kf, double ks)
      : fast_start(s - f),
        plain_signal(sig <= 1),
        slow(s, ks),
        fast(f, kf),
        signal(std::max(sig, 1), detail::per_to_k(sig)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(fast_start, plain_signal);
    ar(count, slow, fast, signal);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0;
    double es = 0.0, ef = 0.0;
    const bool have_slow = slow.step(x, es, commit);
    const bool have_fast = count >= fast_start && fast.step(x, ef, commit);
    if (commit && count < fast_start) ++count;
    if (!have_slow || !have_fast) return false;
    const double m = ef - es;
    double sig = m;
    if (!plain_signal && !signal.step(m, sig, commit)) return false;
    out[0] = m;
    out[1] = sig;
    out[2] = m - sig;
    return true;
  }
};

/// The high/low window oscillators: fast %K (STOCH, STOCHF) or Williams %R.
struct WillrCore {
  HighLow hl;
  template <class Ar>
  void persist(Ar& ar) {
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double hi, lo;
    if (!hl.step(b.high, b.low, hi, lo, commit)) return false;
    out[0] = detail::williams_r(hi, lo, b.close);
    return true;
  }
};

/// stoch() / stochf(): fast %K, then one (STOCHF) or two (STOCH) streamed MAs.
struct StochCore {
  HighLow hl;
  bool slow;
  MaCore k_ma, d_ma;
  StochCore(int fastk, bool slow_form, int k_period, int k_type, int d_period, int d_type)
      : hl(fastk), slow(slow_form), k_ma(k_period, k_type), d_ma(d_period, d_type) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(slow);
    ar(hl, k_ma, d_ma);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double hi, lo;
    if (!hl.step(b.high, b.low, hi, lo, commit)) return false;
    const double fk = detail::fast_k(hi, lo, b.close);
    double sk = fk, sd;
    if (slow && !k_ma.step(fk, sk, commit)) return false;
    if (!d_ma.step(sk, sd, commit)) return false;
    out[0] = sk;
    out[1] = sd;
    return true;
  }
};

/// cci(): typical prices in a ring indexed by bar % period, summed in SLOT
/// order for the mean and the mean deviation. O(period) per bar, like the
/// batch kernel and TA-Lib (the mean absolute deviation has no running form
/// with the same rounding).
struct CciCore {
  std::vector<double> buf;
  size_t slot = 0;
  size_t count = 0;  // capped at period
  explicit CciCore(int period) : buf(static_cast<size_t>(period), 0.0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(buf, slot, count);
    ar.check(slot < buf.size() && count <= buf.size(), "ring position outside the ring");
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double last = (b.high + b.low + b.close) / 3;
    const size_t p = buf.size();
    const bool valid = count + 1 >= p;
    if (valid) {
      const double pd = static_cast<double>(p);
      double avg = 0;
      for (size_t j = 0; j < p; ++j) avg += j == slot ? last : buf[j];
      avg /= pd;
      double dev = 0;
      for (size_t j = 0; j < p; ++j) dev += std::fabs((j == slot ? last : buf[j]) - avg);
      const double t = last - avg;
      out[0] = (t != 0.0 && dev != 0.0) ? t / (0.015 * (dev / pd)) : 0.0;
    }
    if (commit) {
      buf[slot] = last;
      slot = slot + 1 == p ? 0 : slot + 1;
      count = std::min(count + 1, p);
    }
    return valid;
  }
};

/// mfi(): positive/negative money flows in a ring; the oldest flow leaves the
/// sums before the new one enters.
struct MfiCore {
  size_t lb;
  std::vector<double> rp, rn;
  size_t slot = 0;
  size_t count = 0;  // bars seen, capped at lb + 1
  double prev = 0.0, pos = 0.0, neg = 0.0;
  explicit MfiCore(int period) : lb(static_cast<size_t>(period)), rp(lb, 0.0), rn(lb, 0.0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb);
    ar(rp, rn, slot, count, prev, pos, neg);
    ar.check(lb == rp.size() && slot < lb && count <= lb + 1, "ring position outside the ring");
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double tp = (b.high + b.low + b.close) / 3.0;
    if (count == 0) {
      if (commit) {
        prev = tp;
        count = 1;
      }
      return false;
    }
    double ps = pos, ns = neg;
    if (count > lb) {
      ps -= rp[slot];
      ns -= rn[slot];
    }
    const double d = tp - prev;
    const double mf = tp * b.volume;
    const double pv = d > 0 ? mf : 0.0;
    const double nv = d < 0 ? mf : 0.0;
    ps += pv;
    ns += nv;
    const bool valid = count >= lb;
    if (valid) {
      const double s = ps + ns;
      out[0] = s < 1.0 ? 0.0 : 100.0 * (ps / s);
    }
    if (commit) {
      rp[slot] = pv;
      rn[slot] = nv;
      slot = slot + 1 == lb ? 0 : slot + 1;
      pos = ps;
      neg = ns;
      prev = tp;
      count = std::min(count + 1, lb + 1);
    }
    return valid;
  }
};

/// macdext(): both MAs start at the longer lookback's bar minus their own
/// lookback; the signal MA runs over the MACD line.
struct MacdExtCore {
  std::uint64_t fast_from, slow_from;
  std::uint64_t i = 0;
  MaCore fast, slow, signal;
  MacdExtCore(int f, int ft, int s, int st, int g, int gt)
      : fast_from(0), slow_from(0), fast(f, ft), slow(s, st), signal(g, gt) {
    const int largest = std::max(ma_lookback(f, ft), ma_lookback(s, st));
    fast_from = static_cast<std::uint64_t>(largest - ma_lookback(f, ft));
    slow_from = static_cast<std::uint64_t>(largest - ma_lookback(s, st));
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(fast_from, slow_from);
    ar(i, fast, slow, signal);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double f = 0.0, s = 0.0, g = 0.0;
    const bool fr = i >= fast_from && fast.step(b.real0, f, commit);
    const bool sr = i >= slow_from && slow.step(b.real0, s, commit);
    if (commit) ++i;
    if (!fr || !sr) return false;
    const double m = f - s;
    if (!signal.step(m, g, commit)) return false;
    out[0] = m;
    out[1] = g;
    out[2] = m - g;
    return true;
  }
};

/// stochrsi(): rsi()'s RSI, its window extremes over fastk_period RSI values
/// (values equal the batch's tracked scan: the RSI is never NaN), fast %K of
/// the RSI and its streamed MA.
struct StochRsiCore {
  RsiCore rsi;
  StochCore stochf;  // STOCHF with high = low = close = RSI, as TA-Lib runs it
  StochRsiCore(int period, int fastk, int fastd, int fastd_type)
      : rsi(period, RsiCore::Form::stochrsi), stochf(fastk, false, 1, 0, fastd, fastd_type) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(rsi, stochf);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double v;
    if (!rsi.step(b, &v, commit)) return false;
    StreamBar r;
    r.high = r.low = r.close = v;
    return stochf.step(r, out, commit);
  }
};

std::unique_ptr<Stream> rsi(Opts o) { return make<RsiCore>(as_int(o[0]), RsiCore::Form::rsi); }

std::unique_ptr<Stream> macd(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<MacdCore>(f, s, as_int(o[2]), detail::per_to_k(f), detail::per_to_k(s));
}

std::unique_ptr<Stream> macdfix(Opts o) { return make<MacdCore>(12, 26, as_int(o[0]), 0.15, 0.075); }
std::unique_ptr<Stream> mfi(Opts o) { return make<MfiCore>(as_int(o[0])); }
std::unique_ptr<Stream> willr(Opts o) { return make<WillrCore>(HighLow(as_int(o[0]))); }
std::unique_ptr<Stream> cci(Opts o) { return make<CciCore>(as_int(o[0])); }

std::unique_ptr<Stream> stoch(Opts o) {
  return make<StochCore>(as_int(o[0]), true, as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]));
}

std::unique_ptr<Stream> stochf(Opts o) {
  return make<StochCore>(as_int(o[0]), false, 1, 0, as_int(o[1]), as_int(o[2]));
}

std::unique_ptr<Stream> macdext(Opts o) {
  int f = as_int(o[0]), ft = as_int(o[1]), s = as_int(o[2]), st = as_int(o[3]);
  if (s < f) {
    std::swap(f, s);
    std::swap(ft, st);
  }
  return make<MacdExtCore>(f, ft, s, st, as_int(o[4]), as_int(o[5]));
}

std::unique_ptr<Stream> stochrsi(Opts o) {
  return make<StochRsiCore>(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]));
}

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutMacd[] = {
    {"macd", OutputKind::real}, {"macdsignal", OutputKind::real}, {"macdhist", OutputKind::real}};

constexpr OutputSpec kOutStoch[] = {{"slowk", OutputKind::real}, {"slowd", OutputKind::real}};
constexpr OutputSpec kOutFast[] = {{"fastk", OutputKind::real}, {"fastd", OutputKind::real}};

constexpr OptionSpec kMacdOptions[] = {
    {"fastperiod", OptionType::integer, 12, 2, kMaxPeriod, "Number of periods of the fast EMA"},
    {"slowperiod", OptionType::integer, 26, 2, kMaxPeriod, "Number of periods of the slow EMA"},
    {"signalperiod", OptionType::integer, 9, 1, kMaxPeriod,
     "EMA periods of the signal line; 1 = signal equals the MACD line (TA-Lib 0.6 misaligns this case)"}};

constexpr OptionSpec kMacdFixOptions[] = {
    {"signalperiod", OptionType::integer, 9, 1, kMaxPeriod,
     "EMA periods of the signal line; 1 = signal equals the MACD line"}};

constexpr OptionSpec kMacdExtOptions[] = {
    {"fastperiod", OptionType::integer, 12, 2, kMaxPeriod, "Number of periods of the fast MA"},
    {"fastmatype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp},
    {"slowperiod", OptionType::integer, 26, 2, kMaxPeriod, "Number of periods of the slow MA"},
    {"slowmatype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp},
    {"signalperiod", OptionType::integer, 9, 1, kMaxPeriod, "Number of periods of the signal MA"},
    {"signalmatype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

constexpr OptionSpec kStochOptions[] = {
    {"fastk_period", OptionType::integer, 5, 1, kMaxPeriod, "Periods of the fast %K window"},
    {"slowk_period", OptionType::integer, 3, 1, kMaxPeriod, "Smoothing of fast %K into slow %K"},
    {"slowk_matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp},
    {"slowd_period", OptionType::integer, 3, 1, kMaxPeriod, "Smoothing of slow %K into slow %D"},
    {"slowd_matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

constexpr OptionSpec kStochfOptions[] = {
    {"fastk_period", OptionType::integer, 5, 1, kMaxPeriod, "Periods of the fast %K window"},
    {"fastd_period", OptionType::integer, 3, 1, kMaxPeriod, "Smoothing of fast %K into fast %D"},
    {"fastd_matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

constexpr OptionSpec kStochRsiOptions[] = {
    period_option<14, 2>(),
    {"fastk_period", OptionType::integer, 5, 1, kMaxPeriod, "Periods of the fast %K window over the RSI"},
    {"fastd_period", OptionType::integer, 3, 1, kMaxPeriod, "Smoothing of fast %K into fast %D"},
    {"fastd_matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

int macd_lb(Opts o) { return macd_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

int macd_run(const Inputs& in, Opts o, Outs out) {
  return macd(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0], out[1], out[2]);
}

int macdfix_lb(Opts o) { return macdfix_lookback(as_int(o[0])); }

int macdfix_run(const Inputs& in, Opts o, Outs out) {
  return macdfix(real0(in), as_int(o[0]), out[0], out[1], out[2]);
}

int macdext_lb(Opts o) {
  return macdext_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]), as_int(o[5]));
}

int macdext_run(const Inputs& in, Opts o, Outs out) {
  return macdext(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]),
                 as_int(o[5]), out[0], out[1], out[2]);
}

int stoch_lb(Opts o) {
  return stoch_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]));
}

int stoch_run(const Inputs& in, Opts o, Outs out) {
  return stoch(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]),
               as_int(o[4]), out[0], out[1]);
}

int mfi_run(const Inputs& in, Opts o, Outs out) {
  return mfi(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}

int stochf_lb(Opts o) { return stochf_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

int stochf_run(const Inputs& in, Opts o, Outs out) {
  return stochf(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0], out[1]);
}

int stochrsi_lb(Opts o) { return stochrsi_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3])); }

int stochrsi_run(const Inputs& in, Opts o, Outs out) {
  return stochrsi(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), out[0], out[1]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"RSI", kMomentum, "Relative Strength Index (Wilder smoothing)", kReal, kPeriod14, kOutReal,
     period_lookback<rsi_lookback>, real_period<rsi>, streams::rsi, multi::rsi},
    {"MACD", kMomentum, "Moving Average Convergence/Divergence (EMA fast - EMA slow, EMA signal)", kReal,
     kMacdOptions, kOutMacd, macd_lb, macd_run, streams::macd},
    {"MACDFIX", kMomentum, "Moving Average Convergence/Divergence Fix 12/26 (smoothing 0.15 and 0.075)", kReal,
     kMacdFixOptions, kOutMacd, macdfix_lb, macdfix_run, streams::macdfix},
    {"MACDEXT", kMomentum, "MACD with controllable MA types (any MA type per line)", kReal, kMacdExtOptions,
     kOutMacd, macdext_lb, macdext_run, streams::macdext},
    {"STOCH", kMomentum, "Stochastic (slow %K and %D)", kHlc, kStochOptions, kOutStoch, stoch_lb, stoch_run, streams::stoch,
     multi::stoch},
    {"STOCHF", kMomentum, "Stochastic Fast (fast %K and %D)", kHlc, kStochfOptions, kOutFast, stochf_lb,
     stochf_run, streams::stochf},
    {"STOCHRSI", kMomentum, "Stochastic Relative Strength Index: STOCHF over RSI", kReal, kStochRsiOptions,
     kOutFast, stochrsi_lb, stochrsi_run, streams::stochrsi},
    {"MFI", kMomentum, "Money Flow Index", kHlcv, kPeriod14, kOutReal, period_lookback<mfi_lookback>, mfi_run, streams::mfi},
    {"WILLR", kMomentum, "Williams' %R", kHlc, kPeriod14, kOutReal, period_lookback<willr_lookback>,
     hlc_period<willr>, streams::willr},
    {"CCI", kMomentum, "Commodity Channel Index", kHlc, kPeriod14, kOutReal, period_lookback<cci_lookback>,
     hlc_period<cci>, streams::cci},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> momentum_functions() { return kRows; }

}  // namespace ts::ta
