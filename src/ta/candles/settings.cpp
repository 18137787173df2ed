#include "ta/candles/settings.hpp"

namespace ts::ta::candles {

std::string_view to_string(RangeType r) {
  switch (r) {
    case RangeType::real_body:
      return "RealBody";
    case RangeType::high_low:
      return "HighLow";
    case RangeType::shadows:
      return "Shadows";
  }
  return "?";
}

const CandleSetting* find_candle_setting(std::string_view name) {
  for (const auto& s : kCandleSettings)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace ts::ta::candles
