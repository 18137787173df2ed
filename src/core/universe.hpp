#pragma once
// Universes: named symbol lists. Built-ins (dow30, nasdaq100, sp500) are dated
// CSV files in data/universes/ embedded into the binary; custom universes come
// from a CSV with a `symbol` column (optionally `weight`, `name`, `sector`),
// registered by name with `tickstock universe add`, or from a --symbols list.
#include <cstddef>
#include <optional>
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
  std::optional<double> weight;  // from a `weight` column; finite and >= 0
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
/// header with at least a `symbol` column (`ticker` is accepted too; name,
/// sector and weight optional). Errors name `source:line` (source defaults to
/// the universe name): INVALID_SYMBOL for a bad symbol, INVALID_UNIVERSE for a
/// missing header, a symbol listed twice, a weight that is not a finite number
/// >= 0, or no symbols at all.
Result<Universe> parse_universe_csv(std::string_view name, std::string_view csv_text,
                                    std::string_view source = {});
/// Reads and parses a universe CSV file; messages name the file path.
Result<Universe> load_universe_file(std::string_view name, const std::string& path);
/// A name a universe can be registered under: ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$,
/// not a built-in's and not "custom" (the name of --symbols runs).
/// INVALID_UNIVERSE_NAME otherwise.
Status<> validate_universe_name(std::string_view name);
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
