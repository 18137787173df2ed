// TickStock extras: price channels and bands (DONCHIAN, KELTNER).
#include <algorithm>
#include <cstddef>
#include <limits>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

namespace ts::ta {

using std::size_t;

int donchian_lookback(int period) { return period - 1; }

// Van Herk / Gil-Werman window extremes (O(1) per bar, no data-dependent
// branches). A NaN high/low is skipped; a window without any valid high (low)
// yields NaN for the upper (lower) band and the middle.
int donchian(In high, In low, int period, Out upper, Out middle, Out lower) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period - 1);
  if (n <= lb) return static_cast<int>(n);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  detail::each_window_extreme(high.data(), low.data(), static_cast<size_t>(period), lb, n,
                              [&](size_t i, double h, double l) {
                                const double hi = h == -kInf ? kNaN : h;
                                const double lo = l == kInf ? kNaN : l;
                                upper[i] = hi;
                                lower[i] = lo;
                                middle[i] = (hi + lo) / 2.0;
                              });
  return static_cast<int>(lb);
}

int keltner_lookback(int period, int atr_period) { return std::max(period - 1, atr_period); }

// One pass: ema()'s EMA (TA-Lib's seed, then detail::EmaTwoStep) and the ATR
// (detail::WilderAtr, atr()'s operations) side by side, so the middle band
// equals EMA and the band width equals multiplier * ATR bit for bit.
int keltner(In high, In low, In close, int period, int atr_period, double multiplier, Out upper, Out middle,
            Out lower) {
  const size_t n = close.size();
  const size_t lb = static_cast<size_t>(keltner_lookback(period, atr_period));
  if (n <= lb) return static_cast<int>(n);
  const double* c = close.data();
  const size_t ema_lb = static_cast<size_t>(period - 1);
  double sum = 0.0;
  for (size_t i = 0; i <= ema_lb; ++i) sum += c[i];
  const detail::EmaTwoStep w(period);
  double e1 = sum / period;  // e[i-1]
  double e2 = 0.0;           // e[i-2]
  auto ema_at = [&](size_t i) {
    const double e = i == ema_lb + 1 ? w.first(e1, c[i]) : w.next(e2, c[i], c[i - 1]);
    e2 = e1;
    e1 = e;
  };
  for (size_t i = ema_lb + 1; i < lb; ++i) ema_at(i);
  detail::WilderAtr atr(high.data(), low.data(), c, atr_period);
  for (size_t i = static_cast<size_t>(atr_period); i < lb; ++i) atr.advance(i);
  for (size_t i = lb; i < n; ++i) {
    if (i > ema_lb) ema_at(i);
    const double width = multiplier * atr.advance(i);
    middle[i] = e1;
    upper[i] = e1 + width;
    lower[i] = e1 - width;
  }
  return static_cast<int>(lb);
}

}  // namespace ts::ta
