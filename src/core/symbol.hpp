#pragma once
// Symbol: a validated ticker. Grammar ^[A-Z][A-Z0-9.\-]{0,9}$ — so a symbol can
// never contain '/', '..' at the start, whitespace or quotes, which is what makes
// it safe to use as a file name or a storage key.
#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ts {

class Symbol {
 public:
  /// Error code INVALID_SYMBOL with the offending text in the message.
  static Result<Symbol> parse(std::string_view text);
  const std::string& str() const noexcept { return s_; }
  auto operator<=>(const Symbol&) const = default;

 private:
  explicit Symbol(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

bool is_valid_symbol(std::string_view text) noexcept;

/// A symbol's reference data from a market-data vendor (cache_sync stores it).
/// A ticker the vendor does not know comes back inactive with empty fields.
struct SymbolDetails {
  std::string name;
  std::string exchange;  // primary exchange MIC, e.g. "XNAS"
  std::string type;      // vendor's security type, e.g. "CS" (common stock), "ETF"
  bool active = true;
};
/// Splits "AAPL,MSFT, nvda" (trims, upper-cases nothing: lower case is an error).
Result<std::vector<Symbol>> parse_symbol_list(std::string_view comma_separated);

}  // namespace ts
