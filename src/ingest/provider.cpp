#include "ingest/provider.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <string>

#include "ingest/csv_provider.hpp"
#include "ingest/synthetic.hpp"

namespace ts::ingest {
namespace {

struct ImportErrorName {
  ImportError code;
  std::string_view name;
};

constexpr std::array<ImportErrorName, 6> kImportErrorNames{{
    {ImportError::symbol_not_found, "SYMBOL_NOT_FOUND"},
    {ImportError::bad_data, "BAD_DATA"},
    {ImportError::network_timeout, "NETWORK_TIMEOUT"},
    {ImportError::api_rate_limit, "API_RATE_LIMIT"},
    {ImportError::storage_failed, "STORAGE_FAILED"},
    {ImportError::api_key_invalid, "API_KEY_INVALID"},
}};

using ProviderResult = Result<std::unique_ptr<BarProvider>>;

constexpr std::string_view kUsage = "expected synthetic, synthetic:seed=N or csv:DIR";

/// synthetic[:seed=N]
ProviderResult make_synthetic(std::optional<std::string_view> options) {
  if (!options) return make_synthetic_provider(kDefaultSyntheticSeed);
  constexpr std::string_view kSeed = "seed=";
  if (options->substr(0, kSeed.size()) != kSeed)
    return fail("INVALID_PROVIDER",
                "synthetic provider: unknown option '" + std::string(*options) + "' (expected seed=N)");
  const std::string_view digits = options->substr(kSeed.size());
  std::uint64_t seed = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), seed);
  if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size())
    return fail("INVALID_PROVIDER", "synthetic provider: bad seed '" + std::string(digits) +
                                        "' (expected an unsigned 64-bit integer)");
  return make_synthetic_provider(seed);
}

/// csv:DIR
ProviderResult make_csv(std::optional<std::string_view> options) {
  if (!options)
    return fail("INVALID_PROVIDER", "csv provider needs a directory (" + std::string(kUsage) + ")");
  return make_csv_provider(std::string(*options));
}

/// One entry per provider kind; `make` gets the text after "name:", or nullopt
/// when the spec is the bare name.
struct ProviderKind {
  std::string_view name;
  ProviderResult (*make)(std::optional<std::string_view> options);
};

constexpr std::array<ProviderKind, 2> kProviderKinds{{
    {"synthetic", make_synthetic},
    {"csv", make_csv},
}};

}  // namespace

std::string_view to_string(ImportError e) {
  for (const auto& n : kImportErrorNames)
    if (n.code == e) return n.name;
  return "UNKNOWN";
}

Result<std::unique_ptr<BarProvider>> make_provider(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  for (const auto& kind : kProviderKinds) {
    if (kind.name != name) continue;
    if (colon == std::string_view::npos) return kind.make(std::nullopt);
    return kind.make(spec.substr(colon + 1));
  }
  return fail("INVALID_PROVIDER",
              "unknown provider '" + std::string(spec) + "' (" + std::string(kUsage) + ")");
}

std::vector<Result<BarSeries, FetchFailure>> BarProvider::fetch_many(
    const std::vector<FetchRequest>& reqs) const {
  std::vector<Result<BarSeries, FetchFailure>> out;
  out.reserve(reqs.size());
  for (const auto& r : reqs) out.push_back(fetch(r));
  return out;
}

Result<std::map<std::string, TradingDate>, FetchFailure> BarProvider::splits_since(TradingDate) const {
  return std::map<std::string, TradingDate>{};
}

Result<std::map<std::string, SymbolDetails>, FetchFailure> BarProvider::symbol_details(
    const std::vector<Symbol>&) const {
  return std::map<std::string, SymbolDetails>{};
}

}  // namespace ts::ingest
