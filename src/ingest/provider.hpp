#pragma once
// Bar providers for the import phase. A provider returns a symbol's daily bars
// for a date range, already validated (see validate.hpp). Providers are
// thread-safe: fetch() may run concurrently for different symbols.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
#include "core/result.hpp"
#include "core/symbol.hpp"

namespace ts::ingest {

/// Per-symbol import failure codes (stable; stored in run_symbols.error_code and
/// sent on the wire).
enum class ImportError : unsigned char {
  symbol_not_found,
  bad_data,
  network_timeout,
  api_rate_limit,
  storage_failed,
  api_key_invalid  // 401/403 from a vendor: no other symbol can succeed either
};
std::string_view to_string(ImportError e);  // "SYMBOL_NOT_FOUND", "BAD_DATA", ...

struct FetchFailure {
  ImportError code;
  std::string message;  // names the source and position: "csv/AAPL.csv:17: high 9.5 < close 10.2"
};

struct FetchRequest {
  Symbol symbol;
  TradingDate from;  // inclusive
  TradingDate to;    // inclusive
  /// Incremental fetch: only bars strictly after this date (already stored).
  std::optional<TradingDate> after;
};

class BarProvider {
 public:
  virtual ~BarProvider() = default;
  /// e.g. "synthetic:seed=42", "csv:/data/bars"
  virtual std::string describe() const = 0;
  /// Bars with from <= date <= to (and date > after), validated, ascending.
  virtual Result<BarSeries, FetchFailure> fetch(const FetchRequest& req) const = 0;
  /// Many symbols at once, results in request order. The default fetches one
  /// by one; a provider with a bulk endpoint (Massive's grouped daily) overrides
  /// it so an incremental universe costs one request per missing day.
  virtual std::vector<Result<BarSeries, FetchFailure>> fetch_many(
      const std::vector<FetchRequest>& reqs) const;
  /// True when fetch_many beats per-symbol fetches: the engine then fetches a
  /// whole incremental import in one call before committing symbol by symbol.
  virtual bool prefers_batch() const { return false; }
  /// Splits that took effect on or after `since`: ticker -> its latest
  /// execution date. A vendor's adjusted history changes retroactively on a
  /// split, so the engine re-imports such a symbol's whole history when the
  /// split is on or after its last stored bar. Default: none (synthetic and CSV
  /// histories never change behind the engine's back).
  virtual Result<std::map<std::string, TradingDate>, FetchFailure> splits_since(TradingDate since) const;
  /// Reference data (name, primary exchange, type, active flag) of `symbols`,
  /// for cache_sync, in as few requests as the provider can: ticker -> details.
  /// A ticker the provider does not know is answered inactive with empty
  /// fields; a ticker absent from the map was not looked up this time (asked
  /// again by a later run). Default: none (synthetic and CSV have no metadata).
  virtual Result<std::map<std::string, SymbolDetails>, FetchFailure> symbol_details(
      const std::vector<Symbol>& symbols) const;
};

/// "synthetic", "synthetic:seed=N" (synthetic.hpp), "csv:DIR" (csv_provider.hpp).
/// Error code INVALID_PROVIDER for an unknown kind, option or missing directory.
Result<std::unique_ptr<BarProvider>> make_provider(std::string_view spec);

}  // namespace ts::ingest
