#pragma once
// The default study set (the indicators users ask for most) and the code that
// turns a bar series into stored indicator rows. Pure computation: no I/O.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
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

/// Reusable scratch columns so computing studies allocates only on growth.
/// One per worker thread; not thread-safe.
class StudyScratch {
 public:
  /// Computes every call over `series` and appends one IndicatorRow per call
  /// for each bar index in [first, n) whose outputs are all defined (non-NaN).
  /// Returns the number of rows appended.
  std::size_t compute(SeriesView series, std::span<const ta::Call> calls, std::size_t first,
                      std::vector<storage::IndicatorRow>& out);

 private:
  std::vector<std::vector<double>> columns_;
  std::vector<std::span<double>> spans_;
};

/// {"name":value,...} with shortest round-trip doubles.
void append_values_json(std::string& out, const ta::FunctionSpec& spec, std::span<const double> values);

}  // namespace ts::engine
