// TickStock extras: floor, Fibonacci, Woodie and Camarilla pivot points from
// the PRIOR bar.
#include <cstddef>

#include "ta/kernels.hpp"
#include "ta/table.hpp"

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

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr OutputSpec kOutPivots[] = {
    {"pp", OutputKind::real}, {"r1", OutputKind::real}, {"r2", OutputKind::real}, {"r3", OutputKind::real},
    {"s1", OutputKind::real}, {"s2", OutputKind::real}, {"s3", OutputKind::real}};

constexpr OutputSpec kOutCamarilla[] = {
    {"pp", OutputKind::real}, {"r1", OutputKind::real}, {"r2", OutputKind::real},
    {"r3", OutputKind::real}, {"r4", OutputKind::real}, {"s1", OutputKind::real},
    {"s2", OutputKind::real}, {"s3", OutputKind::real}, {"s4", OutputKind::real}};

int pivots_lb(Opts) { return pivots_lookback(); }

template <int (*Kernel)(In, In, In, const PivotOut&)>
int pivots_run(const Inputs& in, Opts, Outs out) {
  return Kernel(in.high, in.low, in.close, PivotOut{out[0], out[1], out[2], out[3], out[4], out[5], out[6]});
}

int camarilla_run(const Inputs& in, Opts, Outs out) {
  return pivots_camarilla(in.high, in.low, in.close,
                          PivotOut{out[0], out[1], out[2], out[3], out[5], out[6], out[7]}, out[4], out[8]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"PIVOTS", kExtras,
     "Floor pivot points from the prior bar's H, L, C: pp = (H+L+C)/3, r1 = 2pp-L, s1 = 2pp-H, "
     "r2 = pp+(H-L), s2 = pp-(H-L), r3 = H+2(pp-L), s3 = L-2(H-pp). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots>, rerun<pivots_run<pivots>, 2, 7>},
    {"PIVOTS_FIB", kExtras,
     "Fibonacci pivot points from the prior bar: pp = (H+L+C)/3, r1/r2/r3 = pp + 0.382/0.618/1.0 * (H-L), "
     "s1/s2/s3 = pp - 0.382/0.618/1.0 * (H-L). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots_fib>, rerun<pivots_run<pivots_fib>, 2, 7>},
    {"PIVOTS_WOODIE", kExtras,
     "Woodie pivot points from the prior bar: pp = (H+L+2C)/4, r1 = 2pp-L, s1 = 2pp-H, r2 = pp+(H-L), "
     "s2 = pp-(H-L), r3 = H+2(pp-L), s3 = L-2(H-pp). Lookback 1.",
     kHlc, {}, kOutPivots, pivots_lb, pivots_run<pivots_woodie>, rerun<pivots_run<pivots_woodie>, 2, 7>},
    {"PIVOTS_CAMARILLA", kExtras,
     "Camarilla pivot points from the prior bar: r1..r4 = C + (H-L)*1.1/12, /6, /4, /2, s1..s4 = C - the same; "
     "pp = (H+L+C)/3. Lookback 1.",
     kHlc, {}, kOutCamarilla, pivots_lb, camarilla_run, rerun<camarilla_run, 2, 9>},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> pivots_functions() { return kRows; }

}  // namespace ts::ta
