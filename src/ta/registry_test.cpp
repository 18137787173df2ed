// Registry, call parsing and the batch contract, checked generically over the
// whole table (a new function is exercised the day it is added).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ta/function.hpp"
#include "ta/kernels.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Random OHLCV data --------------------------------------------------------

using test_data::random_series;
using test_data::Series;

struct Outputs {
  std::vector<std::vector<double>> cols;
  std::vector<std::span<double>> spans;
  Outputs(std::size_t count, std::size_t n, double fill) : cols(count, std::vector<double>(n, fill)) {
    spans.assign(cols.begin(), cols.end());
  }
};

/// Calls to exercise per function: the defaults plus each integer option at its
/// minimum and at a few typical values, each matype value.
std::vector<Call> sample_calls(const FunctionSpec& f) {
  std::vector<Call> calls;
  auto base = make_call(f.name, {});
  EXPECT_TRUE(base.ok()) << f.name;
  if (!base.ok()) return calls;
  calls.push_back(*base);
  for (std::size_t k = 0; k < f.options.size(); ++k) {
    const auto& o = f.options[k];
    std::vector<double> values;
    if (o.type == OptionType::integer) values = {o.min_value, o.min_value + 1, 7, 20};
    if (o.type == OptionType::matype)
      for (double v = o.min_value; v <= o.max_value; ++v) values.push_back(v);
    if (o.type == OptionType::real) values = {o.min_value == 0 ? 0.0 : -1.0, 0.5, 1.0};
    for (double v : values) {
      Call c = *base;
      c.options[k] = v;
      calls.push_back(c);
    }
  }
  return calls;
}

// ---- parse_call ------------------------------------------------------------------

TEST(ParseCall, AcceptsTheDocumentedForms) {
  for (const char* text :
       {"RSI(timeperiod=14)", "RSI", "rsi()", "  Rsi ( timeperiod = 14 )  ", "RSI(TimePeriod=14)"}) {
    auto c = parse_call(text);
    ASSERT_TRUE(c.ok()) << text << ": " << c.error().message;
    EXPECT_EQ(c->spec->name, "RSI");
    EXPECT_EQ(c->key(), "RSI(timeperiod=14)") << text;
  }
  auto c = parse_call("sma(timeperiod=7)");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->options, std::vector<double>{7});
  EXPECT_EQ(c->lookback(), 6);
}

TEST(ParseCall, OmittedOptionsTakeDefaults) {
  auto c = parse_call("BBANDS(nbdevdn=1.5)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->key(), "BBANDS(timeperiod=5,nbdevup=2,nbdevdn=1.5,matype=0)");
  auto m = parse_call("MACD");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->key(), "MACD(fastperiod=12,slowperiod=26,signalperiod=9)");
  EXPECT_EQ(m->lookback(), 33);
}

TEST(ParseCall, UnknownFunction) {
  auto c = parse_call("NOPE(timeperiod=3)");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_FUNCTION");
  EXPECT_NE(c.error().message.find("NOPE"), std::string::npos) << c.error().message;
}

TEST(ParseCall, UnknownOption) {
  auto c = parse_call("SMA(period=5)");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_OPTION");
  EXPECT_NE(c.error().message.find("SMA"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("period"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("timeperiod"), std::string::npos) << "should list the valid options";
  auto o = parse_call("OBV(timeperiod=5)");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "UNKNOWN_OPTION");
}

TEST(ParseCall, OutOfRange) {
  for (const char* text :
       {"SMA(timeperiod=1)", "SMA(timeperiod=100001)", "RSI(timeperiod=0)", "SMA(timeperiod=-5)"}) {
    auto c = parse_call(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().code, "BAD_OPTION") << text;
    EXPECT_NE(c.error().message.find("timeperiod"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("[2, 100000]"), std::string::npos) << c.error().message;
  }
  auto atr = parse_call("ATR(timeperiod=1)");  // TA-Lib allows 1 for ATR
  EXPECT_TRUE(atr.ok());
  auto pen = parse_call("CDLMORNINGSTAR(penetration=-0.1)");
  ASSERT_FALSE(pen.ok());
  EXPECT_EQ(pen.error().code, "BAD_OPTION");
  EXPECT_NE(pen.error().message.find("penetration"), std::string::npos);
}

TEST(ParseCall, WrongType) {
  for (const char* text :
       {"SMA(timeperiod=abc)", "SMA(timeperiod=14.5)", "SMA(timeperiod=)", "SMA(timeperiod=1e400)",
        "SMA(timeperiod=nan)", "BBANDS(nbdevup=two)", "SMA(timeperiod=14x)"}) {
    auto c = parse_call(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().code, "BAD_OPTION") << text << ": " << c.error().message;
    const bool names_option = c.error().message.find("timeperiod") != std::string::npos ||
                              c.error().message.find("nbdevup") != std::string::npos;
    EXPECT_TRUE(names_option) << c.error().message;
  }
  auto c = parse_call("SMA(timeperiod=14.5)");
  EXPECT_NE(c.error().message.find("integer"), std::string::npos) << c.error().message;
  auto e = parse_call("SMA(timeperiod=14.0)");  // integral value written as a real
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->key(), "SMA(timeperiod=14)");
}

TEST(ParseCall, MaType) {
  auto ok = parse_call("BBANDS(timeperiod=20,matype=EMA)");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->key(), "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=1)");
  auto wma = parse_call("BBANDS(matype=WMA)");
  ASSERT_TRUE(wma.ok()) << wma.error().message;
  EXPECT_EQ(wma->key(), "BBANDS(timeperiod=5,nbdevup=2,nbdevdn=2,matype=2)");
  auto bad = parse_call("BBANDS(matype=9)");  // not a TA-Lib MA type
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_OPTION");
  EXPECT_NE(bad.error().message.find("matype"), std::string::npos);
  EXPECT_NE(bad.error().message.find("0=SMA, 1=EMA"), std::string::npos) << bad.error().message;
  auto stoch = parse_call("STOCH(slowd_matype=DEMA)");  // every TA-Lib type in the smoothing MAs
  ASSERT_TRUE(stoch.ok()) << stoch.error().message;
  EXPECT_EQ(stoch->options[4], 3);
  auto bad_stoch = parse_call("STOCH(slowd_matype=9)");
  ASSERT_FALSE(bad_stoch.ok());
  EXPECT_NE(bad_stoch.error().message.find("STOCH option 'slowd_matype'"), std::string::npos);
  EXPECT_NE(bad_stoch.error().message.find("8=T3"), std::string::npos) << bad_stoch.error().message;
}

TEST(ParseCall, MalformedText) {
  auto dup = parse_call("SMA(timeperiod=5,timeperiod=6)");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "BAD_OPTION");
  auto novalue = parse_call("SMA(timeperiod)");
  ASSERT_FALSE(novalue.ok());
  EXPECT_EQ(novalue.error().code, "BAD_OPTION");
  for (const char* text : {"SMA(timeperiod=5", "", "  ", "(timeperiod=5)", "SMA(timeperiod=5,)", "SMA(,)"}) {
    auto c = parse_call(text);
    ASSERT_FALSE(c.ok()) << "'" << text << "'";
    EXPECT_EQ(c.error().code, "BAD_CALL") << "'" << text << "': " << c.error().message;
  }
}

TEST(MakeCall, ValidatesLikeParseCall) {
  const std::pair<std::string_view, double> good[] = {{"timeperiod", 20}, {"nbdevup", 1.5}};
  auto c = make_call("bbands", good);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->key(), "BBANDS(timeperiod=20,nbdevup=1.5,nbdevdn=2,matype=0)");
  const std::pair<std::string_view, double> low[] = {{"timeperiod", 1}};
  auto r = make_call("SMA", low);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_OPTION");
  const std::pair<std::string_view, double> frac[] = {{"timeperiod", 2.5}};
  EXPECT_EQ(make_call("SMA", frac).error().code, "BAD_OPTION");
  const std::pair<std::string_view, double> unknown[] = {{"nbdev", 2}};
  EXPECT_EQ(make_call("BBANDS", unknown).error().code, "UNKNOWN_OPTION");
  EXPECT_EQ(make_call("XYZ", {}).error().code, "UNKNOWN_FUNCTION");
}

// ---- Keys ------------------------------------------------------------------------

TEST(CallKey, Format) {
  EXPECT_EQ(parse_call("OBV")->key(), "OBV");
  EXPECT_EQ(parse_call("obv()")->key(), "OBV");
  EXPECT_EQ(parse_call("CDLMORNINGSTAR")->key(), "CDLMORNINGSTAR(penetration=0.3)");
  EXPECT_EQ(parse_call("BBANDS(nbdevup=0.1,nbdevdn=1e-7)")->key(),
            "BBANDS(timeperiod=5,nbdevup=0.1,nbdevdn=1e-07,matype=0)");
  EXPECT_EQ(parse_call("BBANDS(nbdevup=-2.25)")->key(),
            "BBANDS(timeperiod=5,nbdevup=-2.25,nbdevdn=2,matype=0)");
  EXPECT_EQ(parse_call("STOCH")->key(),
            "STOCH(fastk_period=5,slowk_period=3,slowk_matype=0,slowd_period=3,slowd_matype=0)");
}

TEST(CallKey, RoundTripsForEveryFunction) {
  std::mt19937_64 rng(7);
  for (const auto& f : registry()) {
    for (Call c : sample_calls(f)) {
      // Random reals stress the shortest round-trip formatting.
      for (std::size_t k = 0; k < f.options.size(); ++k) {
        const auto& o = f.options[k];
        if (o.type == OptionType::real)
          c.options[k] = std::uniform_real_distribution<double>(std::max(o.min_value, 0.0),
                                                                std::min(o.max_value, 3.0))(rng);
      }
      const std::string key = c.key();
      auto back = parse_call(key);
      ASSERT_TRUE(back.ok()) << key << ": " << back.error().message;
      EXPECT_EQ(back->key(), key);
      EXPECT_EQ(back->options, c.options) << key;
    }
  }
}

// ---- Registry table --------------------------------------------------------------

TEST(Registry, TableIsConsistent) {
  std::set<std::string> names;
  for (const auto& f : registry()) {
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << "duplicate " << f.name;
    for (char ch : f.name)
      EXPECT_TRUE((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_') << f.name;
    EXPECT_FALSE(f.group.empty()) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    EXPECT_FALSE(f.inputs.empty()) << f.name;
    EXPECT_FALSE(f.outputs.empty()) << f.name;
    EXPECT_NE(f.lookback, nullptr);
    EXPECT_NE(f.batch, nullptr);
    std::set<std::string_view> options;
    for (const auto& o : f.options) {
      EXPECT_TRUE(options.insert(o.name).second) << f.name << " duplicate option " << o.name;
      EXPECT_LE(o.min_value, o.default_value) << f.name << "." << o.name;
      EXPECT_LE(o.default_value, o.max_value) << f.name << "." << o.name;
      if (o.type != OptionType::real) {
        EXPECT_EQ(o.default_value, std::trunc(o.default_value)) << o.name;
      }
      EXPECT_FALSE(o.help.empty()) << f.name << "." << o.name;
    }
    EXPECT_EQ(find_function(f.name), &f);
  }
  for (const char* want : {"SMA",
                           "EMA",
                           "RSI",
                           "MACD",
                           "BBANDS",
                           "STOCH",
                           "ATR",
                           "ADX",
                           "PLUS_DI",
                           "MINUS_DI",
                           "OBV",
                           "MFI",
                           "WILLR",
                           "CCI",
                           "RELVOL",
                           "PIVOTS",
                           "PIVOTS_FIB",
                           "CDLDOJI",
                           "CDLHAMMER",
                           "CDLHANGINGMAN",
                           "CDLSHOOTINGSTAR",
                           "CDLENGULFING",
                           "CDLHARAMI",
                           "CDLMORNINGSTAR",
                           "CDLEVENINGSTAR",
                           "CDL3WHITESOLDIERS",
                           "CDL3BLACKCROWS"})
    EXPECT_NE(find_function(want), nullptr) << want;
  EXPECT_EQ(find_function("cdlDoji"), find_function("CDLDOJI"));
  EXPECT_EQ(find_function("SMAX"), nullptr);
  EXPECT_EQ(find_function(""), nullptr);
}

// The families' slices are joined into one list ordered as TA-Lib's function
// list (groups in its order, names alphabetical inside a group), whichever
// family file declares a row.
TEST(Registry, ListsFunctionsByTaLibGroupThenName) {
  std::vector<std::string_view> groups;
  const auto table = registry();
  ASSERT_FALSE(table.empty());
  for (std::size_t k = 0; k < table.size(); ++k) {
    if (k == 0 || table[k].group != table[k - 1].group) {
      groups.push_back(table[k].group);
      continue;
    }
    EXPECT_LT(table[k - 1].name, table[k].name) << "in " << table[k].group;
  }
  const std::vector<std::string_view> want = {
      "Cycle Indicators",      "Math Operators",      "Math Transform",  "Momentum Indicators",
      "Overlap Studies",       "Pattern Recognition", "Price Transform", "Statistic Functions",
      "Volatility Indicators", "Volume Indicators",   "TickStock Extras"};
  EXPECT_EQ(groups, want);  // each group once, as one block, in this order
}

TEST(Registry, EveryTaLibFunctionButTheCandles) {
  // TA-Lib 0.6's 100 non-candlestick functions (talib@1.1.6; with the 61
  // CDL* functions, its 161).
  std::size_t listed = 0;
  for (const char* want : {"ACCBANDS",
                           "ACOS",
                           "AD",
                           "ADD",
                           "ADOSC",
                           "ADX",
                           "ADXR",
                           "APO",
                           "AROON",
                           "AROONOSC",
                           "ASIN",
                           "ATAN",
                           "ATR",
                           "AVGDEV",
                           "AVGPRICE",
                           "BBANDS",
                           "BETA",
                           "BOP",
                           "CCI",
                           "CEIL",
                           "CMO",
                           "CORREL",
                           "COS",
                           "COSH",
                           "DEMA",
                           "DIV",
                           "DX",
                           "EMA",
                           "EXP",
                           "FLOOR",
                           "HT_DCPERIOD",
                           "HT_DCPHASE",
                           "HT_PHASOR",
                           "HT_SINE",
                           "HT_TRENDLINE",
                           "HT_TRENDMODE",
                           "IMI",
                           "KAMA",
                           "LINEARREG",
                           "LINEARREG_ANGLE",
                           "LINEARREG_INTERCEPT",
                           "LINEARREG_SLOPE",
                           "LN",
                           "LOG10",
                           "MA",
                           "MACD",
                           "MACDEXT",
                           "MACDFIX",
                           "MAMA",
                           "MAX",
                           "MAVP",
                           "MAXINDEX",
                           "MEDPRICE",
                           "MFI",
                           "MIDPOINT",
                           "MIDPRICE",
                           "MIN",
                           "MININDEX",
                           "MINMAX",
                           "MINMAXINDEX",
                           "MINUS_DI",
                           "MINUS_DM",
                           "MOM",
                           "MULT",
                           "NATR",
                           "OBV",
                           "PLUS_DI",
                           "PLUS_DM",
                           "PPO",
                           "ROC",
                           "ROCP",
                           "ROCR",
                           "ROCR100",
                           "RSI",
                           "SAR",
                           "SAREXT",
                           "SIN",
                           "SINH",
                           "SMA",
                           "SQRT",
                           "STDDEV",
                           "STOCH",
                           "STOCHF",
                           "STOCHRSI",
                           "SUB",
                           "SUM",
                           "T3",
                           "TAN",
                           "TANH",
                           "TEMA",
                           "TRANGE",
                           "TRIMA",
                           "TRIX",
                           "TSF",
                           "TYPPRICE",
                           "ULTOSC",
                           "VAR",
                           "WCLPRICE",
                           "WILLR",
                           "WMA"}) {
    EXPECT_NE(find_function(want), nullptr) << want;
    ++listed;
  }
  EXPECT_EQ(listed, 100u);
  std::size_t candles = 0;
  for (const auto& f : registry()) candles += f.group == "Pattern Recognition";
  EXPECT_EQ(candles, 61u);
  for (const char* name : {"MAXINDEX", "MININDEX", "MINMAXINDEX", "HT_TRENDMODE"})
    for (const auto& o : find_function(name)->outputs) EXPECT_EQ(o.kind, OutputKind::integer) << name;
  auto ma = parse_call("MA(matype=T3)");
  ASSERT_TRUE(ma.ok()) << ma.error().message;
  EXPECT_EQ(ma->key(), "MA(timeperiod=30,matype=8)");
  // APO/PPO/MACDEXT/STOCH*: every TA-Lib MA type (T3 and MAMA included).
  for (const char* text : {"APO(matype=2)", "PPO(matype=8)", "MACDEXT(slowmatype=7)", "STOCH(slowd_matype=6)",
                           "STOCHF(fastd_matype=5)", "STOCHRSI(fastd_matype=4)"})
    EXPECT_TRUE(parse_call(text).ok()) << text;
  EXPECT_FALSE(parse_call("APO(matype=9)").ok());
}

// MAVP: TA-Lib's options and ranges, and minperiod <= maxperiod.
TEST(Registry, MavpOptions) {
  auto call = parse_call("MAVP");
  ASSERT_TRUE(call.ok()) << call.error().message;
  EXPECT_EQ(call->key(), "MAVP(minperiod=2,maxperiod=30,matype=0)");
  EXPECT_EQ(call->lookback(), 29);
  ASSERT_EQ(call->spec->inputs.size(), 2u);
  EXPECT_EQ(call->spec->inputs[1], Input::periods);
  auto bad = parse_call("MAVP(minperiod=20,maxperiod=10)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_OPTION");
  EXPECT_NE(bad.error().message.find("MAVP option 'minperiod'"), std::string::npos) << bad.error().message;
  const std::pair<std::string_view, double> opts[] = {{"minperiod", 31}};
  EXPECT_FALSE(make_call("MAVP", opts).ok());  // above the default maxperiod 30
  auto low = parse_call("MAVP(minperiod=1)");
  ASSERT_FALSE(low.ok());
  EXPECT_NE(low.error().message.find("[2, 100000]"), std::string::npos) << low.error().message;
  EXPECT_EQ(parse_call("MAVP(maxperiod=10,matype=3)")->lookback(), 18);  // DEMA(10)
}

// The period column: truncation, both clamps, NaN and out-of-int values
// (TA-Lib's (int) cast on x86 gives INT_MIN: the minimum period).
TEST(Kernels, MavpPeriodColumn) {
  EXPECT_EQ(mavp_period(7.9, 2, 30), 7);
  EXPECT_EQ(mavp_period(1.0, 2, 30), 2);
  EXPECT_EQ(mavp_period(-3.5, 2, 30), 2);
  EXPECT_EQ(mavp_period(31.0, 2, 30), 30);
  EXPECT_EQ(mavp_period(kNaN, 5, 30), 5);
  EXPECT_EQ(mavp_period(1e12, 5, 30), 5);
  EXPECT_EQ(mavp_period(-1e12, 5, 30), 5);
  // Hand-checked: SMA with periods 2, 3, 2 over 1, 2, 4, 8, 16 (maxperiod 3,
  // lookback 2). Bar 2: SMA2 = (2+4)/2 = 3; bar 3: SMA3 = (2+4+8)/3; bar 4:
  // SMA2 = (8+16)/2 = 12.
  const std::vector<double> x{1, 2, 4, 8, 16};
  const std::vector<double> p{9, 9, 2, 3, 2.5};
  std::vector<double> out(5, -1.0);
  EXPECT_EQ(mavp(x, p, 2, 3, 0, out), 2);
  EXPECT_EQ(out[0], -1.0);
  EXPECT_EQ(out[1], -1.0);
  EXPECT_EQ(out[2], 3.0);
  EXPECT_EQ(out[3], 14.0 / 3.0);
  EXPECT_EQ(out[4], 12.0);
}

TEST(Registry, TaLibDefaultsAndRanges) {
  auto option = [](std::string_view fn, std::string_view opt) -> const OptionSpec* {
    for (const auto& o : find_function(fn)->options)
      if (o.name == opt) return &o;
    return nullptr;
  };
  EXPECT_EQ(option("SMA", "timeperiod")->default_value, 30);
  EXPECT_EQ(option("SMA", "timeperiod")->min_value, 2);
  EXPECT_EQ(option("SMA", "timeperiod")->max_value, 100000);
  EXPECT_EQ(option("RSI", "timeperiod")->default_value, 14);
  EXPECT_EQ(option("BBANDS", "timeperiod")->default_value, 5);
  EXPECT_EQ(option("STOCH", "fastk_period")->default_value, 5);
  EXPECT_EQ(option("STOCH", "fastk_period")->min_value, 1);
  EXPECT_EQ(option("ATR", "timeperiod")->min_value, 1);
  EXPECT_EQ(option("CCI", "timeperiod")->default_value, 14);
  EXPECT_EQ(option("CDLEVENINGSTAR", "penetration")->default_value, 0.3);
  EXPECT_EQ(option("BBANDS", "matype")->max_value, kMaxMaType);
  const auto* cdl = find_function("CDLENGULFING");
  ASSERT_EQ(cdl->outputs.size(), 1u);
  EXPECT_EQ(cdl->outputs[0].name, "integer");
  EXPECT_EQ(cdl->outputs[0].kind, OutputKind::integer);
  EXPECT_EQ(cdl->inputs.size(), 4u);
}

// ---- Batch contract, generically ---------------------------------------------------

TEST(Contract, BeginEqualsLookbackAndPrefixIsUntouched) {
  const Series s = random_series(400, 1);
  const Inputs in = s.inputs();
  constexpr double kSentinel = -98765.4321;
  for (const auto& f : registry()) {
    for (const Call& c : sample_calls(f)) {
      const int lb = c.lookback();
      ASSERT_GE(lb, 0) << c.key();
      ASSERT_LT(lb, 400) << c.key();
      // The raw kernel never writes before begin...
      Outputs raw(f.outputs.size(), 400, kSentinel);
      const int begin = f.batch(in, c.options, raw.spans);
      EXPECT_EQ(begin, lb) << c.key();
      for (std::size_t k = 0; k < raw.cols.size(); ++k) {
        for (int i = 0; i < begin; ++i)
          ASSERT_EQ(raw.cols[k][i], kSentinel) << c.key() << " wrote cell " << i;
        // ...and writes every cell from begin on (finite on clean data; ACOS
        // and ASIN of prices are outside their domain and NaN, as in TA-Lib).
        const bool domain_nan = f.name == "ACOS" || f.name == "ASIN";
        for (std::size_t i = static_cast<std::size_t>(begin); i < 400; ++i) {
          const double v = raw.cols[k][i];
          ASSERT_TRUE(domain_nan ? std::isnan(v) : std::isfinite(v))
              << c.key() << " " << f.outputs[k].name << " cell " << i;
        }
      }
      // run() fills the prefix with NaN.
      Outputs ran(f.outputs.size(), 400, kSentinel);
      EXPECT_EQ(run(c, in, ran.spans), lb) << c.key();
      for (std::size_t k = 0; k < ran.cols.size(); ++k) {
        for (int i = 0; i < lb; ++i) ASSERT_TRUE(std::isnan(ran.cols[k][i])) << c.key();
        const double a = ran.cols[k][static_cast<std::size_t>(lb)];
        const double b = raw.cols[k][static_cast<std::size_t>(lb)];
        EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << c.key() << ": " << a << " vs " << b;
      }
    }
  }
}

TEST(Contract, EmptyAndShortInputs) {
  const Series full = random_series(200, 2);
  for (const auto& f : registry()) {
    for (const Call& c : sample_calls(f)) {
      const std::size_t lb = static_cast<std::size_t>(c.lookback());
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, lb, lb + 1}) {
        if (n > 200) continue;
        Inputs in{std::span(full.open).first(n),
                  std::span(full.high).first(n),
                  std::span(full.low).first(n),
                  std::span(full.close).first(n),
                  std::span(full.volume).first(n),
                  {},
                  {},
                  n,
                  test_data::periods_column(n)};
        Outputs out(f.outputs.size(), n, 0.0);
        const int begin = run(c, in, out.spans);
        EXPECT_EQ(begin, static_cast<int>(std::min(n, lb))) << c.key() << " n=" << n;
        for (const auto& col : out.cols) {
          for (std::size_t i = 0; i < n; ++i) {
            const bool domain_nan = f.name == "ACOS" || f.name == "ASIN";
            const bool ok = i < lb || domain_nan ? std::isnan(col[i]) : std::isfinite(col[i]);
            EXPECT_TRUE(ok) << c.key() << " n=" << n << " i=" << i << " value " << col[i];
          }
        }
      }
    }
  }
}

TEST(Contract, NaNInputsDoNotCrash) {
  Series s = random_series(300, 3);
  for (std::size_t i = 0; i < 300; i += 37) {
    s.open[i] = kNaN;
    s.high[i + 1] = kNaN;
    s.low[i + 2] = kNaN;
    s.close[i + 3] = kNaN;
    s.volume[i + 4] = kNaN;
  }
  const Inputs in = s.inputs();
  for (const auto& f : registry()) {
    for (const Call& c : sample_calls(f)) {
      Outputs out(f.outputs.size(), 300, 0.0);
      EXPECT_EQ(run(c, in, out.spans), c.lookback()) << c.key();
    }
  }
}

TEST(Contract, LongerOutputsAndRealBinding) {
  const Series s = random_series(100, 4);
  auto sma = parse_call("SMA(timeperiod=10)");
  ASSERT_TRUE(sma.ok());
  // real0 unbound reads close; bound reads the given column.
  Outputs a(1, 100, 0.0), b(1, 100, 0.0);
  run(*sma, s.inputs(), a.spans);
  Inputs bound = s.inputs();
  bound.real0 = s.high;
  run(*sma, bound, b.spans);
  std::vector<double> expect_close(100), expect_high(100);
  EXPECT_EQ(ts::ta::sma(s.close, 10, expect_close), 9);
  EXPECT_EQ(ts::ta::sma(s.high, 10, expect_high), 9);
  for (std::size_t i = 9; i < 100; ++i) {
    EXPECT_EQ(a.cols[0][i], expect_close[i]);
    EXPECT_EQ(b.cols[0][i], expect_high[i]);
  }
  Outputs wrong(2, 100, 0.0);
  EXPECT_THROW(run(*sma, s.inputs(), wrong.spans), std::invalid_argument);
  Inputs short_in = s.inputs();
  short_in.close = std::span(s.close).first(50);
  EXPECT_THROW(run(*sma, short_in, a.spans), std::invalid_argument);
}

// ---- Extras: hand-computed values ----------------------------------------------------

TEST(Extras, RelVolUsesThePriorBars) {
  const std::vector<double> v = {100, 200, 300, 600, 0, 0, 0, 50, 10};
  Series s;
  s.volume = v;
  s.open = s.high = s.low = s.close = std::vector<double>(v.size(), 1.0);
  auto c = parse_call("RELVOL(timeperiod=3)");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->lookback(), 3);
  Outputs out(1, v.size(), 0.0);
  EXPECT_EQ(run(*c, s.inputs(), out.spans), 3);
  const auto& r = out.cols[0];
  EXPECT_DOUBLE_EQ(r[3], 600.0 / 200.0);  // mean(100, 200, 300): the current bar is excluded
  EXPECT_DOUBLE_EQ(r[4], 0.0);
  EXPECT_DOUBLE_EQ(r[7], 0.0);  // the three prior bars average 0 -> defined as 0
  EXPECT_DOUBLE_EQ(r[8], 10.0 / (50.0 / 3.0));
}

TEST(Extras, PivotsFromThePriorBar) {
  Series s;
  s.high = {110, 999};
  s.low = {90, 1};
  s.close = {105, 500};
  s.open = {100, 500};
  s.volume = {0, 0};
  Outputs out(7, 2, 0.0);
  auto floor = parse_call("PIVOTS");
  ASSERT_TRUE(floor.ok());
  EXPECT_EQ(run(*floor, s.inputs(), out.spans), 1);
  const double pp = (110.0 + 90.0 + 105.0) / 3.0;
  EXPECT_TRUE(std::isnan(out.cols[0][0]));
  EXPECT_DOUBLE_EQ(out.cols[0][1], pp);
  EXPECT_DOUBLE_EQ(out.cols[1][1], 2 * pp - 90);          // r1
  EXPECT_DOUBLE_EQ(out.cols[2][1], pp + 20);              // r2
  EXPECT_DOUBLE_EQ(out.cols[3][1], 110 + 2 * (pp - 90));  // r3
  EXPECT_DOUBLE_EQ(out.cols[4][1], 2 * pp - 110);         // s1
  EXPECT_DOUBLE_EQ(out.cols[5][1], pp - 20);              // s2
  EXPECT_DOUBLE_EQ(out.cols[6][1], 90 - 2 * (110 - pp));  // s3
  auto fib = parse_call("pivots_fib");
  ASSERT_TRUE(fib.ok());
  EXPECT_EQ(run(*fib, s.inputs(), out.spans), 1);
  EXPECT_DOUBLE_EQ(out.cols[1][1], pp + 0.382 * 20);
  EXPECT_DOUBLE_EQ(out.cols[2][1], pp + 0.618 * 20);
  EXPECT_DOUBLE_EQ(out.cols[3][1], pp + 20);
  EXPECT_DOUBLE_EQ(out.cols[6][1], pp - 20);
}

// ---- Typed kernels: spot values computed by hand ----------------------------------------

TEST(Kernels, HandComputedValues) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6};
  std::vector<double> out(6, kNaN);
  EXPECT_EQ(sma(x, 3, out), 2);
  EXPECT_DOUBLE_EQ(out[2], 2.0);
  EXPECT_DOUBLE_EQ(out[5], 5.0);
  EXPECT_TRUE(std::isnan(out[1]));
  std::fill(out.begin(), out.end(), kNaN);
  EXPECT_EQ(ema(x, 3, out), 2);
  EXPECT_DOUBLE_EQ(out[2], 2.0);  // seed = SMA of 1, 2, 3
  EXPECT_DOUBLE_EQ(out[3], 3.0);  // 2 + 0.5 * (4 - 2)
  std::fill(out.begin(), out.end(), kNaN);
  EXPECT_EQ(rsi(x, 3, out), 3);
  EXPECT_DOUBLE_EQ(out[3], 100.0);  // only gains
  const std::vector<double> flat(6, 5.0);
  EXPECT_EQ(rsi(flat, 3, out), 3);
  EXPECT_DOUBLE_EQ(out[5], 0.0);  // no movement: TA-Lib reports 0
  std::vector<double> up(6), mid(6), lo(6);
  EXPECT_EQ(bbands(x, 2, 2.0, 1.0, up, mid, lo), 1);
  EXPECT_DOUBLE_EQ(mid[1], 1.5);
  EXPECT_DOUBLE_EQ(up[1], 1.5 + 2 * 0.5);  // population stddev of {1, 2} = 0.5
  EXPECT_DOUBLE_EQ(lo[1], 1.5 - 0.5);
  std::vector<double> m(6, kNaN), e(6, kNaN);
  EXPECT_EQ(ma(x, 1, 0, m), 0);  // period 1 copies, like TA_MA
  EXPECT_EQ(m, x);
  EXPECT_EQ(ma(x, 3, 1, m), 2);
  EXPECT_EQ(ema(x, 3, e), 2);
  EXPECT_EQ(m[5], e[5]);
  EXPECT_EQ(ma_lookback(3, 0), 2);
  EXPECT_EQ(ma_lookback(1, 1), 0);
  std::vector<double> vol = {10, 20, 30, 40, 50, 60};
  const std::vector<double> closes = {1, 2, 2, 1, 3, 3};
  EXPECT_EQ(obv(closes, vol, out), 0);
  EXPECT_EQ(out, (std::vector<double>{10, 30, 30, -10, 40, 40}));
}

// Periods above the 512-bar stack window take the heap path; compare with
// plain textbook loops (mean deviation CCI, window extremes WILLR).
TEST(Kernels, LongPeriodsUseTheHeapWindow) {
  const Series s = random_series(2000, 9);
  const std::size_t n = 2000, p = 700;
  std::vector<double> c(n, kNaN), w(n, kNaN), m(n, kNaN);
  ASSERT_EQ(cci(s.high, s.low, s.close, static_cast<int>(p), c), static_cast<int>(p - 1));
  ASSERT_EQ(willr(s.high, s.low, s.close, static_cast<int>(p), w), static_cast<int>(p - 1));
  ASSERT_EQ(mfi(s.high, s.low, s.close, s.volume, static_cast<int>(p), m), static_cast<int>(p));
  for (std::size_t i = p - 1; i < n; i += 97) {
    double sum = 0, hi = s.high[i], lo = s.low[i];
    for (std::size_t j = i + 1 - p; j <= i; ++j) {
      sum += (s.high[j] + s.low[j] + s.close[j]) / 3;
      hi = std::max(hi, s.high[j]);
      lo = std::min(lo, s.low[j]);
    }
    const double avg = sum / p;
    double dev = 0;
    for (std::size_t j = i + 1 - p; j <= i; ++j)
      dev += std::fabs((s.high[j] + s.low[j] + s.close[j]) / 3 - avg);
    const double want_cci = ((s.high[i] + s.low[i] + s.close[i]) / 3 - avg) / (0.015 * dev / p);
    EXPECT_NEAR(c[i], want_cci, 1e-9 * std::fabs(want_cci)) << i;
    EXPECT_NEAR(w[i], -100.0 * (hi - s.close[i]) / (hi - lo), 1e-9) << i;
    if (i >= p) {
      EXPECT_GE(m[i], 0.0);
      EXPECT_LE(m[i], 100.0);
    }
  }
  std::vector<double> k(n, kNaN), d(n, kNaN);
  EXPECT_EQ(stoch(s.high, s.low, s.close, 5, 600, 0, 600, 1, k, d), 4 + 599 + 599);
  EXPECT_TRUE(std::isfinite(k[n - 1]) && std::isfinite(d[n - 1]));
}

}  // namespace
}  // namespace ts::ta
