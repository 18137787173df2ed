#pragma once
// The candle-settings table: what "long body", "very short shadow", "near" ...
// mean for the candlestick kernels. One row per setting, TA-Lib's defaults
// (ta_common/ta_global.c, TA_RestoreCandleDefaultSettings). Kernels read this
// table; no pattern hard-codes a threshold.
//
// A setting's threshold at bar j is
//   factor * (avg_period ? total / avg_period : range(j)) / (range == shadows ? 2 : 1)
// where range(j) is the bar's real body, high-low range or upper+lower shadows
// and `total` is the running sum of range() over the avg_period bars before j
// (see RunningAverage in candles/detail.hpp).
#include <array>
#include <cstddef>
#include <string_view>

namespace ts::ta::candles {

enum class RangeType : unsigned char { real_body, high_low, shadows };
std::string_view to_string(RangeType r);  // "RealBody", "HighLow", "Shadows"

enum class Setting : unsigned char {
  body_long,
  body_very_long,
  body_short,
  body_doji,
  shadow_long,
  shadow_very_long,
  shadow_short,
  shadow_very_short,
  near,
  far,
  equal,
};

struct CandleSetting {
  Setting id;
  std::string_view name;  // TA-Lib's name: "BodyLong", "Near", ...
  RangeType range;
  int avg_period;  // bars averaged before the candle; 0 = compare with the candle itself
  double factor;
};

inline constexpr std::array<CandleSetting, 11> kCandleSettings{{
    {Setting::body_long, "BodyLong", RangeType::real_body, 10, 1.0},
    {Setting::body_very_long, "BodyVeryLong", RangeType::real_body, 10, 3.0},
    {Setting::body_short, "BodyShort", RangeType::real_body, 10, 1.0},
    {Setting::body_doji, "BodyDoji", RangeType::high_low, 10, 0.1},
    {Setting::shadow_long, "ShadowLong", RangeType::real_body, 0, 1.0},
    {Setting::shadow_very_long, "ShadowVeryLong", RangeType::real_body, 0, 2.0},
    {Setting::shadow_short, "ShadowShort", RangeType::shadows, 10, 1.0},
    {Setting::shadow_very_short, "ShadowVeryShort", RangeType::high_low, 10, 0.1},
    {Setting::near, "Near", RangeType::high_low, 5, 0.2},
    {Setting::far, "Far", RangeType::high_low, 5, 0.6},
    {Setting::equal, "Equal", RangeType::high_low, 5, 0.05},
}};

constexpr const CandleSetting& candle_setting(Setting s) {
  return kCandleSettings[static_cast<std::size_t>(s)];
}
constexpr int avg_period(Setting s) { return candle_setting(s).avg_period; }

/// Case-sensitive lookup by TA-Lib name ("BodyLong"); nullptr when unknown.
const CandleSetting* find_candle_setting(std::string_view name);

// The table is indexed by the enum: keep the rows in enum order.
static_assert([] {
  for (std::size_t k = 0; k < kCandleSettings.size(); ++k)
    if (static_cast<std::size_t>(kCandleSettings[k].id) != k) return false;
  return true;
}());

}  // namespace ts::ta::candles
