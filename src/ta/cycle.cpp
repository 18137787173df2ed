// Hilbert-transform cycle indicators: batch loops over the per-bar states of
// cycle_state.hpp (the streams keep the same states).
#include <cstddef>

#include "ta/cycle_state.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

using std::size_t;

/// Runs `state` over the series (its batch form); writes the outputs it
/// reports valid (from the lookback on) and returns the batch begin index.
template <class State, size_t kOutputs>
int run_state(State state, In real, size_t lookback, Out (&outs)[kOutputs]) {
  const size_t n = real.size();
  double* o[kOutputs];
  for (size_t k = 0; k < kOutputs; ++k) o[k] = outs[k].empty() ? nullptr : outs[k].data();
  state.run(real.data(), n, [&](size_t i, const double* v) {
    for (size_t k = 0; k < kOutputs; ++k)
      if (o[k] != nullptr) o[k][i] = v[k];
  });
  return static_cast<int>(n <= lookback ? n : lookback);
}

using detail::ht::kLongLookback;
using detail::ht::kShortLookback;
using detail::ht::PhaseOut;

}  // namespace

int ht_dcperiod_lookback() { return static_cast<int>(kShortLookback); }
int ht_dcperiod(In real, Out out) {
  Out outs[] = {out};
  return run_state(detail::ht::DcPeriodState<false>{}, real, kShortLookback, outs);
}

int ht_phasor_lookback() { return static_cast<int>(kShortLookback); }
int ht_phasor(In real, Out inphase, Out quadrature) {
  Out outs[] = {inphase, quadrature};
  return run_state(detail::ht::DcPeriodState<true>{}, real, kShortLookback, outs);
}

int ht_dcphase_lookback() { return static_cast<int>(kLongLookback); }
int ht_dcphase(In real, Out out) {
  Out outs[] = {out};
  return run_state(detail::ht::PhaseState<PhaseOut::phase>{}, real, kLongLookback, outs);
}

int ht_sine_lookback() { return static_cast<int>(kLongLookback); }
int ht_sine(In real, Out sine, Out leadsine) {
  Out outs[] = {sine, leadsine};
  return run_state(detail::ht::PhaseState<PhaseOut::sine>{}, real, kLongLookback, outs);
}

int ht_trendline_lookback() { return static_cast<int>(kLongLookback); }
int ht_trendline(In real, Out out) {
  Out outs[] = {out};
  return run_state(detail::ht::PhaseState<PhaseOut::trendline>{}, real, kLongLookback, outs);
}

int ht_trendmode_lookback() { return static_cast<int>(kLongLookback); }
/// 1 in a trend, 0 in a cycle.
int ht_trendmode(In real, Out out) {
  Out outs[] = {out};
  return run_state(detail::ht::PhaseState<PhaseOut::trendmode>{}, real, kLongLookback, outs);
}

int mama_lookback() { return static_cast<int>(kShortLookback); }
// `fama` may be empty (TA_MA's MAMA type ignores it).
int mama(In real, double fast_limit, double slow_limit, Out mama_out, Out fama_out) {
  Out outs[] = {mama_out, fama_out};
  return run_state(detail::ht::MamaState(fast_limit, slow_limit), real, kShortLookback, outs);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// The Hilbert-transform indicators and MAMA: their fixed-size per-bar states
/// (cycle_state.hpp, the batch kernels' own). peek() runs on a copy (a few
/// hundred doubles, no allocation); DC phase and trendline sum at most 50 bars.
template <class State>
struct CopyCore {
  State state;
  template <class Ar>
  void persist(Ar& ar) {
    ar(state);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (commit) return state.push(b.real0, out);
    State copy = state;
    return copy.push(b.real0, out);
  }
};

std::unique_ptr<Stream> ht_dcperiod(Opts) { return make<CopyCore<detail::ht::DcPeriodState<false>>>(); }
std::unique_ptr<Stream> ht_phasor(Opts) { return make<CopyCore<detail::ht::DcPeriodState<true>>>(); }

std::unique_ptr<Stream> ht_dcphase(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::phase>>>();
}

std::unique_ptr<Stream> ht_sine(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::sine>>>();
}

std::unique_ptr<Stream> ht_trendline(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::trendline>>>();
}

std::unique_ptr<Stream> ht_trendmode(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::trendmode>>>();
}

std::unique_ptr<Stream> mama(Opts o) {
  return make<CopyCore<detail::ht::MamaState>>(detail::ht::MamaState(o[0], o[1]));
}

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutPhasor[] = {{"inphase", OutputKind::real}, {"quadrature", OutputKind::real}};
constexpr OutputSpec kOutSine[] = {{"sine", OutputKind::real}, {"leadsine", OutputKind::real}};
constexpr OutputSpec kOutMama[] = {{"mama", OutputKind::real}, {"fama", OutputKind::real}};

constexpr OptionSpec kMamaOptions[] = {
    {"fastlimit", OptionType::real, 0.5, 0.01, 0.99, "Upper limit of the adaptive factor"},
    {"slowlimit", OptionType::real, 0.05, 0.01, 0.99, "Lower limit of the adaptive factor"}};

int mama_lb(Opts) { return mama_lookback(); }
int mama_run(const Inputs& in, Opts o, Outs out) { return mama(real0(in), o[0], o[1], out[0], out[1]); }

template <int (*Kernel)(In, Out)>
int real_plain(const Inputs& in, Opts, Outs out) {
  return Kernel(real0(in), out[0]);
}

template <int (*Kernel)(In, Out, Out)>
int real_plain2(const Inputs& in, Opts, Outs out) {
  return Kernel(real0(in), out[0], out[1]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"MAMA", kOverlap, "MESA Adaptive Moving Average (MAMA and FAMA)", kReal, kMamaOptions, kOutMama, mama_lb,
     mama_run, streams::mama},
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
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> cycle_functions() { return kRows; }

}  // namespace ts::ta
