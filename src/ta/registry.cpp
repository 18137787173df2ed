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

namespace ts::ta {
namespace {

using Opts = std::span<const double>;
using Outs = std::span<const std::span<double>>;

int as_int(double v) { return static_cast<int>(v); }

/// inReal: the generic real column, falling back to close (TA-Lib's abstract
/// interface default) when the caller did not bind real0.
std::span<const double> real0(const Inputs& in) { return in.real0.empty() ? in.close : in.real0; }

// ---- Shared table pieces ----------------------------------------------------

constexpr Input kReal[] = {Input::real0};
constexpr Input kHlc[] = {Input::high, Input::low, Input::close};
constexpr Input kHlcv[] = {Input::high, Input::low, Input::close, Input::volume};
constexpr Input kRealVolume[] = {Input::real0, Input::volume};
constexpr Input kVolume[] = {Input::volume};
constexpr Input kOhlc[] = {Input::open, Input::high, Input::low, Input::close};

constexpr OutputSpec kOutReal[] = {{"real", OutputKind::real}};
constexpr OutputSpec kOutInteger[] = {{"integer", OutputKind::integer}};
constexpr OutputSpec kOutBands[] = {
    {"upperband", OutputKind::real}, {"middleband", OutputKind::real}, {"lowerband", OutputKind::real}};
constexpr OutputSpec kOutMacd[] = {
    {"macd", OutputKind::real}, {"macdsignal", OutputKind::real}, {"macdhist", OutputKind::real}};
constexpr OutputSpec kOutStoch[] = {{"slowk", OutputKind::real}, {"slowd", OutputKind::real}};
constexpr OutputSpec kOutPivots[] = {
    {"pp", OutputKind::real}, {"r1", OutputKind::real}, {"r2", OutputKind::real}, {"r3", OutputKind::real},
    {"s1", OutputKind::real}, {"s2", OutputKind::real}, {"s3", OutputKind::real}};

constexpr double kMaxPeriod = 100000;
constexpr double kRealLimit = 3e37;  // TA-Lib's TA_REAL_MIN/MAX for real options
constexpr std::string_view kPeriodHelp = "Number of periods";
constexpr std::string_view kMaTypeHelp = "Moving average type: 0=SMA, 1=EMA";

template <int Default, int Min>
constexpr OptionSpec period_option() {
  return {"timeperiod", OptionType::integer, Default, Min, kMaxPeriod, kPeriodHelp};
}
constexpr OptionSpec kPeriod30[] = {period_option<30, 2>()};
constexpr OptionSpec kPeriod14[] = {period_option<14, 2>()};
constexpr OptionSpec kPeriod14Min1[] = {period_option<14, 1>()};
constexpr OptionSpec kPeriod20[] = {period_option<20, 1>()};
constexpr OptionSpec kMacdOptions[] = {
    {"fastperiod", OptionType::integer, 12, 2, kMaxPeriod, "Number of periods of the fast EMA"},
    {"slowperiod", OptionType::integer, 26, 2, kMaxPeriod, "Number of periods of the slow EMA"},
    {"signalperiod", OptionType::integer, 9, 1, kMaxPeriod,
     "EMA periods of the signal line; 1 = signal equals the MACD line (TA-Lib 0.6 misaligns this case)"}};
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
constexpr OptionSpec kPenetration[] = {
    {"penetration", OptionType::real, 0.3, 0, kRealLimit, "Fraction of the first candle's body penetrated"}};

// ---- Adapters: table signature -> typed kernels ----------------------------

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

int macd_lb(Opts o) { return macd_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
int macd_run(const Inputs& in, Opts o, Outs out) {
  return macd(real0(in), as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0], out[1], out[2]);
}
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
int star_lb(Opts o) {
  return Lookback(o[0]);
}
template <int (*Kernel)(const candles::Ohlc&, double, candles::Out)>
int star_run(const Inputs& in, Opts o, Outs out) {
  return Kernel(ohlc(in), o[0], out[0]);
}

constexpr std::string_view kOverlap = "Overlap Studies";
constexpr std::string_view kMomentum = "Momentum Indicators";
constexpr std::string_view kVolatility = "Volatility Indicators";
constexpr std::string_view kVolumeGroup = "Volume Indicators";
constexpr std::string_view kPatterns = "Pattern Recognition";
constexpr std::string_view kExtras = "TickStock Extras";

// clang-format off
constexpr FunctionSpec kFunctions[] = {
    {"SMA", kOverlap, "Simple Moving Average", kReal, kPeriod30, kOutReal,
     period_lookback<sma_lookback>, real_period<sma>},
    {"EMA", kOverlap, "Exponential Moving Average (k = 2/(n+1), seeded with the SMA of the first n values)",
     kReal, kPeriod30, kOutReal, period_lookback<ema_lookback>, real_period<ema>},
    {"BBANDS", kOverlap, "Bollinger Bands (middle = MA, bands = middle +/- nbdev * population stddev)",
     kReal, kBbandsOptions, kOutBands, bbands_lb, bbands_run},
    {"RSI", kMomentum, "Relative Strength Index (Wilder smoothing)", kReal, kPeriod14, kOutReal,
     period_lookback<rsi_lookback>, real_period<rsi>},
    {"MACD", kMomentum, "Moving Average Convergence/Divergence (EMA fast - EMA slow, EMA signal)", kReal,
     kMacdOptions, kOutMacd, macd_lb, macd_run},
    {"STOCH", kMomentum, "Stochastic (slow %K and %D)", kHlc, kStochOptions, kOutStoch, stoch_lb, stoch_run},
    {"ADX", kMomentum, "Average Directional Movement Index", kHlc, kPeriod14, kOutReal,
     period_lookback<adx_lookback>, hlc_period<adx>},
    {"PLUS_DI", kMomentum, "Plus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<plus_di_lookback>, hlc_period<plus_di>},
    {"MINUS_DI", kMomentum, "Minus Directional Indicator", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<minus_di_lookback>, hlc_period<minus_di>},
    {"MFI", kMomentum, "Money Flow Index", kHlcv, kPeriod14, kOutReal, period_lookback<mfi_lookback>, mfi_run},
    {"WILLR", kMomentum, "Williams' %R", kHlc, kPeriod14, kOutReal, period_lookback<willr_lookback>,
     hlc_period<willr>},
    {"CCI", kMomentum, "Commodity Channel Index", kHlc, kPeriod14, kOutReal, period_lookback<cci_lookback>,
     hlc_period<cci>},
    {"ATR", kVolatility, "Average True Range (Wilder smoothing)", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<atr_lookback>, hlc_period<atr>},
    {"OBV", kVolumeGroup, "On Balance Volume (OBV[0] = volume[0])", kRealVolume, {}, kOutReal, obv_lb, obv_run},
    {"RELVOL", kExtras,
     "Relative volume: volume[i] / mean(volume[i-n .. i-1]), the average of the n PRIOR bars (the current bar "
     "is excluded); 0 when that average is 0. Lookback n.",
     kVolume, kPeriod20, kOutReal, period_lookback<relvol_lookback>, relvol_run},
    {"PIVOTS", kExtras,
     "Floor pivot points from the prior bar's H, L, C: pp = (H+L+C)/3, r1 = 2pp-L, s1 = 2pp-H, "
     "r2 = pp+(H-L), s2 = pp-(H-L), r3 = H+2(pp-L), s3 = L-2(H-pp). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots>},
    {"PIVOTS_FIB", kExtras,
     "Fibonacci pivot points from the prior bar: pp = (H+L+C)/3, r1/r2/r3 = pp + 0.382/0.618/1.0 * (H-L), "
     "s1/s2/s3 = pp - 0.382/0.618/1.0 * (H-L). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots_fib>},
    {"CDLDOJI", kPatterns, "Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::doji_lookback>, candle_run<candles::doji>},
    {"CDLHAMMER", kPatterns, "Hammer", kOhlc, {}, kOutInteger,
     candle_lb<candles::hammer_lookback>, candle_run<candles::hammer>},
    {"CDLHANGINGMAN", kPatterns, "Hanging Man", kOhlc, {}, kOutInteger,
     candle_lb<candles::hanging_man_lookback>, candle_run<candles::hanging_man>},
    {"CDLSHOOTINGSTAR", kPatterns, "Shooting Star", kOhlc, {}, kOutInteger,
     candle_lb<candles::shooting_star_lookback>, candle_run<candles::shooting_star>},
    {"CDLENGULFING", kPatterns, "Engulfing Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::engulfing_lookback>, candle_run<candles::engulfing>},
    {"CDLHARAMI", kPatterns, "Harami Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::harami_lookback>, candle_run<candles::harami>},
    {"CDLMORNINGSTAR", kPatterns, "Morning Star", kOhlc, kPenetration, kOutInteger,
     star_lb<candles::morning_star_lookback>, star_run<candles::morning_star>},
    {"CDLEVENINGSTAR", kPatterns, "Evening Star", kOhlc, kPenetration, kOutInteger,
     star_lb<candles::evening_star_lookback>, star_run<candles::evening_star>},
    {"CDL3WHITESOLDIERS", kPatterns, "Three Advancing White Soldiers", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_white_soldiers_lookback>, candle_run<candles::three_white_soldiers>},
    {"CDL3BLACKCROWS", kPatterns, "Three Black Crows", kOhlc, {}, kOutInteger,
     candle_lb<candles::three_black_crows_lookback>, candle_run<candles::three_black_crows>},
};
// clang-format on

constexpr std::size_t kMaxOutputs = 8;  // run() stages output spans in a fixed array
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

constexpr std::string_view kMaTypeNames[] = {"SMA", "EMA"};
static_assert(std::size(kMaTypeNames) == kMaxMaType + 1);

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
                    cat({where, " must be a moving-average type in ", range_text(o),
                         " (0=SMA, 1=EMA; other TA-Lib types are not implemented), got ", shown}));
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
  return call;
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
  return call;
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
  }
  return "?";
}

}  // namespace

int run(const Call& call, const Inputs& in, std::span<const std::span<double>> outputs) {
  const FunctionSpec& f = *call.spec;
  const std::size_t n = in.size;
  if (outputs.size() != f.outputs.size())
    throw std::invalid_argument(std::string(f.name) + ": expected " + std::to_string(f.outputs.size()) +
                                " output columns, got " + std::to_string(outputs.size()));
  for (const auto& o : outputs)
    if (o.size() < n)
      throw std::invalid_argument(std::string(f.name) + ": output column shorter than the input");
  // Kernels read the length of their first input; trim every column to n.
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
    }
  }
  std::array<std::span<double>, kMaxOutputs> trimmed{};
  const std::size_t m = std::min(outputs.size(), trimmed.size());
  for (std::size_t k = 0; k < m; ++k) trimmed[k] = outputs[k].first(n);
  int begin = f.batch(view, call.options, std::span<const std::span<double>>(trimmed.data(), m));
  if (begin < 0) begin = 0;
  const std::size_t b = std::min(static_cast<std::size_t>(begin), n);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t k = 0; k < m; ++k)
    std::fill(trimmed[k].begin(), trimmed[k].begin() + static_cast<std::ptrdiff_t>(b), kNaN);
  return static_cast<int>(b);
}

}  // namespace ts::ta
