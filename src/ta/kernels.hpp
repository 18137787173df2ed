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

}  // namespace ts::ta
