// Hilbert-transform cycle indicators: batch loops over the per-bar states of
// cycle_state.hpp (the streams keep the same states).
#include <cstddef>

#include "ta/cycle_state.hpp"
#include "ta/kernels.hpp"

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
