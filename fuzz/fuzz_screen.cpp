// The screener's expression language: whatever a user types into the
// conditions editor. Invariants: a parse error's position lies within the
// input; normalisation is a fixed point (parse(normalized()) succeeds and
// normalises to itself).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "screen/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ts::screen::Expression;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = Expression::parse(text);
  if (!e) {
    if (e.error().position > text.size()) std::abort();
    return 0;
  }
  auto again = Expression::parse(e->normalized());
  if (!again || again->normalized() != e->normalized()) std::abort();
  return 0;
}
