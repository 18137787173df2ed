// TickStock extras: floor and Fibonacci pivot points from the PRIOR bar.
#include <cstddef>

#include "ta/kernels.hpp"

namespace ts::ta {
namespace {

using std::size_t;

template <bool Fib>
int pivot_levels(In high, In low, In close, const PivotOut& out) {
  const size_t n = high.size();
  if (n <= 1) return static_cast<int>(n);
  for (size_t i = 1; i < n; ++i) {
    const double h = high[i - 1];
    const double l = low[i - 1];
    const double c = close[i - 1];
    const double pp = (h + l + c) / 3.0;
    const double range = h - l;
    out.pp[i] = pp;
    if constexpr (Fib) {
      out.r1[i] = pp + 0.382 * range;
      out.r2[i] = pp + 0.618 * range;
      out.r3[i] = pp + range;
      out.s1[i] = pp - 0.382 * range;
      out.s2[i] = pp - 0.618 * range;
      out.s3[i] = pp - range;
    } else {
      out.r1[i] = 2.0 * pp - l;
      out.s1[i] = 2.0 * pp - h;
      out.r2[i] = pp + range;
      out.s2[i] = pp - range;
      out.r3[i] = h + 2.0 * (pp - l);
      out.s3[i] = l - 2.0 * (h - pp);
    }
  }
  return 1;
}

}  // namespace

int pivots_lookback() { return 1; }
int pivots(In high, In low, In close, const PivotOut& out) {
  return pivot_levels<false>(high, low, close, out);
}
int pivots_fib(In high, In low, In close, const PivotOut& out) {
  return pivot_levels<true>(high, low, close, out);
}

}  // namespace ts::ta
