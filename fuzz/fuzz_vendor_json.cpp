// The vendor's JSON responses (aggregates, grouped daily, splits, ticker
// details): whatever a vendor, a proxy or an attacker in between returns.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vendor/massive_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ts::vendor;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto page = parse_aggregates(body)) {
    for (std::size_t i = 0; i < page->bars.size(); ++i)
      if (!std::isfinite(page->bars.close[i]) || page->bars.low[i] > page->bars.high[i]) std::abort();
  }
  (void)parse_grouped_daily(body);
  (void)parse_splits(body);
  (void)parse_ticker_details(body);
  return 0;
}
