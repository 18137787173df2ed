// Volume: OBV and the TickStock extra RELVOL.
#include <bit>
#include <cstddef>
#include <cstdint>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"

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
