// Saved stream states (function.hpp, Stream::save / restore): a stream saved
// after bar k and restored into a fresh stream of the same call continues bit
// for bit as the uninterrupted one, for every function with a saved form, at
// cut points around the lookback; and bad bytes are refused with BAD_STATE.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ta/function.hpp"
#include "ta/kernels.hpp"
#include "ta/test_series.hpp"

namespace ts::ta {
namespace {

/// Functions whose stream has no saved form yet. The list may only shrink:
/// SavedStatesCoverage fails when a listed function gains one or an unlisted
/// one has none.
constexpr std::array<std::string_view, 0> kNotYetSaved{};

bool not_yet_saved(std::string_view name) {
  return std::find(kNotYetSaved.begin(), kNotYetSaved.end(), name) != kNotYetSaved.end();
}

bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

/// Feeds bars [0, cut) to one stream, saves it, restores the bytes into a
/// fresh stream and feeds both the rest: validity and every value must agree
/// (and peek on the restored stream must agree with its update). Returns the
/// bars compared after the cut, or 0 after a failure.
std::size_t expect_restored_continues(const Call& call, const Inputs& in, std::size_t cut) {
  const FunctionSpec& f = *call.spec;
  const std::size_t m = f.outputs.size();
  auto original = make_stream(call);
  if (original == nullptr) {
    ADD_FAILURE() << call.key() << ": no stream";
    return 0;
  }
  std::vector<double> a(m), b(m), p(m);
  for (std::size_t i = 0; i < cut; ++i) original->update(stream_bar(f, in, i), a);
  std::string bytes;
  if (!original->save(bytes)) {
    ADD_FAILURE() << call.key() << ": save() returned false";
    return 0;
  }
  auto restored = make_stream(call);
  if (auto st = restored->restore(bytes); !st) {
    ADD_FAILURE() << call.key() << " cut " << cut << ": " << st.error().message;
    return 0;
  }
  std::size_t compared = 0;
  for (std::size_t i = cut; i < in.size; ++i) {
    const StreamBar bar = stream_bar(f, in, i);
    const bool vp = restored->peek(bar, p);
    const bool vb = restored->update(bar, b);
    const bool va = original->update(bar, a);
    if (va != vb || vp != vb) {
      ADD_FAILURE() << call.key() << " cut " << cut << " bar " << i << ": valid " << va << " vs restored "
                    << vb << " (peek " << vp << ")";
      return 0;
    }
    if (!va) continue;
    for (std::size_t k = 0; k < m; ++k) {
      if (!same_value(a[k], b[k]) || !same_value(p[k], b[k])) {
        ADD_FAILURE() << call.key() << " cut " << cut << " bar " << i << " output " << f.outputs[k].name
                      << ": " << std::hexfloat << a[k] << " vs restored " << b[k] << " (peek " << p[k] << ")"
                      << std::defaultfloat;
        return 0;
      }
    }
    ++compared;
  }
  return compared;
}

/// Cut points: the start, around the lookback (where most streams switch from
/// seeding to their recurrence), and well inside the valid range.
std::vector<std::size_t> cut_points(int lookback, std::size_t n) {
  std::vector<std::size_t> cuts{0, 1, 2, n / 2, n - 1};
  for (int d = -2; d <= 2; ++d)
    if (lookback + d >= 0) cuts.push_back(static_cast<std::size_t>(lookback + d));
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::erase_if(cuts, [&](std::size_t c) { return c >= n; });
  return cuts;
}

TEST(SavedStatesCoverage, EveryStreamSavesOrIsListed) {
  std::size_t saving = 0;
  for (const auto& f : registry()) {
    auto call = parse_call(f.name);
    ASSERT_TRUE(call.ok()) << f.name;
    auto s = make_stream(*call);
    ASSERT_NE(s, nullptr) << f.name;
    std::string bytes = "kept";
    const bool saved = s->save(bytes);
    if (saved) {
      ++saving;
      EXPECT_FALSE(not_yet_saved(f.name)) << f.name << " saves its state now: remove it from kNotYetSaved";
      EXPECT_GT(bytes.size(), 4u) << f.name;
    } else {
      EXPECT_TRUE(not_yet_saved(f.name)) << f.name << " has no saved form and is not in kNotYetSaved";
      EXPECT_EQ(bytes, "kept") << f.name << ": a failed save() must leave the output unchanged";
      EXPECT_EQ(s->restore(bytes).error().code, "BAD_STATE") << f.name;
    }
  }
  EXPECT_EQ(saving + kNotYetSaved.size(), registry().size());
}

// Every function at its default options, over a walk with zero-volume bars.
TEST(SavedStates, RestoredStreamsContinueBitForBitAtDefaultOptions) {
  const auto walk = test_data::random_series(320, 20261130, 7);
  const Inputs in = walk.inputs();
  for (const auto& f : registry()) {
    if (not_yet_saved(f.name)) continue;
    auto call = parse_call(f.name);
    ASSERT_TRUE(call.ok()) << f.name;
    for (const std::size_t cut : cut_points(call->lookback(), in.size))
      EXPECT_GT(expect_restored_continues(*call, in, cut), 0u) << call->key() << " cut " << cut;
  }
}

// Option variants that switch a stream's internal form: every MA type inside
// MA, BBANDS, STOCH and the price oscillators (nested streams), period-1
// special cases, and the engine's default studies' periods.
TEST(SavedStates, RestoredStreamsContinueBitForBitOnOptionVariants) {
  const auto walk = test_data::random_series(700, 11, 9);
  const Inputs in = walk.inputs();
  std::vector<std::string> texts = {
      "SMA(timeperiod=200)",    "EMA(timeperiod=200)",
      "EMA(timeperiod=100)",    "STOCH(fastk_period=14)",
      "CCI(timeperiod=20)",     "RELVOL(timeperiod=20)",
      "ATR(timeperiod=1)",      "PLUS_DI(timeperiod=1)",
      "MINUS_DM(timeperiod=1)", "MACD(fastperiod=26,slowperiod=12,signalperiod=1)"};
  for (int t = 0; t <= kMaxMaType; ++t) {
    for (const char* f : {"MA(timeperiod=9,matype=", "BBANDS(timeperiod=9,matype=", "APO(matype=",
                          "STOCH(slowk_matype=", "STOCHRSI(fastd_matype=", "MACDEXT(signalmatype="})
      texts.push_back(f + std::to_string(t) + ")");
  }
  for (const auto& text : texts) {
    auto call = parse_call(text);
    ASSERT_TRUE(call.ok()) << text;
    if (not_yet_saved(call->spec->name)) continue;
    for (const std::size_t cut : cut_points(call->lookback(), in.size))
      EXPECT_GT(expect_restored_continues(*call, in, cut), 0u) << text << " cut " << cut;
  }
}

std::string saved_after(const Call& call, const Inputs& in, std::size_t bars) {
  auto s = make_stream(call);
  std::vector<double> out(call.spec->outputs.size());
  for (std::size_t i = 0; i < bars; ++i) s->update(stream_bar(*call.spec, in, i), out);
  std::string bytes;
  EXPECT_TRUE(s->save(bytes)) << call.key();
  return bytes;
}

// Truncated, extended, foreign and mismatched bytes are refused with a reason.
TEST(SavedStates, BadBytesAreRefusedWithBadState) {
  const auto walk = test_data::random_series(60, 5);
  const Inputs in = walk.inputs();
  auto sma = parse_call("SMA(timeperiod=20)");
  ASSERT_TRUE(sma.ok());
  const std::string good = saved_after(*sma, in, 30);
  ASSERT_TRUE(make_stream(*sma)->restore(good).ok());

  auto refused = [&](const Call& call, std::string_view bytes) {
    auto st = make_stream(call)->restore(bytes);
    return st.ok() ? std::string("accepted") : st.error().code + ": " + st.error().message;
  };
  EXPECT_EQ(refused(*sma, ""), "BAD_STATE: not a saved stream state (no header)");
  EXPECT_EQ(refused(*sma, "garbage bytes here"), "BAD_STATE: not a saved stream state (no header)");
  EXPECT_EQ(refused(*sma, good.substr(0, good.size() - 3)), "BAD_STATE: state ends early");
  EXPECT_EQ(refused(*sma, good + "x"), "BAD_STATE: trailing bytes after the state");

  std::string other_version = good;
  other_version[4] = static_cast<char>(other_version[4] + 1);
  EXPECT_NE(refused(*sma, other_version).find("state layout version"), std::string::npos);
  std::string other_order = good;
  std::swap(other_order[8], other_order[11]);
  EXPECT_EQ(refused(*sma, other_order), "BAD_STATE: state saved on a machine of another byte order");

  // Saved with period 20, restored into period 50: the window lengths differ.
  auto sma50 = parse_call("SMA(timeperiod=50)");
  ASSERT_TRUE(sma50.ok());
  EXPECT_NE(refused(*sma50, good).find("saved with other options"), std::string::npos)
      << refused(*sma50, good);
  // Values no stream could have saved: a flag that is neither 0 nor 1 (OBV's
  // `started`, the first field after the 12-byte header), and a counter far
  // outside any series (EMA's count, after its period and four factors).
  auto obv = parse_call("OBV");
  ASSERT_TRUE(obv.ok());
  std::string flag = saved_after(*obv, in, 5);
  ASSERT_EQ(flag[12], 1);
  flag[12] = 2;
  EXPECT_EQ(refused(*obv, flag), "BAD_STATE: a flag holds neither 0 nor 1");
  auto ema = parse_call("EMA(timeperiod=10)");
  ASSERT_TRUE(ema.ok());
  std::string count = saved_after(*ema, in, 30);
  const int huge = 0x7fffffff;
  std::memcpy(count.data() + 12 + 4 + 32, &huge, sizeof huge);
  EXPECT_EQ(refused(*ema, count), "BAD_STATE: a count or bar index out of range");
  ASSERT_TRUE(make_stream(*ema)->restore(saved_after(*ema, in, 30)).ok());

  // Another function's state is refused as well (its fields do not line up).
  auto rsi = parse_call("RSI(timeperiod=14)");
  ASSERT_TRUE(rsi.ok());
  EXPECT_NE(refused(*rsi, good), "accepted");
}

}  // namespace
}  // namespace ts::ta
