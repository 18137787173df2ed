#pragma once
// Streaming-form factories for the registry table (internal header). Each
// returns a Stream built from already validated options, in the registry's
// option order; see function.hpp for the streaming contract.
#include <memory>
#include <span>

#include "ta/function.hpp"

namespace ts::ta::streams {

using Opts = std::span<const double>;
using Factory = std::unique_ptr<Stream> (*)(Opts);

/// Re-runs `batch` over the last `window` bars, for a function whose output at
/// bar i is computed from bars i-window+1..i alone, in an order that does not
/// depend on where the series starts (no running sums carried from bar 0), so
/// the re-run is bit-identical to the full-series run. O(window) per bar: used
/// for windows of 1-2 bars (price and math transforms, pivots) and for
/// functions whose batch kernel is itself O(window) per bar (LINEARREG family,
/// AVGDEV, IMI).
std::unique_ptr<Stream> window_rerun(BatchFn batch, int window, std::size_t outputs, Opts options);

std::unique_ptr<Stream> sma(Opts o);
std::unique_ptr<Stream> ema(Opts o);
std::unique_ptr<Stream> ma(Opts o);  // every type
std::unique_ptr<Stream> wma(Opts o);
std::unique_ptr<Stream> dema(Opts o);
std::unique_ptr<Stream> tema(Opts o);
std::unique_ptr<Stream> trima(Opts o);
std::unique_ptr<Stream> kama(Opts o);
std::unique_ptr<Stream> t3(Opts o);
std::unique_ptr<Stream> cmo(Opts o);
std::unique_ptr<Stream> apo(Opts o);
std::unique_ptr<Stream> ppo(Opts o);
std::unique_ptr<Stream> trix(Opts o);
std::unique_ptr<Stream> var(Opts o);
std::unique_ptr<Stream> stddev(Opts o);
std::unique_ptr<Stream> relvol(Opts o);
std::unique_ptr<Stream> vwap(Opts o);
std::unique_ptr<Stream> heikinashi(Opts o);
std::unique_ptr<Stream> aroon(Opts o);
std::unique_ptr<Stream> aroonosc(Opts o);
std::unique_ptr<Stream> bbands(Opts o);  // every middle-band type
std::unique_ptr<Stream> rsi(Opts o);
std::unique_ptr<Stream> macd(Opts o);
std::unique_ptr<Stream> macdfix(Opts o);
std::unique_ptr<Stream> atr(Opts o);
std::unique_ptr<Stream> natr(Opts o);
std::unique_ptr<Stream> obv(Opts o);
std::unique_ptr<Stream> mfi(Opts o);
std::unique_ptr<Stream> willr(Opts o);
std::unique_ptr<Stream> cci(Opts o);
std::unique_ptr<Stream> stoch(Opts o);
std::unique_ptr<Stream> stochf(Opts o);
std::unique_ptr<Stream> adx(Opts o);
std::unique_ptr<Stream> adxr(Opts o);
std::unique_ptr<Stream> dx(Opts o);
std::unique_ptr<Stream> plus_di(Opts o);
std::unique_ptr<Stream> minus_di(Opts o);
std::unique_ptr<Stream> plus_dm(Opts o);
std::unique_ptr<Stream> minus_dm(Opts o);
std::unique_ptr<Stream> sum(Opts o);
std::unique_ptr<Stream> max(Opts o);
std::unique_ptr<Stream> min(Opts o);
std::unique_ptr<Stream> minmax(Opts o);
std::unique_ptr<Stream> midpoint(Opts o);
std::unique_ptr<Stream> midprice(Opts o);
std::unique_ptr<Stream> macdext(Opts o);
std::unique_ptr<Stream> keltner(Opts o);
std::unique_ptr<Stream> supertrend(Opts o);
std::unique_ptr<Stream> cmf(Opts o);
std::unique_ptr<Stream> hma(Opts o);
std::unique_ptr<Stream> donchian(Opts o);
std::unique_ptr<Stream> accbands(Opts o);
std::unique_ptr<Stream> ultosc(Opts o);
std::unique_ptr<Stream> maxindex(Opts o);
std::unique_ptr<Stream> minindex(Opts o);
std::unique_ptr<Stream> minmaxindex(Opts o);
std::unique_ptr<Stream> correl(Opts o);
std::unique_ptr<Stream> beta(Opts o);
std::unique_ptr<Stream> stochrsi(Opts o);
std::unique_ptr<Stream> sar(Opts o);
std::unique_ptr<Stream> sarext(Opts o);
std::unique_ptr<Stream> ht_dcperiod(Opts o);
std::unique_ptr<Stream> ht_phasor(Opts o);
std::unique_ptr<Stream> ht_dcphase(Opts o);
std::unique_ptr<Stream> ht_sine(Opts o);
std::unique_ptr<Stream> ht_trendline(Opts o);
std::unique_ptr<Stream> ht_trendmode(Opts o);
std::unique_ptr<Stream> mama(Opts o);
std::unique_ptr<Stream> ad(Opts o);
std::unique_ptr<Stream> adosc(Opts o);
std::unique_ptr<Stream> ichimoku(Opts o);
/// ZIGZAG and AVWAP (trend_extras.cpp).
std::unique_ptr<Stream> zigzag(Opts o);
std::unique_ptr<Stream> avwap(Opts o);
/// MAVP (mavp.cpp): options minperiod, maxperiod, matype; reads real0 and periods.
std::unique_ptr<Stream> mavp(Opts o);
/// MOM, ROC, ROCP, ROCR, ROCR100 (kind = RocKind as int).
template <int Kind>
std::unique_ptr<Stream> roc(Opts o);

}  // namespace ts::ta::streams
