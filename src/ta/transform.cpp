// Price transforms, math transforms and math operators (TA-Lib groups "Price
// Transform", "Math Transform", "Math Operators"): element-wise, lookback 0.
#include <emmintrin.h>

#include <cmath>
#include <cstddef>
#include <limits>

#include "ta/kernels.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {

template <class F>
int map1(In a, Out out, F f) {
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = f(a[i]);
  return 0;
}

template <class F>
int map2(In a, In b, Out out, F f) {
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  return 0;
}

// The math transforms two values at a time. Twelve use glibc's vector math
// library (libmvec, the x86-64 vector ABI's 2-lane SSE variants): 2-3.5x the
// scalar libm calls TA-Lib makes (exp 3.1 -> 1.1 ns, sin 7.1 -> 2.0 ns per
// value on this machine), at a cost of a few ulps (math_transform_is_exact).
// Every value, the odd last one included, goes through the same lane-wise
// function, so a value never depends on its neighbour or on the series length
// (the stream, one value at a time, gets the batch's bits).
// FLOOR, CEIL and SQRT stay exact: SSE2 has no rounding instruction, so floor
// and ceil round to an integer with the 2^52 trick (exact for |x| < 2^52; larger
// values, infinities and NaN are already integral or pass through).
extern "C" {
__m128d _ZGVbN2v_acos(__m128d);
__m128d _ZGVbN2v_asin(__m128d);
__m128d _ZGVbN2v_atan(__m128d);
__m128d _ZGVbN2v_cos(__m128d);
__m128d _ZGVbN2v_cosh(__m128d);
__m128d _ZGVbN2v_exp(__m128d);
__m128d _ZGVbN2v_log(__m128d);
__m128d _ZGVbN2v_log10(__m128d);
__m128d _ZGVbN2v_sin(__m128d);
__m128d _ZGVbN2v_sinh(__m128d);
__m128d _ZGVbN2v_tan(__m128d);
__m128d _ZGVbN2v_tanh(__m128d);
}

template <class F>
int map_pairs(In a, Out out, F f) {
  const std::size_t n = a.size();
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) _mm_storeu_pd(&out[i], f(_mm_loadu_pd(&a[i])));
  if (i < n) out[i] = _mm_cvtsd_f64(f(_mm_set1_pd(a[i])));
  return 0;
}

/// A vector-math function `vec` on [lo, hi]; elsewhere `closed` settles the
/// lanes whose result is known exactly (overflow to infinity, underflow to 0,
/// saturation to +/-1, NaN outside the domain: libm's own results there) and
/// the scalar libm function takes the rest (NaN inputs, thin bands near the
/// limits). The vector functions take a slow per-lane path on such inputs
/// (EXP of a random-walk price series, much of it above 709: 3.1 ns per value
/// with libm, 5.8 ns with the vector call alone). A lane outside [lo, hi]
/// reaches `vec` as 0.0, so no result depends on its neighbour.
/// `closed(x, &value)` returns the mask of the lanes it settles.
template <class Vec, class Closed, class Scalar>
int map_pairs_on(In a, Out out, Vec vec, Closed closed, Scalar scalar, double lo, double hi) {
  const __m128d vlo = _mm_set1_pd(lo), vhi = _mm_set1_pd(hi);
  return map_pairs(a, out, [&](__m128d x) {
    const __m128d inside = _mm_and_pd(_mm_cmpge_pd(x, vlo), _mm_cmple_pd(x, vhi));
    const int in = _mm_movemask_pd(inside);
    if (in == 3) return vec(x);
    __m128d known_value;
    const __m128d known = closed(x, &known_value);
    __m128d r = _mm_and_pd(_mm_andnot_pd(inside, known), known_value);
    if (in != 0) r = _mm_or_pd(r, _mm_and_pd(inside, vec(_mm_and_pd(inside, x))));
    if (const int done = in | _mm_movemask_pd(known); done != 3) {
      alignas(16) double lanes[2], xs[2];
      _mm_store_pd(lanes, r);
      _mm_store_pd(xs, x);
      for (int k = 0; k < 2; ++k)
        if (!(done & (1 << k))) lanes[k] = scalar(xs[k]);
      r = _mm_load_pd(lanes);
    }
    return r;
  });
}

// The closed forms, as glibc computes them: exp overflows above 709.78 and
// underflows to +0 below -745.13; cosh and sinh overflow beyond 710.48; tanh is
// +/-1 (1 - 1e-300 rounded) from |x| = 22 on; asin and acos of |x| > 1 are
// (x - x) / (x - x), NaN. The limits below stay clear of those edges.
inline __m128d magnitude_of(__m128d x) { return _mm_andnot_pd(_mm_set1_pd(-0.0), x); }
inline __m128d sign_of(__m128d x) { return _mm_and_pd(_mm_set1_pd(-0.0), x); }
__m128d exp_closed(__m128d x, __m128d* value) {
  const __m128d over = _mm_cmpgt_pd(x, _mm_set1_pd(709.8)), under = _mm_cmplt_pd(x, _mm_set1_pd(-745.2));
  *value = _mm_and_pd(over, _mm_set1_pd(std::numeric_limits<double>::infinity()));  // +0.0 where under
  return _mm_or_pd(over, under);
}
__m128d cosh_closed(__m128d x, __m128d* value) {
  *value = _mm_set1_pd(std::numeric_limits<double>::infinity());
  return _mm_cmpgt_pd(magnitude_of(x), _mm_set1_pd(710.5));
}
__m128d sinh_closed(__m128d x, __m128d* value) {
  *value = _mm_or_pd(_mm_set1_pd(std::numeric_limits<double>::infinity()), sign_of(x));
  return _mm_cmpgt_pd(magnitude_of(x), _mm_set1_pd(710.5));
}
__m128d tanh_closed(__m128d x, __m128d* value) {
  *value = _mm_or_pd(_mm_set1_pd(1.0), sign_of(x));
  return _mm_cmpge_pd(magnitude_of(x), _mm_set1_pd(22.0));
}
__m128d arc_closed(__m128d x, __m128d* value) {
  const __m128d zero = _mm_sub_pd(x, x);
  *value = _mm_div_pd(zero, zero);
  return _mm_cmpgt_pd(magnitude_of(x), _mm_set1_pd(1.0));
}
__m128d nothing_closed(__m128d, __m128d* value) {
  *value = _mm_setzero_pd();
  return _mm_setzero_pd();
}

/// x rounded to the nearest integer (ties to even) with x's sign, |x| < 2^52:
/// adding and subtracting 2^52 (with x's sign) drops the fraction exactly.
inline __m128d nearest_integer(__m128d x, __m128d sign) {
  const __m128d two52 = _mm_or_pd(_mm_set1_pd(4503599627370496.0), sign);
  return _mm_sub_pd(_mm_add_pd(x, two52), two52);
}
/// floor(x) / ceil(x) lane-wise, bit for bit std::floor / std::ceil: the
/// nearest integer, one step down (up) where it lies above (below) x; the
/// result keeps x's sign (floor(-0.0) and ceil(-0.5) are -0.0); |x| >= 2^52,
/// infinities and NaN pass through.
template <bool Up>
__m128d round_pair(__m128d x) {
  const __m128d sign = sign_of(x);
  const __m128d fractional = _mm_cmplt_pd(magnitude_of(x), _mm_set1_pd(4503599627370496.0));
  const __m128d r = nearest_integer(x, sign);
  const __m128d step = Up ? _mm_and_pd(_mm_cmplt_pd(r, x), _mm_set1_pd(1.0))
                          : _mm_and_pd(_mm_cmpgt_pd(r, x), _mm_set1_pd(-1.0));
  const __m128d rounded = _mm_or_pd(_mm_add_pd(r, step), sign);
  return _mm_or_pd(_mm_and_pd(fractional, rounded), _mm_andnot_pd(fractional, x));
}
__m128d floor_pair(__m128d x) { return round_pair<false>(x); }
__m128d ceil_pair(__m128d x) { return round_pair<true>(x); }

}  // namespace

int avgprice(In open, In high, In low, In close, Out out) {
  const std::size_t n = open.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = (high[i] + low[i] + close[i] + open[i]) / 4;
  return 0;
}
int medprice(In high, In low, Out out) {
  return map2(high, low, out, [](double h, double l) { return (h + l) / 2.0; });
}
int typprice(In high, In low, In close, Out out) {
  const std::size_t n = high.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = (high[i] + low[i] + close[i]) / 3.0;
  return 0;
}
int wclprice(In high, In low, In close, Out out) {
  const std::size_t n = high.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = (high[i] + low[i] + (close[i] * 2.0)) / 4.0;
  return 0;
}

int math_transform(MathFn fn, In real, Out out) {
  // The vector ranges: where the results are finite and ordinary (exp/sinh/cosh
  // below overflow, tanh before it saturates, positive normal logs). The
  // trigonometric functions take any argument: for huge ones the vector
  // functions' reduction is still faster than libm's (SIN of the price series:
  // 16.0 ns per value with libm, 8.9 with the vector call).
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (fn) {
    case MathFn::acos:
      return map_pairs_on(real, out, _ZGVbN2v_acos, arc_closed, [](double x) { return std::acos(x); }, -1.0, 1.0);
    case MathFn::asin:
      return map_pairs_on(real, out, _ZGVbN2v_asin, arc_closed, [](double x) { return std::asin(x); }, -1.0, 1.0);
    case MathFn::cosh:
      return map_pairs_on(real, out, _ZGVbN2v_cosh, cosh_closed, [](double x) { return std::cosh(x); }, -700.0,
                          700.0);
    case MathFn::exp:
      return map_pairs_on(real, out, _ZGVbN2v_exp, exp_closed, [](double x) { return std::exp(x); }, -700.0, 700.0);
    case MathFn::sinh:
      return map_pairs_on(real, out, _ZGVbN2v_sinh, sinh_closed, [](double x) { return std::sinh(x); }, -700.0,
                          700.0);
    case MathFn::atan:
      return map_pairs_on(real, out, _ZGVbN2v_atan, nothing_closed, [](double x) { return std::atan(x); }, -kInf,
                          kInf);
    case MathFn::ceil:
      return map_pairs(real, out, ceil_pair);
    case MathFn::cos:
      return map_pairs_on(real, out, _ZGVbN2v_cos, nothing_closed, [](double x) { return std::cos(x); }, -kMax, kMax);
    case MathFn::floor:
      return map_pairs(real, out, floor_pair);
    case MathFn::ln:
      return map_pairs_on(real, out, _ZGVbN2v_log, nothing_closed, [](double x) { return std::log(x); }, kMinNormal,
                          kMax);
    case MathFn::log10:
      return map_pairs_on(real, out, _ZGVbN2v_log10, nothing_closed, [](double x) { return std::log10(x); },
                          kMinNormal, kMax);
    case MathFn::sin:
      return map_pairs_on(real, out, _ZGVbN2v_sin, nothing_closed, [](double x) { return std::sin(x); }, -kMax, kMax);
    case MathFn::sqrt:
      return map_pairs(real, out, [](__m128d x) { return _mm_sqrt_pd(x); });
    case MathFn::tan:
      return map_pairs_on(real, out, _ZGVbN2v_tan, nothing_closed, [](double x) { return std::tan(x); }, -kMax, kMax);
    case MathFn::tanh:
      return map_pairs_on(real, out, _ZGVbN2v_tanh, tanh_closed, [](double x) { return std::tanh(x); }, -19.0,
                          19.0);
  }
  return 0;
}

bool math_transform_is_exact(MathFn fn) {
  return fn == MathFn::ceil || fn == MathFn::floor || fn == MathFn::sqrt;
}

int math_operator(MathOp op, In real0, In real1, Out out) {
  switch (op) {
    case MathOp::add:
      return map2(real0, real1, out, [](double a, double b) { return a + b; });
    case MathOp::sub:
      return map2(real0, real1, out, [](double a, double b) { return a - b; });
    case MathOp::mult:
      return map2(real0, real1, out, [](double a, double b) { return a * b; });
    case MathOp::div:
      return map2(real0, real1, out, [](double a, double b) { return a / b; });
  }
  return 0;
}

}  // namespace ts::ta

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

int avgprice_run(const Inputs& in, Opts, Outs out) {
  return avgprice(in.open, in.high, in.low, in.close, out[0]);
}

int medprice_run(const Inputs& in, Opts, Outs out) { return medprice(in.high, in.low, out[0]); }

template <MathFn Fn>
int math_run(const Inputs& in, Opts, Outs out) {
  return math_transform(Fn, real0(in), out[0]);
}

template <MathOp Op>
int operator_run(const Inputs& in, Opts, Outs out) {
  return math_operator(Op, pair0(in), pair1(in), out[0]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"AVGPRICE", kPrice, "Average Price: (open + high + low + close) / 4", kOhlc, {}, kOutReal, zero_lb,
     avgprice_run, rerun<avgprice_run, 1, 1>},
    {"MEDPRICE", kPrice, "Median Price: (high + low) / 2", kHl, {}, kOutReal, zero_lb, medprice_run, rerun<medprice_run, 1, 1>},
    {"TYPPRICE", kPrice, "Typical Price: (high + low + close) / 3", kHlc, {}, kOutReal, zero_lb,
     hlc_plain<typprice>, rerun<hlc_plain<typprice>, 1, 1>},
    {"WCLPRICE", kPrice, "Weighted Close Price: (high + low + 2 close) / 4", kHlc, {}, kOutReal, zero_lb,
     hlc_plain<wclprice>, rerun<hlc_plain<wclprice>, 1, 1>},
    {"ADD", kMathOperators, "Vector arithmetic add: real0 + real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::add>, rerun<operator_run<MathOp::add>, 1, 1>},
    {"SUB", kMathOperators, "Vector arithmetic subtraction: real0 - real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::sub>, rerun<operator_run<MathOp::sub>, 1, 1>},
    {"MULT", kMathOperators, "Vector arithmetic mult: real0 * real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::mult>, rerun<operator_run<MathOp::mult>, 1, 1>},
    {"DIV", kMathOperators, "Vector arithmetic div: real0 / real1", kReal2, {}, kOutReal, zero_lb,
     operator_run<MathOp::div>, rerun<operator_run<MathOp::div>, 1, 1>},
    {"ACOS", kMathTransform, "Vector trigonometric acos (NaN outside [-1, 1])", kReal, {}, kOutReal, zero_lb,
     math_run<MathFn::acos>, rerun<math_run<MathFn::acos>, 1, 1>},
    {"ASIN", kMathTransform, "Vector trigonometric asin (NaN outside [-1, 1])", kReal, {}, kOutReal, zero_lb,
     math_run<MathFn::asin>, rerun<math_run<MathFn::asin>, 1, 1>},
    {"COSH", kMathTransform, "Vector trigonometric cosh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::cosh>, rerun<math_run<MathFn::cosh>, 1, 1>},
    {"EXP", kMathTransform, "Vector arithmetic exp", kReal, {}, kOutReal, zero_lb, math_run<MathFn::exp>, rerun<math_run<MathFn::exp>, 1, 1>},
    {"SINH", kMathTransform, "Vector trigonometric sinh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sinh>, rerun<math_run<MathFn::sinh>, 1, 1>},
    {"ATAN", kMathTransform, "Vector trigonometric atan", kReal, {}, kOutReal, zero_lb, math_run<MathFn::atan>, rerun<math_run<MathFn::atan>, 1, 1>},
    {"CEIL", kMathTransform, "Vector ceil", kReal, {}, kOutReal, zero_lb, math_run<MathFn::ceil>, rerun<math_run<MathFn::ceil>, 1, 1>},
    {"COS", kMathTransform, "Vector trigonometric cos", kReal, {}, kOutReal, zero_lb, math_run<MathFn::cos>, rerun<math_run<MathFn::cos>, 1, 1>},
    {"FLOOR", kMathTransform, "Vector floor", kReal, {}, kOutReal, zero_lb, math_run<MathFn::floor>, rerun<math_run<MathFn::floor>, 1, 1>},
    {"LN", kMathTransform, "Vector natural log", kReal, {}, kOutReal, zero_lb, math_run<MathFn::ln>, rerun<math_run<MathFn::ln>, 1, 1>},
    {"LOG10", kMathTransform, "Vector log10", kReal, {}, kOutReal, zero_lb, math_run<MathFn::log10>, rerun<math_run<MathFn::log10>, 1, 1>},
    {"SIN", kMathTransform, "Vector trigonometric sin", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sin>, rerun<math_run<MathFn::sin>, 1, 1>},
    {"SQRT", kMathTransform, "Vector square root", kReal, {}, kOutReal, zero_lb, math_run<MathFn::sqrt>, rerun<math_run<MathFn::sqrt>, 1, 1>},
    {"TAN", kMathTransform, "Vector trigonometric tan", kReal, {}, kOutReal, zero_lb, math_run<MathFn::tan>, rerun<math_run<MathFn::tan>, 1, 1>},
    {"TANH", kMathTransform, "Vector trigonometric tanh", kReal, {}, kOutReal, zero_lb, math_run<MathFn::tanh>, rerun<math_run<MathFn::tanh>, 1, 1>},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> transform_functions() { return kRows; }

}  // namespace ts::ta
