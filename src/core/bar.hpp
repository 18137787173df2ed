#pragma once
// Bar and BarSeries. A series is struct-of-arrays so TA kernels read contiguous
// columns. Prices are in the instrument's currency; volume in shares.
#include <cstddef>
#include <span>
#include <vector>

#include "core/trading_date.hpp"

namespace ts {

struct Bar {
  TradingDate date;
  double open, high, low, close, volume;
  bool operator==(const Bar&) const = default;
};

/// Read-only columns of equal length. Non-owning; valid while the owner lives.
struct SeriesView {
  std::span<const TradingDate> date;
  std::span<const double> open, high, low, close, volume;
  std::size_t size() const noexcept { return date.size(); }
  Bar bar(std::size_t i) const { return {date[i], open[i], high[i], low[i], close[i], volume[i]}; }
  SeriesView tail_from(std::size_t first) const {
    return {date.subspan(first), open.subspan(first),  high.subspan(first),
            low.subspan(first),  close.subspan(first), volume.subspan(first)};
  }
};

/// Owning series of bars, dates strictly increasing (callers validate).
class BarSeries {
 public:
  std::vector<TradingDate> date;
  std::vector<double> open, high, low, close, volume;

  std::size_t size() const noexcept { return date.size(); }
  bool empty() const noexcept { return date.empty(); }
  void reserve(std::size_t n);
  void clear() noexcept;
  void push_back(const Bar& b);
  /// Appends every bar of other (caller guarantees dates stay increasing).
  void append(const BarSeries& other);
  Bar bar(std::size_t i) const { return {date[i], open[i], high[i], low[i], close[i], volume[i]}; }
  SeriesView view() const noexcept { return {date, open, high, low, close, volume}; }
};

}  // namespace ts
