// Volume: OBV and the TickStock extra RELVOL.
#include <bit>
#include <cstddef>
#include <cstdint>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {

using std::size_t;

int obv_lookback() { return 0; }

// OBV[0] = volume[0]; then +volume on an up close, -volume on a down close.
// Branch-free (a random walk mispredicts half of the branches): the step is
// volume with its sign bit flipped on a down close and masked to +0.0 when
// unchanged. acc + (-v) is the same IEEE operation as TA-Lib's acc - v, and
// adding +0.0 leaves acc unchanged, so results are bit-identical.
int obv(In real, In volume, Out out) {
  const size_t n = real.size();
  if (n == 0) return 0;
  const double* x = real.data();
  const double* v = volume.data();
  double* o = out.data();
  double acc = v[0];
  double prev = x[0];
  o[0] = acc;
  for (size_t i = 1; i < n; ++i) {
    const double cur = x[i];
    acc += detail::obv_step(prev, cur, v[i]);
    o[i] = acc;
    prev = cur;
  }
  return 0;
}

int relvol_lookback(int period) { return period; }

int relvol(In volume, int period, Out out) {
  const size_t n = volume.size();
  const size_t p = static_cast<size_t>(period);
  if (n <= p) return static_cast<int>(n);
  const double* v = volume.data();
  double* o = out.data();
  const double pd = period;
  double total = 0.0;
  for (size_t i = 0; i < p; ++i) total += v[i];
  for (size_t i = p; i < n; ++i) {
    const double avg = total / pd;
    o[i] = avg != 0.0 ? v[i] / avg : 0.0;
    total += v[i];
    total -= v[i - p];
  }
  return static_cast<int>(p);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

/// obv(): OBV[0] = volume[0], then the signed volume steps.
struct ObvCore {
  bool started = false;
  double acc = 0.0, prev = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(started, acc, prev);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double a = started ? acc + detail::obv_step(prev, b.real0, b.volume) : b.volume;
    out[0] = a;
    if (commit) {
      acc = a;
      prev = b.real0;
      started = true;
    }
    return true;
  }
};

/// relvol(): volume over the mean of the `period` prior volumes.
struct RelvolCore {
  size_t p;
  double pd;
  Lag lag;
  size_t count = 0;  // capped at p
  double total = 0.0;
  explicit RelvolCore(int n) : p(static_cast<size_t>(n)), pd(n), lag(p) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p, pd);
    ar(lag, count, total);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.volume;
    double t = total;
    const bool valid = count >= p;
    if (valid) {
      const double avg = t / pd;
      out[0] = avg != 0.0 ? v / avg : 0.0;
      t += v;
      t -= lag.oldest();
    } else {
      t += v;
    }
    if (commit) {
      total = t;
      lag.push(v);
      if (count < p) ++count;
    }
    return valid;
  }
};

std::unique_ptr<Stream> obv(Opts) { return make<ObvCore>(); }
std::unique_ptr<Stream> relvol(Opts o) { return make<RelvolCore>(as_int(o[0])); }

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr Input kRealVolume[] = {Input::real0, Input::volume};
constexpr Input kVolume[] = {Input::volume};
int obv_lb(Opts) { return obv_lookback(); }
int obv_run(const Inputs& in, Opts, Outs out) { return obv(real0(in), in.volume, out[0]); }
int relvol_run(const Inputs& in, Opts o, Outs out) { return relvol(in.volume, as_int(o[0]), out[0]); }

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"OBV", kVolumeGroup, "On Balance Volume (OBV[0] = volume[0])", kRealVolume, {}, kOutReal, obv_lb, obv_run, streams::obv},
    {"RELVOL", kExtras,
     "Relative volume: volume[i] / mean(volume[i-n .. i-1]), the average of the n PRIOR bars (the current bar "
     "is excluded); 0 when that average is 0. Lookback n.",
     kVolume, kPeriod20, kOutReal, period_lookback<relvol_lookback>, relvol_run, streams::relvol},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> volume_functions() { return kRows; }

}  // namespace ts::ta
