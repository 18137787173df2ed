#include "core/bar.hpp"

namespace ts {

void BarSeries::reserve(std::size_t n) {
  date.reserve(n);
  open.reserve(n);
  high.reserve(n);
  low.reserve(n);
  close.reserve(n);
  volume.reserve(n);
}

void BarSeries::clear() noexcept {
  date.clear();
  open.clear();
  high.clear();
  low.clear();
  close.clear();
  volume.clear();
}

void BarSeries::push_back(const Bar& b) {
  date.push_back(b.date);
  open.push_back(b.open);
  high.push_back(b.high);
  low.push_back(b.low);
  close.push_back(b.close);
  volume.push_back(b.volume);
}

void BarSeries::append(const BarSeries& o) {
  date.insert(date.end(), o.date.begin(), o.date.end());
  open.insert(open.end(), o.open.begin(), o.open.end());
  high.insert(high.end(), o.high.begin(), o.high.end());
  low.insert(low.end(), o.low.begin(), o.low.end());
  close.insert(close.end(), o.close.begin(), o.close.end());
  volume.insert(volume.end(), o.volume.begin(), o.volume.end());
}

}  // namespace ts
