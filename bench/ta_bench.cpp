// TA throughput: every registered function through ta::run, in ns per bar, over
//   * one series of 1,000,000 bars ("1M"), and
//   * 2,000 series x 5,000 bars ("2000x5000", the size of a daily universe run).
// Built with -DTICKSTOCK_TALIB_DIR=... the same run also times TA-Lib's C
// functions on the same data and parameters, so the ratios are like for like.
//
//   ta_bench --benchmark_counters_tabular=true
//   ta_bench --benchmark_filter='1M'            # only the single long series
//
// The "ns/bar" counter is seconds per processed bar (printed with an SI
// prefix, e.g. "1.23n" = 1.23 ns per bar).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ta/function.hpp"

#ifdef TICKSTOCK_WITH_TALIB
extern "C" {
#include "ta_libc.h"
}
#include "talib_twins.hpp"
#endif

namespace {

using ts::ta::Call;
using ts::ta::Inputs;

struct Series {
  std::vector<double> open, high, low, close, volume, periods;  // periods: MAVP's column
  Inputs inputs() const {
    Inputs in{open, high, low, close, volume, {}, {}, close.size()};
    in.periods = periods;
    return in;
  }
};

Series make_series(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  Series s;
  s.open.resize(n);
  s.high.resize(n);
  s.low.resize(n);
  s.close.resize(n);
  s.volume.resize(n);
  s.periods.resize(n);
  double p = 50.0 + 100.0 * std::uniform_real_distribution<double>(0, 1)(rng);
  for (std::size_t i = 0; i < n; ++i) {
    const double o = p * (1.0 + 0.002 * z(rng));
    p = o * std::exp(0.015 * z(rng));
    s.open[i] = o;
    s.close[i] = p;
    s.high[i] = std::max(o, p) * (1.0 + 0.006 * std::fabs(z(rng)));
    s.low[i] = std::min(o, p) * (1.0 - 0.006 * std::fabs(z(rng)));
    s.volume[i] = std::round(1e6 * std::exp(0.5 * z(rng)));
    s.periods[i] = static_cast<double>(2 + (i / 7) % 29);  // MAVP: 2..30, changing every 7 bars
  }
  return s;
}

/// The random walk with hostile stretches for the parity check: every 20,000
/// bars 2,000 bars at 1e6 times the price, then 2,000 at 1e-6 times, then
/// 2,000 flat bars (no change at all). Running sums keep the rounding of the
/// large values; a recurrence that forgets errors recovers.
Series make_hostile_series(std::size_t n, std::uint64_t seed) {
  Series s = make_series(n, seed);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t phase = (i % 20'000) / 2'000;
    const double scale = phase == 1 ? 1e6 : phase == 2 ? 1e-6 : 1.0;
    if (phase == 3 && i > 0) {
      s.open[i] = s.high[i] = s.low[i] = s.close[i] = s.close[i - 1];
      continue;
    }
    s.open[i] *= scale;
    s.high[i] *= scale;
    s.low[i] *= scale;
    s.close[i] *= scale;
  }
  return s;
}

constexpr std::size_t kLongBars = 1'000'000;
constexpr std::size_t kUniverse = 2'000;
constexpr std::size_t kUniverseBars = 5'000;

const Series& long_series() {
  static const Series s = make_series(kLongBars, 1);
  return s;
}

const std::vector<Series>& universe() {
  static const std::vector<Series> u = [] {
    std::vector<Series> v;
    v.reserve(kUniverse);
    for (std::size_t k = 0; k < kUniverse; ++k) v.push_back(make_series(kUniverseBars, 1000 + k));
    return v;
  }();
  return u;
}

void set_rate(benchmark::State& state, std::size_t bars_per_iteration) {
  const auto bars = static_cast<double>(bars_per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bars));
  state.counters["ns/bar"] =
      benchmark::Counter(bars, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- Ours: through the registry ------------------------------------------------

struct Buffers {
  std::vector<std::vector<double>> cols;
  std::vector<std::span<double>> spans;
  Buffers(std::size_t count, std::size_t n) : cols(count, std::vector<double>(n)) {
    spans.assign(cols.begin(), cols.end());
  }
};

void bm_ours_long(benchmark::State& state, Call call) {
  const Series& s = long_series();
  const Inputs in = s.inputs();
  Buffers out(call.spec->outputs.size(), kLongBars);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ts::ta::run(call, in, out.spans));
    benchmark::ClobberMemory();
  }
  set_rate(state, kLongBars);
}

void bm_ours_universe(benchmark::State& state, Call call) {
  const auto& u = universe();
  Buffers out(call.spec->outputs.size(), kUniverseBars);
  for (auto _ : state) {
    for (const Series& s : u) {
      benchmark::DoNotOptimize(ts::ta::run(call, s.inputs(), out.spans));
      benchmark::ClobberMemory();
    }
  }
  set_rate(state, kUniverse * kUniverseBars);
}

// ---- Multi-symbol batches (issue 5, contract item 3) ----------------------------
// The universe's 2,000 series in run_multi calls of kMultiChunk series (the
// outputs of one chunk are reused, as the per-series runs reuse theirs), against
// the machine's limit for EMA recurrences: 8 series already stored interleaved
// (x[i * 8 + lane]) and advanced in one loop of 8 independent chains.
constexpr std::size_t kMultiChunk = 64;

void bm_ours_multi(benchmark::State& state, Call call) {
  const auto& u = universe();
  const std::size_t m = call.spec->outputs.size();
  Buffers out(kMultiChunk * m, kUniverseBars);
  std::vector<Inputs> ins;
  for (const Series& s : u) ins.push_back(s.inputs());
  // Before timing: the first call's outputs equal run() on each of its series,
  // bit for bit (the lane kernels' contract; MultiSymbol.* tests it too).
  {
    const std::size_t count = std::min(kMultiChunk, ins.size());
    ts::ta::run_multi(call, std::span(ins).first(count), std::span(out.spans).first(count * m));
    Buffers one(m, kUniverseBars);
    for (std::size_t s = 0; s < count; ++s) {
      ts::ta::run(call, ins[s], one.spans);
      for (std::size_t k = 0; k < m; ++k)
        for (std::size_t i = 0; i < kUniverseBars; ++i) {
          const double a = out.cols[s * m + k][i], b = one.cols[k][i];
          if (!(std::isnan(a) && std::isnan(b)) && std::memcmp(&a, &b, sizeof a) != 0) {
            state.SkipWithError(("run_multi differs from run: series " + std::to_string(s) + " output " +
                                 std::to_string(k) + " bar " + std::to_string(i))
                                    .c_str());
            return;
          }
        }
    }
  }
  for (auto _ : state) {
    for (std::size_t s0 = 0; s0 < ins.size(); s0 += kMultiChunk) {
      const std::size_t count = std::min(kMultiChunk, ins.size() - s0);
      benchmark::DoNotOptimize(
          ts::ta::run_multi(call, std::span(ins).subspan(s0, count), std::span(out.spans).first(count * m)));
      benchmark::ClobberMemory();
    }
  }
  set_rate(state, kUniverse * kUniverseBars);
}

void bm_ema_interleaved_limit(benchmark::State& state) {
  constexpr std::size_t kLanes = 8;
  constexpr int kPeriod = 20;
  const auto& u = universe();
  static const std::vector<std::vector<double>> blocks = [&] {
    std::vector<std::vector<double>> b(kUniverse / kLanes, std::vector<double>(kLanes * kUniverseBars));
    for (std::size_t s = 0; s < kUniverse; ++s)
      for (std::size_t i = 0; i < kUniverseBars; ++i) b[s / kLanes][i * kLanes + s % kLanes] = u[s].close[i];
    return b;
  }();
  std::vector<double> out(kLanes * kUniverseBars);
  const double k = 2.0 / (kPeriod + 1);
  for (auto _ : state) {
    for (const auto& x : blocks) {
      double e[kLanes];
      for (std::size_t l = 0; l < kLanes; ++l) {
        double sum = 0.0;
        for (std::size_t i = 0; i < kPeriod; ++i) sum += x[i * kLanes + l];
        e[l] = sum / kPeriod;
      }
      for (std::size_t i = kPeriod; i < kUniverseBars; ++i) {
        for (std::size_t l = 0; l < kLanes; ++l) {
          e[l] = ((x[i * kLanes + l] - e[l]) * k) + e[l];
          out[i * kLanes + l] = e[l];
        }
      }
      benchmark::ClobberMemory();
    }
  }
  set_rate(state, kUniverse * kUniverseBars);
}

// The parameters timed for every function (the settings where it
// names them, TA-Lib's defaults otherwise).
std::string bench_call_text(std::string_view name) {
  if (name == "SMA" || name == "EMA") return std::string(name) + "(timeperiod=20)";
  if (name == "BBANDS") return "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)";
  if (name == "STOCH") return "STOCH(fastk_period=14,slowk_period=3,slowd_period=3)";
  if (name == "CCI") return "CCI(timeperiod=20)";
  return std::string(name);
}

// ---- TA-Lib on the same data ------------------------------------------------------

#ifdef TICKSTOCK_WITH_TALIB
// Hand-written twins for the candlestick functions (the generic twins in
// talib_twins.cpp cover every other TA-Lib function; they replaced the 14
// hand-written non-candle twins, which timed within +-1.7% of them).
using TaFn = void (*)(const Series&, std::vector<double>* out, std::vector<int>* ints);

struct TaBench {
  std::string_view name;  // our registry name, for pairing
  TaFn fn;
};

// TA-Lib's candlestick functions all take open/high/low/close (some a penetration too).
using TaCdl = TA_RetCode (*)(int, int, const double[], const double[], const double[], const double[], int*,
                             int*, int[]);
using TaCdlPen = TA_RetCode (*)(int, int, const double[], const double[], const double[], const double[],
                                double, int*, int*, int[]);
template <TaCdl F>
void cdl(const Series& s, std::vector<double>*, std::vector<int>* out) {
  int b, n;
  F(0, static_cast<int>(s.close.size()) - 1, s.open.data(), s.high.data(), s.low.data(), s.close.data(), &b,
    &n, out->data());
}
template <TaCdlPen F, double Penetration>
void cdl_pen(const Series& s, std::vector<double>*, std::vector<int>* out) {
  int b, n;
  F(0, static_cast<int>(s.close.size()) - 1, s.open.data(), s.high.data(), s.low.data(), s.close.data(),
    Penetration, &b, &n, out->data());
}

#define TS_N static_cast<int>(s.close.size()) - 1
const TaBench kTaLib[] = {
    // Every candlestick pattern, with TA-Lib's default penetration (as ours).
    {"CDL2CROWS", cdl<TA_CDL2CROWS>},
    {"CDL3BLACKCROWS", cdl<TA_CDL3BLACKCROWS>},
    {"CDL3INSIDE", cdl<TA_CDL3INSIDE>},
    {"CDL3LINESTRIKE", cdl<TA_CDL3LINESTRIKE>},
    {"CDL3OUTSIDE", cdl<TA_CDL3OUTSIDE>},
    {"CDL3STARSINSOUTH", cdl<TA_CDL3STARSINSOUTH>},
    {"CDL3WHITESOLDIERS", cdl<TA_CDL3WHITESOLDIERS>},
    {"CDLABANDONEDBABY", cdl_pen<TA_CDLABANDONEDBABY, 0.3>},
    {"CDLADVANCEBLOCK", cdl<TA_CDLADVANCEBLOCK>},
    {"CDLBELTHOLD", cdl<TA_CDLBELTHOLD>},
    {"CDLBREAKAWAY", cdl<TA_CDLBREAKAWAY>},
    {"CDLCLOSINGMARUBOZU", cdl<TA_CDLCLOSINGMARUBOZU>},
    {"CDLCONCEALBABYSWALL", cdl<TA_CDLCONCEALBABYSWALL>},
    {"CDLCOUNTERATTACK", cdl<TA_CDLCOUNTERATTACK>},
    {"CDLDARKCLOUDCOVER", cdl_pen<TA_CDLDARKCLOUDCOVER, 0.5>},
    {"CDLDOJI", cdl<TA_CDLDOJI>},
    {"CDLDOJISTAR", cdl<TA_CDLDOJISTAR>},
    {"CDLDRAGONFLYDOJI", cdl<TA_CDLDRAGONFLYDOJI>},
    {"CDLENGULFING", cdl<TA_CDLENGULFING>},
    {"CDLEVENINGDOJISTAR", cdl_pen<TA_CDLEVENINGDOJISTAR, 0.3>},
    {"CDLEVENINGSTAR", cdl_pen<TA_CDLEVENINGSTAR, 0.3>},
    {"CDLGAPSIDESIDEWHITE", cdl<TA_CDLGAPSIDESIDEWHITE>},
    {"CDLGRAVESTONEDOJI", cdl<TA_CDLGRAVESTONEDOJI>},
    {"CDLHAMMER", cdl<TA_CDLHAMMER>},
    {"CDLHANGINGMAN", cdl<TA_CDLHANGINGMAN>},
    {"CDLHARAMI", cdl<TA_CDLHARAMI>},
    {"CDLHARAMICROSS", cdl<TA_CDLHARAMICROSS>},
    {"CDLHIGHWAVE", cdl<TA_CDLHIGHWAVE>},
    {"CDLHIKKAKE", cdl<TA_CDLHIKKAKE>},
    {"CDLHIKKAKEMOD", cdl<TA_CDLHIKKAKEMOD>},
    {"CDLHOMINGPIGEON", cdl<TA_CDLHOMINGPIGEON>},
    {"CDLIDENTICAL3CROWS", cdl<TA_CDLIDENTICAL3CROWS>},
    {"CDLINNECK", cdl<TA_CDLINNECK>},
    {"CDLINVERTEDHAMMER", cdl<TA_CDLINVERTEDHAMMER>},
    {"CDLKICKING", cdl<TA_CDLKICKING>},
    {"CDLKICKINGBYLENGTH", cdl<TA_CDLKICKINGBYLENGTH>},
    {"CDLLADDERBOTTOM", cdl<TA_CDLLADDERBOTTOM>},
    {"CDLLONGLEGGEDDOJI", cdl<TA_CDLLONGLEGGEDDOJI>},
    {"CDLLONGLINE", cdl<TA_CDLLONGLINE>},
    {"CDLMARUBOZU", cdl<TA_CDLMARUBOZU>},
    {"CDLMATCHINGLOW", cdl<TA_CDLMATCHINGLOW>},
    {"CDLMATHOLD", cdl_pen<TA_CDLMATHOLD, 0.5>},
    {"CDLMORNINGDOJISTAR", cdl_pen<TA_CDLMORNINGDOJISTAR, 0.3>},
    {"CDLMORNINGSTAR", cdl_pen<TA_CDLMORNINGSTAR, 0.3>},
    {"CDLONNECK", cdl<TA_CDLONNECK>},
    {"CDLPIERCING", cdl<TA_CDLPIERCING>},
    {"CDLRICKSHAWMAN", cdl<TA_CDLRICKSHAWMAN>},
    {"CDLRISEFALL3METHODS", cdl<TA_CDLRISEFALL3METHODS>},
    {"CDLSEPARATINGLINES", cdl<TA_CDLSEPARATINGLINES>},
    {"CDLSHOOTINGSTAR", cdl<TA_CDLSHOOTINGSTAR>},
    {"CDLSHORTLINE", cdl<TA_CDLSHORTLINE>},
    {"CDLSPINNINGTOP", cdl<TA_CDLSPINNINGTOP>},
    {"CDLSTALLEDPATTERN", cdl<TA_CDLSTALLEDPATTERN>},
    {"CDLSTICKSANDWICH", cdl<TA_CDLSTICKSANDWICH>},
    {"CDLTAKURI", cdl<TA_CDLTAKURI>},
    {"CDLTASUKIGAP", cdl<TA_CDLTASUKIGAP>},
    {"CDLTHRUSTING", cdl<TA_CDLTHRUSTING>},
    {"CDLTRISTAR", cdl<TA_CDLTRISTAR>},
    {"CDLUNIQUE3RIVER", cdl<TA_CDLUNIQUE3RIVER>},
    {"CDLUPSIDEGAP2CROWS", cdl<TA_CDLUPSIDEGAP2CROWS>},
    {"CDLXSIDEGAP3METHODS", cdl<TA_CDLXSIDEGAP3METHODS>},
};
#undef TS_N

void bm_talib_long(benchmark::State& state, TaFn fn) {
  const Series& s = long_series();
  std::vector<double> out[3] = {std::vector<double>(kLongBars), std::vector<double>(kLongBars),
                                std::vector<double>(kLongBars)};
  std::vector<int> ints(kLongBars);
  for (auto _ : state) {
    fn(s, out, &ints);
    benchmark::ClobberMemory();
  }
  set_rate(state, kLongBars);
}

void bm_talib_universe(benchmark::State& state, TaFn fn) {
  const auto& u = universe();
  std::vector<double> out[3] = {std::vector<double>(kUniverseBars), std::vector<double>(kUniverseBars),
                                std::vector<double>(kUniverseBars)};
  std::vector<int> ints(kUniverseBars);
  for (auto _ : state) {
    for (const Series& s : u) {
      fn(s, out, &ints);
      benchmark::ClobberMemory();
    }
  }
  set_rate(state, kUniverse * kUniverseBars);
}
#endif

#ifdef TICKSTOCK_WITH_TALIB
// ---- Generic twins (talib_twins.hpp): every non-candle TA-Lib function ----------
// The twin is made and checked against ours (every value bit for bit, and the
// begin index) before timing; a row whose outputs differ is skipped with the
// first difference as its error, so no ratio is ever printed for unequal work.
void bm_twin_long(benchmark::State& state, Call call) {
  const Inputs in = long_series().inputs();
  std::string why;
  auto twin = ts::bench::TaLibTwin::make(call, in, &why);
  ts::bench::TaLibTwin::Distance distance;
  if (!twin || !twin->same_as_ours(call, in, &why, &distance)) {
    state.SkipWithError(why.c_str());
    return;
  }
  // 0 when ours equals TA-Lib's bit for bit on this series (see docs/indicators.md).
  state.counters["ulps"] = distance.ulps;
  for (auto _ : state) {
    benchmark::DoNotOptimize(twin->call());
    benchmark::ClobberMemory();
  }
  set_rate(state, kLongBars);
}

void bm_twin_universe(benchmark::State& state, Call call) {
  const auto& u = universe();
  std::string why;
  auto twin = ts::bench::TaLibTwin::make(call, u[0].inputs(), &why);
  bool same = twin != nullptr;
  for (std::size_t k = 0; same && k < u.size(); k += 97)
    same = twin->bind(u[k].inputs()) && twin->same_as_ours(call, u[k].inputs(), &why);
  if (!same) {
    state.SkipWithError(why.c_str());
    return;
  }
  for (auto _ : state) {
    for (const Series& s : u) {
      twin->bind(s.inputs());
      benchmark::DoNotOptimize(twin->call());
      benchmark::ClobberMemory();
    }
  }
  set_rate(state, kUniverse * kUniverseBars);
}
#endif

// The machine is shared (2 cores): with --benchmark_repetitions=N the minimum
// over the repetitions is the least disturbed figure.
double min_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

benchmark::internal::Benchmark* tune(benchmark::internal::Benchmark* b) {
  return b->Unit(benchmark::kMillisecond)->ComputeStatistics("min", min_of);
}

#ifdef TICKSTOCK_WITH_TALIB
/// `ta_bench --parity CALL...`: no timing; each call against its TA-Lib twin
/// on the 1M random walk and on the hostile series, printing the largest
/// distances (how far a deliberate deviation is from TA-Lib; docs/indicators.md).
int parity_report(int argc, char** argv) {
  const Series hostile = make_hostile_series(kLongBars, 7);
  int failures = 0;
  for (int a = 2; a < argc; ++a) {
    auto call = ts::ta::parse_call(argv[a]);
    if (!call.ok()) {
      std::printf("%s: %s\n", argv[a], call.error().message.c_str());
      ++failures;
      continue;
    }
    for (const auto& [label, series] : {std::pair{"walk", &long_series()}, std::pair{"hostile", &hostile}}) {
      const Inputs in = series->inputs();
      std::string why;
      ts::bench::TaLibTwin::Distance d;
      auto twin = ts::bench::TaLibTwin::make(*call, in, &why);
      const bool ok = twin && twin->same_as_ours(*call, in, &why, &d);
      if (ok)
        std::printf("%-44s %-8s ulps %-8.0f rel %.3g abs %.3g\n", call->key().c_str(), label, d.ulps, d.relative,
                    d.absolute);
      else
        std::printf("%-44s %-8s OUTSIDE TOLERANCE: %s\n", call->key().c_str(), label, why.c_str());
      failures += ok ? 0 : 1;
    }
  }
  return failures == 0 ? 0 : 1;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef TICKSTOCK_WITH_TALIB
  TA_Initialize();
  if (argc > 1 && std::string_view(argv[1]) == "--parity") return parity_report(argc, argv);
#endif
  // Each TA-Lib twin runs right after ours, so both see the same machine state.
  for (const bool universe_run : {false, true}) {
    const std::string shape = universe_run ? "2000x5000/" : "1M/";
    for (const auto& f : ts::ta::registry()) {
      auto call = ts::ta::parse_call(bench_call_text(f.name));
      if (!call.ok()) continue;
      tune(benchmark::RegisterBenchmark(("ours/" + shape + call->key()).c_str(),
                                        universe_run ? bm_ours_universe : bm_ours_long, *call));
#ifdef TICKSTOCK_WITH_TALIB
      if (ts::bench::generic_twin_candidate(f))
        tune(benchmark::RegisterBenchmark(("talib/" + shape + std::string(f.name)).c_str(),
                                          universe_run ? bm_twin_universe : bm_twin_long, *call));
      for (const auto& t : kTaLib) {
        if (t.name != f.name) continue;
        tune(benchmark::RegisterBenchmark(("talib/" + shape + std::string(t.name)).c_str(),
                                          universe_run ? bm_talib_universe : bm_talib_long, t.fn));
      }
#endif
    }
  }
  // Multi-symbol batches: EMA's lanes against the interleaved limit, and the
  // per-series runs of the same call (ours/2000x5000/EMA(timeperiod=20) above).
  // The core set (issue 5) at its bench parameters, plus DEMA and TEMA.
  for (const char* name : {"SMA", "EMA", "RSI", "MACD", "BBANDS", "ATR", "ADX", "STOCH", "CCI", "OBV", "MFI",
                           "WILLR", "DEMA(timeperiod=30)", "TEMA(timeperiod=30)"}) {
    auto call = ts::ta::parse_call(bench_call_text(name));
    tune(benchmark::RegisterBenchmark(("multi/2000x5000/" + call->key()).c_str(), bm_ours_multi, *call));
  }
  tune(benchmark::RegisterBenchmark("limit/2000x5000/EMA8-interleaved", bm_ema_interleaved_limit));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
