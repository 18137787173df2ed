#pragma once
// How a family file declares its registry rows (internal to ts_ta). Each
// indicator family file (overlap.cpp, momentum.cpp, candles/one_candle.cpp, ...)
// holds its kernels, and its rows in one constexpr slice returned by
// `<family>_functions()`; registry.cpp joins the slices into the one table
// that function.hpp exposes. Adding a function to a family therefore touches
// that family's file and its test. This header holds what rows of several
// families share: input and output lists, common options, the group names and
// the adapters from the table's signature to typed kernels.
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "ta/candles/candles.hpp"
#include "ta/function.hpp"
#include "ta/kernels.hpp"
#include "ta/streams.hpp"

namespace ts::ta {

/// One family's rows (defined in the family's file, joined by registry.cpp in
/// this order).
std::span<const FunctionSpec> overlap_functions();
std::span<const FunctionSpec> moving_averages_functions();
std::span<const FunctionSpec> mavp_functions();
std::span<const FunctionSpec> momentum_functions();
std::span<const FunctionSpec> directional_functions();
std::span<const FunctionSpec> oscillators_functions();
std::span<const FunctionSpec> volatility_functions();
std::span<const FunctionSpec> volume_functions();
std::span<const FunctionSpec> transform_functions();
std::span<const FunctionSpec> stats_functions();
std::span<const FunctionSpec> cycle_functions();
std::span<const FunctionSpec> channels_functions();
std::span<const FunctionSpec> pivots_functions();
std::span<const FunctionSpec> extras_functions();
std::span<const FunctionSpec> trend_extras_functions();
std::span<const FunctionSpec> one_candle_functions();
std::span<const FunctionSpec> two_candles_functions();
std::span<const FunctionSpec> three_candles_functions();
std::span<const FunctionSpec> multi_candles_functions();

namespace table {

using Opts = std::span<const double>;
using Outs = std::span<const std::span<double>>;

inline int as_int(double v) { return static_cast<int>(v); }

/// inReal: the generic real column, falling back to close (TA-Lib's abstract
/// interface default) when the caller did not bind real0.
inline std::span<const double> real0(const Inputs& in) { return in.real0.empty() ? in.close : in.real0; }

/// inReal0 / inReal1 of two-real functions: high and low unless bound (TA-Lib's
/// abstract interface defaults).
inline std::span<const double> pair0(const Inputs& in) { return in.real0.empty() ? in.high : in.real0; }
inline std::span<const double> pair1(const Inputs& in) { return in.real1.empty() ? in.low : in.real1; }

// ---- Inputs and outputs -----------------------------------------------------

inline constexpr Input kReal[] = {Input::real0};
inline constexpr Input kHlc[] = {Input::high, Input::low, Input::close};
inline constexpr Input kHlcv[] = {Input::high, Input::low, Input::close, Input::volume};
inline constexpr Input kOhlc[] = {Input::open, Input::high, Input::low, Input::close};
inline constexpr Input kHl[] = {Input::high, Input::low};
inline constexpr Input kReal2[] = {Input::real0, Input::real1};
inline constexpr OutputSpec kOutReal[] = {{"real", OutputKind::real}};
inline constexpr OutputSpec kOutInteger[] = {{"integer", OutputKind::integer}};

inline constexpr OutputSpec kOutBands[] = {
    {"upperband", OutputKind::real}, {"middleband", OutputKind::real}, {"lowerband", OutputKind::real}};

// ---- Options ----------------------------------------------------------------

inline constexpr double kMaxPeriod = 100000;

inline constexpr double kRealLimit = 3e37;  // TA-Lib's TA_REAL_MIN/MAX for real options

inline constexpr std::string_view kPeriodHelp = "Number of periods";

inline constexpr std::string_view kMaTypeHelp =
    "Moving average type: 0=SMA, 1=EMA, 2=WMA, 3=DEMA, 4=TEMA, 5=TRIMA, 6=KAMA, 7=MAMA, 8=T3";

template <int Default, int Min>
constexpr OptionSpec period_option() {
  return {"timeperiod", OptionType::integer, Default, Min, kMaxPeriod, kPeriodHelp};
}

inline constexpr OptionSpec kPeriod30[] = {period_option<30, 2>()};
inline constexpr OptionSpec kPeriod14[] = {period_option<14, 2>()};
inline constexpr OptionSpec kPeriod14Min1[] = {period_option<14, 1>()};
inline constexpr OptionSpec kPeriod20[] = {period_option<20, 1>()};
inline constexpr OptionSpec kPeriod20Min2[] = {period_option<20, 2>()};

inline constexpr std::string_view kPenetrationHelp =
    "Penetration into the first candle's body, as a fraction of that body";

inline constexpr OptionSpec kPenetration50[] = {
    {"penetration", OptionType::real, 0.5, 0, kRealLimit, kPenetrationHelp}};

// ---- Adapters: table signature -> typed kernels -----------------------------

template <int (*Kernel)(In, int, Out)>
int real_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(real0(in), as_int(o[0]), out[0]);
}

template <int (*Kernel)(In, In, In, int, Out)>
int hlc_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(in.high, in.low, in.close, as_int(o[0]), out[0]);
}

template <int (*Lookback)(int)>
int period_lookback(Opts o) {
  return Lookback(as_int(o[0]));
}

inline int zero_lb(Opts) { return 0; }

template <int (*Kernel)(In, In, In, Out)>
int hlc_plain(const Inputs& in, Opts, Outs out) {
  return Kernel(in.high, in.low, in.close, out[0]);
}

template <int (*Lookback)()>
int fixed_lb(Opts) {
  return Lookback();
}

inline candles::Ohlc ohlc(const Inputs& in) { return {in.open, in.high, in.low, in.close}; }

template <int (*Lookback)()>
int candle_lb(Opts) {
  return Lookback();
}

template <int (*Kernel)(const candles::Ohlc&, candles::Out)>
int candle_run(const Inputs& in, Opts, Outs out) {
  return Kernel(ohlc(in), out[0]);
}

template <int (*Lookback)(double)>
int penetration_lb(Opts o) {
  return Lookback(o[0]);
}

template <int (*Kernel)(const candles::Ohlc&, double, candles::Out)>
int penetration_run(const Inputs& in, Opts o, Outs out) {
  return Kernel(ohlc(in), o[0], out[0]);
}

/// Streaming form of a lookback-0/1 function whose output at bar i depends
/// only on bars i-Window+1..i: the batch adapter re-run over that window.
template <BatchFn Fn, int Window, std::size_t Outputs>
std::unique_ptr<Stream> rerun(Opts o) {
  return streams::window_rerun(Fn, Window, Outputs, o);
}

/// The same for a function whose window is its lookback + 1 bars (LINEARREG
/// family, AVGDEV, IMI: their batch kernels recompute each bar from its window).
template <BatchFn Fn, LookbackFn Lb, std::size_t Outputs>
std::unique_ptr<Stream> rerun_lb(Opts o) {
  return streams::window_rerun(Fn, Lb(o) + 1, Outputs, o);
}

// ---- TA-Lib groups ----------------------------------------------------------

inline constexpr std::string_view kOverlap = "Overlap Studies";
inline constexpr std::string_view kMomentum = "Momentum Indicators";
inline constexpr std::string_view kVolatility = "Volatility Indicators";
inline constexpr std::string_view kVolumeGroup = "Volume Indicators";
inline constexpr std::string_view kPatterns = "Pattern Recognition";
inline constexpr std::string_view kPrice = "Price Transform";
inline constexpr std::string_view kMathTransform = "Math Transform";
inline constexpr std::string_view kMathOperators = "Math Operators";
inline constexpr std::string_view kStatistic = "Statistic Functions";
inline constexpr std::string_view kCycle = "Cycle Indicators";
inline constexpr std::string_view kExtras = "TickStock Extras";

/// run() stages output spans in a fixed array of this size.
inline constexpr std::size_t kMaxOutputs = 9;

/// A slice's compile-time checks: every row fits run()'s output staging.
template <std::size_t N>
constexpr bool rows_fit(const FunctionSpec (&rows)[N]) {
  for (const auto& f : rows)
    if (f.outputs.size() > kMaxOutputs) return false;
  return true;
}

}  // namespace table
}  // namespace ts::ta
