#include "engine/studies.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace ts::engine {
namespace {

constexpr std::array<std::string_view, 27> kDefaultStudies{
    "SMA(timeperiod=5)",
    "SMA(timeperiod=10)",
    "SMA(timeperiod=20)",
    "SMA(timeperiod=50)",
    "SMA(timeperiod=100)",
    "SMA(timeperiod=200)",
    "EMA(timeperiod=5)",
    "EMA(timeperiod=10)",
    "EMA(timeperiod=20)",
    "EMA(timeperiod=50)",
    "EMA(timeperiod=100)",
    "EMA(timeperiod=200)",
    "RSI(timeperiod=14)",
    "MACD(fastperiod=12,slowperiod=26,signalperiod=9)",
    "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)",
    "STOCH(fastk_period=14,slowk_period=3,slowk_matype=0,slowd_period=3,slowd_matype=0)",
    "ATR(timeperiod=14)",
    "ADX(timeperiod=14)",
    "PLUS_DI(timeperiod=14)",
    "MINUS_DI(timeperiod=14)",
    "OBV",
    "MFI(timeperiod=14)",
    "WILLR(timeperiod=14)",
    "CCI(timeperiod=20)",
    "RELVOL(timeperiod=20)",
    "PIVOTS",
    "PIVOTS_FIB",
};

}  // namespace

std::span<const std::string_view> default_study_texts() { return kDefaultStudies; }

const std::vector<ta::Call>& default_studies() {
  static const std::vector<ta::Call> calls = [] {
    std::vector<ta::Call> out;
    for (const auto text : kDefaultStudies) {
      auto call = ta::parse_call(text);
      if (!call) throw std::logic_error("default study '" + std::string(text) + "': " + call.error().message);
      out.push_back(std::move(call).value());
    }
    return out;
  }();
  return calls;
}

void append_values_json(std::string& out, const ta::FunctionSpec& spec, std::span<const double> values) {
  out += '{';
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (k) out += ',';
    fmt::format_to(std::back_inserter(out), "\"{}\":{}", spec.outputs[k].name, values[k]);
  }
  out += '}';
}

ta::Inputs study_inputs(SeriesView s) {
  return ta::Inputs{s.open, s.high, s.low, s.close, s.volume, s.close, {}, s.size()};
}

std::vector<std::vector<double>> compute_study(SeriesView series, const ta::Call& call) {
  const std::size_t n = series.size();
  std::vector<std::vector<double>> columns(call.spec->outputs.size(), std::vector<double>(n));
  std::vector<std::span<double>> spans(columns.begin(), columns.end());
  if (n > 0) ta::run(call, study_inputs(series), spans);
  return columns;
}

std::size_t StudyScratch::compute(SeriesView s, std::span<const ta::Call> calls, std::size_t first,
                                  std::vector<storage::IndicatorRow>& out) {
  const std::size_t n = s.size();
  if (first >= n) return 0;
  const ta::Inputs in = study_inputs(s);
  std::size_t added = 0;
  std::array<double, 16> values{};
  for (const auto& call : calls) {
    const std::size_t k = call.spec->outputs.size();
    if (columns_.size() < k) columns_.resize(k);
    spans_.clear();
    for (std::size_t j = 0; j < k; ++j) {
      if (columns_[j].size() < n) columns_[j].resize(n);
      spans_.emplace_back(columns_[j].data(), n);
    }
    ta::run(call, in, spans_);
    const std::string key = call.key();
    for (std::size_t i = first; i < n; ++i) {
      bool defined = true;
      for (std::size_t j = 0; j < k; ++j) {
        values[j] = spans_[j][i];
        defined = defined && std::isfinite(values[j]);
      }
      if (!defined) continue;
      storage::IndicatorRow row{key, s.date[i], {}};
      row.values_json.reserve(24 * k);
      append_values_json(row.values_json, *call.spec, std::span<const double>(values.data(), k));
      out.push_back(std::move(row));
      ++added;
    }
  }
  return added;
}

}  // namespace ts::engine
