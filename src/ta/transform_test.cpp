// The math transforms against the scalar libm calls TA-Lib makes: CEIL, FLOOR
// and SQRT bit for bit (SSE2 rounding trick, sqrtpd), the twelve vector-math
// transforms within kVectorMathUlps, and every value independent of where it
// sits in the series (the odd last value and a one-value stream included).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ta/kernels.hpp"

namespace ts::ta {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Transform {
  MathFn fn;
  const char* name;
  double (*libm)(double);
  double lo, hi;  // where random inputs are drawn
};

const std::vector<Transform>& transforms() {
  static const std::vector<Transform> all = {
      {MathFn::acos, "acos", [](double x) { return std::acos(x); }, -1.5, 1.5},
      {MathFn::asin, "asin", [](double x) { return std::asin(x); }, -1.5, 1.5},
      {MathFn::atan, "atan", [](double x) { return std::atan(x); }, -1e3, 1e3},
      {MathFn::ceil, "ceil", [](double x) { return std::ceil(x); }, -1e6, 1e6},
      {MathFn::cos, "cos", [](double x) { return std::cos(x); }, -1e4, 1e4},
      {MathFn::cosh, "cosh", [](double x) { return std::cosh(x); }, -760.0, 760.0},
      {MathFn::exp, "exp", [](double x) { return std::exp(x); }, -760.0, 760.0},
      {MathFn::floor, "floor", [](double x) { return std::floor(x); }, -1e6, 1e6},
      {MathFn::ln, "ln", [](double x) { return std::log(x); }, 1e-300, 1e6},
      {MathFn::log10, "log10", [](double x) { return std::log10(x); }, 1e-6, 1e9},
      {MathFn::sin, "sin", [](double x) { return std::sin(x); }, -1e4, 1e4},
      {MathFn::sinh, "sinh", [](double x) { return std::sinh(x); }, -760.0, 760.0},
      {MathFn::sqrt, "sqrt", [](double x) { return std::sqrt(x); }, 0.0, 1e12},
      {MathFn::tan, "tan", [](double x) { return std::tan(x); }, -1e3, 1e3},
      {MathFn::tanh, "tanh", [](double x) { return std::tanh(x); }, -30.0, 30.0},
  };
  return all;
}

/// Doubles mapped to integers in the order of their values (-0.0 == +0.0).
std::int64_t ordered(double x) {
  const auto bits = std::bit_cast<std::int64_t>(x);
  return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
}
std::uint64_t ulps_between(double a, double b) {
  const std::int64_t x = ordered(a), y = ordered(b);
  return x > y ? static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y)
               : static_cast<std::uint64_t>(y) - static_cast<std::uint64_t>(x);
}

/// Edge values (signed zeros, halves, the 2^52 boundary, subnormals,
/// infinities, NaN, the edges of the vector ranges) then random values from
/// the transform's range (past those edges, so that pairs mix the vector,
/// closed-form and libm lanes), an odd count so that the kernel's last value
/// takes the one-value path.
std::vector<double> inputs_for(const Transform& t) {
  std::vector<double> x = {0.0,   -0.0, 0.5,  -0.5, 1.5,  -1.5,  2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                           1.0,   -1.0, 0.99999999999999989, -0.99999999999999989, 4503599627370495.5,
                           -4503599627370495.5, 4503599627370496.0, -4503599627370496.0, 4503599627370497.0,
                           9007199254740993.0, -9007199254740993.0, 1e300, -1e300, 4.9e-324, -4.9e-324,
                           2.2250738585072014e-308, kInf, -kInf, kNaN, 3.0, 100.25, -7.75,
                           // around the transforms' vector ranges and closed forms (transform.cpp)
                           1.0000000000000002, -1.0000000000000002, 18.9, 19.5, -21.9, 22.0, -22.0, 30.0, 699.9,
                           705.0, 709.78, 709.79, 709.9, -744.0, -745.2, -746.0, 710.4, 710.6, -710.6, 1e5 + 0.5,
                           -1e17, 1e22};
  std::mt19937_64 rng(std::hash<std::string>{}(t.name));
  std::uniform_real_distribution<double> u(t.lo, t.hi);
  for (int i = 0; i < 20001; ++i) x.push_back(u(rng));
  if (x.size() % 2 == 0) x.push_back(u(rng));
  return x;
}

std::vector<double> run(MathFn fn, const std::vector<double>& x) {
  std::vector<double> out(x.size(), -12345.0);
  EXPECT_EQ(math_transform(fn, x, out), 0);
  return out;
}

TEST(MathTransforms, CeilFloorAndSqrtEqualLibmBitForBit) {
  int checked = 0;
  for (const Transform& t : transforms()) {
    if (!math_transform_is_exact(t.fn)) continue;
    const std::vector<double> x = inputs_for(t);
    const std::vector<double> out = run(t.fn, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = t.libm(x[i]);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(out[i])) << t.name << "(" << x[i] << ")";
      } else {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(out[i]), std::bit_cast<std::uint64_t>(want))
            << t.name << "(" << x[i] << "): " << out[i] << " vs libm " << want;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(MathTransforms, VectorMathIsWithinItsUlpsOfLibm) {
  for (const Transform& t : transforms()) {
    if (math_transform_is_exact(t.fn)) continue;
    const std::vector<double> x = inputs_for(t);
    const std::vector<double> out = run(t.fn, x);
    std::uint64_t worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = t.libm(x[i]);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(out[i])) << t.name << "(" << x[i] << ") = " << out[i];
        continue;
      }
      const std::uint64_t d = ulps_between(out[i], want);
      worst = std::max(worst, d);
      EXPECT_LE(d, static_cast<std::uint64_t>(kVectorMathUlps))
          << t.name << "(" << x[i] << "): " << out[i] << " vs libm " << want;
    }
    RecordProperty(std::string("worst_ulps_") + t.name, std::to_string(worst));
  }
}

TEST(MathTransforms, AValueDoesNotDependOnItsNeighboursOrTheLength) {
  for (const Transform& t : transforms()) {
    const std::vector<double> x = inputs_for(t);
    const std::vector<double> whole = run(t.fn, x);
    const std::vector<double> shifted = run(t.fn, std::vector<double>(x.begin() + 1, x.end()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double one = run(t.fn, {x[i]})[0];
      EXPECT_EQ(std::bit_cast<std::uint64_t>(one), std::bit_cast<std::uint64_t>(whole[i]))
          << t.name << "(" << x[i] << ") alone vs in the series, value " << i;
      if (i > 0) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(shifted[i - 1]), std::bit_cast<std::uint64_t>(whole[i]))
            << t.name << "(" << x[i] << ") in the other lane, value " << i;
      }
    }
  }
}

}  // namespace
}  // namespace ts::ta
