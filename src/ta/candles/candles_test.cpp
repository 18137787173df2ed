// Candlestick kernels vs TA-Lib goldens (tests/golden/gen_candle_golden.js):
// exact equality on every bar, plus the batch contract.
#include "ta/candles/candles.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "ta/candles/settings.hpp"

namespace ts::ta::candles {
namespace {

constexpr double kPenetration = 0.3;  // TA-Lib's default, used by the goldens

struct Kernel {
  const char* ta_name;
  int (*lookback)();
  int (*run)(const Ohlc&, Out);
  int min_fires;  // in the designed input
};

const Kernel kKernels[] = {
    {"CDLDOJI", doji_lookback, doji, 50},
    {"CDLHAMMER", hammer_lookback, hammer, 20},
    {"CDLHANGINGMAN", hanging_man_lookback, hanging_man, 20},
    {"CDLSHOOTINGSTAR", shooting_star_lookback, shooting_star, 20},
    {"CDLENGULFING", engulfing_lookback, engulfing, 20},
    {"CDLHARAMI", harami_lookback, harami, 20},
    {"CDLMORNINGSTAR", [] { return morning_star_lookback(kPenetration); },
     [](const Ohlc& in, Out out) { return morning_star(in, kPenetration, out); }, 20},
    {"CDLEVENINGSTAR", [] { return evening_star_lookback(kPenetration); },
     [](const Ohlc& in, Out out) { return evening_star(in, kPenetration, out); }, 20},
    {"CDL3WHITESOLDIERS", three_white_soldiers_lookback, three_white_soldiers, 20},
    {"CDL3BLACKCROWS", three_black_crows_lookback, three_black_crows, 20},
};

const char* const kInputs[] = {"designed", "random_walk", "edge"};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string golden_dir() { return std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/golden/"; }

/// Reads the CSV rows (header skipped) as fields.
std::vector<std::vector<std::string>> read_rows(const std::string& path) {
  const std::string text = read_text(path);
  EXPECT_FALSE(text.empty()) << "missing " << path;
  std::vector<std::vector<std::string>> rows;
  csv::LineReader lines(text);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> fields;
  while (lines.next(line, line_no)) {
    if (line_no == 1 || line.empty()) continue;
    EXPECT_TRUE(csv::split_line(line, fields));
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

struct Columns {
  std::vector<double> open, high, low, close;
  Ohlc view() const { return {open, high, low, close}; }
  Ohlc prefix(std::size_t n) const {
    return {std::span(open).first(n), std::span(high).first(n), std::span(low).first(n),
            std::span(close).first(n)};
  }
};

const Columns& input(const std::string& name) {
  static std::map<std::string, Columns> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Columns c;
  for (const auto& row : read_rows(golden_dir() + "candles_input_" + name + ".csv")) {
    EXPECT_EQ(row.size(), 6u);
    c.open.push_back(std::strtod(row[1].c_str(), nullptr));
    c.high.push_back(std::strtod(row[2].c_str(), nullptr));
    c.low.push_back(std::strtod(row[3].c_str(), nullptr));
    c.close.push_back(std::strtod(row[4].c_str(), nullptr));
  }
  return cache.emplace(name, std::move(c)).first->second;
}

/// Golden column; NaN where the file leaves the cell empty (inside the lookback).
std::vector<double> golden(const std::string& input_name, const char* fn) {
  std::vector<double> out;
  for (const auto& row : read_rows(golden_dir() + "candles_" + input_name + "__" + fn + ".csv")) {
    EXPECT_EQ(row.size(), 2u);
    out.push_back(row.size() > 1 && !row[1].empty() ? std::strtod(row[1].c_str(), nullptr)
                                                    : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

constexpr double kSentinel = -12345.0;

TEST(CandleGolden, EveryKernelMatchesTaLibExactly) {
  for (const char* name : kInputs) {
    const Columns& in = input(name);
    ASSERT_GT(in.close.size(), 100u) << name;
    for (const Kernel& k : kKernels) {
      SCOPED_TRACE(std::string(name) + " " + k.ta_name);
      const std::vector<double> want = golden(name, k.ta_name);
      ASSERT_EQ(want.size(), in.close.size());
      std::vector<double> out(in.close.size(), kSentinel);
      const int begin = k.run(in.view(), out);
      ASSERT_EQ(begin, k.lookback());
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

TEST(CandleGolden, EveryPatternFiresInTheDesignedInput) {
  const Columns& in = input("designed");
  for (const Kernel& k : kKernels) {
    std::vector<double> out(in.close.size(), 0.0);
    k.run(in.view(), out);
    std::map<double, int> counts;
    for (double v : out)
      if (v != 0.0) ++counts[v];
    int total = 0;
    for (const auto& [value, count] : counts) {
      EXPECT_TRUE(value == 100 || value == -100 || value == 80 || value == -80) << k.ta_name << " " << value;
      total += count;
    }
    EXPECT_GE(total, k.min_fires) << k.ta_name;
  }
}

TEST(CandleGolden, WeakerVariantsFire) {
  const Columns& in = input("designed");
  std::vector<double> out(in.close.size(), 0.0);
  for (auto kernel : {engulfing, harami}) {
    kernel(in.view(), out);
    std::map<double, int> counts;
    for (double v : out) ++counts[v];
    for (double v : {100.0, -100.0, 80.0, -80.0}) EXPECT_GE(counts[v], 5) << v;
  }
}

// Bar i's value depends only on bars <= i: a prefix gives the same values.
TEST(CandleContract, PrefixGivesTheSameValues) {
  const Columns& in = input("designed");
  for (const Kernel& k : kKernels) {
    std::vector<double> full(in.close.size(), kSentinel);
    k.run(in.view(), full);
    for (std::size_t n : {std::size_t(k.lookback() + 1), std::size_t(k.lookback() + 7), std::size_t(1000)}) {
      std::vector<double> part(n, kSentinel);
      EXPECT_EQ(k.run(in.prefix(n), part), k.lookback());
      for (std::size_t i = 0; i < n; ++i)
        EXPECT_EQ(part[i], full[i]) << k.ta_name << " n=" << n << " i=" << i;
    }
  }
}

TEST(CandleContract, TooShortInputsAreSafeAndUntouched) {
  const Columns& in = input("designed");
  for (const Kernel& k : kKernels) {
    const int lb = k.lookback();
    // n = 0: empty spans, nothing written.
    EXPECT_EQ(k.run(Ohlc{}, Out{}), 0) << k.ta_name;
    // n = lookback: returns n, writes nothing.
    std::vector<double> out(static_cast<std::size_t>(lb), kSentinel);
    EXPECT_EQ(k.run(in.prefix(static_cast<std::size_t>(lb)), out), lb) << k.ta_name;
    for (double v : out) EXPECT_EQ(v, kSentinel) << k.ta_name;
  }
}

TEST(CandleContract, LookbacksMatchTaLib) {
  EXPECT_EQ(doji_lookback(), 10);
  EXPECT_EQ(hammer_lookback(), 11);
  EXPECT_EQ(hanging_man_lookback(), 11);
  EXPECT_EQ(shooting_star_lookback(), 11);
  EXPECT_EQ(engulfing_lookback(), 2);
  EXPECT_EQ(harami_lookback(), 11);
  EXPECT_EQ(morning_star_lookback(0.3), 12);
  EXPECT_EQ(evening_star_lookback(0.5), 12);
  EXPECT_EQ(three_white_soldiers_lookback(), 12);
  EXPECT_EQ(three_black_crows_lookback(), 13);
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
  std::vector<double> loose(in.close.size(), 0.0), strict(in.close.size(), 0.0);
  morning_star(in.view(), 0.0, loose);
  morning_star(in.view(), 0.9, strict);
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

}  // namespace
}  // namespace ts::ta::candles
