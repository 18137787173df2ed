#pragma once
// The technical-analysis function family: one registry table describes every
// function (TA-Lib names, options with defaults and ranges, outputs, lookback)
// and points at its batch kernel. The CLI (`tickstock ta`), storage keys, the
// engine's default study set and the generic tests all read this table.
//
// Batch contract (every kernel):
//   * inputs are columns of length n; outputs are caller-provided columns of
//     length n, ALIGNED with the inputs (out[i] belongs to bar i);
//   * the kernel writes out[i] for i in [begin, n) and never touches i < begin;
//   * it returns begin == lookback(options), or n when n <= lookback;
//   * no allocation, no I/O, thread-safe (pure function of its arguments).
// Options are validated once at the boundary (parse_call); kernels trust them.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ts::ta {

/// Which columns a function reads. Price functions read named OHLCV columns;
/// `real0`/`real1` are generic real inputs (TA-Lib inReal / inReal0 / inReal1).
enum class Input : unsigned char { open, high, low, close, volume, real0, real1 };

struct Inputs {
  std::span<const double> open, high, low, close, volume, real0, real1;
  std::size_t size = 0;
};

enum class OptionType : unsigned char { integer, real, matype };
struct OptionSpec {
  std::string_view name;  // TA-Lib option name, e.g. "timeperiod", "nbdevup"
  OptionType type;
  double default_value;
  double min_value;
  double max_value;
  std::string_view help;
};

enum class OutputKind : unsigned char { real, integer };
struct OutputSpec {
  std::string_view name;  // TA-Lib output name: real, upperband, macd, integer ...
  OutputKind kind;
};

using LookbackFn = int (*)(std::span<const double> options);
using BatchFn = int (*)(const Inputs& in, std::span<const double> options,
                        std::span<const std::span<double>> outputs);

struct FunctionSpec {
  std::string_view name;   // "SMA", "BBANDS", "CDLENGULFING"
  std::string_view group;  // "Overlap Studies", "Momentum Indicators", "Pattern Recognition", ...
  std::string_view description;
  std::span<const Input> inputs;
  std::span<const OptionSpec> options;
  std::span<const OutputSpec> outputs;
  LookbackFn lookback;
  BatchFn batch;
};

/// Every registered function, in table order.
std::span<const FunctionSpec> registry();
const FunctionSpec* find_function(std::string_view name);  // case-insensitive

/// A fully validated call: the function plus one value per option (table order).
struct Call {
  const FunctionSpec* spec = nullptr;
  std::vector<double> options;
  int lookback() const { return spec->lookback(options); }
  /// Canonical key, e.g. "SMA(timeperiod=20)", "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)":
  /// every option in table order, integral values without decimals, other reals
  /// in shortest round-trip form. Functions without options key as the bare
  /// name ("OBV", "CDLDOJI"). parse_call(key()) yields the same key.
  /// Used as the indicator key in storage; stable across releases.
  std::string key() const;
};

/// Parses "RSI(timeperiod=14)", "RSI" or "rsi()" (names case-insensitive,
/// spaces allowed; matype options also accept "SMA"/"EMA"). Omitted options
/// take their defaults. Errors: UNKNOWN_FUNCTION, UNKNOWN_OPTION, BAD_OPTION
/// (wrong type, out of range, missing value or given twice; the message names
/// the function, the option and the allowed range), BAD_CALL (malformed text,
/// e.g. a missing ')').
Result<Call> parse_call(std::string_view text);
/// Builds a call from explicit option values by name; same validation.
Result<Call> make_call(std::string_view name, std::span<const std::pair<std::string_view, double>> opts);

/// Runs a call over inputs; outputs must hold spec->outputs.size() columns of
/// at least in.size values. Cells before the returned begin index are set to
/// NaN; returns the begin index (== lookback, or in.size when too short).
/// An unbound real0 reads close (TA-Lib's default for inReal); for functions
/// with two real inputs an unbound real1 reads low and an unbound real0 high
/// (TA-Lib's abstract-interface defaults for inReal0/inReal1). Throws
/// std::invalid_argument when a needed column is shorter than in.size or the
/// output count is wrong (caller bugs, not data errors).
int run(const Call& call, const Inputs& in, std::span<const std::span<double>> outputs);

}  // namespace ts::ta
