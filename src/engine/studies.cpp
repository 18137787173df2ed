#include "engine/studies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
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

// ---- StudyStreams ----------------------------------------------------------
//
// Saved form: "TSSS", a format version, the last bar consumed (date as days
// since 1970-01-01, then open, high, low, close, volume), the study count,
// and per study its key and its ta::Stream::save bytes, each length-prefixed.
// Host byte order, like the stream states inside (which check the order).

namespace {

constexpr std::uint32_t kStudiesMagic = 0x53535354;  // "TSSS"
constexpr std::uint32_t kStudiesVersion = 1;

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}
bool get_bytes(std::string_view& in, std::string_view& v) {
  std::uint64_t n = 0;
  if (!get(in, n) || n > in.size()) return false;
  v = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

void put_bar(std::string& out, const Bar& b) {
  put(out, to_days(b.date));
  for (const double v : {b.open, b.high, b.low, b.close, b.volume}) put(out, v);
}
bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

}  // namespace

void StudyStreams::add(const ta::Call& call, std::unique_ptr<ta::Stream> stream, std::string key) {
  const auto& in = call.spec->inputs;
  two_reals_.push_back(std::find(in.begin(), in.end(), ta::Input::real1) != in.end());
  streams_.push_back(std::move(stream));
  keys_.push_back(std::move(key));
}

StudyStreams::StudyStreams(std::span<const ta::Call> calls) : calls_(calls) {
  for (const auto& call : calls) {
    auto stream = ta::make_stream(call);
    if (!stream) throw std::logic_error("study " + call.key() + " has no streaming form");
    add(call, std::move(stream), call.key());
  }
}

Result<StudyStreams> StudyStreams::restore(std::span<const ta::Call> calls, std::string_view bytes,
                                           const Bar& last_bar) {
  auto bad = [](std::string why) { return fail("BAD_STATE", std::move(why)); };
  std::uint32_t magic = 0, version = 0, count = 0;
  if (!get(bytes, magic) || magic != kStudiesMagic) return bad("not a saved study set");
  if (!get(bytes, version) || version != kStudiesVersion)
    return bad("study set format " + std::to_string(version) + ", this build reads " +
               std::to_string(kStudiesVersion));
  std::int32_t days = 0;
  double saved[5];
  if (!get(bytes, days)) return bad("study set ends early");
  for (double& v : saved)
    if (!get(bytes, v)) return bad("study set ends early");
  const double now[5] = {last_bar.open, last_bar.high, last_bar.low, last_bar.close, last_bar.volume};
  if (days != to_days(last_bar.date)) return bad("saved after " + format_date(from_days(days)) +
                                                 ", not after " + format_date(last_bar.date));
  for (int k = 0; k < 5; ++k)
    if (!same_bits(saved[k], now[k]))
      return bad("the stored bar of " + format_date(last_bar.date) + " changed since the state was saved");
  if (!get(bytes, count) || count != calls.size())
    return bad("saved for " + std::to_string(count) + " studies, asked for " + std::to_string(calls.size()));
  StudyStreams set;
  set.calls_ = calls;
  for (const auto& call : calls) {
    std::string_view key, state;
    if (!get_bytes(bytes, key) || !get_bytes(bytes, state)) return bad("study set ends early");
    std::string want = call.key();
    if (key != want) return bad("saved for study " + std::string(key) + ", asked for " + want);
    auto stream = ta::make_stream(call);
    if (!stream) return bad("study " + want + " has no streaming form");
    if (auto st = stream->restore(state); !st) return bad(want + ": " + st.error().message);
    set.add(call, std::move(stream), std::move(want));
  }
  if (!bytes.empty()) return bad("trailing bytes after the study set");
  return set;
}

std::size_t StudyStreams::feed(SeriesView s, std::size_t i, bool emit, std::vector<storage::IndicatorRow>& out) {
  const ta::Inputs in = study_inputs(s);
  // stream_bar binds a bar the same way for every function with at most one
  // real input, so it is built once per bar for those (half the cost of a
  // backfill's streaming when it was built per study).
  std::optional<ta::StreamBar> one_real;
  std::array<double, 16> values{};
  std::size_t added = 0;
  for (std::size_t j = 0; j < streams_.size(); ++j) {
    const ta::FunctionSpec& spec = *calls_[j].spec;
    const std::size_t k = spec.outputs.size();
    const std::span<double> outs(values.data(), k);
    ta::StreamBar bar;
    if (two_reals_[j]) {
      bar = ta::stream_bar(spec, in, i);
    } else {
      if (!one_real) one_real = ta::stream_bar(spec, in, i);
      bar = *one_real;
    }
    if (!streams_[j]->update(bar, outs) || !emit) continue;
    bool defined = true;
    for (const double v : outs) defined = defined && std::isfinite(v);
    if (!defined) continue;
    storage::IndicatorRow row{keys_[j], s.date[i], {}};
    row.values_json.reserve(24 * k);
    append_values_json(row.values_json, spec, outs);
    out.push_back(std::move(row));
    ++added;
  }
  return added;
}

std::string StudyStreams::save(const Bar& last_bar) const {
  std::string out;
  out.reserve(8192);
  put(out, kStudiesMagic);
  put(out, kStudiesVersion);
  put_bar(out, last_bar);
  put(out, static_cast<std::uint32_t>(streams_.size()));
  std::string state;
  for (std::size_t j = 0; j < streams_.size(); ++j) {
    state.clear();
    if (!streams_[j]->save(state)) throw std::logic_error("study " + keys_[j] + " cannot save its state");
    put(out, static_cast<std::uint64_t>(keys_[j].size()));
    out += keys_[j];
    put(out, static_cast<std::uint64_t>(state.size()));
    out += state;
  }
  return out;
}

}  // namespace ts::engine
