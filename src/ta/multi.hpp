#pragma once
// Multi-symbol batch kernels with interleaved lanes (internal header; the
// registry's `multi` entry points). Same contract as function.hpp's MultiFn.
#include <span>

#include "ta/function.hpp"

namespace ts::ta::multi {

/// EMA over up to 8 series at once: the series' recurrences advance in lanes,
/// so 8 independent dependency chains overlap. Each lane performs the batch
/// kernel's operations in the same order (seed = sum of the first n values in
/// bar order / n, then ((x - e) * k) + e), so every value equals ema()'s bit
/// for bit (the ta library is compiled with -ffp-contract=off: no FMA).
int ema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs);

/// DEMA and TEMA: dema() / tema()'s chained EMA stages per lane, 8 series in
/// lockstep; bit-identical to the single-series kernels.
int dema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
         std::span<const std::span<double>> outputs);
int tema(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
         std::span<const std::span<double>> outputs);

/// SMA, RSI and ATR over blocks of 8 series as 4 SSE2 pairs (divisions as
/// divpd); bit-identical to sma() / rsi() / atr() on each series alone.
int sma(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs);
int rsi(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs);
int atr(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs);
/// BBANDS with the SMA middle band (matype 0) in the same pairs, sqrt as
/// sqrtpd; bit-identical to bbands_ma(). Other MA types: per series.
int bbands(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
           std::span<const std::span<double>> outputs);

/// ADX in the same pairs (seven divpd per two series-bars); bit-identical to
/// adx() on each series alone.
int adx(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
        std::span<const std::span<double>> outputs);
/// STOCH with SMA smoothings (matype 0, periods 2..64) on the same pairs: van
/// Herk window extremes (maxpd/minpd), fast %K, slow %K and %D (divpd);
/// bit-identical to stoch() on each series alone. Other options: per series.
int stoch(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
          std::span<const std::span<double>> outputs);
}  // namespace ts::ta::multi
