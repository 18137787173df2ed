// The CSV bar parser and validator: any file a user drops into a csv:DIR.
// A parsed series must be validated: ascending dates and sane prices.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/csv_bars.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bars = ts::ingest::parse_bars_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  if (!bars) return 0;
  for (std::size_t i = 0; i < bars->size(); ++i) {
    if (i > 0 && !(bars->date[i - 1] < bars->date[i])) std::abort();
    if (!std::isfinite(bars->close[i]) || bars->low[i] > bars->high[i]) std::abort();
  }
  return 0;
}
