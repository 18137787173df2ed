#include "core/resample.hpp"

#include <algorithm>

namespace ts {

TradingDate period_start(TradingDate d, Timeframe tf) {
  switch (tf) {
    case Timeframe::weekly:
      return week_start(d);
    case Timeframe::monthly:
      return month_start(d);
    default:
      return d;
  }
}

BarSeries resample(SeriesView in, Timeframe tf) {
  BarSeries out;
  if (tf == Timeframe::daily) {
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) out.push_back(in.bar(i));
    return out;
  }
  out.reserve(tf == Timeframe::weekly ? in.size() / 4 + 2 : in.size() / 18 + 2);
  Bar cur{};
  bool open = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const TradingDate key = period_start(in.date[i], tf);
    if (!open || key != cur.date) {
      if (open) out.push_back(cur);
      cur = {key, in.open[i], in.high[i], in.low[i], in.close[i], in.volume[i]};
      open = true;
    } else {
      cur.high = std::max(cur.high, in.high[i]);
      cur.low = std::min(cur.low, in.low[i]);
      cur.close = in.close[i];
      cur.volume += in.volume[i];
    }
  }
  if (open) out.push_back(cur);
  return out;
}

}  // namespace ts
