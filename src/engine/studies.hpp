#pragma once
// The default study set (the indicators users ask for most) and the code that
// turns a bar series into stored indicator rows. Pure computation: no I/O.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
#include "core/result.hpp"
#include "storage/storage.hpp"
#include "ta/function.hpp"

namespace ts::engine {

/// Canonical calls of the default set, e.g. "SMA(timeperiod=20)". One table.
std::span<const std::string_view> default_study_texts();
/// The default set parsed through the TA registry (validated once).
const std::vector<ta::Call>& default_studies();

/// The inputs stored studies are computed from (real0 = close). Anything that
/// recomputes a stored value must use the same binding to get the same numbers.
ta::Inputs study_inputs(SeriesView series);

/// Runs one call over a whole series: one column per output, aligned with the
/// bars, NaN where undefined (the warm-up).
std::vector<std::vector<double>> compute_study(SeriesView series, const ta::Call& call);

/// The streams of a study set over one (symbol, timeframe) series, and their
/// saved form: what lets the daily indicators phase restore a symbol's state
/// and feed it the new bars instead of re-reading the history. The values it
/// emits are bit-identical to compute_study's over the whole series (every
/// stream equals its batch kernel; ta's registry tests prove it).
/// One per worker thread and series; not thread-safe.
class StudyStreams {
 public:
  /// Fresh streams, before bar 0. `calls` must outlive the set (it keeps a view).
  explicit StudyStreams(std::span<const ta::Call> calls);

  /// Streams restored from bytes save() wrote after consuming `last_bar`.
  /// Errors (BAD_STATE, naming the reason) when the bytes are corrupt, were
  /// saved for another study list (keys compared in order), or after a bar
  /// that differs from `last_bar` (date and every price, bit for bit: the
  /// stored history changed under the state); the caller then recomputes
  /// from the history.
  static Result<StudyStreams> restore(std::span<const ta::Call> calls, std::string_view bytes,
                                      const Bar& last_bar);

  /// Feeds bar i of `s` to every stream (bars in order, each once). When
  /// `emit`, appends one IndicatorRow per study whose outputs are all defined
  /// (finite; the warm-up has none). Returns the number of rows appended.
  std::size_t feed(SeriesView s, std::size_t i, bool emit, std::vector<storage::IndicatorRow>& out);

  /// The saved form after the last bar fed, `last_bar` (which the caller
  /// passes back to restore()). Size: a few KB for the default set (each
  /// SMA keeps its window).
  std::string save(const Bar& last_bar) const;

 private:
  StudyStreams() = default;
  void add(const ta::Call& call, std::unique_ptr<ta::Stream> stream, std::string key);

  std::span<const ta::Call> calls_;
  std::vector<std::unique_ptr<ta::Stream>> streams_;
  std::vector<std::string> keys_;
  std::vector<char> two_reals_;  // per study: reads real0 and real1 (its own bar binding)
};

/// {"name":value,...} with shortest round-trip doubles.
void append_values_json(std::string& out, const ta::FunctionSpec& spec, std::span<const double> values);

}  // namespace ts::engine
