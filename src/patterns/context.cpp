// The analysed window's indicator columns, computed once per detect_all call
// with the ts::ta kernels (and the TA-Lib-exact candle kernels).
#include <limits>

#include "patterns/detail.hpp"
#include "ta/kernels.hpp"

namespace ts::patterns::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> column(std::size_t n) { return std::vector<double>(n, kNaN); }

// Monotonic-deque rolling extreme; `better(a, b)` is true when a beats b.
template <class Better>
void rolling_extreme(std::span<const double> in, int window, std::vector<double>& out, Better better) {
  const std::size_t n = in.size(), w = static_cast<std::size_t>(window);
  out.assign(n, kNaN);
  std::vector<std::size_t> dq(n);  // indices with values in strictly worsening order
  std::size_t head = 0, tail = 0;
  for (std::size_t i = 0; i < n; ++i) {
    while (tail > head && !better(in[dq[tail - 1]], in[i])) --tail;
    dq[tail++] = i;
    if (dq[head] + w <= i) ++head;
    if (i + 1 >= w) out[i] = in[dq[head]];
  }
}

// Swing pivots: bar j beats the kPivotWing bars before it strictly and the
// kPivotWing bars after it or ties them. Marked only once all after-bars exist.
template <class Beats, class Ties>
void pivots(std::span<const double> x, std::vector<unsigned char>& out, Beats beats, Ties beats_or_ties) {
  const std::size_t n = x.size(), k = static_cast<std::size_t>(params::kPivotWing);
  out.assign(n, 0);
  for (std::size_t j = k; j + k < n; ++j) {
    bool ok = true;
    for (std::size_t m = 1; m <= k && ok; ++m) ok = beats(x[j], x[j - m]) && beats_or_ties(x[j], x[j + m]);
    out[j] = ok;
  }
}

}  // namespace

void rolling_max(std::span<const double> in, int window, std::vector<double>& out) {
  rolling_extreme(in, window, out, [](double a, double b) { return a > b; });
}
void rolling_min(std::span<const double> in, int window, std::vector<double>& out) {
  rolling_extreme(in, window, out, [](double a, double b) { return a < b; });
}

Context::Context(SeriesView series)
    : s(series),
      n(series.size()),
      sma_fast(column(n)),
      sma_slow(column(n)),
      macd(column(n)),
      macd_signal(column(n)),
      macd_hist(column(n)),
      rsi(column(n)),
      bb_upper(column(n)),
      bb_middle(column(n)),
      bb_lower(column(n)),
      volume_avg(column(n)) {
  using namespace params;
  ta::sma(s.close, kSmaFast, sma_fast);
  ta::sma(s.close, kSmaSlow, sma_slow);
  ta::macd(s.close, kMacdFast, kMacdSlow, kMacdSignal, macd, macd_signal, macd_hist);
  ta::rsi(s.close, kRsiPeriod, rsi);
  ta::bbands(s.close, kBbPeriod, kBbDev, kBbDev, bb_upper, bb_middle, bb_lower);
  ta::sma(s.volume, kVolumeAvgBars, volume_avg);
  rolling_max(s.high, kBreakoutBars, high_max);
  rolling_min(s.low, kBreakoutBars, low_min);
  rolling_max(s.close, kExtremeBars, close_max);
  rolling_min(s.close, kExtremeBars, close_min);
  pivots(
      s.high, pivot_high, [](double a, double b) { return a > b; },
      [](double a, double b) { return a >= b; });
  pivots(
      s.low, pivot_low, [](double a, double b) { return a < b; }, [](double a, double b) { return a <= b; });

  const ta::candles::Ohlc ohlc{s.open, s.high, s.low, s.close};
  const std::span<const Rule> table = rules();
  candle.resize(table.size());
  for (std::size_t r = 0; r < table.size(); ++r) {
    if (!table[r].candle) continue;
    candle[r] = column(n);
    table[r].candle(ohlc, candle[r]);
  }
}

bool Context::volume_at_least(std::size_t i, double factor) const {
  if (i == 0) return false;
  const double avg = volume_avg[i - 1];
  return avg > 0 && s.volume[i] >= factor * avg;
}

double Context::close_location(std::size_t i) const {
  const double range = s.high[i] - s.low[i];
  return range > 0 ? (s.close[i] - s.low[i]) / range : 0.5;
}

const std::vector<double>& Context::candle_column(const Rule& r) const {
  return candle[static_cast<std::size_t>(&r - rules().data())];
}

}  // namespace ts::patterns::detail
