// TickStock extras: floor, Fibonacci, Woodie and Camarilla pivot points from
// the PRIOR bar.
#include <cstddef>

#include "ta/kernels.hpp"

namespace ts::ta {
namespace {

using std::size_t;

enum class Kind : unsigned char { floor, fib, woodie, camarilla };

// r4 and s4 are written by the Camarilla levels only.
template <Kind K>
int pivot_levels(In high, In low, In close, const PivotOut& out, Out r4 = {}, Out s4 = {}) {
  const size_t n = high.size();
  if (n <= 1) return static_cast<int>(n);
  for (size_t i = 1; i < n; ++i) {
    const double h = high[i - 1];
    const double l = low[i - 1];
    const double c = close[i - 1];
    // Woodie weights the close twice; the others take the plain mean.
    const double pp = K == Kind::woodie ? ((h + l) + 2.0 * c) / 4.0 : (h + l + c) / 3.0;
    const double range = h - l;
    out.pp[i] = pp;
    if constexpr (K == Kind::fib) {
      out.r1[i] = pp + 0.382 * range;
      out.r2[i] = pp + 0.618 * range;
      out.r3[i] = pp + range;
      out.s1[i] = pp - 0.382 * range;
      out.s2[i] = pp - 0.618 * range;
      out.s3[i] = pp - range;
    } else if constexpr (K == Kind::camarilla) {
      // Around the prior close at 1.1/12, 1.1/6, 1.1/4 and 1.1/2 of the range.
      out.r1[i] = c + range * 1.1 / 12.0;
      out.r2[i] = c + range * 1.1 / 6.0;
      out.r3[i] = c + range * 1.1 / 4.0;
      r4[i] = c + range * 1.1 / 2.0;
      out.s1[i] = c - range * 1.1 / 12.0;
      out.s2[i] = c - range * 1.1 / 6.0;
      out.s3[i] = c - range * 1.1 / 4.0;
      s4[i] = c - range * 1.1 / 2.0;
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
  return pivot_levels<Kind::floor>(high, low, close, out);
}
int pivots_fib(In high, In low, In close, const PivotOut& out) {
  return pivot_levels<Kind::fib>(high, low, close, out);
}

int pivots_woodie(In high, In low, In close, const PivotOut& out) {
  return pivot_levels<Kind::woodie>(high, low, close, out);
}

int pivots_camarilla(In high, In low, In close, const PivotOut& out, Out r4, Out s4) {
  return pivot_levels<Kind::camarilla>(high, low, close, out, r4, s4);
}

}  // namespace ts::ta
