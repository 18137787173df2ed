#pragma once
// Streaming-form factories shared between family files (internal header).
// Each returns a Stream built from already validated options, in the
// registry's option order; see function.hpp for the streaming contract.
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

/// Streams that other families build on: MA of every type (MACDEXT, BBANDS,
/// APO/PPO, STOCH's smoothing, MAVP, detail::StreamMa), its type-specific
/// forms (moving_averages.cpp), and VWAP (AVWAP). Every other function's
/// factory is local to its family file, next to its registry row.
std::unique_ptr<Stream> ma(Opts o);  // options: timeperiod, matype (every type)
std::unique_ptr<Stream> wma(Opts o);
std::unique_ptr<Stream> dema(Opts o);
std::unique_ptr<Stream> tema(Opts o);
std::unique_ptr<Stream> trima(Opts o);
std::unique_ptr<Stream> kama(Opts o);
std::unique_ptr<Stream> t3(Opts o);  // options: timeperiod, vfactor
std::unique_ptr<Stream> vwap(Opts o);

}  // namespace ts::ta::streams
