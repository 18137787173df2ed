#pragma once
// Typed batch kernels for direct use by the engine and the chart patterns.
// Same contract as function.hpp: outputs aligned with inputs, cells before the
// returned begin index untouched, no allocation, no I/O, thread-safe.
// Semantics follow TA-Lib exactly (lookback, EMA seeded by the SMA of the first
// n values, Wilder smoothing for RSI/ATR/ADX, population stddev in BBANDS).
#include <span>

namespace ts::ta {

using In = std::span<const double>;
using Out = std::span<double>;

int sma_lookback(int period);
int sma(In real, int period, Out out);
int ema_lookback(int period);
int ema(In real, int period, Out out);
int rsi_lookback(int period);
int rsi(In real, int period, Out out);
int macd_lookback(int fast, int slow, int signal);
int macd(In real, int fast, int slow, int signal, Out macd, Out signal_line, Out hist);
int bbands_lookback(int period);
/// matype 0 (SMA) middle band.
int bbands(In real, int period, double nbdevup, double nbdevdn, Out upper, Out middle, Out lower);
int atr_lookback(int period);
int atr(In high, In low, In close, int period, Out out);

// ---- Added with the registry (append-only; same contract as above) ---------
// Kernels that keep a window (STOCH, WILLR, CCI, MFI) hold it on the stack up
// to 512 bars; longer periods make one heap allocation per call.

/// TA_MA restricted to the implemented types: matype 0 = SMA, 1 = EMA.
/// Period 1 copies the input (lookback 0), like TA-Lib.
inline constexpr int kMaxMaType = 1;
int ma_lookback(int period, int matype);
int ma(In real, int period, int matype, Out out);
/// BBANDS with a choice of middle band (matype 0 SMA, 1 EMA). The deviation is
/// always the population stddev over the last `period` values, as in TA-Lib.
int bbands_ma(In real, int period, double nbdevup, double nbdevdn, int matype, Out upper, Out middle,
              Out lower);
int trange_lookback();
int trange(In high, In low, In close, Out out);
int stoch_lookback(int fastk_period, int slowk_period, int slowk_matype, int slowd_period, int slowd_matype);
int stoch(In high, In low, In close, int fastk_period, int slowk_period, int slowk_matype, int slowd_period,
          int slowd_matype, Out slowk, Out slowd);
int adx_lookback(int period);
int adx(In high, In low, In close, int period, Out out);
int plus_di_lookback(int period);
int plus_di(In high, In low, In close, int period, Out out);
int minus_di_lookback(int period);
int minus_di(In high, In low, In close, int period, Out out);
int obv_lookback();
/// OBV over `real` (usually close) and volume; OBV[0] = volume[0].
int obv(In real, In volume, Out out);
int mfi_lookback(int period);
int mfi(In high, In low, In close, In volume, int period, Out out);
int willr_lookback(int period);
int willr(In high, In low, In close, int period, Out out);
int cci_lookback(int period);
int cci(In high, In low, In close, int period, Out out);

// TickStock extras (not in TA-Lib).
/// RELVOL[i] = volume[i] / mean(volume[i-period .. i-1]): today's volume
/// against the average of the `period` PRIOR bars (the current bar is not in
/// the average, so a spike is not damped by itself). 0 when that average is 0.
/// Lookback `period`.
int relvol_lookback(int period);
int relvol(In volume, int period, Out out);
/// Floor pivots from the PRIOR bar (H, L, C of bar i-1), lookback 1:
///   pp = (H + L + C) / 3, r1 = 2pp - L, s1 = 2pp - H, r2 = pp + (H - L),
///   s2 = pp - (H - L), r3 = H + 2(pp - L), s3 = L - 2(H - pp).
/// Fibonacci variant: same pp, r/s = pp +/- {0.382, 0.618, 1.0} * (H - L).
struct PivotOut {
  Out pp, r1, r2, r3, s1, s2, s3;
};
int pivots_lookback();
int pivots(In high, In low, In close, const PivotOut& out);
int pivots_fib(In high, In low, In close, const PivotOut& out);

}  // namespace ts::ta
