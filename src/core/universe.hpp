#pragma once
// Universes: named symbol lists. Built-ins (dow30, nasdaq100, sp500) are dated
// CSV files in data/universes/ embedded into the binary; custom universes come
// from a CSV with a `symbol` column or from a --symbols list.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/symbol.hpp"

namespace ts {

struct UniverseMember {
  Symbol symbol;
  std::string name;
  std::string sector;
};

struct Universe {
  std::string name;
  std::string as_of;  // "YYYY-MM-DD" the list was last checked, or "" for custom lists
  std::vector<UniverseMember> members;
  /// The CSV's first comment line that is not a "key: value" note, e.g. "S&P 500 Index members.".
  std::string description;
};

std::vector<std::string> builtin_universe_names();
/// UNKNOWN_UNIVERSE when name is not a built-in.
Result<Universe> builtin_universe(std::string_view name);
/// Parses universe CSV text: optional comment lines ("# as_of: YYYY-MM-DD"; the
/// first comment without a "key:" prefix is the description), then a
/// header with at least a `symbol` column (name and sector optional). Every bad
/// symbol is reported with its line number.
Result<Universe> parse_universe_csv(std::string_view name, std::string_view csv_text);
Result<Universe> load_universe_file(std::string_view name, const std::string& path);
Universe universe_from_symbols(std::vector<Symbol> symbols);

namespace detail {
struct EmbeddedUniverse {
  const char* name;
  const char* csv;
};
extern const EmbeddedUniverse kEmbeddedUniverses[];
extern const std::size_t kEmbeddedUniverseCount;
}  // namespace detail

}  // namespace ts
