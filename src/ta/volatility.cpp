// Volatility: TRANGE, ATR (Wilder smoothing, seeded by the SMA of the first
// `period` true ranges, as in TA-Lib).
#include <cstddef>

#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/multi.hpp"
#include "ta/stream_parts.hpp"
#include "ta/table.hpp"

namespace ts::ta {

using std::size_t;

int trange_lookback() { return 1; }

int trange(In high, In low, In close, Out out) {
  const size_t n = high.size();
  if (n <= 1) return static_cast<int>(n);
  for (size_t i = 1; i < n; ++i) out[i] = detail::true_range(high[i], low[i], close[i - 1]);
  return 1;
}

int atr_lookback(int period) { return period; }

int atr(In high, In low, In close, int period, Out out) {
  const size_t n = high.size();
  const size_t lb = static_cast<size_t>(period);
  if (n <= lb) return static_cast<int>(n);
  if (period <= 1) return trange(high, low, close, out);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  double* o = out.data();
  // Seed: TA-Lib's INT_SMA over TR[1..period] (sequential sum, then divide).
  double sum = 0.0;
  for (size_t i = 1; i <= lb; ++i) sum += detail::true_range(h[i], l[i], c[i - 1]);
  double prev = sum / static_cast<double>(period);
  o[lb] = prev;
  const detail::WilderSmoothing w(period);
  for (size_t i = lb + 1; i < n; ++i) {
    const double tr = detail::true_range(h[i], l[i], c[i - 1]);
    prev = w.next(prev, tr);
    o[i] = prev;
  }
  return static_cast<int>(lb);
}

}  // namespace ts::ta

// ---- Streaming forms --------------------------------------------------------

namespace ts::ta::streams {
namespace {

std::unique_ptr<Stream> atr(Opts o) { return make<AtrCore>(as_int(o[0]), false); }

}  // namespace

}  // namespace ts::ta::streams

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

int trange_lb(Opts) { return trange_lookback(); }

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"ATR", kVolatility, "Average True Range (Wilder smoothing)", kHlc, kPeriod14Min1, kOutReal,
     period_lookback<atr_lookback>, hlc_period<atr>, streams::atr, multi::atr},
    {"TRANGE", kVolatility, "True Range", kHlc, {}, kOutReal, trange_lb, hlc_plain<trange>, rerun<hlc_plain<trange>, 2, 1>},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> volatility_functions() { return kRows; }

}  // namespace ts::ta
