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
//
// Streaming contract (every entry whose `stream` factory is non-null):
//   * the factory makes a Stream from validated options; all memory the
//     stream needs (rings of at most `period` values) is allocated there;
//     update() and peek() never allocate and do no I/O;
//   * update(bar) consumes bar i (bars are fed in order from bar 0) and writes
//     one value per output; it returns false ("not yet valid", outputs left
//     untouched) exactly while i < lookback(options), so the first true is at
//     i == lookback, the batch begin index;
//   * every value it writes is bit-for-bit the batch output at index i over
//     the same bars 0..i (same floating-point operations in the same order).
//     One exception: with NaN inputs, the window extremes kept in monotonic
//     deques (WILLR, STOCH, STOCHF, STOCHRSI, MAX, MIN, MINMAX, MIDPOINT,
//     MIDPRICE, AROON, AROONOSC, ICHIMOKU) may differ, because TA-Lib's NaN
//     results depend on its scan order;
//   * peek(bar) returns what update(bar) would return and writes the same
//     values, without changing the state (peek any number of times, then
//     update once to commit);
//   * cost per update: O(1) for recursive and running-sum functions; O(1)
//     amortised (monotonic deque) for window extreme VALUES; TA-Lib's tracked
//     extreme INDEX (MAXINDEX family) is O(1) except when the extreme leaves
//     the window (an O(period) rescan, as in the batch kernel); O(window) only
//     where the batch kernel itself recomputes each bar from its window (CCI,
//     AVGDEV, IMI, the LINEARREG family) or for 1-2 bar windows (price and math
//     transforms, pivots). Each core's comment in its family file states its cost;
//   * a Stream is not thread-safe (one owner; different streams are independent);
//   * save() turns the state into bytes and restore() puts them into a fresh
//     stream of the same call: the restored stream continues bit for bit as
//     the saved one would have. This is how the engine's daily incremental run
//     stores a symbol's state instead of re-reading its history. Every
//     registry stream has one (a stream core without persist() does not
//     compile; stream_state.hpp); save() returns false only for a Stream
//     subclass that does not implement the saved form.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ts::ta {

namespace detail {
class StateWriter;
class StateReader;
}  // namespace detail

/// Which columns a function reads. Price functions read named OHLCV columns;
/// `real0`/`real1` are generic real inputs (TA-Lib inReal / inReal0 / inReal1);
/// `periods` is MAVP's per-bar period column (TA-Lib inPeriods; no default
/// binding: the caller names the column).
enum class Input : unsigned char { open, high, low, close, volume, real0, real1, periods };

struct Inputs {
  std::span<const double> open, high, low, close, volume, real0, real1;
  std::size_t size = 0;
  std::span<const double> periods{};  // after `size`: positional initialisers stay valid
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

/// One bar as a stream consumes it. real0/real1 hold the generic real inputs
/// already bound (stream_bar() applies run()'s default bindings).
struct StreamBar {
  double open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0, real0 = 0.0, real1 = 0.0;
  double periods = 0.0;  // MAVP's period for this bar
};

/// The streaming form of one function with fixed options (see the streaming
/// contract above). Outputs: `out` must hold spec->outputs.size() values.
class Stream {
 public:
  virtual ~Stream() = default;
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  /// Consumes the next bar; true when `out` holds the outputs for it.
  bool update(const StreamBar& bar, std::span<double> out) { return step(bar, out.data(), true); }
  /// What update(bar) would return and write, without consuming the bar.
  bool peek(const StreamBar& bar, std::span<double> out) const {
    // step(.., false) reads the state only; every Stream is created non-const
    // by its factory, so the cast never touches a const object.
    return const_cast<Stream*>(this)->step(bar, out.data(), false);
  }
  /// Appends the state to `out` as opaque bytes (a versioned header, then the
  /// fields in host byte order; stream_state.hpp) and returns true. Returns
  /// false, leaving `out` unchanged, when this stream has no saved form.
  bool save(std::string& out) const;
  /// Replaces the state with bytes save() wrote from a stream of the SAME call
  /// (function and options; the caller keys states by Call::key()). Errors:
  /// BAD_STATE (truncated or trailing bytes, another layout version or byte
  /// order, settings or window lengths other than this stream's, a flag not
  /// 0/1, a signed counter outside +-2^30, a ring position outside its ring)
  /// and UNSUPPORTED (no saved form). After an error the state is
  /// unspecified: discard the stream.
  Status<> restore(std::string_view bytes);

 protected:
  /// The fields of save() / restore() after the header; false = no saved form.
  virtual bool save_fields(detail::StateWriter&) const { return false; }
  virtual bool restore_fields(detail::StateReader&) { return false; }

  /// One bar: computes the outputs; commits the new state only when `commit`
  /// (with commit == false it must not change the state; preallocated scratch
  /// buffers may be overwritten).
  virtual bool step(const StreamBar& bar, double* out, bool commit) = 0;
};

using LookbackFn = int (*)(std::span<const double> options);
using BatchFn = int (*)(const Inputs& in, std::span<const double> options,
                        std::span<const std::span<double>> outputs);

struct FunctionSpec;
/// Multi-symbol batch (issue 5, contract item 3): one call over many series of
/// equal length. `series[s]` holds series s's columns (bound as run() binds
/// them, every needed column of length series[s].size, the same for all s);
/// `outputs[s * m + k]` is output k of series s (m = spec.outputs.size()),
/// aligned like the batch outputs. Same contract as BatchFn (writes [begin, n),
/// returns begin, no allocation in the EMA-family lanes, thread-safe), and
/// every value is bit-identical to a BatchFn call on that series alone.
using MultiFn = int (*)(const FunctionSpec& spec, std::span<const Inputs> series,
                        std::span<const double> options, std::span<const std::span<double>> outputs);
/// The generic multi-symbol entry point: the single-series kernel, series by series.
int multi_by_series(const FunctionSpec& spec, std::span<const Inputs> series, std::span<const double> options,
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
  /// Streaming form; nullptr while the function has none yet (the streaming
  /// test lists those and keeps the list from growing).
  std::unique_ptr<Stream> (*stream)(std::span<const double> options) = nullptr;
  /// Multi-symbol batch; every entry has one (the EMA family interleaves
  /// series in lanes; the others loop the single-series kernel).
  MultiFn multi = multi_by_series;
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

/// Multi-symbol run: `series` of equal size (each bound as run() binds its
/// inputs), `outputs[s * m + k]` output k of series s, each at least that size.
/// Cells before the returned begin index are NaN; returns the begin index, the
/// same for every series. Every value equals run() on that series alone, bit
/// for bit. Throws std::invalid_argument on mismatched sizes or counts.
int run_multi(const Call& call, std::span<const Inputs> series, std::span<const std::span<double>> outputs);

/// The streaming form of a call, or nullptr when the function has none.
std::unique_ptr<Stream> make_stream(const Call& call);
/// Bar i of `in` as a stream of function `f` reads it, with run()'s default
/// bindings of real0/real1 (close; high and low for two-real functions).
StreamBar stream_bar(const FunctionSpec& f, const Inputs& in, std::size_t i);

}  // namespace ts::ta
