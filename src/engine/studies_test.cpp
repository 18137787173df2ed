// StudyStreams: the engine's study set as streams. Its rows equal the batch
// values (compute_study) bar for bar; a saved set restored after bar k
// continues exactly; and a state that does not belong to the bars or the
// study list is refused with the reason.
#include "engine/studies.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace ts::engine {
namespace {

BarSeries walk(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  BarSeries s;
  double p = 50.0;
  TradingDate day = parse_date("2020-01-01").value();
  for (std::size_t i = 0; i < n; ++i) {
    const double o = p;
    p *= std::exp(0.02 * z(rng));
    const double v = i % 37 == 3 ? 0.0 : std::floor(1e6 * std::exp(z(rng)));
    s.push_back({day, o, std::max(o, p) * 1.01, std::min(o, p) * 0.99, p, v});
    day += std::chrono::days{1};
  }
  return s;
}

/// Rows for bars [from, n) after feeding [0, from) silently.
std::vector<storage::IndicatorRow> rows_of(StudyStreams& set, const BarSeries& s, std::size_t from,
                                           std::size_t start = 0) {
  std::vector<storage::IndicatorRow> out;
  for (std::size_t i = start; i < s.size(); ++i) set.feed(s.view(), i, i >= from, out);
  return out;
}

TEST(StudyStreams, RowsEqualTheBatchValuesAtEveryBar) {
  const BarSeries s = walk(420, 3);
  StudyStreams set(default_studies());
  const auto rows = rows_of(set, s, 0);
  std::map<std::pair<std::string, TradingDate>, std::string> by_key;
  for (const auto& r : rows) by_key[{r.indicator, r.as_of}] = r.values_json;
  std::size_t k = 0;
  for (const auto& call : default_studies()) {
    const auto columns = compute_study(s.view(), call);
    std::size_t defined = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      std::vector<double> values;
      bool finite = true;
      for (const auto& c : columns) {
        values.push_back(c[i]);
        finite = finite && std::isfinite(c[i]);
      }
      if (!finite) continue;
      std::string json;
      append_values_json(json, *call.spec, values);
      const auto it = by_key.find({call.key(), s.date[i]});
      ASSERT_NE(it, by_key.end()) << call.key() << " bar " << i;
      EXPECT_EQ(it->second, json) << call.key() << " bar " << i;
      ++defined;
    }
    EXPECT_GT(defined, 200u) << call.key();
    k += defined;
  }
  EXPECT_EQ(rows.size(), k);  // and no row where the batch has none
}

TEST(StudyStreams, ASavedSetRestoredAfterBarKContinuesExactly) {
  const BarSeries s = walk(400, 8);
  StudyStreams whole(default_studies());
  const auto want = rows_of(whole, s, 300);
  for (const std::size_t k : {0u, 1u, 50u, 199u, 200u, 299u}) {
    StudyStreams first(default_studies());
    std::vector<storage::IndicatorRow> ignored;
    for (std::size_t i = 0; i <= k; ++i) first.feed(s.view(), i, false, ignored);
    const std::string bytes = first.save(s.bar(k));
    auto restored = StudyStreams::restore(default_studies(), bytes, s.bar(k));
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    const auto got = rows_of(restored.value(), s, 300, k + 1);
    ASSERT_EQ(got.size(), want.size()) << "cut after bar " << k;
    for (std::size_t j = 0; j < want.size(); ++j) {
      EXPECT_EQ(got[j].indicator, want[j].indicator);
      EXPECT_EQ(got[j].as_of, want[j].as_of);
      ASSERT_EQ(got[j].values_json, want[j].values_json) << want[j].indicator << " cut after bar " << k;
    }
  }
}

TEST(StudyStreams, AStateThatDoesNotBelongIsRefusedWithTheReason) {
  const BarSeries s = walk(60, 2);
  StudyStreams set(default_studies());
  std::vector<storage::IndicatorRow> ignored;
  for (std::size_t i = 0; i < 30; ++i) set.feed(s.view(), i, false, ignored);
  const Bar bar = s.bar(29);
  const std::string bytes = set.save(bar);
  ASSERT_TRUE(StudyStreams::restore(default_studies(), bytes, bar).ok());

  auto reason = [&](std::span<const ta::Call> calls, std::string_view b, const Bar& last) {
    auto r = StudyStreams::restore(calls, b, last);
    return r.ok() ? std::string("accepted") : r.error().code + ": " + r.error().message;
  };
  Bar moved = bar;
  moved.close = std::nextafter(moved.close, 1e9);  // one unit in the last place
  EXPECT_EQ(reason(default_studies(), bytes, moved),
            "BAD_STATE: the stored bar of 2020-01-30 changed since the state was saved");
  EXPECT_EQ(reason(default_studies(), bytes, s.bar(28)),
            "BAD_STATE: saved after 2020-01-30, not after 2020-01-29");
  std::vector<ta::Call> fewer(default_studies().begin(), default_studies().end() - 1);
  EXPECT_EQ(reason(fewer, bytes, bar), "BAD_STATE: saved for 27 studies, asked for 26");
  std::vector<ta::Call> swapped(default_studies().begin(), default_studies().end());
  std::swap(swapped[0], swapped[1]);
  EXPECT_EQ(reason(swapped, bytes, bar),
            "BAD_STATE: saved for study SMA(timeperiod=5), asked for SMA(timeperiod=10)");
  EXPECT_EQ(reason(default_studies(), bytes.substr(0, bytes.size() - 1), bar).substr(0, 10), "BAD_STATE:");
  EXPECT_EQ(reason(default_studies(), bytes + "!", bar), "BAD_STATE: trailing bytes after the study set");
  EXPECT_EQ(reason(default_studies(), "", bar), "BAD_STATE: not a saved study set");
}

}  // namespace
}  // namespace ts::engine
