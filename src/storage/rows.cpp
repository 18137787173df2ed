#include "storage/rows.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/trading_date.hpp"

namespace ts::storage {

std::string now_utc() { return format_utc_ms(std::chrono::system_clock::now()); }

std::string phases_json(const std::vector<Phase>& phases) {
  nlohmann::json j = nlohmann::json::array();
  for (const Phase p : phases) j.push_back(std::string(to_string(p)));
  return j.dump();
}

std::vector<Phase> parse_phases_json(std::string_view text) {
  std::vector<Phase> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_string())
      if (auto p = parse_phase(e.get<std::string>())) out.push_back(*p);
  return out;
}

}  // namespace ts::storage
