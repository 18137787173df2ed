// The TA function table (one constexpr array, no self-registration) and the
// call parser / validator / runner built on it.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>

#include "ta/candles/candles.hpp"
#include "ta/function.hpp"
#include "ta/kernels.hpp"
#include "ta/multi.hpp"
#include "ta/streams.hpp"

namespace ts::ta {
namespace {

using Opts = std::span<const double>;
using Outs = std::span<const std::span<double>>;

int as_int(double v) { return static_cast<int>(v); }

/// inReal: the generic real column, falling back to close (TA-Lib's abstract
/// interface default) when the caller did not bind real0.
std::span<const double> real0(const Inputs& in) { return in.real0.empty() ? in.close : in.real0; }
/// inReal0 / inReal1 of two-real functions: high and low unless bound (TA-Lib's
/// abstract interface defaults).
std::span<const double> pair0(const Inputs& in) { return in.real0.empty() ? in.high : in.real0; }
std::span<const double> pair1(const Inputs& in) { return in.real1.empty() ? in.low : in.real1; }

// ---- Shared table pieces ----------------------------------------------------

constexpr Input kReal[] = {Input::real0};
constexpr Input kHlc[] = {Input::high, Input::low, Input::close};
constexpr Input kHlcv[] = {Input::high, Input::low, Input::close, Input::volume};
constexpr Input kRealVolume[] = {Input::real0, Input::volume};
constexpr Input kVolume[] = {Input::volume};
constexpr Input kOhlc[] = {Input::open, Input::high, Input::low, Input::close};
constexpr Input kHl[] = {Input::high, Input::low};
constexpr Input kOc[] = {Input::open, Input::close};
constexpr Input kReal2[] = {Input::real0, Input::real1};
constexpr Input kRealPeriods[] = {Input::real0, Input::periods};

constexpr OutputSpec kOutReal[] = {{"real", OutputKind::real}};
constexpr OutputSpec kOutInteger[] = {{"integer", OutputKind::integer}};
constexpr OutputSpec kOutBands[] = {
    {"upperband", OutputKind::real}, {"middleband", OutputKind::real}, {"lowerband", OutputKind::real}};
constexpr OutputSpec kOutMacd[] = {
    {"macd", OutputKind::real}, {"macdsignal", OutputKind::real}, {"macdhist", OutputKind::real}};
constexpr OutputSpec kOutStoch[] = {{"slowk", OutputKind::real}, {"slowd", OutputKind::real}};
constexpr OutputSpec kOutMinMax[] = {{"min", OutputKind::real}, {"max", OutputKind::real}};
constexpr OutputSpec kOutMinMaxIndex[] = {{"minidx", OutputKind::integer}, {"maxidx", OutputKind::integer}};
constexpr OutputSpec kOutAroon[] = {{"aroondown", OutputKind::real}, {"aroonup", OutputKind::real}};
constexpr OutputSpec kOutFast[] = {{"fastk", OutputKind::real}, {"fastd", OutputKind::real}};
constexpr OutputSpec kOutPhasor[] = {{"inphase", OutputKind::real}, {"quadrature", OutputKind::real}};
constexpr OutputSpec kOutSine[] = {{"sine", OutputKind::real}, {"leadsine", OutputKind::real}};
constexpr OutputSpec kOutMama[] = {{"mama", OutputKind::real}, {"fama", OutputKind::real}};
constexpr OutputSpec kOutPivots[] = {
    {"pp", OutputKind::real}, {"r1", OutputKind::real}, {"r2", OutputKind::real}, {"r3", OutputKind::real},
    {"s1", OutputKind::real}, {"s2", OutputKind::real}, {"s3", OutputKind::real}};

constexpr OutputSpec kOutHeikinAshi[] = {{"ha_open", OutputKind::real},
                                         {"ha_high", OutputKind::real},
                                         {"ha_low", OutputKind::real},
                                         {"ha_close", OutputKind::real}};

constexpr OutputSpec kOutSuperTrend[] = {{"supertrend", OutputKind::real},
                                         {"direction", OutputKind::integer}};

constexpr OutputSpec kOutIchimoku[] = {{"tenkan", OutputKind::real},
                                       {"kijun", OutputKind::real},
                                       {"senkou_a", OutputKind::real},
                                       {"senkou_b", OutputKind::real},
                                       {"chikou", OutputKind::real}};
constexpr OutputSpec kOutZigZag[] = {
    {"pivot", OutputKind::real}, {"direction", OutputKind::integer}, {"pivot_index", OutputKind::integer}};

constexpr OutputSpec kOutCamarilla[] = {
    {"pp", OutputKind::real}, {"r1", OutputKind::real}, {"r2", OutputKind::real},
    {"r3", OutputKind::real}, {"r4", OutputKind::real}, {"s1", OutputKind::real},
    {"s2", OutputKind::real}, {"s3", OutputKind::real}, {"s4", OutputKind::real}};

constexpr double kMaxPeriod = 100000;
constexpr double kRealLimit = 3e37;  // TA-Lib's TA_REAL_MIN/MAX for real options
constexpr std::string_view kPeriodHelp = "Number of periods";
constexpr std::string_view kMaTypeHelp =
    "Moving average type: 0=SMA, 1=EMA, 2=WMA, 3=DEMA, 4=TEMA, 5=TRIMA, 6=KAMA, 7=MAMA, 8=T3";

template <int Default, int Min>
constexpr OptionSpec period_option() {
  return {"timeperiod", OptionType::integer, Default, Min, kMaxPeriod, kPeriodHelp};
}
constexpr OptionSpec kPeriod30[] = {period_option<30, 2>()};
constexpr OptionSpec kPeriod14[] = {period_option<14, 2>()};
constexpr OptionSpec kPeriod14Min1[] = {period_option<14, 1>()};
constexpr OptionSpec kPeriod20[] = {period_option<20, 1>()};
constexpr OptionSpec kMaOptions[] = {period_option<30, 1>(),
                                     {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};
constexpr OptionSpec kPeriod20Min2[] = {period_option<20, 2>()};
constexpr OptionSpec kPeriod10Min1[] = {period_option<10, 1>()};
constexpr OptionSpec kPeriod5Min1[] = {period_option<5, 1>()};
constexpr OptionSpec kPeriod30Min1[] = {period_option<30, 1>()};
constexpr OptionSpec kVarOptions[] = {period_option<5, 1>(),
                                      {"nbdev", OptionType::real, 1, -kRealLimit, kRealLimit,
                                       "Number of deviations (unused by VAR, as in TA-Lib)"}};
constexpr OptionSpec kStddevOptions[] = {
    period_option<5, 2>(),
    {"nbdev", OptionType::real, 1, -kRealLimit, kRealLimit, "Multiplier of the standard deviation"}};
constexpr OptionSpec kAdoscOptions[] = {
    {"fastperiod", OptionType::integer, 3, 2, kMaxPeriod, "Number of periods of the fast EMA"},
    {"slowperiod", OptionType::integer, 10, 2, kMaxPeriod, "Number of periods of the slow EMA"}};
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
constexpr OptionSpec kMavpOptions[] = {
    {"minperiod", OptionType::integer, 2, 2, kMaxPeriod,
     "Smallest period (smaller values in the periods column are raised to it)"},
    {"maxperiod", OptionType::integer, 30, 2, kMaxPeriod,
     "Largest period (larger values are lowered to it); sets the lookback"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};
constexpr OptionSpec kT3Options[] = {period_option<5, 2>(),
                                     {"vfactor", OptionType::real, 0.7, 0, 1, "Volume factor"}};
constexpr OptionSpec kMamaOptions[] = {
    {"fastlimit", OptionType::real, 0.5, 0.01, 0.99, "Upper limit of the adaptive factor"},
    {"slowlimit", OptionType::real, 0.05, 0.01, 0.99, "Lower limit of the adaptive factor"}};
constexpr OptionSpec kBbandsOptions[] = {
    period_option<5, 2>(),
    {"nbdevup", OptionType::real, 2, -kRealLimit, kRealLimit, "Deviation multiplier for the upper band"},
    {"nbdevdn", OptionType::real, 2, -kRealLimit, kRealLimit, "Deviation multiplier for the lower band"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};
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
constexpr OptionSpec kUltoscOptions[] = {
    {"timeperiod1", OptionType::integer, 7, 1, kMaxPeriod, "Number of bars of the first (weight 4) window"},
    {"timeperiod2", OptionType::integer, 14, 1, kMaxPeriod, "Number of bars of the second (weight 2) window"},
    {"timeperiod3", OptionType::integer, 28, 1, kMaxPeriod, "Number of bars of the third (weight 1) window"}};
constexpr OptionSpec kPoOptions[] = {
    {"fastperiod", OptionType::integer, 12, 2, kMaxPeriod, "Number of periods of the fast MA"},
    {"slowperiod", OptionType::integer, 26, 2, kMaxPeriod, "Number of periods of the slow MA"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};
constexpr OptionSpec kSarOptions[] = {
    {"acceleration", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step and start"},
    {"maximum", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum"}};
constexpr OptionSpec kSarExtOptions[] = {
    {"startvalue", OptionType::real, 0, -kRealLimit, kRealLimit,
     "Start value and direction: 0 = auto, > 0 long at that value, < 0 short at its absolute value"},
    {"offsetonreverse", OptionType::real, 0, 0, kRealLimit,
     "Percent offset added/removed to the SAR on reversal"},
    {"accelerationinitlong", OptionType::real, 0.02, 0, kRealLimit,
     "Acceleration factor initial value, long"},
    {"accelerationlong", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step, long"},
    {"accelerationmaxlong", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum, long"},
    {"accelerationinitshort", OptionType::real, 0.02, 0, kRealLimit,
     "Acceleration factor initial value, short"},
    {"accelerationshort", OptionType::real, 0.02, 0, kRealLimit, "Acceleration factor step, short"},
    {"accelerationmaxshort", OptionType::real, 0.2, 0, kRealLimit, "Acceleration factor maximum, short"}};
constexpr std::string_view kPenetrationHelp =
    "Penetration into the first candle's body, as a fraction of that body";
constexpr OptionSpec kPenetration[] = {
    {"penetration", OptionType::real, 0.3, 0, kRealLimit, kPenetrationHelp}};
constexpr OptionSpec kKeltnerOptions[] = {
    period_option<20, 2>(),
    {"atrperiod", OptionType::integer, 10, 1, kMaxPeriod, "Number of periods of the ATR (Wilder smoothing)"},
    {"multiplier", OptionType::real, 2, 0, kRealLimit, "ATR multiplier of the band width"}};
constexpr OptionSpec kSuperTrendOptions[] = {
    {"atrperiod", OptionType::integer, 10, 1, kMaxPeriod, "Number of periods of the ATR (Wilder smoothing)"},
    {"multiplier", OptionType::real, 3, 0, kRealLimit, "ATR multiplier of the band width"}};
constexpr OptionSpec kIchimokuOptions[] = {
    {"tenkan", OptionType::integer, 9, 1, kMaxPeriod, "Periods of the conversion line (tenkan-sen)"},
    {"kijun", OptionType::integer, 26, 1, kMaxPeriod, "Periods of the base line (kijun-sen)"},
    {"senkou", OptionType::integer, 52, 1, kMaxPeriod, "Periods of leading span B (senkou span B)"},
    {"displacement", OptionType::integer, 26, 0, kMaxPeriod,
     "Bars the leading spans are shifted ahead (and the lagging span behind)"}};
constexpr OptionSpec kZigZagOptions[] = {
    {"deviation", OptionType::real, 5, 0.01, 100,
     "Reversal from the leg's extreme that confirms a pivot, in percent"}};
constexpr OptionSpec kAvwapOptions[] = {{"anchor", OptionType::integer, 0, 0, 1e9,
                                         "Bar index of the input where the VWAP starts (0 = first bar)"}};
constexpr OptionSpec kPenetration50[] = {
    {"penetration", OptionType::real, 0.5, 0, kRealLimit, kPenetrationHelp}};

// ---- Adapters: table signature -> typed kernels ----------------------------

template <int (*Kernel)(In, int, Out)>
int real_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(real0(in), as_int(o[0]), out[0]);
}
template <int (*Kernel)(In, In, In, int, Out)>
int hlc_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(in.high, in.low, in.close, as_int(o[0]), out[0]);
}
template <int (*Kernel)(In, In, int, Out)>
int hl_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(in.high, in.low, as_int(o[0]), out[0]);
}
template <int (*Lookback)(int)>
int period_lookback(Opts o) {
  return Lookback(as_int(o[0]));
}

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
int t3_lb(Opts o) { return t3_lookback(as_int(o[0])); }
int t3_run(const Inputs& in, Opts o, Outs out) { return t3(real0(in), as_int(o[0]), o[1], out[0]); }
int accbands_run(const Inputs& in, Opts o, Outs out) {
  return accbands(in.high, in.low, in.close, as_int(o[0]), out[0], out[1], out[2]);
}
int imi_run(const Inputs& in, Opts o, Outs out) { return imi(in.open, in.close, as_int(o[0]), out[0]); }
int bbands_lb(Opts o) { return ma_lookback(as_int(o[0]), as_int(o[3])); }
int bbands_run(const Inputs& in, Opts o, Outs out) {
  return bbands_ma(real0(in), as_int(o[0]), o[1], o[2], as_int(o[3]), out[0], out[1], out[2]);
}
int stoch_lb(Opts o) {
  return stoch_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]));
}
int stoch_run(const Inputs& in, Opts o, Outs out) {
  return stoch(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]),
               as_int(o[4]), out[0], out[1]);
}
int obv_lb(Opts) { return obv_lookback(); }
int obv_run(const Inputs& in, Opts, Outs out) { return obv(real0(in), in.volume, out[0]); }
int mfi_run(const Inputs& in, Opts o, Outs out) {
  return mfi(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}
int relvol_run(const Inputs& in, Opts o, Outs out) { return relvol(in.volume, as_int(o[0]), out[0]); }
int pivots_lb(Opts) { return pivots_lookback(); }
template <int (*Kernel)(In, In, In, const PivotOut&)>
int pivots_run(const Inputs& in, Opts, Outs out) {
  return Kernel(in.high, in.low, in.close, PivotOut{out[0], out[1], out[2], out[3], out[4], out[5], out[6]});
}

int donchian_run(const Inputs& in, Opts o, Outs out) {
  return donchian(in.high, in.low, as_int(o[0]), out[0], out[1], out[2]);
}
int keltner_lb(Opts o) { return keltner_lookback(as_int(o[0]), as_int(o[1])); }
int keltner_run(const Inputs& in, Opts o, Outs out) {
  return keltner(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), o[2], out[0], out[1], out[2]);
}

int cmf_run(const Inputs& in, Opts o, Outs out) {
  return cmf(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}
int heikinashi_run(const Inputs& in, Opts, Outs out) {
  return heikinashi(in.open, in.high, in.low, in.close, out[0], out[1], out[2], out[3]);
}
int supertrend_lb(Opts o) { return supertrend_lookback(as_int(o[0])); }
int supertrend_run(const Inputs& in, Opts o, Outs out) {
  return supertrend(in.high, in.low, in.close, as_int(o[0]), o[1], out[0], out[1]);
}
int vwap_run(const Inputs& in, Opts, Outs out) { return vwap(in.high, in.low, in.close, in.volume, out[0]); }
int ichimoku_lb(Opts o) { return ichimoku_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3])); }
int ichimoku_run(const Inputs& in, Opts o, Outs out) {
  return ichimoku(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]),
                  IchimokuOut{out[0], out[1], out[2], out[3], out[4]});
}
int zigzag_run(const Inputs& in, Opts o, Outs out) {
  return zigzag(in.high, in.low, in.close, o[0], out[0], out[1], out[2]);
}
int avwap_lb(Opts o) { return avwap_lookback(as_int(o[0])); }
int avwap_run(const Inputs& in, Opts o, Outs out) {
  return avwap(in.high, in.low, in.close, in.volume, as_int(o[0]), out[0]);
}
int camarilla_run(const Inputs& in, Opts, Outs out) {
  return pivots_camarilla(in.high, in.low, in.close,
                          PivotOut{out[0], out[1], out[2], out[3], out[5], out[6], out[7]}, out[4], out[8]);
}
int zero_lb(Opts) { return 0; }
int mavp_lb(Opts o) { return mavp_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
int mavp_run(const Inputs& in, Opts o, Outs out) {
  return mavp(real0(in), in.periods, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}
int ma_lb(Opts o) { return ma_lookback(as_int(o[0]), as_int(o[1])); }
int ma_run(const Inputs& in, Opts o, Outs out) { return ma(real0(in), as_int(o[0]), as_int(o[1]), out[0]); }
int avgprice_run(const Inputs& in, Opts, Outs out) {
  return avgprice(in.open, in.high, in.low, in.close, out[0]);
}
int medprice_run(const Inputs& in, Opts, Outs out) { return medprice(in.high, in.low, out[0]); }
template <int (*Kernel)(In, In, In, Out)>
int hlc_plain(const Inputs& in, Opts, Outs out) {
  return Kernel(in.high, in.low, in.close, out[0]);
}
template <MathFn Fn>
int math_run(const Inputs& in, Opts, Outs out) {
  return math_transform(Fn, real0(in), out[0]);
}
template <MathOp Op>
int operator_run(const Inputs& in, Opts, Outs out) {
  return math_operator(Op, pair0(in), pair1(in), out[0]);
}
int minmax_run(const Inputs& in, Opts o, Outs out) { return minmax(real0(in), as_int(o[0]), out[0], out[1]); }
int minmaxindex_run(const Inputs& in, Opts o, Outs out) {
  return minmaxindex(real0(in), as_int(o[0]), out[0], out[1]);
}
int midprice_run(const Inputs& in, Opts o, Outs out) {
  return midprice(in.high, in.low, as_int(o[0]), out[0]);
}
int stddev_run(const Inputs& in, Opts o, Outs out) { return stddev(real0(in), as_int(o[0]), o[1], out[0]); }
template <LinRegOut What>
int linearreg_run(const Inputs& in, Opts o, Outs out) {
  return linearreg(real0(in), as_int(o[0]), What, out[0]);
}
template <int (*Kernel)(In, In, int, Out)>
int real2_period(const Inputs& in, Opts o, Outs out) {
  return Kernel(pair0(in), pair1(in), as_int(o[0]), out[0]);
}
template <RocKind Kind>
int roc_run(const Inputs& in, Opts o, Outs out) {
  return roc_family(real0(in), as_int(o[0]), Kind, out[0]);
}
int bop_run(const Inputs& in, Opts, Outs out) { return bop(in.open, in.high, in.low, in.close, out[0]); }
int aroon_run(const Inputs& in, Opts o, Outs out) {
  return aroon(in.high, in.low, as_int(o[0]), out[0], out[1]);
}
int aroonosc_run(const Inputs& in, Opts o, Outs out) {
  return aroonosc(in.high, in.low, as_int(o[0]), out[0]);
}
int ad_run(const Inputs& in, Opts, Outs out) { return ad(in.high, in.low, in.close, in.volume, out[0]); }
int adosc_lb(Opts o) { return adosc_lookback(as_int(o[0]), as_int(o[1])); }
int adosc_run(const Inputs& in, Opts o, Outs out) {
  return adosc(in.high, in.low, in.close, in.volume, as_int(o[0]), as_int(o[1]), out[0]);
}
int trange_lb(Opts) { return trange_lookback(); }
int sar_lb(Opts) { return sar_lookback(); }
int mama_lb(Opts) { return mama_lookback(); }
int mama_run(const Inputs& in, Opts o, Outs out) { return mama(real0(in), o[0], o[1], out[0], out[1]); }
template <int (*Lookback)()>
int fixed_lb(Opts) {
  return Lookback();
}
template <int (*Kernel)(In, Out)>
int real_plain(const Inputs& in, Opts, Outs out) {
  return Kernel(real0(in), out[0]);
}
template <int (*Kernel)(In, Out, Out)>
int real_plain2(const Inputs& in, Opts, Outs out) {
  return Kernel(real0(in), out[0], out[1]);
}
int sarext_run(const Inputs& in, Opts o, Outs out) {
  return sarext(in.high, in.low, SarExtParams{o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]}, out[0]);
}
int sar_run(const Inputs& in, Opts o, Outs out) { return sar(in.high, in.low, o[0], o[1], out[0]); }
int stochf_lb(Opts o) { return stochf_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
int stochf_run(const Inputs& in, Opts o, Outs out) {
  return stochf(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0], out[1]);
}
int stochrsi_lb(Opts o) { return stochrsi_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3])); }
int stochrsi_run(const Inputs& in, Opts o, Outs out) {
  return stochrsi(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]), out[0], out[1]);
}
int ultosc_lb(Opts o) { return ultosc_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
int ultosc_run(const Inputs& in, Opts o, Outs out) {
  return ultosc(in.high, in.low, in.close, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}
int po_lb(Opts o) { return apo_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
template <int (*Kernel)(In, int, int, int, Out)>
int po_run(const Inputs& in, Opts o, Outs out) {
  return Kernel(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}

candles::Ohlc ohlc(const Inputs& in) { return {in.open, in.high, in.low, in.close}; }
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

constexpr std::string_view kOverlap = "Overlap Studies";
constexpr std::string_view kMomentum = "Momentum Indicators";
constexpr std::string_view kVolatility = "Volatility Indicators";
constexpr std::string_view kVolumeGroup = "Volume Indicators";
constexpr std::string_view kPatterns = "Pattern Recognition";
constexpr std::string_view kPrice = "Price Transform";
constexpr std::string_view kMathTransform = "Math Transform";
constexpr std::string_view kMathOperators = "Math Operators";
constexpr std::string_view kStatistic = "Statistic Functions";
constexpr std::string_view kCycle = "Cycle Indicators";
constexpr std::string_view kExtras = "TickStock Extras";

// clang-format off
constexpr FunctionSpec kFunctions[] = {
    {"SMA", kOverlap, "Simple Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<sma_lookback>, real_period<sma>, streams::sma, multi::sma},
    {"EMA", kOverlap, "Exponential Moving Average (k = 2/(n+1), seeded with the SMA of the first n values)",
     kReal, kPeriod30, kOutReal, period_lookback<ema_lookback>, real_period<ema>, streams::ema, multi::ema},
    {"MA", kOverlap, "Moving average of the chosen type (period 1 copies the input)", kReal, kMaOptions,
     kOutReal, ma_lb, ma_run, streams::ma},
    {"MAVP", kOverlap,
     "Moving average with variable period: bar i uses MA(period = periods[i] truncated and clamped to "
     "[minperiod, maxperiod]), each period's MA started where TA-Lib's TA_MA call starts it. Lookback that of "
     "MA(maxperiod, matype).",
     kRealPeriods, kMavpOptions, kOutReal, mavp_lb, mavp_run, streams::mavp},
    {"WMA", kOverlap, "Weighted Moving Average (linear weights 1..n)", kReal, kPeriod30, kOutReal,
     period_lookback<wma_lookback>, real_period<wma>, streams::wma},
    {"DEMA", kOverlap, "Double Exponential Moving Average: 2 EMA - EMA(EMA)", kReal, kPeriod30, kOutReal,
     period_lookback<dema_lookback>, real_period<dema>, streams::dema, multi::dema},
    {"TEMA", kOverlap, "Triple Exponential Moving Average: 3 EMA - 3 EMA(EMA) + EMA(EMA(EMA))", kReal,
     kPeriod30, kOutReal, period_lookback<tema_lookback>, real_period<tema>, streams::tema, multi::tema},
    {"TRIMA", kOverlap, "Triangular Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<trima_lookback>, real_period<trima>, streams::trima},
    {"KAMA", kOverlap, "Kaufman Adaptive Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<kama_lookback>, real_period<kama>, streams::kama},
    {"MAMA", kOverlap, "MESA Adaptive Moving Average (MAMA and FAMA)", kReal, kMamaOptions, kOutMama, mama_lb,
     mama_run, streams::mama},
    {"T3", kOverlap, "Triple Exponential Moving Average (T3, Tillson)", kReal, kT3Options, kOutReal, t3_lb,
     t3_run, streams::t3},
    {"ACCBANDS", kOverlap, "Acceleration Bands", kHlc, kPeriod20Min2, kOutBands,
     period_lookback<accbands_lookback>, accbands_run, streams::accbands},
    {"BBANDS", kOverlap, "Bollinger Bands (middle = MA, bands = middle +/- nbdev * population stddev)",
     kReal, kBbandsOptions, kOutBands, bbands_lb, bbands_run, streams::bbands, multi::bbands},
    {"RSI", kMomentum, "Relative Strength Index (Wilder smoothing)", kReal, kPeriod14, kOutReal,
     period_lookback<rsi_lookback>, real_period<rsi>, streams::rsi, multi::rsi},
    {"MACD", kMomentum, "Moving Average Convergence/Divergence (EMA fast - EMA slow, EMA signal)", kReal,
     kMacdOptions, kOutMacd, macd_lb, macd_run, streams::macd},
    {"MACDFIX", kMomentum, "Moving Average Convergence/Divergence Fix 12/26 (smoothing 0.15 and 0.075)", kReal,
     kMacdFixOptions, kOutMacd, macdfix_lb, macdfix_run, streams::macdfix},
    {"MACDEXT", kMomentum, "MACD with controllable MA types (any MA type per line)", kReal, kMacdExtOptions,
     kOutMacd, macdext_lb, macdext_run, streams::macdext},
    {"IMI", kMomentum, "Intraday Momentum Index", kOc, kPeriod14, kOutReal, period_lookback<imi_lookback>,
     imi_run, rerun_lb<imi_run, period_lookback<imi_lookback>, 1>},
    {"STOCH", kMomentum, "Stochastic (slow %K and %D)", kHlc, kStochOptions, kOutStoch, stoch_lb, stoch_run, streams::stoch,
     multi::stoch},
    {"ADX", kMomentum, "Average Directional Movement Index", kHlc, kPeriod14, kOutReal,
     period_lookback<adx_lookback>, hlc_period<adx>, streams::adx, multi::adx},
    {"PLUS_DI", kMomentum, "Plus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<plus_di_lookback>, hlc_period<plus_di>, streams::plus_di},
    {"MINUS_DI", kMomentum, "Minus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<minus_di_lookback>, hlc_period<minus_di>, streams::minus_di},
    {"ADXR", kMomentum, "Average Directional Movement Index Rating: (ADX + ADX[n-1 bars ago]) / 2", kHlc,
     kPeriod14, kOutReal, period_lookback<adxr_lookback>, hlc_period<adxr>, streams::adxr},
    {"DX", kMomentum, "Directional Movement Index", kHlc, kPeriod14, kOutReal, period_lookback<dx_lookback>,
     hlc_period<dx>, streams::dx},
    {"PLUS_DM", kMomentum, "Plus Directional Movement (Wilder smoothing)", kHl, kPeriod14Min1, kOutReal,
     period_lookback<plus_dm_lookback>, hl_period<plus_dm>, streams::plus_dm},
    {"MINUS_DM", kMomentum, "Minus Directional Movement (Wilder smoothing)", kHl, kPeriod14Min1, kOutReal,
     period_lookback<minus_dm_lookback>, hl_period<minus_dm>, streams::minus_dm},
    {"STOCHF", kMomentum, "Stochastic Fast (fast %K and %D)", kHlc, kStochfOptions, kOutFast, stochf_lb,
     stochf_run, streams::stochf},
    {"STOCHRSI", kMomentum, "Stochastic Relative Strength Index: STOCHF over RSI", kReal, kStochRsiOptions,
     kOutFast, stochrsi_lb, stochrsi_run, streams::stochrsi},
    {"TRIX", kMomentum,
     "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA (period >= 2: TA-Lib's period 1 output is misaligned)",
     kReal, kPeriod30, kOutReal,
     period_lookback<trix_lookback>, real_period<trix>, streams::trix},
    {"ULTOSC", kMomentum, "Ultimate Oscillator", kHlc, kUltoscOptions, kOutReal, ultosc_lb, ultosc_run, streams::ultosc},
    {"APO", kMomentum, "Absolute Price Oscillator: MA(fast) - MA(slow)", kReal, kPoOptions, kOutReal, po_lb,
     po_run<apo>, streams::apo},
    {"PPO", kMomentum, "Percentage Price Oscillator: (MA(fast) - MA(slow)) / MA(slow) * 100", kReal, kPoOptions,
     kOutReal, po_lb, po_run<ppo>, streams::ppo},
    {"MFI", kMomentum, "Money Flow Index", kHlcv, kPeriod14, kOutReal, period_lookback<mfi_lookback>, mfi_run, streams::mfi},
    {"WILLR", kMomentum, "Williams' %R", kHlc, kPeriod14, kOutReal, period_lookback<willr_lookback>,
     hlc_period<willr>, streams::willr},
    {"CCI", kMomentum, "Commodity Channel Index", kHlc, kPeriod14, kOutReal, period_lookback<cci_lookback>,
     hlc_period<cci>, streams::cci},
    {"ATR", kVolatility, "Average True Range (Wilder smoothing)", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<atr_lookback>, hlc_period<atr>, streams::atr, multi::atr},
    {"OBV", kVolumeGroup, "On Balance Volume (OBV[0] = volume[0])", kRealVolume, {}, kOutReal, obv_lb, obv_run, streams::obv},
    {"AVGDEV", kPrice, "Average Deviation (mean absolute deviation around the window mean)", kReal, kPeriod14,
     kOutReal, period_lookback<avgdev_lookback>, real_period<avgdev>, rerun_lb<real_period<avgdev>, period_lookback<avgdev_lookback>, 1>},
    {"AVGPRICE", kPrice, "Average Price: (open + high + low + close) / 4", kOhlc, {}, kOutReal, zero_lb,
     avgprice_run, rerun<avgprice_run, 1, 1>},
    {"MEDPRICE", kPrice, "Median Price: (high + low) / 2", kHl, {}, kOutReal, zero_lb, medprice_run, rerun<medprice_run, 1, 1>},
    {"TYPPRICE", kPrice, "Typical Price: (high + low + close) / 3", kHlc, {}, kOutReal, zero_lb,
     hlc_plain<typprice>, rerun<hlc_plain<typprice>, 1, 1>},
    {"WCLPRICE", kPrice, "Weighted Close Price: (high + low + 2 close) / 4", kHlc, {}, kOutReal, zero_lb,
     hlc_plain<wclprice>, rerun<hlc_plain<wclprice>, 1, 1>},
    {"TRANGE", kVolatility, "True Range", kHlc, {}, kOutReal, trange_lb, hlc_plain<trange>, rerun<hlc_plain<trange>, 2, 1>},
    {"NATR", kVolatility, "Normalized Average True Range: ATR / close * 100", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<natr_lookback>, hlc_period<natr>, streams::natr},
    {"MOM", kMomentum, "Momentum: real - real[n bars ago]", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::mom>, streams::roc<0>},
    {"ROC", kMomentum, "Rate of change: ((real / prev) - 1) * 100", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::roc>, streams::roc<1>},
    {"ROCP", kMomentum, "Rate of change percentage: (real - prev) / prev", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::rocp>, streams::roc<2>},
    {"ROCR", kMomentum, "Rate of change ratio: real / prev", kReal, kPeriod10Min1, kOutReal,
     period_lookback<roc_lookback>, roc_run<RocKind::rocr>, streams::roc<3>},
    {"ROCR100", kMomentum, "Rate of change ratio, 100 scale: (real / prev) * 100", kReal, kPeriod10Min1,
     kOutReal, period_lookback<roc_lookback>, roc_run<RocKind::rocr100>, streams::roc<4>},
    {"CMO", kMomentum, "Chande Momentum Oscillator (Wilder smoothing, as TA-Lib)", kReal, kPeriod14, kOutReal,
     period_lookback<cmo_lookback>, real_period<cmo>, streams::cmo},
    {"BOP", kMomentum, "Balance Of Power: (close - open) / (high - low)", kOhlc, {}, kOutReal, zero_lb, bop_run, rerun<bop_run, 1, 1>},
    {"AROON", kMomentum, "Aroon (down, up)", kHl, kPeriod14, kOutAroon, period_lookback<aroon_lookback>,
     aroon_run, streams::aroon},
    {"AROONOSC", kMomentum, "Aroon Oscillator: up - down", kHl, kPeriod14, kOutReal,
     period_lookback<aroon_lookback>, aroonosc_run, streams::aroonosc},
    {"AD", kVolumeGroup, "Chaikin A/D Line", kHlcv, {}, kOutReal, zero_lb, ad_run, streams::ad},
    {"ADOSC", kVolumeGroup, "Chaikin A/D Oscillator: EMA(fast) - EMA(slow) of the A/D line", kHlcv,
     kAdoscOptions, kOutReal, adosc_lb, adosc_run, streams::adosc},
    {"SUM", kMathOperators, "Summation over a window", kReal, kPeriod30, kOutReal,
     period_lookback<sum_lookback>, real_period<sum>, streams::sum},
    {"MAX", kMathOperators, "Highest value over a window", kReal, kPeriod30, kOutReal,
     period_lookback<minmax_lookback>, real_period<max>, streams::max},
    {"MIN", kMathOperators, "Lowest value over a window", kReal, kPeriod30, kOutReal,
     period_lookback<minmax_lookback>, real_period<min>, streams::min},
    {"MAXINDEX", kMathOperators, "Index of the highest value over a window", kReal, kPeriod30, kOutInteger,
     period_lookback<minmax_lookback>, real_period<maxindex>, streams::maxindex},
    {"MININDEX", kMathOperators, "Index of the lowest value over a window", kReal, kPeriod30, kOutInteger,
     period_lookback<minmax_lookback>, real_period<minindex>, streams::minindex},
    {"MINMAX", kMathOperators, "Lowest and highest values over a window", kReal, kPeriod30, kOutMinMax,
     period_lookback<minmax_lookback>, minmax_run, streams::minmax},
    {"MINMAXINDEX", kMathOperators, "Indexes of the lowest and highest values over a window", kReal, kPeriod30,
     kOutMinMaxIndex, period_lookback<minmax_lookback>, minmaxindex_run, streams::minmaxindex},
    {"SAR", kOverlap, "Parabolic SAR", kHl, kSarOptions, kOutReal, sar_lb, sar_run, streams::sar},
    {"SAREXT", kOverlap, "Parabolic SAR - Extended (short positions as negative values)", kHl, kSarExtOptions,
     kOutReal, sar_lb, sarext_run, streams::sarext},
    {"MIDPOINT", kOverlap, "MidPoint over period: (highest + lowest) / 2", kReal, kPeriod14, kOutReal,
     period_lookback<minmax_lookback>, real_period<midpoint>, streams::midpoint},
    {"MIDPRICE", kOverlap, "Midpoint Price over period: (highest high + lowest low) / 2", kHl, kPeriod14,
     kOutReal, period_lookback<minmax_lookback>, midprice_run, streams::midprice},
    {"ADD", kMathOperators, "Vector arithmetic add: real0 + real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::add>, rerun<operator_run<MathOp::add>, 1, 1>},
    {"SUB", kMathOperators, "Vector arithmetic subtraction: real0 - real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::sub>, rerun<operator_run<MathOp::sub>, 1, 1>},
    {"MULT", kMathOperators, "Vector arithmetic mult: real0 * real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::mult>, rerun<operator_run<MathOp::mult>, 1, 1>},
    {"DIV", kMathOperators, "Vector arithmetic div: real0 / real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::div>, rerun<operator_run<MathOp::div>, 1, 1>},
    {"ACOS", kMathTransform, "Vector trigonometric acos (NaN outside [-1, 1])", kReal, {}, kOutReal, zero_lb,
     math_run<MathFn::acos>, rerun<math_run<MathFn::acos>, 1, 1>},
    {"ASIN", kMathTransform, "Vector trigonometric asin (NaN outside [-1, 1])", kReal, {}, kOutReal, zero_lb,
     math_run<MathFn::asin>, rerun<math_run<MathFn::asin>, 1, 1>},
    {"COSH", kMathTransform, "Vector trigonometric cosh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::cosh>, rerun<math_run<MathFn::cosh>, 1, 1>},
    {"EXP", kMathTransform, "Vector arithmetic exp", kReal, {}, kOutReal, zero_lb, math_run<MathFn::exp>, rerun<math_run<MathFn::exp>, 1, 1>},
    {"SINH", kMathTransform, "Vector trigonometric sinh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sinh>, rerun<math_run<MathFn::sinh>, 1, 1>},
    {"ATAN", kMathTransform, "Vector trigonometric atan", kReal, {}, kOutReal, zero_lb, math_run<MathFn::atan>, rerun<math_run<MathFn::atan>, 1, 1>},
    {"CEIL", kMathTransform, "Vector ceil", kReal, {}, kOutReal, zero_lb, math_run<MathFn::ceil>, rerun<math_run<MathFn::ceil>, 1, 1>},
    {"COS", kMathTransform, "Vector trigonometric cos", kReal, {}, kOutReal, zero_lb, math_run<MathFn::cos>, rerun<math_run<MathFn::cos>, 1, 1>},
    {"FLOOR", kMathTransform, "Vector floor", kReal, {}, kOutReal, zero_lb, math_run<MathFn::floor>, rerun<math_run<MathFn::floor>, 1, 1>},
    {"LN", kMathTransform, "Vector natural log", kReal, {}, kOutReal, zero_lb, math_run<MathFn::ln>, rerun<math_run<MathFn::ln>, 1, 1>},
    {"LOG10", kMathTransform, "Vector log10", kReal, {}, kOutReal, zero_lb, math_run<MathFn::log10>, rerun<math_run<MathFn::log10>, 1, 1>},
    {"SIN", kMathTransform, "Vector trigonometric sin", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sin>, rerun<math_run<MathFn::sin>, 1, 1>},
    {"SQRT", kMathTransform, "Vector square root", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sqrt>, rerun<math_run<MathFn::sqrt>, 1, 1>},
    {"TAN", kMathTransform, "Vector trigonometric tan", kReal, {}, kOutReal, zero_lb, math_run<MathFn::tan>, rerun<math_run<MathFn::tan>, 1, 1>},
    {"TANH", kMathTransform, "Vector trigonometric tanh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::tanh>, rerun<math_run<MathFn::tanh>, 1, 1>},
    {"VAR", kStatistic, "Variance (population, over the window)", kReal, kVarOptions, kOutReal,
     period_lookback<var_lookback>, real_period<var>, streams::var},
    {"STDDEV", kStatistic, "Standard deviation (population) * nbdev", kReal, kStddevOptions, kOutReal,
     period_lookback<var_lookback>, stddev_run, streams::stddev},
    {"LINEARREG", kStatistic, "Linear regression: the fitted value at the last bar", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::value>, rerun_lb<linearreg_run<LinRegOut::value>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_SLOPE", kStatistic, "Linear regression slope", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::slope>, rerun_lb<linearreg_run<LinRegOut::slope>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_INTERCEPT", kStatistic, "Linear regression intercept (at the window's first bar)", kReal,
     kPeriod14, kOutReal, period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::intercept>, rerun_lb<linearreg_run<LinRegOut::intercept>, period_lookback<linearreg_lookback>, 1>},
    {"LINEARREG_ANGLE", kStatistic, "Linear regression angle, in degrees: atan(slope)", kReal, kPeriod14,
     kOutReal, period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::angle>, rerun_lb<linearreg_run<LinRegOut::angle>, period_lookback<linearreg_lookback>, 1>},
    {"TSF", kStatistic, "Time series forecast: the regression line one bar ahead", kReal, kPeriod14, kOutReal,
     period_lookback<linearreg_lookback>, linearreg_run<LinRegOut::forecast>, rerun_lb<linearreg_run<LinRegOut::forecast>, period_lookback<linearreg_lookback>, 1>},
    {"CORREL", kStatistic, "Pearson's correlation coefficient of real0 and real1", kReal2, kPeriod30Min1,
     kOutReal, period_lookback<correl_lookback>, real2_period<correl>, streams::correl},
    {"BETA", kStatistic, "Beta: regression slope of real1's returns on real0's returns (TA-Lib's formula)", kReal2, kPeriod5Min1, kOutReal,
     period_lookback<beta_lookback>, real2_period<beta>, streams::beta},
    {"HT_DCPERIOD", kCycle, "Hilbert Transform - Dominant Cycle Period", kReal, {}, kOutReal,
     fixed_lb<ht_dcperiod_lookback>, real_plain<ht_dcperiod>, streams::ht_dcperiod},
    {"HT_DCPHASE", kCycle, "Hilbert Transform - Dominant Cycle Phase", kReal, {}, kOutReal,
     fixed_lb<ht_dcphase_lookback>, real_plain<ht_dcphase>, streams::ht_dcphase},
    {"HT_PHASOR", kCycle, "Hilbert Transform - Phasor Components", kReal, {}, kOutPhasor,
     fixed_lb<ht_phasor_lookback>, real_plain2<ht_phasor>, streams::ht_phasor},
    {"HT_SINE", kCycle, "Hilbert Transform - SineWave", kReal, {}, kOutSine, fixed_lb<ht_sine_lookback>,
     real_plain2<ht_sine>, streams::ht_sine},
    {"HT_TRENDMODE", kCycle, "Hilbert Transform - Trend vs Cycle Mode (1 = trend)", kReal, {}, kOutInteger,
     fixed_lb<ht_trendmode_lookback>, real_plain<ht_trendmode>, streams::ht_trendmode},
    {"HT_TRENDLINE", kOverlap, "Hilbert Transform - Instantaneous Trendline", kReal, {}, kOutReal,
     fixed_lb<ht_trendline_lookback>, real_plain<ht_trendline>, streams::ht_trendline},
    {"RELVOL", kExtras,
     "Relative volume: volume[i] / mean(volume[i-n .. i-1]), the average of the n PRIOR bars (the current bar "
     "is excluded); 0 when that average is 0. Lookback n.",
     kVolume, kPeriod20, kOutReal, period_lookback<relvol_lookback>, relvol_run, streams::relvol},
    {"PIVOTS", kExtras,
     "Floor pivot points from the prior bar's H, L, C: pp = (H+L+C)/3, r1 = 2pp-L, s1 = 2pp-H, "
     "r2 = pp+(H-L), s2 = pp-(H-L), r3 = H+2(pp-L), s3 = L-2(H-pp). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots>, rerun<pivots_run<pivots>, 2, 7>},
    {"PIVOTS_FIB", kExtras,
     "Fibonacci pivot points from the prior bar: pp = (H+L+C)/3, r1/r2/r3 = pp + 0.382/0.618/1.0 * (H-L), "
     "s1/s2/s3 = pp - 0.382/0.618/1.0 * (H-L). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots_fib>, rerun<pivots_run<pivots_fib>, 2, 7>},
    {"PIVOTS_WOODIE", kExtras,
     "Woodie pivot points from the prior bar: pp = (H+L+2C)/4, r1 = 2pp-L, s1 = 2pp-H, r2 = pp+(H-L), "
     "s2 = pp-(H-L), r3 = H+2(pp-L), s3 = L-2(H-pp). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots_woodie>, rerun<pivots_run<pivots_woodie>, 2, 7>},
    {"PIVOTS_CAMARILLA", kExtras,
     "Camarilla pivot points from the prior bar: r1..r4 = C + (H-L)*1.1/12, /6, /4, /2, s1..s4 = C - the same; "
     "pp = (H+L+C)/3. Lookback 1.",
     kHlc, {}, kOutCamarilla, pivots_lb, camarilla_run, rerun<camarilla_run, 2, 9>},
    {"DONCHIAN", kExtras,
     "Donchian channel: upper = highest high, lower = lowest low of the last n bars, middle = (upper+lower)/2. "
     "Lookback n-1.",
     kHl, kPeriod20, kOutBands, period_lookback<donchian_lookback>, donchian_run, streams::donchian},
    {"KELTNER", kExtras,
     "Keltner channel: middle = EMA(close, timeperiod), upper/lower = middle +/- multiplier * ATR(atrperiod) "
     "(the EMA and ATR functions' values). Lookback max(timeperiod-1, atrperiod).",
     kHlc, kKeltnerOptions, kOutBands, keltner_lb, keltner_run, streams::keltner},
    {"HMA", kExtras,
     "Hull Moving Average: WMA(2*WMA(n/2) - WMA(n), sqrt(n)), n/2 and sqrt(n) rounded down. "
     "Lookback (n-1) + (floor(sqrt(n))-1).",
     kReal, kPeriod20Min2, kOutReal, period_lookback<hma_lookback>, real_period<hma>, streams::hma},
    {"CMF", kExtras,
     "Chaikin Money Flow: sum(MFM*volume) / sum(volume) over n bars, MFM = ((C-L)-(H-C))/(H-L) (0 when H = L); "
     "0 when the window's volume is 0. Lookback n-1.",
     kHlcv, kPeriod20, kOutReal, period_lookback<cmf_lookback>, cmf_run, streams::cmf},
    {"HEIKINASHI", kExtras,
     "Heikin-Ashi candles: ha_close = (O+H+L+C)/4, ha_open = (prev ha_open + prev ha_close)/2 seeded with "
     "(O0+C0)/2, ha_high = max(H, ha_open, ha_close), ha_low = min(L, ha_open, ha_close). Lookback 0.",
     kOhlc, {}, kOutHeikinAshi, fixed_lb<heikinashi_lookback>, heikinashi_run, streams::heikinashi},
    {"SUPERTREND", kExtras,
     "SuperTrend: bands (H+L)/2 +/- multiplier * ATR(atrperiod) (TA-Lib's Wilder ATR) with the final-band "
     "recursion; supertrend = lower band in an uptrend, upper band in a downtrend; direction +1 up, -1 down "
     "(the first bar starts down, as TradingView's ta.supertrend). Lookback atrperiod.",
     kHlc, kSuperTrendOptions, kOutSuperTrend, supertrend_lb, supertrend_run, streams::supertrend},
    {"VWAP", kExtras,
     "Volume-weighted average price anchored at the first input bar: sum(tp*volume) / sum(volume) over bars "
     "0..i, tp = (H+L+C)/3 (tp itself while the cumulative volume is 0). Lookback 0.",
     kHlcv, {}, kOutReal, fixed_lb<vwap_lookback>, vwap_run, streams::vwap},
    {"AVWAP", kExtras,
     "Anchored VWAP: sum(tp*volume) / sum(volume) over bars anchor..i, tp = (H+L+C)/3 (tp itself while the "
     "cumulative volume is 0); anchor is a bar index of the input. Lookback anchor.",
     kHlcv, kAvwapOptions, kOutReal, avwap_lb, avwap_run, streams::avwap},
    {"ICHIMOKU", kExtras,
     "Ichimoku Kinko Hyo (Hosoda): mid(p, j) = (highest high + lowest low)/2 of the p bars ending at j, "
     "d = displacement; tenkan = mid(tenkan, i), kijun = mid(kijun, i), senkou_a = (mid(tenkan, i-d) + "
     "mid(kijun, i-d))/2 and senkou_b = mid(senkou, i-d) (the cloud drawn at bar i, computed d bars earlier), "
     "chikou = close[i] (drawn d bars back; never a later close). Lookback max(tenkan, kijun, senkou)-1+d.",
     kHlc, kIchimokuOptions, kOutIchimoku, ichimoku_lb, ichimoku_run, streams::ichimoku},
    {"ZIGZAG", kExtras,
     "ZigZag of confirmed pivots (no repainting): a leg's extreme becomes a pivot once price reverses from it "
     "by deviation percent (high >= low*(1+dev/100), low <= high*(1-dev/100); no reversal on a bar that extends "
     "the leg). pivot = last confirmed pivot price (bar 0's close before one), direction = +1 after a low pivot "
     "(up leg), -1 after a high, 0 before the first; pivot_index = its bar index. Lookback 0.",
     kHlc, kZigZagOptions, kOutZigZag, zero_lb, zigzag_run, streams::zigzag},
    {"CDL2CROWS", kPatterns, "Two Crows", kOhlc, {}, kOutInteger,
     candle_lb<candles::two_crows_lookback>, candle_run<candles::two_crows>, candles::two_crows_stream},
    {"CDL3BLACKCROWS", kPatterns, "Three Black Crows", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_black_crows_lookback>, candle_run<candles::three_black_crows>, candles::three_black_crows_stream},
    {"CDL3INSIDE", kPatterns, "Three Inside Up/Down", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_inside_lookback>, candle_run<candles::three_inside>, candles::three_inside_stream},
    {"CDL3LINESTRIKE", kPatterns, "Three-Line Strike", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_line_strike_lookback>, candle_run<candles::three_line_strike>, candles::three_line_strike_stream},
    {"CDL3OUTSIDE", kPatterns, "Three Outside Up/Down", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_outside_lookback>, candle_run<candles::three_outside>, candles::three_outside_stream},
    {"CDL3STARSINSOUTH", kPatterns, "Three Stars In The South", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_stars_in_south_lookback>, candle_run<candles::three_stars_in_south>, candles::three_stars_in_south_stream},
    {"CDL3WHITESOLDIERS", kPatterns, "Three Advancing White Soldiers", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_white_soldiers_lookback>, candle_run<candles::three_white_soldiers>, candles::three_white_soldiers_stream},
    {"CDLABANDONEDBABY", kPatterns, "Abandoned Baby", kOhlc, kPenetration, kOutInteger,
     penetration_lb<candles::abandoned_baby_lookback>, penetration_run<candles::abandoned_baby>, candles::abandoned_baby_stream},
    {"CDLADVANCEBLOCK", kPatterns, "Advance Block", kOhlc, {}, kOutInteger,
     candle_lb<candles::advance_block_lookback>, candle_run<candles::advance_block>, candles::advance_block_stream},
    {"CDLBELTHOLD", kPatterns, "Belt-hold", kOhlc, {}, kOutInteger,
     candle_lb<candles::belt_hold_lookback>, candle_run<candles::belt_hold>, candles::belt_hold_stream},
    {"CDLBREAKAWAY", kPatterns, "Breakaway", kOhlc, {}, kOutInteger,
     candle_lb<candles::breakaway_lookback>, candle_run<candles::breakaway>, candles::breakaway_stream},
    {"CDLCLOSINGMARUBOZU", kPatterns, "Closing Marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::closing_marubozu_lookback>, candle_run<candles::closing_marubozu>, candles::closing_marubozu_stream},
    {"CDLCONCEALBABYSWALL", kPatterns, "Concealing Baby Swallow", kOhlc, {}, kOutInteger,
     candle_lb<candles::conceal_baby_swallow_lookback>, candle_run<candles::conceal_baby_swallow>, candles::conceal_baby_swallow_stream},
    {"CDLCOUNTERATTACK", kPatterns, "Counterattack", kOhlc, {}, kOutInteger,
     candle_lb<candles::counterattack_lookback>, candle_run<candles::counterattack>, candles::counterattack_stream},
    {"CDLDARKCLOUDCOVER", kPatterns, "Dark Cloud Cover", kOhlc, kPenetration50, kOutInteger,
     penetration_lb<candles::dark_cloud_cover_lookback>, penetration_run<candles::dark_cloud_cover>, candles::dark_cloud_cover_stream},
    {"CDLDOJI", kPatterns, "Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::doji_lookback>, candle_run<candles::doji>, candles::doji_stream},
    {"CDLDOJISTAR", kPatterns, "Doji Star", kOhlc, {}, kOutInteger,
     candle_lb<candles::doji_star_lookback>, candle_run<candles::doji_star>, candles::doji_star_stream},
    {"CDLDRAGONFLYDOJI", kPatterns, "Dragonfly Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::dragonfly_doji_lookback>, candle_run<candles::dragonfly_doji>, candles::dragonfly_doji_stream},
    {"CDLENGULFING", kPatterns, "Engulfing Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::engulfing_lookback>, candle_run<candles::engulfing>, candles::engulfing_stream},
    {"CDLEVENINGDOJISTAR", kPatterns, "Evening Doji Star", kOhlc, kPenetration, kOutInteger,
     penetration_lb<candles::evening_doji_star_lookback>, penetration_run<candles::evening_doji_star>, candles::evening_doji_star_stream},
    {"CDLEVENINGSTAR", kPatterns, "Evening Star", kOhlc, kPenetration, kOutInteger,
     penetration_lb<candles::evening_star_lookback>, penetration_run<candles::evening_star>, candles::evening_star_stream},
    {"CDLGAPSIDESIDEWHITE", kPatterns, "Up/Down-gap side-by-side white lines", kOhlc, {}, kOutInteger,
     candle_lb<candles::gap_side_side_white_lookback>, candle_run<candles::gap_side_side_white>, candles::gap_side_side_white_stream},
    {"CDLGRAVESTONEDOJI", kPatterns, "Gravestone Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::gravestone_doji_lookback>, candle_run<candles::gravestone_doji>, candles::gravestone_doji_stream},
    {"CDLHAMMER", kPatterns, "Hammer", kOhlc, {}, kOutInteger,
     candle_lb<candles::hammer_lookback>, candle_run<candles::hammer>, candles::hammer_stream},
    {"CDLHANGINGMAN", kPatterns, "Hanging Man", kOhlc, {}, kOutInteger,
     candle_lb<candles::hanging_man_lookback>, candle_run<candles::hanging_man>, candles::hanging_man_stream},
    {"CDLHARAMI", kPatterns, "Harami Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::harami_lookback>, candle_run<candles::harami>, candles::harami_stream},
    {"CDLHARAMICROSS", kPatterns, "Harami Cross Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::harami_cross_lookback>, candle_run<candles::harami_cross>, candles::harami_cross_stream},
    {"CDLHIGHWAVE", kPatterns, "High-Wave Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::high_wave_lookback>, candle_run<candles::high_wave>, candles::high_wave_stream},
    {"CDLHIKKAKE", kPatterns, "Hikkake Pattern: +/-100 on the inside-bar breakout, +/-200 when confirmed within 3 bars", kOhlc, {}, kOutInteger,
     candle_lb<candles::hikkake_lookback>, candle_run<candles::hikkake>, candles::hikkake_stream},
    {"CDLHIKKAKEMOD", kPatterns, "Modified Hikkake Pattern: +/-100 on the breakout, +/-200 when confirmed within 3 bars", kOhlc, {}, kOutInteger,
     candle_lb<candles::hikkake_mod_lookback>, candle_run<candles::hikkake_mod>, candles::hikkake_mod_stream},
    {"CDLHOMINGPIGEON", kPatterns, "Homing Pigeon", kOhlc, {}, kOutInteger,
     candle_lb<candles::homing_pigeon_lookback>, candle_run<candles::homing_pigeon>, candles::homing_pigeon_stream},
    {"CDLIDENTICAL3CROWS", kPatterns, "Identical Three Crows", kOhlc, {}, kOutInteger,
     candle_lb<candles::identical_three_crows_lookback>, candle_run<candles::identical_three_crows>, candles::identical_three_crows_stream},
    {"CDLINNECK", kPatterns, "In-Neck Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::in_neck_lookback>, candle_run<candles::in_neck>, candles::in_neck_stream},
    {"CDLINVERTEDHAMMER", kPatterns, "Inverted Hammer", kOhlc, {}, kOutInteger,
     candle_lb<candles::inverted_hammer_lookback>, candle_run<candles::inverted_hammer>, candles::inverted_hammer_stream},
    {"CDLKICKING", kPatterns, "Kicking", kOhlc, {}, kOutInteger,
     candle_lb<candles::kicking_lookback>, candle_run<candles::kicking>, candles::kicking_stream},
    {"CDLKICKINGBYLENGTH", kPatterns, "Kicking - bull/bear determined by the longer marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::kicking_by_length_lookback>, candle_run<candles::kicking_by_length>, candles::kicking_by_length_stream},
    {"CDLLADDERBOTTOM", kPatterns, "Ladder Bottom", kOhlc, {}, kOutInteger,
     candle_lb<candles::ladder_bottom_lookback>, candle_run<candles::ladder_bottom>, candles::ladder_bottom_stream},
    {"CDLLONGLEGGEDDOJI", kPatterns, "Long Legged Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::long_legged_doji_lookback>, candle_run<candles::long_legged_doji>, candles::long_legged_doji_stream},
    {"CDLLONGLINE", kPatterns, "Long Line Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::long_line_lookback>, candle_run<candles::long_line>, candles::long_line_stream},
    {"CDLMARUBOZU", kPatterns, "Marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::marubozu_lookback>, candle_run<candles::marubozu>, candles::marubozu_stream},
    {"CDLMATCHINGLOW", kPatterns, "Matching Low", kOhlc, {}, kOutInteger,
     candle_lb<candles::matching_low_lookback>, candle_run<candles::matching_low>, candles::matching_low_stream},
    {"CDLMATHOLD", kPatterns, "Mat Hold", kOhlc, kPenetration50, kOutInteger,
     penetration_lb<candles::mat_hold_lookback>, penetration_run<candles::mat_hold>, candles::mat_hold_stream},
    {"CDLMORNINGDOJISTAR", kPatterns, "Morning Doji Star", kOhlc, kPenetration, kOutInteger,
     penetration_lb<candles::morning_doji_star_lookback>, penetration_run<candles::morning_doji_star>, candles::morning_doji_star_stream},
    {"CDLMORNINGSTAR", kPatterns, "Morning Star", kOhlc, kPenetration, kOutInteger,
     penetration_lb<candles::morning_star_lookback>, penetration_run<candles::morning_star>, candles::morning_star_stream},
    {"CDLONNECK", kPatterns, "On-Neck Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::on_neck_lookback>, candle_run<candles::on_neck>, candles::on_neck_stream},
    {"CDLPIERCING", kPatterns, "Piercing Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::piercing_lookback>, candle_run<candles::piercing>, candles::piercing_stream},
    {"CDLRICKSHAWMAN", kPatterns, "Rickshaw Man", kOhlc, {}, kOutInteger,
     candle_lb<candles::rickshaw_man_lookback>, candle_run<candles::rickshaw_man>, candles::rickshaw_man_stream},
    {"CDLRISEFALL3METHODS", kPatterns, "Rising/Falling Three Methods", kOhlc, {}, kOutInteger,
     candle_lb<candles::rise_fall_three_methods_lookback>, candle_run<candles::rise_fall_three_methods>, candles::rise_fall_three_methods_stream},
    {"CDLSEPARATINGLINES", kPatterns, "Separating Lines", kOhlc, {}, kOutInteger,
     candle_lb<candles::separating_lines_lookback>, candle_run<candles::separating_lines>, candles::separating_lines_stream},
    {"CDLSHOOTINGSTAR", kPatterns, "Shooting Star", kOhlc, {}, kOutInteger,
     candle_lb<candles::shooting_star_lookback>, candle_run<candles::shooting_star>, candles::shooting_star_stream},
    {"CDLSHORTLINE", kPatterns, "Short Line Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::short_line_lookback>, candle_run<candles::short_line>, candles::short_line_stream},
    {"CDLSPINNINGTOP", kPatterns, "Spinning Top", kOhlc, {}, kOutInteger,
     candle_lb<candles::spinning_top_lookback>, candle_run<candles::spinning_top>, candles::spinning_top_stream},
    {"CDLSTALLEDPATTERN", kPatterns, "Stalled Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::stalled_pattern_lookback>, candle_run<candles::stalled_pattern>, candles::stalled_pattern_stream},
    {"CDLSTICKSANDWICH", kPatterns, "Stick Sandwich", kOhlc, {}, kOutInteger,
     candle_lb<candles::stick_sandwich_lookback>, candle_run<candles::stick_sandwich>, candles::stick_sandwich_stream},
    {"CDLTAKURI", kPatterns, "Takuri (Dragonfly Doji with very long lower shadow)", kOhlc, {}, kOutInteger,
     candle_lb<candles::takuri_lookback>, candle_run<candles::takuri>, candles::takuri_stream},
    {"CDLTASUKIGAP", kPatterns, "Tasuki Gap", kOhlc, {}, kOutInteger,
     candle_lb<candles::tasuki_gap_lookback>, candle_run<candles::tasuki_gap>, candles::tasuki_gap_stream},
    {"CDLTHRUSTING", kPatterns, "Thrusting Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::thrusting_lookback>, candle_run<candles::thrusting>, candles::thrusting_stream},
    {"CDLTRISTAR", kPatterns, "Tristar Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::tristar_lookback>, candle_run<candles::tristar>, candles::tristar_stream},
    {"CDLUNIQUE3RIVER", kPatterns, "Unique 3 River", kOhlc, {}, kOutInteger,
     candle_lb<candles::unique_three_river_lookback>, candle_run<candles::unique_three_river>, candles::unique_three_river_stream},
    {"CDLUPSIDEGAP2CROWS", kPatterns, "Upside Gap Two Crows", kOhlc, {}, kOutInteger,
     candle_lb<candles::upside_gap_two_crows_lookback>, candle_run<candles::upside_gap_two_crows>, candles::upside_gap_two_crows_stream},
    {"CDLXSIDEGAP3METHODS", kPatterns, "Upside/Downside Gap Three Methods", kOhlc, {}, kOutInteger,
     candle_lb<candles::xside_gap_three_methods_lookback>, candle_run<candles::xside_gap_three_methods>, candles::xside_gap_three_methods_stream},
};
// clang-format on

constexpr std::size_t kMaxOutputs = 9;  // run() stages output spans in a fixed array
static_assert(std::all_of(std::begin(kFunctions), std::end(kFunctions),
                          [](const FunctionSpec& f) { return f.outputs.size() <= kMaxOutputs; }));

// ---- Parsing helpers ----------------------------------------------------------

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Concatenates pieces (also keeps GCC 12's -Wrestrict false positive on
/// `"literal" + std::string` away).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (const auto p : parts) s.append(p);
  return s;
}

/// Shortest round-trip text for a double; integral values print without decimals.
std::string format_number(double v) {
  std::array<char, 64> buf{};
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) {
    auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<long long>(v));
    return std::string(buf.data(), p);
  }
  auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), p);
}

std::string range_text(const OptionSpec& o) {
  std::string s(1, '[');
  s.append(format_number(o.min_value)).append(", ").append(format_number(o.max_value)).append("]");
  return s;
}

std::string option_list(const FunctionSpec& f) {
  if (f.options.empty()) return "none";
  std::string s;
  for (const auto& o : f.options) {
    if (!s.empty()) s += ", ";
    s += o.name;
  }
  return s;
}

constexpr std::string_view kMaTypeNames[] = {"SMA",   "EMA",  "WMA",  "DEMA", "TEMA",
                                             "TRIMA", "KAMA", "MAMA", "T3"};
static_assert(std::size(kMaTypeNames) == kMaxMaType + 1);

/// "0=SMA, 1=EMA, ..." up to the option's maximum.
std::string matype_list(const OptionSpec& o) {
  std::string s;
  for (std::size_t k = 0; k < std::size(kMaTypeNames) && static_cast<double>(k) <= o.max_value; ++k) {
    if (!s.empty()) s += ", ";
    s += std::to_string(k);
    s += '=';
    s += kMaTypeNames[k];
  }
  return s;
}

/// Checks one option value (type and range). `text` is the original spelling
/// (empty when the value came in as a number).
Result<double> check_value(const FunctionSpec& f, const OptionSpec& o, double v, std::string_view text) {
  const auto where = cat({f.name, " option '", o.name, "'"});
  const auto shown = text.empty() ? format_number(v) : cat({"'", text, "'"});
  if (std::isnan(v)) return fail("BAD_OPTION", cat({where, ": ", shown, " is not a number"}));
  switch (o.type) {
    case OptionType::integer:
      if (v != std::trunc(v))
        return fail("BAD_OPTION", cat({where, " must be an integer in ", range_text(o), ", got ", shown}));
      break;
    case OptionType::matype:
      if (v != std::trunc(v) || v < o.min_value || v > o.max_value)
        return fail("BAD_OPTION",
                    cat({where, " must be a moving-average type in ", range_text(o), " (", matype_list(o),
                         o.max_value < kMaxMaType ? "; other TA-Lib types are not available here" : "",
                         "), got ", shown}));
      break;
    case OptionType::real:
      break;
  }
  if (v < o.min_value || v > o.max_value)
    return fail("BAD_OPTION", cat({where, " must be in ", range_text(o), ", got ", shown}));
  return v;
}

/// Parses an option value's text: a number, or an MA type name for matype options.
Result<double> parse_value(const FunctionSpec& f, const OptionSpec& o, std::string_view text) {
  if (o.type == OptionType::matype) {
    for (std::size_t k = 0; k < std::size(kMaTypeNames); ++k)
      if (iequals(text, kMaTypeNames[k])) return static_cast<double>(k);
  }
  double v = 0;
  std::string_view num = text;
  if (!num.empty() && num.front() == '+') num.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || std::isnan(v)) {
    const char* kind = o.type == OptionType::real ? "a number" : "an integer";
    return fail("BAD_OPTION", cat({f.name, " option '", o.name, "' must be ", kind, " in ", range_text(o),
                                   ", got '", text, "'"}));
  }
  return check_value(f, o, v, text);
}

const OptionSpec* find_option(const FunctionSpec& f, std::string_view name, std::size_t& index) {
  for (std::size_t k = 0; k < f.options.size(); ++k) {
    if (iequals(f.options[k].name, name)) {
      index = k;
      return &f.options[k];
    }
  }
  return nullptr;
}

Result<Call> defaults(std::string_view name) {
  const FunctionSpec* f = find_function(trim(name));
  if (f == nullptr) return fail("UNKNOWN_FUNCTION", cat({"unknown TA function '", trim(name), "'"}));
  Call call;
  call.spec = f;
  call.options.reserve(f->options.size());
  for (const auto& o : f->options) call.options.push_back(o.default_value);
  return call;
}

/// Constraints between options (after each option's own range check).
Result<Call> cross_check(Result<Call> call) {
  if (!call) return call;
  const FunctionSpec& f = *call->spec;
  if (f.name == "MAVP" && call->options[0] > call->options[1])
    return fail("BAD_OPTION",
                cat({"MAVP option 'minperiod' must be <= maxperiod (", format_number(call->options[1]),
                     "), got ", format_number(call->options[0])}));
  return call;
}

Unexpected<Error> unknown_option(const FunctionSpec& f, std::string_view name) {
  return fail("UNKNOWN_OPTION", cat({f.name, " has no option '", name, "' (options: ", option_list(f), ")"}));
}

}  // namespace

std::span<const FunctionSpec> registry() { return kFunctions; }

const FunctionSpec* find_function(std::string_view name) {
  for (const auto& f : kFunctions)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string Call::key() const {
  std::string s(spec->name);
  if (spec->options.empty()) return s;
  s += '(';
  for (std::size_t k = 0; k < spec->options.size(); ++k) {
    if (k != 0) s += ',';
    s += spec->options[k].name;
    s += '=';
    s += format_number(options[k]);
  }
  s += ')';
  return s;
}

Result<Call> parse_call(std::string_view text) {
  const std::string_view t = trim(text);
  const auto open = t.find('(');
  const std::string_view name = trim(t.substr(0, open));
  if (name.empty()) return fail("BAD_CALL", "empty TA call: expected NAME or NAME(option=value,...)");
  auto call = defaults(name);
  if (!call || open == std::string_view::npos) return call;
  const FunctionSpec& f = *call->spec;
  if (t.back() != ')') return fail("BAD_CALL", cat({"malformed call '", t, "': expected ')' at the end"}));
  std::string_view body = trim(t.substr(open + 1, t.size() - open - 2));
  if (body.empty()) return call;
  std::vector<bool> seen(f.options.size(), false);
  while (true) {
    const auto comma = body.find(',');
    const std::string_view item = trim(body.substr(0, comma));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (item.empty() || item.find_first_of("()") != std::string_view::npos)
        return fail("BAD_CALL", cat({"malformed call '", t, "': expected option=value"}));
      std::size_t k = 0;
      if (find_option(f, item, k) == nullptr) return unknown_option(f, item);
      return fail("BAD_OPTION", cat({f.name, " option '", f.options[k].name,
                                     "' needs a value: ", f.options[k].name, "=VALUE"}));
    }
    const std::string_view oname = trim(item.substr(0, eq));
    const std::string_view ovalue = trim(item.substr(eq + 1));
    std::size_t k = 0;
    const OptionSpec* o = find_option(f, oname, k);
    if (o == nullptr) return unknown_option(f, oname);
    if (seen[k]) return fail("BAD_OPTION", cat({f.name, " option '", o->name, "' given twice"}));
    seen[k] = true;
    auto v = parse_value(f, *o, ovalue);
    if (!v) return fail(std::move(v).error());
    call->options[k] = *v;
    if (comma == std::string_view::npos) break;
    body = body.substr(comma + 1);
  }
  return cross_check(std::move(call));
}

Result<Call> make_call(std::string_view name, std::span<const std::pair<std::string_view, double>> opts) {
  auto call = defaults(name);
  if (!call) return call;
  const FunctionSpec& f = *call->spec;
  for (const auto& [oname, value] : opts) {
    std::size_t k = 0;
    const OptionSpec* o = find_option(f, oname, k);
    if (o == nullptr) return unknown_option(f, oname);
    auto v = check_value(f, *o, value, {});
    if (!v) return fail(std::move(v).error());
    call->options[k] = *v;
  }
  return cross_check(std::move(call));
}

namespace {

std::span<const double> column(const Inputs& in, Input which) {
  switch (which) {
    case Input::open:
      return in.open;
    case Input::high:
      return in.high;
    case Input::low:
      return in.low;
    case Input::close:
      return in.close;
    case Input::volume:
      return in.volume;
    case Input::real0:
      return real0(in);
    case Input::real1:
      return in.real1;
    case Input::periods:
      return in.periods;
  }
  return {};
}

constexpr std::string_view input_name(Input which) {
  switch (which) {
    case Input::open:
      return "open";
    case Input::high:
      return "high";
    case Input::low:
      return "low";
    case Input::close:
      return "close";
    case Input::volume:
      return "volume";
    case Input::real0:
      return "real0";
    case Input::real1:
      return "real1";
    case Input::periods:
      return "periods";
  }
  return "?";
}

}  // namespace

namespace {

/// run()'s binding of one series: two-real functions default to high and low
/// (TA-Lib's abstract interface), real0 to close; every needed column is
/// trimmed to in.size (kernels read the length of their first input).
Inputs bind_inputs(const FunctionSpec& f, const Inputs& bound) {
  Inputs in = bound;
  if (in.real1.empty() && std::find(f.inputs.begin(), f.inputs.end(), Input::real1) != f.inputs.end()) {
    if (in.real0.empty()) in.real0 = in.high;
    in.real1 = in.low;
  }
  const std::size_t n = in.size;
  Inputs view = in;
  auto fit = [&](std::span<const double>& col, Input which) {
    if (col.size() < n) {
      throw std::invalid_argument(std::string(f.name) + ": input column '" + std::string(input_name(which)) +
                                  "' has " + std::to_string(col.size()) + " values, expected " +
                                  std::to_string(n));
    }
    col = col.first(n);
  };
  for (const Input which : f.inputs) {
    switch (which) {
      case Input::open:
        fit(view.open, which);
        break;
      case Input::high:
        fit(view.high, which);
        break;
      case Input::low:
        fit(view.low, which);
        break;
      case Input::close:
        fit(view.close, which);
        break;
      case Input::volume:
        fit(view.volume, which);
        break;
      case Input::real0:
        view.real0 = column(in, Input::real0);
        fit(view.real0, which);
        break;
      case Input::real1:
        fit(view.real1, which);
        break;
      case Input::periods:
        fit(view.periods, which);
        break;
    }
  }
  return view;
}

/// Checks one series' output columns and trims them to n.
void fit_outputs(const FunctionSpec& f, std::span<const std::span<double>> outputs, std::size_t n,
                 std::span<std::span<double>> trimmed) {
  if (outputs.size() != f.outputs.size())
    throw std::invalid_argument(std::string(f.name) + ": expected " + std::to_string(f.outputs.size()) +
                                " output columns, got " + std::to_string(outputs.size()));
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].size() < n)
      throw std::invalid_argument(std::string(f.name) + ": output column shorter than the input");
    trimmed[k] = outputs[k].first(n);
  }
}

/// Clamps a kernel's begin index to [0, n] and sets the cells before it to NaN.
int fill_prefix(int begin, std::size_t n, std::span<const std::span<double>> cols) {
  const std::size_t b = std::min(static_cast<std::size_t>(std::max(begin, 0)), n);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (const auto& col : cols) std::fill(col.begin(), col.begin() + static_cast<std::ptrdiff_t>(b), kNaN);
  return static_cast<int>(b);
}

}  // namespace

int run(const Call& call, const Inputs& bound, std::span<const std::span<double>> outputs) {
  const FunctionSpec& f = *call.spec;
  const Inputs view = bind_inputs(f, bound);
  std::array<std::span<double>, kMaxOutputs> trimmed{};
  if (outputs.size() > trimmed.size()) fit_outputs(f, outputs, view.size, {});  // throws: wrong count
  fit_outputs(f, outputs, view.size, std::span(trimmed).first(outputs.size()));
  const auto cols = std::span<const std::span<double>>(trimmed.data(), outputs.size());
  return fill_prefix(f.batch(view, call.options, cols), view.size, cols);
}

int run_multi(const Call& call, std::span<const Inputs> series, std::span<const std::span<double>> outputs) {
  const FunctionSpec& f = *call.spec;
  const std::size_t m = f.outputs.size();
  if (outputs.size() != series.size() * m)
    throw std::invalid_argument(std::string(f.name) + ": expected " + std::to_string(series.size() * m) +
                                " output columns (" + std::to_string(m) + " per series), got " +
                                std::to_string(outputs.size()));
  const std::size_t n = series.empty() ? 0 : series[0].size;
  std::vector<Inputs> views;
  views.reserve(series.size());
  std::vector<std::span<double>> trimmed(outputs.size());
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (series[s].size != n)
      throw std::invalid_argument(std::string(f.name) + ": series " + std::to_string(s) + " has " +
                                  std::to_string(series[s].size) + " bars, series 0 has " +
                                  std::to_string(n));
    views.push_back(bind_inputs(f, series[s]));
    fit_outputs(f, outputs.subspan(s * m, m), n, std::span(trimmed).subspan(s * m, m));
  }
  if (series.empty()) return 0;
  return fill_prefix(f.multi(f, views, call.options, trimmed), n, trimmed);
}

std::unique_ptr<Stream> make_stream(const Call& call) {
  return call.spec->stream != nullptr ? call.spec->stream(call.options) : nullptr;
}

StreamBar stream_bar(const FunctionSpec& f, const Inputs& in, std::size_t i) {
  auto at = [i](std::span<const double> col) { return i < col.size() ? col[i] : 0.0; };
  const bool two_reals = std::find(f.inputs.begin(), f.inputs.end(), Input::real1) != f.inputs.end();
  StreamBar b{at(in.open), at(in.high), at(in.low), at(in.close), at(in.volume), 0.0, 0.0, at(in.periods)};
  if (two_reals) {
    b.real0 = at(pair0(in));
    b.real1 = at(pair1(in));
  } else {
    b.real0 = at(real0(in));
  }
  return b;
}

}  // namespace ts::ta
