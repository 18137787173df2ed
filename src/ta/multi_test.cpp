// Multi-symbol batches: for every registered function (the EMA lanes and the
// generic per-series entry point alike), run_multi over many series equals
// run() on each series alone, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "ta/function.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

/// Checks run_multi against run() for `call` over `series` (all of one length).
void expect_multi_equals_single(const Call& call, const std::vector<test_data::Series>& series) {
  const std::size_t m = call.spec->outputs.size();
  const std::size_t n = series.empty() ? 0 : series[0].close.size();
  std::vector<Inputs> ins;
  for (const auto& s : series) ins.push_back(s.inputs());
  std::vector<std::vector<double>> multi_cols(series.size() * m, std::vector<double>(n, -1.0));
  std::vector<std::span<double>> multi_spans(multi_cols.begin(), multi_cols.end());
  const int begin = run_multi(call, ins, multi_spans);
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::vector<std::vector<double>> cols(m, std::vector<double>(n, -2.0));
    std::vector<std::span<double>> spans(cols.begin(), cols.end());
    ASSERT_EQ(run(call, ins[s], spans), begin) << call.key();
    for (std::size_t k = 0; k < m; ++k)
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_TRUE(same_bits(multi_cols[s * m + k][i], cols[k][i]))
            << call.key() << " series " << s << " output " << k << " bar " << i << ": multi "
            << multi_cols[s * m + k][i] << ", single " << cols[k][i];
  }
}

std::vector<test_data::Series> many(std::size_t count, std::size_t n) {
  std::vector<test_data::Series> out;
  for (std::size_t s = 0; s < count; ++s)
    out.push_back(test_data::random_series(n, 1000 + static_cast<unsigned>(s), 9));
  return out;
}

// 19 series: two full blocks of 8 lanes and a tail of 3 for the lane kernels.
TEST(MultiSymbol, EveryFunctionEqualsSingleSeriesBitForBit) {
  const auto series = many(19, 260);
  for (const auto& f : registry()) {
    auto call = parse_call(f.name);
    ASSERT_TRUE(call.ok()) << f.name;
    expect_multi_equals_single(*call, series);
    for (std::size_t k = 0; k < f.options.size(); ++k) {  // every matype at 3 (DEMA) and 8 (T3)
      if (f.options[k].type != OptionType::matype) continue;
      for (double t : {1.0, 3.0, 8.0}) {
        Call c = *call;
        c.options[k] = t;
        expect_multi_equals_single(c, series);
      }
    }
  }
}

TEST(MultiSymbol, LanesAtEdgePeriodsAndLengths) {
  for (const char* text :
       {"EMA(timeperiod=2)",
        "EMA(timeperiod=30)",
        "EMA(timeperiod=200)",
        "DEMA(timeperiod=2)",
        "TEMA(timeperiod=11)",
        "RSI(timeperiod=2)",
        "RSI(timeperiod=30)",
        "ATR(timeperiod=1)",
        "ATR(timeperiod=2)",
        "ATR(timeperiod=30)",
        "SMA(timeperiod=2)",
        "SMA(timeperiod=30)",
        "SMA(timeperiod=200)",
        "BBANDS(timeperiod=2,nbdevup=1,nbdevdn=3,matype=0)",
        "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)",
        "BBANDS(timeperiod=30,matype=1)",
        "ADX(timeperiod=2)",
        "ADX(timeperiod=14)",
        "ADX(timeperiod=15)",
        "ADX(timeperiod=16)",
        "ADX(timeperiod=100)",
        "STOCH(fastk_period=1,slowk_period=2,slowd_period=2)",
        "STOCH(fastk_period=14,slowk_period=3,slowk_matype=0,slowd_period=3,slowd_matype=0)",
        "STOCH(fastk_period=5,slowk_period=64,slowd_period=2)",
        "STOCH(fastk_period=9,slowk_period=2,slowd_period=64)",
        "STOCH(fastk_period=300,slowk_period=5,slowd_period=7)",
        "STOCH(fastk_period=5,slowk_period=65,slowd_period=3)"}) {
    auto call = parse_call(text);
    ASSERT_TRUE(call.ok());
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{29}, std::size_t{30}, std::size_t{31},
                          std::size_t{500}})
      for (std::size_t count : {std::size_t{1}, std::size_t{8}, std::size_t{9}, std::size_t{16}})
        expect_multi_equals_single(*call, many(count, n));
  }
}

// The SSE2 pair lanes (SMA, RSI, ATR, BBANDS, ADX, STOCH) select with masks where the
// single-series kernels branch: NaN holes, flat stretches (RSI's 0/0 case,
// BBANDS' zero variance, ADX's skipped bars with TR ~0) and a zero-range bar
// must give the same bits.
TEST(MultiSymbol, PairLanesWithNanHolesAndFlatStretches) {
  auto series = many(17, 300);
  for (std::size_t s = 0; s < series.size(); ++s) {
    auto& x = series[s];
    for (std::size_t i = 40; i < 90; ++i) x.close[i] = x.high[i] = x.low[i] = x.open[i] = 100.0;  // flat
    if (s % 3 == 0)  // flat from the start: TR is exactly 0 through the ADX warm-up
      for (std::size_t i = 0; i < 40; ++i) x.close[i] = x.high[i] = x.low[i] = x.open[i] = 100.0;
    const std::size_t hole = 100 + 7 * s;
    x.close[hole] = std::numeric_limits<double>::quiet_NaN();
    x.high[hole + 50] = std::numeric_limits<double>::quiet_NaN();
    x.low[hole + 60] = std::numeric_limits<double>::quiet_NaN();
    x.high[20] = x.low[20];  // zero range
  }
  for (const char* text : {"SMA(timeperiod=10)", "RSI(timeperiod=14)", "ATR(timeperiod=14)",
                           "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)", "EMA(timeperiod=10)",
                           "ADX(timeperiod=14)", "ADX(timeperiod=5)", "STOCH(fastk_period=14)",
                           "STOCH(fastk_period=3,slowk_period=4,slowd_period=5)"}) {
    auto call = parse_call(text);
    ASSERT_TRUE(call.ok());
    expect_multi_equals_single(*call, series);
  }
}

TEST(MultiSymbol, RejectsMismatchedSeries) {
  auto call = parse_call("EMA(timeperiod=5)");
  ASSERT_TRUE(call.ok());
  const auto a = test_data::random_series(50, 1);
  const auto b = test_data::random_series(40, 2);
  std::vector<Inputs> ins{a.inputs(), b.inputs()};
  std::vector<std::vector<double>> cols(2, std::vector<double>(50));
  std::vector<std::span<double>> spans(cols.begin(), cols.end());
  EXPECT_THROW(run_multi(*call, ins, spans), std::invalid_argument);  // 50 vs 40 bars
  ins[1] = a.inputs();
  EXPECT_THROW(run_multi(*call, ins, std::span(spans).first(1)), std::invalid_argument);  // one output short
  EXPECT_EQ(run_multi(*call, ins, spans), 4);
  EXPECT_EQ(run_multi(*call, {}, {}), 0);
}

}  // namespace
}  // namespace ts::ta
