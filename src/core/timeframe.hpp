#pragma once
// Timeframe: one canonical enum; the same names in storage, CLI and on the wire.
#include <array>
#include <optional>
#include <string_view>

namespace ts {

enum class Timeframe : unsigned char { daily, weekly, monthly, hourly, minute1 };

struct TimeframeInfo {
  Timeframe tf;
  std::string_view name;
  bool supported;  // hourly and 1min are reserved names, not yet produced
};

inline constexpr std::array<TimeframeInfo, 5> kTimeframes{{
    {Timeframe::daily, "daily", true},
    {Timeframe::weekly, "weekly", true},
    {Timeframe::monthly, "monthly", true},
    {Timeframe::hourly, "hourly", false},
    {Timeframe::minute1, "1min", false},
}};

constexpr std::string_view to_string(Timeframe tf) {
  for (const auto& i : kTimeframes)
    if (i.tf == tf) return i.name;
  return "?";
}
constexpr std::optional<Timeframe> parse_timeframe(std::string_view s) {
  for (const auto& i : kTimeframes)
    if (i.name == s) return i.tf;
  return std::nullopt;
}

}  // namespace ts
