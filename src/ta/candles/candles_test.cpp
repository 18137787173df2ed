// Candlestick kernels vs TA-Lib goldens (tests/golden/gen_candle_golden.js):
// exact equality on every bar for every call in the golden files, plus the
// batch contract. The tests walk the registry, so a new pattern is covered the
// day it is registered.
#include "ta/candles/candles.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "ta/candles/detail.hpp"
#include "ta/candles/settings.hpp"
#include "ta/function.hpp"

namespace ts::ta::candles {
namespace {

constexpr std::string_view kPatterns = "Pattern Recognition";
const char* const kInputs[] = {"designed", "crafted", "random_walk", "edge"};
constexpr double kSentinel = -12345.0;

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string golden_dir() { return std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/"; }

/// The CSV's rows as fields, header first.
std::vector<std::vector<std::string>> read_rows(const std::string& path) {
  const std::string text = read_text(path);
  EXPECT_FALSE(text.empty()) << "missing " << path;
  std::vector<std::vector<std::string>> rows;
  csv::LineReader lines(text);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> fields;
  while (lines.next(line, line_no)) {
    if (line.empty()) continue;
    EXPECT_TRUE(csv::split_line(line, fields));
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

struct Columns {
  std::vector<double> open, high, low, close;
  std::size_t size() const { return close.size(); }
  Inputs prefix(std::size_t n) const {
    Inputs in;
    in.open = std::span(open).first(n);
    in.high = std::span(high).first(n);
    in.low = std::span(low).first(n);
    in.close = std::span(close).first(n);
    in.size = n;
    return in;
  }
  Inputs all() const { return prefix(size()); }
};

const Columns& input(const std::string& name) {
  static std::map<std::string, Columns> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Columns c;
  const auto rows = read_rows(golden_dir() + "candles_input_" + name + ".csv");
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), 6u);
    c.open.push_back(std::strtod(rows[r][1].c_str(), nullptr));
    c.high.push_back(std::strtod(rows[r][2].c_str(), nullptr));
    c.low.push_back(std::strtod(rows[r][3].c_str(), nullptr));
    c.close.push_back(std::strtod(rows[r][4].c_str(), nullptr));
  }
  return cache.emplace(name, std::move(c)).first->second;
}

/// One golden file: call key -> column (NaN inside the lookback).
std::map<std::string, std::vector<double>> golden(const std::string& input_name) {
  const auto rows = read_rows(golden_dir() + "candles_" + input_name + ".csv");
  std::map<std::string, std::vector<double>> out;
  if (rows.empty()) return out;
  const auto& header = rows[0];
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), header.size());
    for (std::size_t k = 1; k < header.size() && k < rows[r].size(); ++k) {
      const std::string& cell = rows[r][k];
      out[header[k]].push_back(cell.empty() ? std::numeric_limits<double>::quiet_NaN()
                                            : std::strtod(cell.c_str(), nullptr));
    }
  }
  return out;
}

Call call_of(const std::string& key) {
  auto call = parse_call(key);
  EXPECT_TRUE(call.ok()) << key;
  return call.ok() ? *call : Call{};
}

/// Runs the raw kernel (spec->batch, not ta::run, which would mask writes
/// inside the lookback) into a sentinel-filled column.
int run_kernel(const Call& call, const Inputs& in, std::vector<double>& out) {
  out.assign(in.size, kSentinel);
  const std::span<double> col(out);
  return call.spec->batch(in, call.options, std::span(&col, 1));
}

std::vector<const FunctionSpec*> patterns() {
  std::vector<const FunctionSpec*> out;
  for (const auto& f : registry())
    if (f.group == kPatterns) out.push_back(&f);
  return out;
}

/// Canonical key of the function with default options.
std::string default_key(const FunctionSpec& f) {
  auto call = parse_call(f.name);
  return call.ok() ? call->key() : std::string(f.name);
}

TEST(CandleGolden, EveryCallMatchesTaLibExactly) {
  for (const char* name : kInputs) {
    const Columns& in = input(name);
    ASSERT_GT(in.size(), 100u) << name;
    for (const auto& [key, want] : golden(name)) {
      SCOPED_TRACE(std::string(name) + " " + key);
      const Call call = call_of(key);
      ASSERT_NE(call.spec, nullptr);
      EXPECT_EQ(call.spec->group, kPatterns);
      EXPECT_EQ(call.key(), key) << "golden headers must be canonical keys";
      ASSERT_EQ(want.size(), in.size());
      std::vector<double> out;
      const int begin = run_kernel(call, in.all(), out);
      ASSERT_EQ(begin, call.lookback());
      int mismatches = 0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (static_cast<int>(i) < begin) {
          EXPECT_TRUE(std::isnan(want[i])) << "golden has a value inside the lookback at " << i;
          EXPECT_EQ(out[i], kSentinel) << "kernel wrote inside the lookback at " << i;
        } else if (out[i] != want[i] && ++mismatches <= 5) {
          ADD_FAILURE() << "bar " << i << ": got " << out[i] << ", TA-Lib " << want[i];
        }
      }
      EXPECT_EQ(mismatches, 0);
    }
  }
}

TEST(CandleGolden, EveryPatternHasGoldensOnEveryInput) {
  const auto all = patterns();
  EXPECT_EQ(all.size(), 61u) << "TA-Lib has 61 candlestick functions";
  for (const char* name : kInputs) {
    const auto g = golden(name);
    for (const FunctionSpec* f : all) EXPECT_TRUE(g.count(default_key(*f))) << name << " " << f->name;
  }
}

// tests/data/golden/candles_short.csv: each call over the first
// lookback-1 .. lookback+2 bars of the crafted input.
TEST(CandleGolden, ShortSeriesMatchTaLib) {
  const Columns& in = input("crafted");
  const auto rows = read_rows(golden_dir() + "candles_short.csv");
  ASSERT_GT(rows.size(), 4 * patterns().size());
  std::set<std::string> seen;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 4u);
    const Call call = call_of(rows[r][0]);
    ASSERT_NE(call.spec, nullptr);
    seen.insert(std::string(call.spec->name));
    const auto n = static_cast<std::size_t>(std::stoul(rows[r][1]));
    std::vector<double> want;
    std::istringstream values(rows[r][3]);
    for (double v; values >> v;) want.push_back(v);
    SCOPED_TRACE(rows[r][0] + " n=" + rows[r][1]);
    std::vector<double> out;
    const int begin = run_kernel(call, in.prefix(n), out);
    if (want.empty()) {  // TA-Lib: nothing to compute
      EXPECT_EQ(begin, static_cast<int>(n));
      for (double v : out) EXPECT_EQ(v, kSentinel);
      continue;
    }
    ASSERT_EQ(begin, std::stoi(rows[r][2]));
    ASSERT_EQ(want.size(), n - static_cast<std::size_t>(begin));
    for (std::size_t k = 0; k < want.size(); ++k)
      EXPECT_EQ(out[static_cast<std::size_t>(begin) + k], want[k]);
  }
  EXPECT_EQ(seen.size(), patterns().size());
}

// Every pattern fires on the shaped inputs, with only TA-Lib's values; the
// weaker (+/-80) and confirmed (+/-200) variants fire too.
TEST(CandleGolden, EveryPatternFiresOnTheShapedInputs) {
  for (const FunctionSpec* f : patterns()) {
    std::map<double, int> counts;
    for (const char* name : {"designed", "crafted"}) {
      const Columns& in = input(name);
      std::vector<double> out;
      const int begin = run_kernel(call_of(default_key(*f)), in.all(), out);
      for (std::size_t i = static_cast<std::size_t>(begin); i < out.size(); ++i)
        if (out[i] != 0.0) ++counts[out[i]];
    }
    int total = 0;
    for (const auto& [value, count] : counts) {
      EXPECT_TRUE(std::fabs(value) == 100 || std::fabs(value) == 80 || std::fabs(value) == 200)
          << f->name << " " << value;
      total += count;
    }
    EXPECT_GE(total, 5) << f->name;
    const std::string_view name = f->name;
    if (name == "CDLENGULFING" || name == "CDLHARAMI" || name == "CDLHARAMICROSS") {
      EXPECT_GE(counts[80] + counts[-80], 5) << name;
    }
    if (name.starts_with("CDLHIKKAKE")) {
      EXPECT_GE(counts[200], 3) << name;
      EXPECT_GE(counts[-200], 3) << name;
    }
  }
}

// Bar i's value depends only on bars <= i: a prefix gives the same values.
TEST(CandleContract, PrefixGivesTheSameValues) {
  const Columns& in = input("crafted");
  for (const FunctionSpec* f : patterns()) {
    const Call call = call_of(default_key(*f));
    std::vector<double> full, part;
    run_kernel(call, in.all(), full);
    const auto lb = static_cast<std::size_t>(call.lookback());
    for (std::size_t n : {lb + 1, lb + 7, std::size_t(1000)}) {
      EXPECT_EQ(run_kernel(call, in.prefix(n), part), call.lookback());
      for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(part[i], full[i]) << f->name << " n=" << n << " i=" << i;
    }
  }
}

TEST(CandleContract, TooShortInputsAreSafeAndUntouched) {
  const Columns& in = input("crafted");
  for (const FunctionSpec* f : patterns()) {
    const Call call = call_of(default_key(*f));
    const int lb = call.lookback();
    std::vector<double> out;
    // n = 0: empty spans, nothing written.
    EXPECT_EQ(run_kernel(call, in.prefix(0), out), 0) << f->name;
    // n = lookback: returns n, writes nothing.
    EXPECT_EQ(run_kernel(call, in.prefix(static_cast<std::size_t>(lb)), out), lb) << f->name;
    for (double v : out) EXPECT_EQ(v, kSentinel) << f->name;
  }
}

TEST(CandleContract, LookbacksMatchTaLib) {
  EXPECT_EQ(doji_lookback(), 10);
  EXPECT_EQ(hammer_lookback(), 11);
  EXPECT_EQ(engulfing_lookback(), 2);
  EXPECT_EQ(morning_star_lookback(0.3), 12);
  EXPECT_EQ(three_black_crows_lookback(), 13);
  EXPECT_EQ(spinning_top_lookback(), 10);
  EXPECT_EQ(counterattack_lookback(), 11);
  EXPECT_EQ(matching_low_lookback(), 6);
  EXPECT_EQ(tasuki_gap_lookback(), 7);
  EXPECT_EQ(breakaway_lookback(), 14);
  EXPECT_EQ(mat_hold_lookback(0.5), 14);
  EXPECT_EQ(xside_gap_three_methods_lookback(), 2);
  EXPECT_EQ(three_outside_lookback(), 3);
  EXPECT_EQ(hikkake_lookback(), 5);
  EXPECT_EQ(hikkake_mod_lookback(), 10);
}

TEST(CandleContract, PenetrationOptionsHaveTaLibDefaults) {
  const std::map<std::string, double> defaults = {{"CDLABANDONEDBABY", 0.3},   {"CDLDARKCLOUDCOVER", 0.5},
                                                  {"CDLEVENINGDOJISTAR", 0.3}, {"CDLEVENINGSTAR", 0.3},
                                                  {"CDLMATHOLD", 0.5},         {"CDLMORNINGDOJISTAR", 0.3},
                                                  {"CDLMORNINGSTAR", 0.3}};
  for (const FunctionSpec* f : patterns()) {
    const auto it = defaults.find(std::string(f->name));
    if (it == defaults.end()) {
      EXPECT_TRUE(f->options.empty()) << f->name;
      continue;
    }
    ASSERT_EQ(f->options.size(), 1u) << f->name;
    EXPECT_EQ(f->options[0].name, "penetration");
    EXPECT_EQ(f->options[0].default_value, it->second) << f->name;
    EXPECT_EQ(f->options[0].min_value, 0) << f->name;
    EXPECT_FALSE(parse_call(std::string(f->name) + "(penetration=-0.1)").ok()) << f->name;
  }
}

TEST(CandleSettings, TableHoldsTaLibDefaults) {
  const CandleSetting* near = find_candle_setting("Near");
  ASSERT_NE(near, nullptr);
  EXPECT_EQ(near->range, RangeType::high_low);
  EXPECT_EQ(near->avg_period, 5);
  EXPECT_EQ(near->factor, 0.2);
  EXPECT_EQ(candle_setting(Setting::body_doji).factor, 0.1);
  EXPECT_EQ(candle_setting(Setting::shadow_long).avg_period, 0);
  EXPECT_EQ(to_string(candle_setting(Setting::shadow_short).range), "Shadows");
  EXPECT_EQ(find_candle_setting("Nope"), nullptr);
}

// A deeper required penetration can only remove detections.
TEST(CandleStars, PenetrationIsHonoured) {
  const Columns& in = input("designed");
  std::vector<double> loose(in.size(), 0.0), strict(in.size(), 0.0);
  const Ohlc ohlc{in.open, in.high, in.low, in.close};
  morning_star(ohlc, 0.0, loose);
  morning_star(ohlc, 0.9, strict);
  int n_loose = 0, n_strict = 0;
  for (std::size_t i = 0; i < loose.size(); ++i) {
    n_loose += loose[i] != 0;
    n_strict += strict[i] != 0;
    if (strict[i] != 0) {
      EXPECT_NE(loose[i], 0) << "a stricter penetration fired where a looser did not, " << i;
    }
  }
  EXPECT_GT(n_loose, n_strict);
}

// ---- Streaming forms ------------------------------------------------------------

/// Feeds `in` to the call's stream bar by bar. Before each update it peeks a
/// different (perturbed) bar, then the real bar twice: the peeks must leave no
/// trace (ring, running totals, Hikkake memory), and every value must equal the
/// batch value bit for bit from exactly the batch begin index. Returns the
/// number of non-zero values compared.
int expect_stream_matches_batch(const Call& call, const Inputs& in, const std::string& where) {
  std::vector<double> batch;
  const int begin = run_kernel(call, in, batch);
  auto stream = call.spec->stream(call.options);
  EXPECT_NE(stream, nullptr) << where;
  if (stream == nullptr) return 0;
  int nonzero = 0;
  for (std::size_t i = 0; i < in.size; ++i) {
    const StreamBar bar{in.open[i], in.high[i], in.low[i], in.close[i]};
    const StreamBar other{bar.close, bar.high * 1.5, bar.low * 0.5, bar.open};
    double decoy = kSentinel, peeked = kSentinel, again = kSentinel, got = kSentinel;
    stream->peek(other, std::span(&decoy, 1));
    const bool vp = stream->peek(bar, std::span(&peeked, 1));
    const bool vp2 = stream->peek(bar, std::span(&again, 1));
    const bool vu = stream->update(bar, std::span(&got, 1));
    const bool want_valid = static_cast<int>(i) >= begin;
    if (vu != want_valid || vp != vu || vp2 != vu) {
      ADD_FAILURE() << where << " bar " << i << ": valid " << vu << ", peeks " << vp << "/" << vp2
                    << ", batch begin " << begin;
      return nonzero;
    }
    if (!vu) {
      EXPECT_EQ(got, kSentinel) << where << " wrote before the lookback at " << i;
      continue;
    }
    if (std::memcmp(&got, &batch[i], sizeof got) != 0 || std::memcmp(&peeked, &got, sizeof got) != 0 ||
        std::memcmp(&again, &got, sizeof got) != 0) {
      ADD_FAILURE() << where << " bar " << i << ": stream " << got << ", peeks " << peeked << "/" << again
                    << ", batch " << batch[i];
      return nonzero;
    }
    nonzero += got != 0.0;
  }
  return nonzero;
}

// Every pattern's stream equals its batch kernel on the candle inputs (the
// shaped ones fire every pattern, so the comparison covers the +/-80/100/200
// branches, not only zeros), and over every prefix length near the lookback.
TEST(CandleStream, EqualsBatchOnEveryCandleInput) {
  for (const FunctionSpec* f : patterns()) {
    std::vector<std::string> keys = {default_key(*f)};
    if (!f->options.empty()) {
      keys.push_back(std::string(f->name) + "(penetration=0)");
      keys.push_back(std::string(f->name) + "(penetration=0.9)");
    }
    for (const std::string& key : keys) {
      const Call call = call_of(key);
      int fired = 0;
      for (const char* name : kInputs) {
        const Columns& in = input(name);
        const int nonzero = expect_stream_matches_batch(call, in.all(), std::string(name) + " " + key);
        if (std::string_view(name) == "designed" || std::string_view(name) == "crafted") fired += nonzero;
      }
      if (key == default_key(*f)) {
        EXPECT_GE(fired, 5) << key << ": too few signals compared";
      }
      const auto lb = static_cast<std::size_t>(call.lookback());
      for (std::size_t n : {std::size_t{0}, lb, lb + 1, lb + 2})
        expect_stream_matches_batch(call, input("crafted").prefix(n), key + " n=" + std::to_string(n));
    }
  }
}

// The batch kernels run in blocks of 256 scan bars from the lookback on (the
// block driver in detail.hpp: precomputed geometry, sliding totals and their
// divisions per block); the stream runs the scalar path one bar at a time. So
// batch == stream on series ending around block edges (and their odd/even
// tails), through NaN bars, flat stretches and zero-range bars placed across
// the edges, pins the block driver to the scalar arithmetic bit for bit.
TEST(CandleBlocks, BatchEqualsStreamAcrossBlockEdges) {
  Columns in = input("crafted");
  ASSERT_GE(in.size(), 1200u);
  const auto set_bar = [&](std::size_t i, double o, double h, double l, double c) {
    in.open[i] = o;
    in.high[i] = h;
    in.low[i] = l;
    in.close[i] = c;
  };
  for (std::size_t i = 262; i < 300; ++i) set_bar(i, 50.0, 50.0, 50.0, 50.0);  // flat across the first edge
  for (std::size_t i = 515; i < 525; ++i) set_bar(i, 40.0 + i % 3, 40.0 + i % 3, 40.0 + i % 3, 40.0 + i % 3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  in.close[777] = nan;  // poisons the running totals from here on, in both paths
  in.high[1030] = nan;
  int fired = 0;
  for (const FunctionSpec* f : patterns()) {
    std::vector<std::string> keys = {default_key(*f)};
    if (!f->options.empty()) keys.push_back(std::string(f->name) + "(penetration=0.9)");
    for (const std::string& key : keys) {
      const Call call = call_of(key);
      const auto lb = static_cast<std::size_t>(call.lookback());
      for (std::size_t edge : {256u, 512u, 768u, 1024u})
        for (std::size_t n : {lb + edge - 1, lb + edge, lb + edge + 1, lb + edge + 2})
          fired += expect_stream_matches_batch(call, in.prefix(n), key + " n=" + std::to_string(n));
    }
  }
  EXPECT_GT(fired, 1000) << "too few signals compared";
}

// Probes of the drivers themselves: a "pattern" whose judge returns a
// threshold (setting S judged with lag L) or a piece of candle geometry
// instead of a signal. A pattern's output hides a threshold that is off by an
// ulp unless a price ties with it; these outputs are the values themselves,
// so batch (block driver) == stream (scalar path) bit for bit checks every
// sliding total, division and geometry value, at every bar.
// `Pairs`: the same probe through scan_pairs (the batch judges two bars per
// call; the stream still one).
template <int S, int L, bool Pairs = false>
constexpr auto k_threshold_probe = [](auto& d) {
  const auto& b = d.bars;
  detail::RunningAverage avg(b, static_cast<Setting>(S), L);
  const auto judge = [&](auto i) { return avg.at(i - L); };
  const int lookback = avg_period(static_cast<Setting>(S)) + L;
  if constexpr (Pairs) {
    return d.scan_pairs(lookback, judge, avg);
  } else {
    return d.scan(lookback, [&](int i) { return judge(i); }, avg);
  }
};
constexpr auto k_geometry_probe = [](auto& d) {
  const auto& b = d.bars;
  return d.scan(4, [&](int i) {
    switch (i % 4) {
      case 0:
        return b.upper_shadow(i);
      case 1:
        return b.lower_shadow(i - 4);
      case 2:
        return b.body_top(i - 1) - b.body_bottom(i - 3);
      default:
        return (b.body_gap_up(i, i - 2)         ? 1.0
                : b.body_gap_down(i - 1, i - 4) ? -1.0
                                                : 0.0) +
               10.0 * b.color(i - 2);
    }
  });
};

// The geometry through scan_pairs, whose batch judges two bars per call
// (BarPair: SSE2 pairs, lane masks); the stream still calls the judge with an
// int. Q picks one quantity per probe, so a wrong lane or helper cannot hide
// in a sum.
template <int Q>
constexpr auto k_pair_geometry_probe = [](auto& d) {
  const auto& b = d.bars;
  return d.scan_pairs(4, [&](auto i) {
    using detail::abs_of, detail::max_of, detail::pick, detail::when;
    const auto &o = b.o, &h = b.h, &c = b.c;
    if constexpr (Q == 0) return b.upper_shadow(i) - 3.0 * b.lower_shadow(i - 4);
    if constexpr (Q == 1) return b.body_top(i - 1) - b.body_bottom(i - 3);
    if constexpr (Q == 2) {
      return when(b.body_gap_up(i, i - 2), 1.0) + when(b.body_gap_down(i - 1, i - 4), -1.0) +
             10.0 * b.color(i - 2);
    }
    if constexpr (Q == 3) return max_of(h[i - 3], c[i - 1]) + 0.5 * max_of(c[i - 1], h[i - 3]);
    if constexpr (Q == 4) return pick(c[i] > o[i - 1], b.real_body(i - 2), -b.high_low(i));
    if constexpr (Q == 5) {
      return abs_of(c[i] - o[i - 2]) + when(b.candle_gap_up(i, i - 1), 2.0) -
             when(b.candle_gap_down(i, i - 1), 4.0);
    }
  });
};

/// The probe's batch output vs its stream's, bit for bit, on every prefix
/// length in `lengths`; false at the first difference.
template <bool Colours = false, bool Bodies = true, class Def>
bool probe_matches(Def def, const Columns& in, std::initializer_list<std::size_t> lengths,
                   const std::string& what) {
  for (std::size_t n : lengths) {
    const Ohlc cols{std::span(in.open).first(n), std::span(in.high).first(n), std::span(in.low).first(n),
                    std::span(in.close).first(n)};
    std::vector<double> batch(n, kSentinel);
    const int begin = detail::run_batch<Bodies, Colours>(cols, batch, def);
    auto stream = detail::make_stream(def, {});
    for (std::size_t i = 0; i < n; ++i) {
      double v = kSentinel;
      const bool valid = stream->update({in.open[i], in.high[i], in.low[i], in.close[i]}, std::span(&v, 1));
      if (valid != (static_cast<int>(i) >= begin) || std::memcmp(&v, &batch[i], sizeof v) != 0) {
        ADD_FAILURE() << what << " n=" << n << " bar " << i << ": batch " << batch[i] << ", stream " << v;
        return false;
      }
    }
  }
  return true;
}

/// A random walk with flat stretches, zero-range and NaN bars placed across
/// the block edges (the scan starts at the lookback: edges at lookback + 256k).
Columns block_edge_series() {
  Columns in = input("random_walk");
  const auto set_bar = [&](std::size_t i, double o, double h, double l, double c) {
    in.open[i] = o;
    in.high[i] = h;
    in.low[i] = l;
    in.close[i] = c;
  };
  for (std::size_t i = 262; i < 300; ++i) set_bar(i, 50.0, 50.0, 50.0, 50.0);
  for (std::size_t i = 515; i < 525; ++i) set_bar(i, 40.0 + i % 3, 40.0 + i % 3, 40.0 + i % 3, 40.0 + i % 3);
  in.close[1530] = std::numeric_limits<double>::quiet_NaN();
  in.high[1800] = std::numeric_limits<double>::quiet_NaN();
  return in;
}

template <bool Pairs = false, int... S, int... L>
void expect_threshold_probes(const Columns& in, std::integer_sequence<int, S...>,
                             std::integer_sequence<int, L...>) {
  const auto for_setting = [&](auto s) {
    ((probe_matches(
         k_threshold_probe<decltype(s)::value, L, Pairs>, in,
         {1, 20, 255, 256, 257, 258, 269, 270, 271, 272, 273, 530, 531, 1000, 1001, 2000, in.size()},
         std::string(Pairs ? "pairs: " : "") + "setting " + std::to_string(decltype(s)::value) + " lag " +
             std::to_string(L))),
     ...);
  };
  (for_setting(std::integral_constant<int, S>{}), ...);
}

TEST(CandleBlocks, EveryThresholdEqualsTheStreamsBitForBit) {
  expect_threshold_probes(block_edge_series(),
                          std::make_integer_sequence<int, static_cast<int>(kCandleSettings.size())>{},
                          std::make_integer_sequence<int, 5>{});
}

TEST(CandleBlocks, GeometryEqualsTheStreamsBitForBit) {
  Columns in = block_edge_series();
  for (std::size_t n : {5, 255, 256, 259, 260, 261, 262, 517})
    for (std::size_t i = n - 2; i < n; ++i) in.open[i] = in.close[i];  // c == o: white, zero body
  EXPECT_TRUE(
      probe_matches(k_geometry_probe, in, {1, 5, 255, 256, 259, 260, 261, 262, 517, in.size()}, "geometry"));
  EXPECT_TRUE(probe_matches<true>(k_geometry_probe, in, {1, 5, 255, 256, 259, 260, 261, 262, 517, in.size()},
                                  "geometry with the colour column"));
}

// The pair path (scan_pairs) against the scalar stream: every threshold at
// every lag, with and without the body columns (run_batch<false> computes a
// pair's body top and bottom itself, as most patterns run), and each pair helper
// (when, pick, max_of, abs_of, the colour as +/-1.0 pairs) on flat, zero-body,
// zero-range and NaN bars across the block edges.
TEST(CandleBlocks, PairJudgesEqualTheStreamsBitForBit) {
  Columns in = block_edge_series();
  for (std::size_t n : {5, 255, 256, 259, 260, 261, 262, 517})
    for (std::size_t i = n - 2; i < n; ++i) in.open[i] = in.close[i];  // c == o: white, zero body
  // Zero prices of both signs: +0 >= -0, so the body's top is the close even
  // where open and close compare equal (a max/min instruction would pick by
  // operand order and flip the zero's sign).
  for (std::size_t i = 300; i < 308; ++i) {
    const bool even = i % 2 == 0;
    in.open[i] = even ? -0.0 : 0.0;
    in.close[i] = even ? 0.0 : -0.0;
    in.high[i] = i % 4 < 2 ? 0.0 : -0.0;
    in.low[i] = i % 4 < 2 ? -0.0 : 0.0;
  }
  in.open[1601] = std::numeric_limits<double>::quiet_NaN();  // the series has NaN closes and highs
  expect_threshold_probes<true>(in, std::make_integer_sequence<int, static_cast<int>(kCandleSettings.size())>{},
                                std::make_integer_sequence<int, 5>{});
  constexpr int kShadowShort = static_cast<int>(Setting::shadow_short);
  static_assert(kCandleSettings[kShadowShort].range == RangeType::shadows);
  EXPECT_TRUE((probe_matches<false, false>(k_threshold_probe<kShadowShort, 1, true>, in,
                                           {1, 255, 256, 257, 262, 517, in.size()}, "pairs: shadows, no bodies")));
  const std::initializer_list<std::size_t> lengths = {1, 5, 6, 255, 256, 259, 260, 261, 262, 517, in.size()};
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<0>, in, lengths, "pairs: shadows"));
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<1>, in, lengths, "pairs: body top and bottom"));
  EXPECT_TRUE((probe_matches<false, false>(k_pair_geometry_probe<1>, in, lengths,
                                           "pairs: body top and bottom, computed (no body columns)")));
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<2>, in, lengths, "pairs: gaps and colour"));
  EXPECT_TRUE((probe_matches<false, false>(k_pair_geometry_probe<2>, in, lengths,
                                           "pairs: gaps and colour, computed (no body columns)")));
  EXPECT_TRUE(probe_matches<true>(k_pair_geometry_probe<2>, in, lengths, "pairs: colour column"));
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<3>, in, lengths, "pairs: max_of"));
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<4>, in, lengths, "pairs: pick"));
  EXPECT_TRUE(probe_matches(k_pair_geometry_probe<5>, in, lengths, "pairs: abs_of, candle gaps"));
}

// The Hikkake's memory crosses bars: a peeked confirmation (+/-200) must not
// spend the pattern, an updated one must; and a stream only ever peeked at a
// confirmation bar still confirms on update.
TEST(CandleStream, HikkakeMemorySurvivesPeeksAndIsSpentByUpdates) {
  for (const char* name : {"CDLHIKKAKE", "CDLHIKKAKEMOD"}) {
    const Call call = call_of(name);
    // The first confirmation on the shaped inputs.
    const Columns* found = nullptr;
    std::vector<double> batch;
    std::vector<double>::iterator it;
    for (const char* input_name : {"designed", "crafted"}) {
      found = &input(input_name);
      run_kernel(call, found->all(), batch);
      it = std::find_if(batch.begin(), batch.end(), [](double v) { return std::fabs(v) == 200; });
      if (it != batch.end()) break;
    }
    ASSERT_NE(it, batch.end()) << name;
    const Columns& in = *found;
    const auto k = static_cast<std::size_t>(it - batch.begin());
    auto s = call.spec->stream(call.options);
    double v = 0.0;
    for (std::size_t i = 0; i < k; ++i)
      s->update({in.open[i], in.high[i], in.low[i], in.close[i]}, std::span(&v, 1));
    const StreamBar confirm{in.open[k], in.high[k], in.low[k], in.close[k]};
    for (int rep = 0; rep < 3; ++rep) {
      ASSERT_TRUE(s->peek(confirm, std::span(&v, 1)));
      EXPECT_EQ(v, batch[k]) << name << " peek " << rep;
    }
    ASSERT_TRUE(s->update(confirm, std::span(&v, 1)));
    EXPECT_EQ(v, batch[k]) << name;
    // Spent: the same confirming bar again no longer confirms (TA-Lib resets
    // the pattern), unless it completes a new pattern itself.
    ASSERT_TRUE(s->peek(confirm, std::span(&v, 1)));
    EXPECT_NE(std::fabs(v), 200.0) << name;
  }
}

}  // namespace
}  // namespace ts::ta::candles
