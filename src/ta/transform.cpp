// Price transforms, math transforms and math operators (TA-Lib groups "Price
// Transform", "Math Transform", "Math Operators"): element-wise, lookback 0.
#include <cmath>
#include <cstddef>

#include "ta/kernels.hpp"

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
  switch (fn) {
    case MathFn::acos:
      return map1(real, out, [](double x) { return std::acos(x); });
    case MathFn::asin:
      return map1(real, out, [](double x) { return std::asin(x); });
    case MathFn::cosh:
      return map1(real, out, [](double x) { return std::cosh(x); });
    case MathFn::exp:
      return map1(real, out, [](double x) { return std::exp(x); });
    case MathFn::sinh:
      return map1(real, out, [](double x) { return std::sinh(x); });
    case MathFn::atan:
      return map1(real, out, [](double x) { return std::atan(x); });
    case MathFn::ceil:
      return map1(real, out, [](double x) { return std::ceil(x); });
    case MathFn::cos:
      return map1(real, out, [](double x) { return std::cos(x); });
    case MathFn::floor:
      return map1(real, out, [](double x) { return std::floor(x); });
    case MathFn::ln:
      return map1(real, out, [](double x) { return std::log(x); });
    case MathFn::log10:
      return map1(real, out, [](double x) { return std::log10(x); });
    case MathFn::sin:
      return map1(real, out, [](double x) { return std::sin(x); });
    case MathFn::sqrt:
      return map1(real, out, [](double x) { return std::sqrt(x); });
    case MathFn::tan:
      return map1(real, out, [](double x) { return std::tan(x); });
    case MathFn::tanh:
      return map1(real, out, [](double x) { return std::tanh(x); });
  }
  return 0;
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
